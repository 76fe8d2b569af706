// Runs many exported TypeScript snippets in one node process, for the code-export round-trip tests.
// Each snippet is transpiled with the installed typescript and required with its own environment
// (ANTHROPIC_BASE_URL is read when its client is built, at require time), so they run concurrently.
// Usage: node run_snippets.cjs manifest.json   (manifest: [{"file": "...ts", "env": {NAME: value|null}}])
"use strict";
const fs = require("fs");
const ts = require("typescript");

const manifest = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
process.on("unhandledRejection", (error) => {
  console.error(`snippet failed: ${(error && error.stack) || error}`);
  process.exitCode = 1;
});
for (const item of manifest) {
  const source = fs.readFileSync(item.file, "utf8");
  const { outputText } = ts.transpileModule(source, {
    fileName: item.file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const compiled = item.file.replace(/\.ts$/, ".cjs");
  fs.writeFileSync(compiled, outputText);
  for (const [name, value] of Object.entries(item.env)) {
    if (value === null) delete process.env[name];
    else process.env[name] = value;
  }
  require(compiled);
}
