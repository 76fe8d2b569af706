# no-sdk-argument: exported from Workbench. Sends the same request the Workbench does.
# Needs: pip install anthropic, and ANTHROPIC_API_KEY in the environment.
import anthropic

client = anthropic.Anthropic()  # reads ANTHROPIC_API_KEY from the environment

message = client.messages.create(
    model="claude-haiku-4-5",
    max_tokens=10,
    messages=[
        {"role": "user", "content": "Hi"},
    ],
    # Not parameters of this SDK's messages.create: sent in the body as they are.
    extra_body={
        "temperature": 0.7,
        "top_p": 0.9,
        "top_k": 40,
        "custom_flag": False,
        "weights": [1, 2.5, -0.0, 1e-07, 1e+100],
        "workspace_id": "wrkspc_01",
        "user_profile_id": "prof_01",
    },
)
for block in message.content:
    if block.type == "text":
        print(block.text)
    elif block.type == "tool_use":
        print(f"[tool_use {block.name}: {block.input}]")
