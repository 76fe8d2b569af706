"""Prompts that are hard to export: every request feature, and text that trips up escaping in each language."""
from __future__ import annotations

from codegen_support import Case

NASTY = "quotes \" ' `back` ${x} $(rm -rf /) $HOME \\ \\n {braces} {{ not a var } %s \t tab\r\nCRLF é 漢字 😀 \u2028\u2029"
CONTROL = "nul\x00 bell\x07 esc\x1b del\x7f c1\x85 zw\u200b bidi\u202e bom\ufeff nbsp\u00a0"

TOOL = {
    "name": "get_weather",
    "description": "Weather for {{city}}: says \"sunny\" or 'rain' ${x}",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "e.g. `Paris`"},
            "days": {"type": "integer", "minimum": 1, "maximum": 14},
            "__proto__": {"type": "boolean"},
            "odd key-with.dots": {"type": "number"},
        },
        "required": ["city"],
        "additionalProperties": False,
    },
    "cache_control": {"type": "ephemeral", "ttl": "1h"},
}

TRICKY = [
    Case("plain", {"model": "claude-haiku-4-5", "max_tokens": 64,
                   "messages": [{"role": "user", "content": "Say hello."}]}),
    Case("variables", {
        "model": "claude-sonnet-5-5", "max_tokens": 300,
        "system": "You write for {{ audience }}.\nKeep it under {{limit}} words.",
        "messages": [{"role": "user", "content": "Explain {{topic}} to {{audience}}; {{topic}} again. {{limit}}"}],
    }, values={"audience": "kids $(whoami) `id` ${HOME}", "topic": NASTY, "limit": "50"}),
    Case("names-that-are-keywords", {
        "model": "claude-haiku-4-5", "max_tokens": 50,
        "messages": [{"role": "user", "content": "{{class}} {{client}} {{for}} {{user.name}} {{user-name}} {{user_name}} "
                                                 "{{ENV}} {{if}} {{main}} {{params}} {{_}}"}],
    }, values={"class": "c", "client": "k", "for": "f", "user.name": "u1", "user-name": "u2", "user_name": "u3",
               "ENV": "e", "if": "i", "main": "m", "params": "p", "_": "underscore"}),
    Case("nasty-text", {
        "model": "claude-haiku-4-5", "max_tokens": 100,
        "system": [{"type": "text", "text": NASTY, "cache_control": {"type": "ephemeral"}},
                   {"type": "text", "text": CONTROL}],
        "messages": [{"role": "user", "content": NASTY + " {{v}}"},
                     {"role": "assistant", "content": "'JSON'\nJSON\nEOF\n"},
                     {"role": "user", "content": [{"type": "text", "text": CONTROL + "{{v}}"}]}],
        "stop_sequences": ["\n\nHuman:", "'", "\"", "$(", "JSON"],
    }, values={"v": NASTY + CONTROL.replace("\x00", "")}),
    Case("tools-and-results", {
        "model": "claude-sonnet-5-5", "max_tokens": 1024,
        "tools": [TOOL],
        "tool_choice": {"type": "tool", "name": "get_weather", "disable_parallel_tool_use": True},
        "messages": [
            {"role": "user", "content": "Weather in {{city}}?"},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Checking."},
                {"type": "tool_use", "id": "toolu_01", "name": "get_weather",
                 "input": {"city": "{{city}}", "days": 3, "flag": True, "ratio": 0.25, "none": None, "list": []}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01", "content": "Sunny in {{city}}, 21°C",
                 "is_error": False},
                {"type": "text", "text": "Thanks", "cache_control": {"type": "ephemeral", "ttl": "5m"}}]},
        ],
    }, values={"city": "São Paulo \"SP\""}),
    Case("settings", {
        "model": "claude-opus-4-6", "max_tokens": 16000,
        "thinking": {"type": "enabled", "budget_tokens": 10000},
        "output_config": {"effort": "high", "format": {"type": "json_schema", "schema": {
            "type": "object", "properties": {"answer": {"type": "string"}, "score": {"type": "number"}},
            "required": ["answer"], "additionalProperties": False}}},
        "metadata": {"user_id": "user-'\"-1"},
        "cache_control": {"type": "ephemeral"},
        "service_tier": "auto",
        "messages": [{"role": "user", "content": "Answer."}],
    }, headers={"anthropic-beta": "some-beta-2026-01-01", "x-custom": "a 'quoted' \"value\" $x"}),
    Case("no-sdk-argument", {
        "model": "claude-haiku-4-5", "max_tokens": 10,
        "temperature": 0.7, "top_p": 0.9, "top_k": 40, "custom_flag": False, "weights": [1, 2.5, -0.0, 1e-07, 1e+100],
        "workspace_id": "wrkspc_01", "user_profile_id": "prof_01",
        "messages": [{"role": "user", "content": "Hi"}],
    }),
    Case("long-output", {"model": "claude-opus-4-1-20250805", "max_tokens": 64000,
                         "messages": [{"role": "user", "content": "Write at length."}]}),
]
