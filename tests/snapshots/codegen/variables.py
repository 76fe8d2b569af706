# variables: exported from Workbench. Sends the same request the Workbench does.
# Needs: pip install anthropic, and ANTHROPIC_API_KEY in the environment.
import anthropic

client = anthropic.Anthropic()  # reads ANTHROPIC_API_KEY from the environment

message = client.messages.create(
    model="claude-sonnet-5-5",
    max_tokens=300,
    system=(
        "You write for kids $(whoami) `id` ${HOME}.\n"
        "Keep it under 50 words."
    ),
    messages=[
        {
            "role": "user",
            "content": (
                "Explain quotes \" ' `back` ${x} $(rm -rf /) $HOME \\ \\n {braces} {{ not a var } %s \t tab\r\n"
                "CRLF é 漢字 😀 \u2028\u2029 to kids $(whoami) `id` ${HOME}; quotes \" ' `back` ${x} $(rm -rf /) $HOME \\ \\n {braces} {{ not a var } %s \t tab\r\n"
                "CRLF é 漢字 😀 \u2028\u2029 again. 50"
            ),
        },
    ],
)
for block in message.content:
    if block.type == "text":
        print(block.text)
    elif block.type == "tool_use":
        print(f"[tool_use {block.name}: {block.input}]")
