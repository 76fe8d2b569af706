#!/usr/bin/env bash
# variables: exported from Workbench. Sends the same request the Workbench does.
# Needs: curl, and ANTHROPIC_API_KEY in the environment.
curl "${ANTHROPIC_BASE_URL:-https://api.anthropic.com}/v1/messages" \
  --header "x-api-key: $ANTHROPIC_API_KEY" \
  --header 'anthropic-version: 2026-10-21' \
  --header 'content-type: application/json' \
  --data-binary @- <<'JSON'
{
  "model": "claude-sonnet-5-5",
  "max_tokens": 300,
  "system": "You write for kids $(whoami) `id` ${HOME}.\nKeep it under 50 words.",
  "messages": [
    {
      "role": "user",
      "content": "Explain quotes \" ' `back` ${x} $(rm -rf /) $HOME \\ \\n {braces} {{ not a var } %s \t tab\r\nCRLF é 漢字 😀 \u2028\u2029 to kids $(whoami) `id` ${HOME}; quotes \" ' `back` ${x} $(rm -rf /) $HOME \\ \\n {braces} {{ not a var } %s \t tab\r\nCRLF é 漢字 😀 \u2028\u2029 again. 50"
    }
  ]
}
JSON
