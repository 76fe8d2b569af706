"""POST /v1/messages and /v1/messages/count_tokens without the HTTP: validate, count, cache, reply."""
from __future__ import annotations

from collections.abc import Callable

import random
import uuid
from dataclasses import dataclass

from .cache import PromptCache
from .config import SimulatorConfig
from .diagnostics import DiagnosticsBook, Fingerprint, check_diagnostics
from .latency import Pacing, pacing_for
from .replies import plan_reply
from .tokenizer import count_input_tokens, request_segments
from .validation import validate_count_tokens_request, validate_message_request


@dataclass(frozen=True)
class PreparedMessage:
    """A finished Message (API JSON) plus what the HTTP layer needs to deliver it."""

    message: dict
    start_usage: dict  # usage as message_start announces it (output_tokens not known yet)
    pacing: Pacing


def new_message_id() -> str:
    return "msg_sim_" + uuid.uuid4().hex[:24]


class MessageService:
    """The Messages endpoints of one server, sharing its prompt cache."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.cache = PromptCache()
        self.diagnostics = DiagnosticsBook()

    def count_tokens(self, request: object) -> dict:
        """The count_tokens response: the same count usage adds up to."""
        validate_count_tokens_request(request)
        return {"input_tokens": count_input_tokens(request)}

    def create(self, request: object, admit: Callable[[int], None] | None = None) -> PreparedMessage:
        """Validate, account the prompt cache, and generate the reply (raises ApiError).

        `admit` is called with the request's uncached input tokens before anything is stored in
        the cache; it raises (a rate limit) to refuse the request, leaving the cache untouched.
        """
        model = validate_message_request(request)
        check_diagnostics(request)
        segments = request_segments(request)
        total_input = sum(segment.tokens for segment in segments)
        if admit is not None:
            would = self.cache.account(model["id"], segments, request.get("cache_control"), commit=False)
            admit(total_input - would.read_tokens)
        cached = self.cache.account(model["id"], segments, request.get("cache_control"))
        plan = plan_reply(request, model, self.config.seed)
        input_usage = {
            "input_tokens": total_input - cached.read_tokens - cached.write_tokens,
            "cache_creation_input_tokens": cached.write_tokens,
            "cache_read_input_tokens": cached.read_tokens,
            "cache_creation": {
                "ephemeral_5m_input_tokens": cached.write_5m_tokens,
                "ephemeral_1h_input_tokens": cached.write_1h_tokens,
            },
        }
        fingerprint = Fingerprint.of(request, model["id"], cached.read_tokens + cached.write_tokens)
        message_id = new_message_id()
        message = {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": request["model"],  # echoes what was sent: a dated snapshot id stays dated
            "content": plan.content,
            "stop_reason": plan.stop_reason,
            "stop_sequence": plan.stop_sequence,
            "stop_details": None,
            "usage": {**input_usage, "output_tokens": plan.output_tokens, "service_tier": "standard"},
        }
        if "diagnostics" in request:
            message["diagnostics"] = self.diagnostics.diagnose(request, fingerprint, cached.read_tokens)
        self.diagnostics.remember(message_id, fingerprint)
        start_usage = {**input_usage, "output_tokens": min(1, plan.output_tokens), "service_tier": "standard"}
        pacing = pacing_for(model, random.Random(f"{plan.seed}:latency"), self.config.speed)
        return PreparedMessage(message, start_usage, pacing)
