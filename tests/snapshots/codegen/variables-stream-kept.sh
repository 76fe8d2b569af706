#!/usr/bin/env bash
# variables: exported from Workbench. Sends the same request the Workbench does.
# Needs: curl, jq, and ANTHROPIC_API_KEY in the environment.

# send_prompt fills in the prompt's variables ($1 = {{audience}}, $2 = {{limit}}, $3 = {{topic}}) with jq, which escapes them as JSON.
send_prompt() {
  jq --null-input --arg audience "${1}" --arg limit "${2}" --arg topic "${3}" '{
    "model": "claude-sonnet-5-5",
    "max_tokens": 300,
    "system": ("You write for \($audience).\n" +
      "Keep it under \($limit) words."),
    "messages": [
      {
        "role": "user",
        "content": "Explain \($topic) to \($audience); \($topic) again. \($limit)"
      }
    ],
    "stream": true
  }' |
    curl "${ANTHROPIC_BASE_URL:-https://api.anthropic.com}/v1/messages" \
      --header "x-api-key: $ANTHROPIC_API_KEY" \
      --header 'anthropic-version: 2026-10-21' \
      --header 'content-type: application/json' \
      --no-buffer \
      --data-binary @-
}

send_prompt 'kids $(whoami) `id` ${HOME}' '50' $'quotes " \' `back` ${x} $(rm -rf /) $HOME \\ \\n {braces} {{ not a var } %s \x09 tab\x0d\x0aCRLF é 漢字 😀 \xe2\x80\xa8\xe2\x80\xa9'
