#!/usr/bin/env bash
# tools-and-results: exported from Workbench. Sends the same request the Workbench does.
# Needs: curl, and ANTHROPIC_API_KEY in the environment.
curl 'https://gateway.example.com/anthropic/v1/messages' \
  --header "x-api-key: $ANTHROPIC_API_KEY" \
  --header 'anthropic-version: 2026-10-21' \
  --header 'content-type: application/json' \
  --no-buffer \
  --data-binary @- <<'JSON'
{
  "model": "claude-sonnet-5-5",
  "max_tokens": 1024,
  "messages": [
    {
      "role": "user",
      "content": "Weather in São Paulo \"SP\"?"
    },
    {
      "role": "assistant",
      "content": [
        {
          "type": "text",
          "text": "Checking."
        },
        {
          "type": "tool_use",
          "id": "toolu_01",
          "name": "get_weather",
          "input": {
            "city": "{{city}}",
            "days": 3,
            "flag": true,
            "ratio": 0.25,
            "none": null,
            "list": []
          }
        }
      ]
    },
    {
      "role": "user",
      "content": [
        {
          "type": "tool_result",
          "tool_use_id": "toolu_01",
          "content": "Sunny in São Paulo \"SP\", 21°C",
          "is_error": false
        },
        {
          "type": "text",
          "text": "Thanks",
          "cache_control": {
            "type": "ephemeral",
            "ttl": "5m"
          }
        }
      ]
    }
  ],
  "tools": [
    {
      "name": "get_weather",
      "description": "Weather for São Paulo \"SP\": says \"sunny\" or 'rain' ${x}",
      "input_schema": {
        "type": "object",
        "properties": {
          "city": {
            "type": "string",
            "description": "e.g. `Paris`"
          },
          "days": {
            "type": "integer",
            "minimum": 1,
            "maximum": 14
          },
          "__proto__": {
            "type": "boolean"
          },
          "odd key-with.dots": {
            "type": "number"
          }
        },
        "required": [
          "city"
        ],
        "additionalProperties": false
      },
      "cache_control": {
        "type": "ephemeral",
        "ttl": "1h"
      }
    }
  ],
  "tool_choice": {
    "type": "tool",
    "name": "get_weather",
    "disable_parallel_tool_use": true
  },
  "stream": true
}
JSON
