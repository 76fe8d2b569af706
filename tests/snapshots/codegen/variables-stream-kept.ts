// variables: exported from Workbench. Sends the same request the Workbench does.
// Needs: npm install @anthropic-ai/sdk, and ANTHROPIC_API_KEY in the environment.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic(); // reads ANTHROPIC_API_KEY from the environment

async function sendPrompt(audience: string, limit: string, topic: string): Promise<Anthropic.Message> {
  const stream = client.messages.stream({
    model: "claude-sonnet-5-5",
    max_tokens: 300,
    system: `You write for ${audience}.\n` +
      `Keep it under ${limit} words.`,
    messages: [
      {
        role: "user",
        content: `Explain ${topic} to ${audience}; ${topic} again. ${limit}`,
      },
    ],
  });
  stream.on("text", (text) => process.stdout.write(text));
  const message = await stream.finalMessage();
  process.stdout.write("\n");
  return message;
}

async function main() {
  await sendPrompt("kids $(whoami) `id` ${HOME}", "50", "quotes \" ' `back` ${x} $(rm -rf /) $HOME \\ \\n {braces} {{ not a var } %s \t tab\r\nCRLF é 漢字 😀 \u2028\u2029");
}

main();
