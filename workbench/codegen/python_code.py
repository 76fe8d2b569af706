"""The prompt as a Python script using the anthropic SDK."""
from __future__ import annotations

import keyword

from workbench.codegen.literals import PythonWriter, python_string
from workbench.codegen.plan import LONG_REQUEST_TIMEOUT_S, ExportPlan, needs_long_timeout, one_line, unique_identifiers

_FUNCTION = "send_prompt"
# Names the script itself uses: a parameter called `client` would hide the client inside the function.
_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {
    "anthropic", "client", "message", "stream", "text", "block", "print", "str", _FUNCTION,
}


def call_arguments(request: dict) -> dict:
    """messages.create keyword arguments: the SDK's own parameters, the rest under extra_body (as the runner does)."""
    from workbench.runner import build_call_kwargs  # imports the SDK: only when Python code is asked for

    return build_call_kwargs(request)


def render(plan: ExportPlan) -> str:
    identifiers = unique_identifiers(plan.parameters, _RESERVED)
    writer = PythonWriter(identifiers)
    kept = bool(plan.parameters)
    body_indent = "    " * (2 if kept else 1)
    arguments = call_arguments(plan.request)
    if plan.headers:
        arguments["extra_headers"] = plan.headers
    if needs_long_timeout(plan):
        arguments["timeout"] = float(LONG_REQUEST_TIMEOUT_S)
    lines = []
    for name, value in arguments.items():
        if name == "extra_body":
            lines.append(f"{body_indent}# Not parameters of this SDK's messages.create: sent in the body as they are.")
        if name == "timeout":
            lines.append(f"{body_indent}# Without streaming, a max_tokens this high needs its own timeout (seconds).")
        lines.append(f"{body_indent}{name}={writer.value(value, body_indent)},")
    call_body = "\n".join(lines)

    out = [
        f"# {one_line(plan.name)}: exported from Workbench. Sends the same request the Workbench does.",
        "# Needs: pip install anthropic, and ANTHROPIC_API_KEY in the environment.",
        "import anthropic",
        "",
        _client_line(plan.base_url),
        "",
    ]
    if kept:
        signature = ", ".join(f"{identifiers[name]}: str" for name in plan.parameters)
        call = ", ".join(f"{identifiers[name]}={python_string(plan.values[name])}" for name in plan.parameters)
        out += ["", f"def {_FUNCTION}({signature}) -> anthropic.types.Message:"]
        if plan.stream:
            out += [
                '    """Send the prompt with its {{variables}} filled in; print the reply as it streams."""',
                "    with client.messages.stream(", call_body, "    ) as stream:",
                "        for text in stream.text_stream:",
                '            print(text, end="", flush=True)',
                "        print()",
                "        return stream.get_final_message()",
                "", "", f"{_FUNCTION}({call})",
            ]
        else:
            out += [
                '    """Send the prompt with its {{variables}} filled in."""',
                "    return client.messages.create(", call_body, "    )",
                "", "", f"message = {_FUNCTION}({call})",
            ] + _print_message()
    elif plan.stream:
        out += [
            "with client.messages.stream(", call_body, ") as stream:",
            "    for text in stream.text_stream:",
            '        print(text, end="", flush=True)',
            "print()",
        ]
    else:
        out += ["message = client.messages.create(", call_body, ")"] + _print_message()
    return "\n".join(out) + "\n"


def _client_line(base_url: str | None) -> str:
    if base_url is None:
        return "client = anthropic.Anthropic()  # reads ANTHROPIC_API_KEY from the environment"
    return (f"client = anthropic.Anthropic(base_url={python_string(base_url)})"
            "  # reads ANTHROPIC_API_KEY from the environment")


def _print_message() -> list[str]:
    return [
        "for block in message.content:",
        '    if block.type == "text":',
        "        print(block.text)",
        '    elif block.type == "tool_use":',
        '        print(f"[tool_use {block.name}: {block.input}]")',
    ]
