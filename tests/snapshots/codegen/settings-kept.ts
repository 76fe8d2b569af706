// settings: exported from Workbench. Sends the same request the Workbench does.
// Needs: npm install @anthropic-ai/sdk, and ANTHROPIC_API_KEY in the environment.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic(); // reads ANTHROPIC_API_KEY from the environment

async function main() {
  const message = await client.messages.create({
    model: "claude-opus-4-6",
    max_tokens: 16000,
    messages: [
      { role: "user", content: "Answer." },
    ],
    thinking: { type: "enabled", budget_tokens: 10000 },
    output_config: {
      effort: "high",
      format: {
        type: "json_schema",
        schema: {
          type: "object",
          properties: {
            answer: { type: "string" },
            score: { type: "number" },
          },
          required: ["answer"],
          additionalProperties: false,
        },
      },
    },
    metadata: { user_id: "user-'\"-1" },
    cache_control: { type: "ephemeral" },
    service_tier: "auto",
  }, { headers: {
      "anthropic-beta": "some-beta-2026-01-01",
      "x-custom": "a 'quoted' \"value\" $x",
    } });
  for (const block of message.content) {
    if (block.type === "text") console.log(block.text);
    else if (block.type === "tool_use") console.log(`[tool_use ${block.name}: ${JSON.stringify(block.input)}]`);
  }
}

main();
