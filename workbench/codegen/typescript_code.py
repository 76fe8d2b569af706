"""The prompt as a TypeScript program using @anthropic-ai/sdk."""
from __future__ import annotations

from workbench.codegen.literals import TypeScriptWriter, js_string
from workbench.codegen.plan import (
    LONG_REQUEST_TIMEOUT_S, ExportPlan, check_exact_numbers, needs_long_timeout, one_line, unique_identifiers,
)

# The fields of MessageCreateParamsBase in @anthropic-ai/sdk (1.14), less `stream`, which the call
# decides. tests/test_codegen_typescript_fields.py reads the installed SDK's types to keep this true.
TYPED_FIELDS = frozenset({
    "max_tokens", "messages", "model", "cache_control", "container", "diagnostics", "inference_geo", "metadata",
    "output_config", "service_tier", "speed", "stop_sequences", "system", "thinking", "tool_choice", "tools",
})
# Typed too, but the SDK moves them out of the body into headers; Workbench sends them in the body.
HEADER_FIELDS = frozenset({"user_profile_id", "workspace_id"})

_FUNCTION = "sendPrompt"
_RESERVED = frozenset({
    "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
    "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
    "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
    "let", "static", "implements", "interface", "package", "private", "protected", "public", "await", "async",
    "arguments", "eval", "undefined", "NaN", "Infinity",
    "Anthropic", "client", "main", "message", "stream", "text", "block", "params", "process", "console", "JSON",
    "Promise", "string", _FUNCTION,
})


def render(plan: ExportPlan) -> str:
    check_exact_numbers(plan.request, "TypeScript (JavaScript numbers)")
    identifiers = unique_identifiers(plan.parameters, _RESERVED)
    writer = TypeScriptWriter(identifiers)
    kept = bool(plan.parameters)
    indent = "  "  # the call sits in a function body: sendPrompt when variables are kept, else main

    typed = {key: value for key, value in plan.request.items() if key in TYPED_FIELDS}
    untyped = {key: value for key, value in plan.request.items()
               if key not in TYPED_FIELDS and key not in HEADER_FIELDS and key != "stream"}
    moved = {key: value for key, value in plan.request.items() if key in HEADER_FIELDS}
    params_type = "MessageStreamParams" if plan.stream else "MessageCreateParamsNonStreaming"

    entries = [f"{indent}  {writer.key(key)}: {writer.value(value, indent + '  ')}," for key, value in typed.items()]
    if untyped:
        entries.append(f"{indent}  // Not in this SDK's types: sent in the body as they are.")
        entries += [f"{indent}  {writer.key(key)}: {writer.value(value, indent + '  ')},"
                    for key, value in untyped.items()]
    literal = "{\n" + "\n".join(entries) + "\n" + indent + "}"
    if untyped or moved:  # a cast, or TypeScript objects to the untyped fields (or widens role to string)
        literal += f" as Anthropic.{params_type}"

    options = {}
    if needs_long_timeout(plan):  # without streaming, a max_tokens this high needs its own timeout (ms)
        options["timeout"] = f"{LONG_REQUEST_TIMEOUT_S * 1000}"
    if plan.headers:
        options["headers"] = writer.value(plan.headers, indent + "  ")
    setup: list[str] = []
    if moved:
        # The SDK would turn these into headers: send the whole body as Workbench does instead.
        setup.append(f"{indent}const params = {literal};")
        extra = "".join(f" {writer.key(key)}: {writer.value(value, indent + '  ')}," for key, value in moved.items())
        stream_flag = " stream: true," if plan.stream else ""
        options["body"] = "{ ...params," + stream_flag + extra[:-1] + " }"
        argument = "params"
        setup.insert(0, f"{indent}// {', '.join(sorted(moved))}: the SDK sends these as headers; "
                        "Workbench sends them in the body, so this does too.")
    else:
        argument = literal
    if options:
        rendered = ", ".join(f"{name}: {value}" for name, value in options.items())
        argument += ", { " + rendered + " }"

    if plan.stream:
        call = setup + [
            f"{indent}const stream = client.messages.stream({argument});",
            f'{indent}stream.on("text", (text) => process.stdout.write(text));',
            f"{indent}{'const message = ' if kept else ''}await stream.finalMessage();",
            f'{indent}process.stdout.write("\\n");',
        ]
    else:
        call = setup + [f"{indent}const message = await client.messages.create({argument});"]

    out = [
        f"// {one_line(plan.name)}: exported from Workbench. Sends the same request the Workbench does.",
        "// Needs: npm install @anthropic-ai/sdk, and ANTHROPIC_API_KEY in the environment.",
        'import Anthropic from "@anthropic-ai/sdk";',
        "",
        _client_line(plan.base_url),
        "",
    ]
    if kept:
        signature = ", ".join(f"{identifiers[name]}: string" for name in plan.parameters)
        arguments = ", ".join(js_string(plan.values[name]) for name in plan.parameters)
        out += [f"async function {_FUNCTION}({signature}): Promise<Anthropic.Message> {{"]
        out += call + ["  return message;", "}", ""]
        out += ["async function main() {"]
        if plan.stream:
            out += [f"  await {_FUNCTION}({arguments});"]
        else:
            out += [f"  const message = await {_FUNCTION}({arguments});"] + _print_message()
        out += ["}"]
    else:
        out += ["async function main() {"] + call + ([] if plan.stream else _print_message()) + ["}"]
    out += ["", "main();"]
    return "\n".join(out) + "\n"


def _client_line(base_url: str | None) -> str:
    if base_url is None:
        return "const client = new Anthropic(); // reads ANTHROPIC_API_KEY from the environment"
    return f"const client = new Anthropic({{ baseURL: {js_string(base_url)} }}); // reads ANTHROPIC_API_KEY"


def _print_message() -> list[str]:
    return [
        "  for (const block of message.content) {",
        '    if (block.type === "text") console.log(block.text);',
        '    else if (block.type === "tool_use") console.log(`[tool_use ${block.name}: ${JSON.stringify(block.input)}]`);',
        "  }",
    ]
