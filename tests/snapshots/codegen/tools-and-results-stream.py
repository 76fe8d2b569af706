# tools-and-results: exported from Workbench. Sends the same request the Workbench does.
# Needs: pip install anthropic, and ANTHROPIC_API_KEY in the environment.
import anthropic

client = anthropic.Anthropic(base_url="https://gateway.example.com/anthropic")  # reads ANTHROPIC_API_KEY from the environment

with client.messages.stream(
    model="claude-sonnet-5-5",
    max_tokens=1024,
    messages=[
        {"role": "user", "content": "Weather in São Paulo \"SP\"?"},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Checking."},
                {
                    "type": "tool_use",
                    "id": "toolu_01",
                    "name": "get_weather",
                    "input": {
                        "city": "{{city}}",
                        "days": 3,
                        "flag": True,
                        "ratio": 0.25,
                        "none": None,
                        "list": [],
                    },
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_01",
                    "content": "Sunny in São Paulo \"SP\", 21°C",
                    "is_error": False,
                },
                {
                    "type": "text",
                    "text": "Thanks",
                    "cache_control": {"type": "ephemeral", "ttl": "5m"},
                },
            ],
        },
    ],
    tools=[
        {
            "name": "get_weather",
            "description": "Weather for São Paulo \"SP\": says \"sunny\" or 'rain' ${x}",
            "input_schema": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "e.g. `Paris`"},
                    "days": {"type": "integer", "minimum": 1, "maximum": 14},
                    "__proto__": {"type": "boolean"},
                    "odd key-with.dots": {"type": "number"},
                },
                "required": ["city"],
                "additionalProperties": False,
            },
            "cache_control": {"type": "ephemeral", "ttl": "1h"},
        },
    ],
    tool_choice={"type": "tool", "name": "get_weather", "disable_parallel_tool_use": True},
) as stream:
    for text in stream.text_stream:
        print(text, end="", flush=True)
print()
