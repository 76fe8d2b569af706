"""Settings of one simulator server (the CLI flags and start_simulator's arguments)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SimulatorConfig:
    """speed divides every delay; rate_limit is requests/s and itpm/otpm tokens per minute (simulated
    time, None for no limit); fault_rate is 0..1."""

    speed: float = 1.0
    rate_limit: float | None = None
    fault_rate: float = 0.0
    seed: int = 0
    batch_expire_rate: float = 0.0  # share of each batch's requests that expire (0..1)
    batch_dir: str | None = None  # where batches are kept, so they survive a restart; None: memory only
    itpm: int | None = None
    otpm: int | None = None

    def __post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError("speed must be greater than 0")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        if not 0.0 <= self.batch_expire_rate <= 1.0:
            raise ValueError("batch_expire_rate must be between 0 and 1")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ValueError("rate_limit must be greater than 0 (or None for no limit)")
        for name in ("itpm", "otpm"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be a whole number of tokens per minute of at least 1 (or None)")
