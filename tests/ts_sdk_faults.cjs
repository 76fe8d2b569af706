// Drives the official TypeScript SDK against the simulator's `reset` and `stream_error` faults and
// prints one JSON line per case. Run by tests/test_simulator_faults_typescript.py:
//   node tests/ts_sdk_faults.cjs BASE_URL SDK_DIR
const [baseURL, sdkDir] = process.argv.slice(2);
const Anthropic = require(sdkDir);
const messages = [{ role: "user", content: "Tell me a long story about a lighthouse keeper and the sea." }];

function client(fault, maxRetries) {
  return new Anthropic({ baseURL, apiKey: "test-key", maxRetries, defaultHeaders: { "x-simulator-fault": fault } });
}

async function resetRetried() {
  // Two resets, then an answer: the SDK retries a connection error (maxRetries 2 covers both).
  const message = await client("reset;times=2", 2).messages.create({ model: "claude-haiku-4-5", max_tokens: 50, messages });
  return { model: message.model, blocks: message.content.length };
}

async function resetGivesUp() {
  try {
    await client("reset", 1).messages.create({ model: "claude-haiku-4-5", max_tokens: 50, messages });
    return { error: null };
  } catch (error) {
    return { error: error.constructor.name, connection: error instanceof Anthropic.APIConnectionError };
  }
}

async function streamError() {
  // times=1: a retry would succeed, so an error here proves the SDK did not retry a mid-stream error.
  const stream = client("stream_error;times=1", 2).messages.stream({ model: "claude-haiku-4-5", max_tokens: 400, messages });
  let text = "";
  stream.on("text", (delta) => { text += delta; });
  try {
    await stream.finalMessage();
    return { error: null, text };
  } catch (error) {
    return { error: error.constructor.name, apiError: error instanceof Anthropic.APIError, status: error.status ?? null,
             type: error.error?.error?.type ?? error.error?.type ?? null, text };
  }
}

(async () => {
  for (const [name, run] of [["reset_retried", resetRetried], ["reset_gives_up", resetGivesUp], ["stream_error", streamError]]) {
    console.log(JSON.stringify({ case: name, ...(await run()) }));
  }
})().catch((error) => { console.error(error); process.exit(1); });
