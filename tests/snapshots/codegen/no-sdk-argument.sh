#!/usr/bin/env bash
# no-sdk-argument: exported from Workbench. Sends the same request the Workbench does.
# Needs: curl, and ANTHROPIC_API_KEY in the environment.
curl "${ANTHROPIC_BASE_URL:-https://api.anthropic.com}/v1/messages" \
  --header "x-api-key: $ANTHROPIC_API_KEY" \
  --header 'anthropic-version: 2026-10-21' \
  --header 'content-type: application/json' \
  --data-binary @- <<'JSON'
{
  "model": "claude-haiku-4-5",
  "max_tokens": 10,
  "messages": [
    {
      "role": "user",
      "content": "Hi"
    }
  ],
  "temperature": 0.7,
  "top_p": 0.9,
  "top_k": 40,
  "custom_flag": false,
  "weights": [
    1,
    2.5,
    -0.0,
    1e-07,
    1e+100
  ],
  "workspace_id": "wrkspc_01",
  "user_profile_id": "prof_01"
}
JSON
