"""The prompt as a curl command (and, with variables kept, a shell function that fills them in with jq)."""
from __future__ import annotations

from workbench.codegen.literals import JqWriter, printable_json
from workbench.codegen.plan import (
    CodegenError, api_version, ExportPlan, check_exact_numbers, one_line, unique_identifiers,
)

ANTHROPIC_API_URL = "https://api.anthropic.com"
_HEREDOC = "JSON"
# jq's own words and variables: `--arg ENV x` would hide $ENV.
_JQ_RESERVED = frozenset({
    "if", "then", "elif", "else", "end", "as", "def", "reduce", "foreach", "try", "catch", "label", "import",
    "include", "and", "or", "not", "__loc__", "ENV",
})


def shell_quote(text: str) -> str:
    """One shell word holding exactly `text`: single quotes, or bash's $'...' for unprintable characters."""
    if "\0" in text:
        raise CodegenError("a shell argument cannot hold a NUL character; export with the variables inlined")
    if all(ch.isprintable() or ch in "\n\t" for ch in text):
        return "'" + text.replace("'", "'\\''") + "'"
    out = []
    for ch in text:
        if ch in "\\'":
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append("".join(f"\\x{byte:02x}" for byte in ch.encode("utf-8")))
    return "$'" + "".join(out) + "'"


def render(plan: ExportPlan) -> str:
    if plan.base_url is None:
        # Like the SDKs: ANTHROPIC_BASE_URL when set, else the Anthropic API.
        url = f'"${{ANTHROPIC_BASE_URL:-{ANTHROPIC_API_URL}}}/v1/messages"'
    else:
        url = shell_quote(plan.base_url + "/v1/messages")
    given = {name.strip().lower() for name in plan.headers}
    # Like the SDKs' extra headers, a header the prompt sets replaces the default of that name.
    defaults = {"anthropic-version": api_version(), "content-type": "application/json"}
    headers = ['"x-api-key: $ANTHROPIC_API_KEY"']
    headers += [shell_quote(f"{name}: {value}") for name, value in defaults.items() if name not in given]
    headers += [shell_quote(f"{name}: {value}") for name, value in plan.headers.items()]
    body = dict(plan.request)
    if plan.stream:
        body["stream"] = True

    kept = bool(plan.parameters)
    pad = "      " if kept else "  "
    command = [f"curl {url}"] + [f"{pad}--header {header}" for header in headers]
    if plan.stream:
        command.append(f"{pad}--no-buffer")  # print the server-sent events as they arrive
    command.append(f"{pad}--data-binary @-")

    out = [
        "#!/usr/bin/env bash",
        f"# {one_line(plan.name)}: exported from Workbench. Sends the same request the Workbench does.",
    ]
    if not kept:
        json_text = printable_json(body)
        # Pretty JSON has no line that is only the delimiter: strings never hold a raw newline.
        assert _HEREDOC not in json_text.splitlines()
        out += ["# Needs: curl, and ANTHROPIC_API_KEY in the environment.",
                " \\\n".join(command) + f" <<'{_HEREDOC}'", json_text, _HEREDOC]
        return "\n".join(out) + "\n"

    check_exact_numbers(body, "jq 1.6 (its numbers are doubles)")
    identifiers = unique_identifiers(plan.parameters, _JQ_RESERVED)
    program = JqWriter(identifiers).value(body, "  ")
    # ${10}, not $10: the shell reads $10 as $1 followed by "0".
    arguments = " ".join(f'--arg {identifiers[name]} "${{{position}}}"'
                         for position, name in enumerate(plan.parameters, start=1))
    parameter_list = ", ".join(f"${position} = {{{{{name}}}}}" for position, name in enumerate(plan.parameters, 1))
    call = " ".join(shell_quote(plan.values[name]) for name in plan.parameters)
    out += [
        "# Needs: curl, jq, and ANTHROPIC_API_KEY in the environment.",
        "",
        f"# send_prompt fills in the prompt's variables ({parameter_list}) with jq, which escapes them as JSON.",
        "send_prompt() {",
        f"  jq --null-input {arguments} {_single_quoted_program(program)} |",
        "    " + " \\\n".join(command),
        "}",
        "",
        f"send_prompt {call}",
    ]
    return "\n".join(out) + "\n"


def _single_quoted_program(program: str) -> str:
    return "'" + program.replace("'", "'\\''") + "'"
