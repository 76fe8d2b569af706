"""Per-line latency profiles: time to first token and output speed, with deterministic jitter."""
from __future__ import annotations

import random
from dataclasses import dataclass

# (seconds to first token, output tokens per second) at speed 1, by model line.
PROFILES: dict[str, tuple[float, float]] = {
    "haiku": (0.25, 200.0),
    "sonnet": (0.5, 100.0),
    "opus": (0.9, 50.0),
    "fable": (1.1, 45.0),
    "mythos": (1.1, 45.0),
}
DEFAULT_LINE = "sonnet"
JITTER = 0.15  # +-15%, drawn from the request's own random generator


@dataclass(frozen=True)
class Pacing:
    """How long this reply takes, already divided by --speed."""

    ttft_s: float
    seconds_per_token: float

    def total_s(self, output_tokens: int) -> float:
        return self.ttft_s + output_tokens * self.seconds_per_token


def pacing_for(model: dict, rng: random.Random, speed: float) -> Pacing:
    """The reply's pacing for this model's line, scaled by 1/speed (> 0, as SimulatorConfig checks)."""
    ttft, tokens_per_s = PROFILES.get(model.get("line") or DEFAULT_LINE, PROFILES[DEFAULT_LINE])
    ttft *= 1 + rng.uniform(-JITTER, JITTER)
    tokens_per_s *= 1 + rng.uniform(-JITTER, JITTER)
    return Pacing(ttft / speed, 1.0 / (tokens_per_s * speed))
