"""Which endpoint Workbench talks to (Anthropic API, a compatible URL, or the local simulator), and its SDK client."""
from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from dotenv import dotenv_values

from workbench import pacing
from workbench.key_shapes import header_value_problem

if TYPE_CHECKING:
    import anthropic

SIMULATOR_KEY = "simulator-local-key"
ANTHROPIC_API_URL = "https://api.anthropic.com"
BACKEND_MODES = ("api", "simulator", "auto")
NO_KEY_REASON = "no API key set"

_simulator_lock = threading.Lock()
_simulator_handle = None  # one in-process simulator per process, started on first need


class BackendConfigError(ValueError):
    """The environment asks for a backend that cannot be set up; the message says what to change."""


@dataclass(frozen=True)
class Backend:
    """Where calls go and with which key; repr and str never show the key."""

    kind: Literal["api", "simulator", "custom"]
    base_url: str
    api_key: str = field(repr=False)
    # Why the simulator was chosen; shown in its label ("no API key set" or the override).
    simulator_reason: str = NO_KEY_REASON

    @property
    def label(self) -> str:
        if self.kind == "simulator":
            return f"Simulator — {self.simulator_reason}"
        if self.kind == "custom":
            return f"Custom endpoint: {self.base_url}"
        return "Anthropic API"

    @property
    def key_fingerprint(self) -> str:
        # Cache keys need to change when the key changes, without holding the key itself.
        return "sha256:" + hashlib.sha256(self.api_key.encode("utf-8")).hexdigest()[:8]


def _setting(name: str, env: Mapping[str, str], dotenv: Mapping[str, str | None], secrets: Mapping | None) -> str | None:
    """First non-empty value of `name`: environment, then .env, then secrets."""
    for source in (env, dotenv, secrets or {}):
        try:
            value = source.get(name)
        except Exception:  # st.secrets raises when no secrets file exists: treat as "no secret"
            value = None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _start_simulator_once(env: Mapping[str, str]) -> str:
    """Start the in-process simulator on a free loopback port the first time; return its URL."""
    global _simulator_handle
    with _simulator_lock:
        if _simulator_handle is None:
            from workbench.simulator import start_simulator  # imported late: only needed without a key

            from workbench.paths import simulator_batch_dir

            speed = _simulator_speed(env)
            # Batches on disk: a batch submitted before the app restarts is still there after.
            _simulator_handle = start_simulator(port=0, speed=speed, batch_dir=simulator_batch_dir())
        return _simulator_handle.base_url


def _simulator_speed(env: Mapping[str, str]) -> float:
    # WORKBENCH_SIMULATOR_SPEED lets tests and demos make the simulated latency shorter.
    raw = env.get("WORKBENCH_SIMULATOR_SPEED", "").strip()
    if not raw:
        return 1.0
    try:
        speed = float(raw)
    except ValueError:
        speed = math.nan
    if not speed > 0:  # also refuses "nan", which would reach the simulator's sleeps
        raise BackendConfigError(f"WORKBENCH_SIMULATOR_SPEED must be a positive number, got {raw!r}.")
    return speed


def resolve_backend(
    env: Mapping[str, str] | None = None,
    secrets: Mapping | None = None,
    *,
    dotenv_path: str | Path | None = None,
) -> Backend:
    """Pick the backend from ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL / WORKBENCH_BACKEND (env, .env, secrets)."""
    env = os.environ if env is None else env
    # The .env file is read, never loaded into os.environ: the key stays out of child processes.
    path = Path(dotenv_path) if dotenv_path is not None else Path.cwd() / ".env"
    dotenv = dotenv_values(path) if path.is_file() else {}

    mode = (_setting("WORKBENCH_BACKEND", env, dotenv, secrets) or "auto").lower()
    if mode not in BACKEND_MODES:
        raise BackendConfigError(
            f"WORKBENCH_BACKEND must be one of {', '.join(BACKEND_MODES)}; got {mode!r}."
        )
    api_key = _setting("ANTHROPIC_API_KEY", env, dotenv, secrets)
    base_url = _setting("ANTHROPIC_BASE_URL", env, dotenv, secrets)

    if mode == "simulator":
        reason = NO_KEY_REASON if api_key is None else "WORKBENCH_BACKEND=simulator"
        return Backend("simulator", _start_simulator_once(env), SIMULATOR_KEY, simulator_reason=reason)

    if api_key is None:
        if mode == "api":
            raise BackendConfigError(
                "WORKBENCH_BACKEND=api needs an API key: set ANTHROPIC_API_KEY in the environment, "
                "a .env file, or Streamlit secrets (or use WORKBENCH_BACKEND=simulator)."
            )
        if base_url is not None:
            # Silently ignoring a URL the user set would send them to the simulator unawares.
            raise BackendConfigError(
                f"ANTHROPIC_BASE_URL is set ({base_url}) but no ANTHROPIC_API_KEY: set a key for that "
                "endpoint, or unset ANTHROPIC_BASE_URL to use the local simulator."
            )
        return Backend("simulator", _start_simulator_once(env), SIMULATOR_KEY)

    unsendable = header_value_problem(api_key)
    if unsendable:
        # httpx would refuse the header and the SDK would report a connection error ("check the
        # network"), which sends people looking in the wrong place.
        raise BackendConfigError(
            f"ANTHROPIC_API_KEY is not a usable key: {unsendable}. Copy the key again (one line, no spaces "
            "or quotes) into the environment, the .env file or Streamlit secrets."
        )
    if base_url is None or base_url.rstrip("/") == ANTHROPIC_API_URL:
        return Backend("api", ANTHROPIC_API_URL, api_key)
    return Backend("custom", base_url.rstrip("/"), api_key)


def custom_base_url(env: Mapping[str, str] | None = None, secrets: Mapping | None = None, *,
                    dotenv_path: str | Path | None = None) -> str | None:
    """ANTHROPIC_BASE_URL (environment, .env, secrets) when it names an endpoint other than the Anthropic API."""
    env = os.environ if env is None else env
    path = Path(dotenv_path) if dotenv_path is not None else Path.cwd() / ".env"
    dotenv = dotenv_values(path) if path.is_file() else {}
    base_url = _setting("ANTHROPIC_BASE_URL", env, dotenv, secrets)
    if base_url is None or base_url.rstrip("/") == ANTHROPIC_API_URL:
        return None
    return base_url.rstrip("/")


def make_client(backend: Backend, *, max_retries: int = 2, timeout: float = 120.0) -> anthropic.Anthropic:
    """The one place an SDK client is built; retries are the SDK's own (429, 5xx, 529, connection errors).

    Its HTTP client feeds every response's rate-limit headers to workbench.pacing, so runs pace
    themselves by what the endpoint reports.
    """
    import anthropic  # here, not at the top: importing the SDK takes seconds, and bad input needs no client

    return anthropic.Anthropic(
        api_key=backend.api_key,
        base_url=backend.base_url,
        max_retries=max_retries,
        timeout=timeout,
        http_client=paced_http_client(timeout),
    )


def paced_http_client(timeout: float = 120.0) -> anthropic.DefaultHttpxClient:
    """The SDK's default HTTP client (its limits and redirects) with workbench.pacing's hooks."""
    import anthropic  # see make_client

    return anthropic.DefaultHttpxClient(timeout=timeout, event_hooks=pacing.event_hooks())
