"""A local stand-in for the Anthropic Messages API: start_simulator() or `python -m workbench.simulator`."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .config import SimulatorConfig
from .server import SimulatorServer

__all__ = ["SimulatorConfig", "SimulatorHandle", "start_simulator"]


@dataclass
class SimulatorHandle:
    """A running simulator: point an SDK client at base_url; stop() shuts it down."""

    base_url: str
    _server: SimulatorServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        """Stop accepting requests and close the listening socket (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
        self._server.close_open_connections()


def start_simulator(*, host: str = "127.0.0.1", port: int = 0, speed: float = 1.0, rate_limit: float | None = None,
                    fault_rate: float = 0.0, seed: int = 0, batch_expire_rate: float = 0.0,
                    batch_dir: str | None = None, itpm: int | None = None,
                    otpm: int | None = None) -> SimulatorHandle:
    """Start a simulator in a background thread; returns once its socket accepts connections."""
    config = SimulatorConfig(speed, rate_limit, fault_rate, seed, batch_expire_rate,
                             str(batch_dir) if batch_dir is not None else None, itpm, otpm)
    server = make_server(host, port, config)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"workbench-simulator:{server.server_address[1]}", daemon=True)
    thread.start()
    return SimulatorHandle(base_url_of(server, host), server, thread)


def make_server(host: str, port: int, config: SimulatorConfig) -> SimulatorServer:
    """A bound, listening server (connections queue until serve_forever runs)."""
    return SimulatorServer((host, port), config)


def base_url_of(server: SimulatorServer, host: str) -> str:
    """http://HOST:PORT with the port actually bound."""
    return f"http://{host}:{server.server_address[1]}"
