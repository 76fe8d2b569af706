// no-sdk-argument: exported from Workbench. Sends the same request the Workbench does.
// Needs: npm install @anthropic-ai/sdk, and ANTHROPIC_API_KEY in the environment.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic(); // reads ANTHROPIC_API_KEY from the environment

async function main() {
  // user_profile_id, workspace_id: the SDK sends these as headers; Workbench sends them in the body, so this does too.
  const params = {
    model: "claude-haiku-4-5",
    max_tokens: 10,
    messages: [
      { role: "user", content: "Hi" },
    ],
    // Not in this SDK's types: sent in the body as they are.
    temperature: 0.7,
    top_p: 0.9,
    top_k: 40,
    custom_flag: false,
    weights: [1, 2.5, -0.0, 1e-07, 1e+100],
  } as Anthropic.MessageCreateParamsNonStreaming;
  const message = await client.messages.create(params, { body: { ...params, workspace_id: "wrkspc_01", user_profile_id: "prof_01" } });
  for (const block of message.content) {
    if (block.type === "text") console.log(block.text);
    else if (block.type === "tool_use") console.log(`[tool_use ${block.name}: ${JSON.stringify(block.input)}]`);
  }
}

main();
