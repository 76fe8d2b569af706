"""`python -m workbench.simulator`: run the simulator in the foreground until interrupted."""
from __future__ import annotations

import argparse
import signal
import sys

from . import base_url_of, make_server
from .config import SimulatorConfig


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m workbench.simulator",
                                     description="Local stand-in for the Anthropic Messages API.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--speed", type=float, default=1.0, help="divide every latency (and retry-after) by X")
    parser.add_argument("--rate-limit", type=float, default=None, metavar="RPS",
                        help="allow RPS POST /v1/messages per (simulated) second; excess gets 429")
    parser.add_argument("--itpm", type=int, default=None, metavar="N",
                        help="allow N uncached input tokens per (simulated) minute; excess gets 429")
    parser.add_argument("--otpm", type=int, default=None, metavar="N",
                        help="allow N output tokens per (simulated) minute, estimated from max_tokens "
                             "when a request starts; excess gets 429")
    parser.add_argument("--fault-rate", type=float, default=0.0, metavar="F",
                        help="fraction of requests answered 529/500 (deterministic from --seed)")
    parser.add_argument("--seed", type=int, default=0, help="changes every generated reply")
    parser.add_argument("--batch-expire-rate", type=float, default=0.0, metavar="F",
                        help="fraction of each Message Batch's requests that expire instead of being answered")
    parser.add_argument("--batch-dir", default=None, metavar="DIR",
                        help="keep Message Batches in DIR, so they survive a restart (default: memory only)")
    return parser.parse_args(argv)


def _stop_on_signal(signum: int, frame: object) -> None:
    """SIGTERM ends serve_forever the same way Ctrl-C does."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = SimulatorConfig(args.speed, args.rate_limit, args.fault_rate, args.seed,
                                 args.batch_expire_rate, args.batch_dir, args.itpm, args.otpm)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    server = make_server(args.host, args.port, config)
    # The socket is listening now; say so first, and flush, since callers wait for this line.
    print(f"listening on {base_url_of(server, args.host)}", flush=True)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
