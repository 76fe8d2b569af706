// variables: exported from Workbench. Sends the same request the Workbench does.
// Needs: npm install @anthropic-ai/sdk, and ANTHROPIC_API_KEY in the environment.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic(); // reads ANTHROPIC_API_KEY from the environment

async function main() {
  const message = await client.messages.create({
    model: "claude-sonnet-5-5",
    max_tokens: 300,
    system: "You write for kids $(whoami) `id` ${HOME}.\n" +
      "Keep it under 50 words.",
    messages: [
      {
        role: "user",
        content: "Explain quotes \" ' `back` ${x} $(rm -rf /) $HOME \\ \\n {braces} {{ not a var } %s \t tab\r\n" +
          "CRLF é 漢字 😀 \u2028\u2029 to kids $(whoami) `id` ${HOME}; quotes \" ' `back` ${x} $(rm -rf /) $HOME \\ \\n {braces} {{ not a var } %s \t tab\r\n" +
          "CRLF é 漢字 😀 \u2028\u2029 again. 50",
      },
    ],
  });
  for (const block of message.content) {
    if (block.type === "text") console.log(block.text);
    else if (block.type === "tool_use") console.log(`[tool_use ${block.name}: ${JSON.stringify(block.input)}]`);
  }
}

main();
