# settings: exported from Workbench. Sends the same request the Workbench does.
# Needs: pip install anthropic, and ANTHROPIC_API_KEY in the environment.
import anthropic

client = anthropic.Anthropic()  # reads ANTHROPIC_API_KEY from the environment

message = client.messages.create(
    model="claude-opus-4-6",
    max_tokens=16000,
    messages=[
        {"role": "user", "content": "Answer."},
    ],
    thinking={"type": "enabled", "budget_tokens": 10000},
    output_config={
        "effort": "high",
        "format": {
            "type": "json_schema",
            "schema": {
                "type": "object",
                "properties": {
                    "answer": {"type": "string"},
                    "score": {"type": "number"},
                },
                "required": ["answer"],
                "additionalProperties": False,
            },
        },
    },
    metadata={"user_id": "user-'\"-1"},
    cache_control={"type": "ephemeral"},
    service_tier="auto",
    extra_headers={
        "anthropic-beta": "some-beta-2026-01-01",
        "x-custom": "a 'quoted' \"value\" $x",
    },
)
for block in message.content:
    if block.type == "text":
        print(block.text)
    elif block.type == "tool_use":
        print(f"[tool_use {block.name}: {block.input}]")
