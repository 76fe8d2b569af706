# variables: exported from Workbench. Sends the same request the Workbench does.
# Needs: pip install anthropic, and ANTHROPIC_API_KEY in the environment.
import anthropic

client = anthropic.Anthropic()  # reads ANTHROPIC_API_KEY from the environment


def send_prompt(audience: str, limit: str, topic: str) -> anthropic.types.Message:
    """Send the prompt with its {{variables}} filled in; print the reply as it streams."""
    with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=300,
        system=(
            f"You write for {audience}.\n"
            f"Keep it under {limit} words."
        ),
        messages=[
            {
                "role": "user",
                "content": f"Explain {topic} to {audience}; {topic} again. {limit}",
            },
        ],
    ) as stream:
        for text in stream.text_stream:
            print(text, end="", flush=True)
        print()
        return stream.get_final_message()


send_prompt(audience="kids $(whoami) `id` ${HOME}", limit="50", topic="quotes \" ' `back` ${x} $(rm -rf /) $HOME \\ \\n {braces} {{ not a var } %s \t tab\r\nCRLF é 漢字 😀 \u2028\u2029")
