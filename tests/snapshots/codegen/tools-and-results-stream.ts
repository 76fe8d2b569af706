// tools-and-results: exported from Workbench. Sends the same request the Workbench does.
// Needs: npm install @anthropic-ai/sdk, and ANTHROPIC_API_KEY in the environment.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic({ baseURL: "https://gateway.example.com/anthropic" }); // reads ANTHROPIC_API_KEY

async function main() {
  const stream = client.messages.stream({
    model: "claude-sonnet-5-5",
    max_tokens: 1024,
    messages: [
      { role: "user", content: "Weather in São Paulo \"SP\"?" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking." },
          {
            type: "tool_use",
            id: "toolu_01",
            name: "get_weather",
            input: {
              city: "{{city}}",
              days: 3,
              flag: true,
              ratio: 0.25,
              none: null,
              list: [],
            },
          },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "toolu_01",
            content: "Sunny in São Paulo \"SP\", 21°C",
            is_error: false,
          },
          {
            type: "text",
            text: "Thanks",
            cache_control: { type: "ephemeral", ttl: "5m" },
          },
        ],
      },
    ],
    tools: [
      {
        name: "get_weather",
        description: "Weather for São Paulo \"SP\": says \"sunny\" or 'rain' ${x}",
        input_schema: {
          type: "object",
          properties: {
            city: { type: "string", description: "e.g. `Paris`" },
            days: { type: "integer", minimum: 1, maximum: 14 },
            ["__proto__"]: { type: "boolean" },
            "odd key-with.dots": { type: "number" },
          },
          required: ["city"],
          additionalProperties: false,
        },
        cache_control: { type: "ephemeral", ttl: "1h" },
      },
    ],
    tool_choice: { type: "tool", name: "get_weather", disable_parallel_tool_use: true },
  });
  stream.on("text", (text) => process.stdout.write(text));
  await stream.finalMessage();
  process.stdout.write("\n");
}

main();
