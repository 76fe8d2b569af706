#!/usr/bin/env bash
# settings: exported from Workbench. Sends the same request the Workbench does.
# Needs: curl, and ANTHROPIC_API_KEY in the environment.
curl "${ANTHROPIC_BASE_URL:-https://api.anthropic.com}/v1/messages" \
  --header "x-api-key: $ANTHROPIC_API_KEY" \
  --header 'anthropic-version: 2026-10-21' \
  --header 'content-type: application/json' \
  --header 'anthropic-beta: some-beta-2026-01-01' \
  --header 'x-custom: a '\''quoted'\'' "value" $x' \
  --data-binary @- <<'JSON'
{
  "model": "claude-opus-4-6",
  "max_tokens": 16000,
  "messages": [
    {
      "role": "user",
      "content": "Answer."
    }
  ],
  "thinking": {
    "type": "enabled",
    "budget_tokens": 10000
  },
  "output_config": {
    "effort": "high",
    "format": {
      "type": "json_schema",
      "schema": {
        "type": "object",
        "properties": {
          "answer": {
            "type": "string"
          },
          "score": {
            "type": "number"
          }
        },
        "required": [
          "answer"
        ],
        "additionalProperties": false
      }
    }
  },
  "metadata": {
    "user_id": "user-'\"-1"
  },
  "cache_control": {
    "type": "ephemeral"
  },
  "service_tier": "auto"
}
JSON
