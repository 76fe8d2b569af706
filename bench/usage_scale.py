"""Usage page at scale: fill a call log with 1,000,000 realistic calls over 30 days, then time the page's first render.

    .venv/bin/python bench/usage_scale.py [--calls 1000000] [--days 30] [--home DIR]

The fill (setup, not measured) writes straight through SQL in the schema the migrations made.
The render runs in a fresh process, as a newly started server would: what a server has loaded for
other pages is loaded first, then the Usage page's first AppTest run is timed (its default filter,
the last 24 hours, with every KPI, chart and the first page of calls), then a second session's,
then switching that session to the last 7 days. A cold process's first render is printed too.
Peak RSS is that process's. Targets: first render <= 1.5 s, peak RSS <= 400 MB.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if str(ROOT) not in sys.path[1:]:
    sys.path.append(str(ROOT))

from workbench.pricing import UsageCounts, load_price_table  # noqa: E402
from workbench.usage_log import CALL_COLUMNS, UsageLog  # noqa: E402

# (model, share of calls, median latency ms, median TTFT ms); the last has no price, as happens.
MODELS = [("claude-haiku-4-5", 0.45, 900, 250), ("claude-sonnet-4-5", 0.35, 2500, 600),
          ("claude-opus-4-1", 0.15, 6000, 1200), ("my-finetune-1", 0.05, 1500, 400)]
SOURCES = [("editor", 0.3), ("compare", 0.55), ("cli", 0.15)]
PROMPTS = [f"prompt-{n:02d}" for n in range(25)] + [None]
ERRORS = [("rate_limit_error", 429), ("overloaded_error", 529), ("api_error", 500), ("invalid_request_error", 400)]

REQUEST = json.dumps({"model": "claude-haiku-4-5", "max_tokens": 1024,
                      "messages": [{"role": "user", "content": "Summarise the quarterly notes below. " * 6}]})
RESPONSE = json.dumps({"id": "msg_bench", "type": "message", "role": "assistant", "stop_reason": "end_turn",
                       "content": [{"type": "text", "text": "A simulated summary of the notes. " * 8}]})


def _weighted(rng: random.Random, items: list) -> object:
    return rng.choices([item[0] for item in items], weights=[item[1] for item in items])[0]


def fill(path: Path, calls: int, days: int) -> None:
    """Top the log at `path` up to `calls` calls spread evenly over the last `days` days."""
    UsageLog(path).close()  # the schema, by the migrations
    prices = load_price_table()
    rng = random.Random(10)
    start = datetime.now(timezone.utc) - timedelta(days=days)
    columns = ["id", *CALL_COLUMNS, "status", "group_id", "attempt", "final"]
    insert = f"INSERT INTO calls ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        done = conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
        next_id = (conn.execute("SELECT MAX(id) FROM calls").fetchone()[0] or 0) + 1
        while done < calls:
            rows, bodies = [], []
            for _ in range(min(50_000, calls - done)):
                moment = start + timedelta(seconds=days * 86400 * done / calls)
                picked = _weighted(rng, MODELS)
                model, _, latency_median, ttft_median = next(m for m in MODELS if m[0] == picked)
                failed = rng.random() < 0.03
                usage = UsageCounts() if failed else UsageCounts(
                    input_tokens=int(rng.lognormvariate(6.5, 0.8)), output_tokens=int(rng.lognormvariate(5.5, 0.7)),
                    cache_read_tokens=int(rng.lognormvariate(7.5, 0.5)) if rng.random() < 0.3 else 0,
                    cache_write_5m_tokens=int(rng.lognormvariate(7.5, 0.5)) if rng.random() < 0.05 else 0)
                cost = None if failed else prices.cost(usage, model, on=moment.date()).usd
                error, status = rng.choice(ERRORS) if failed else (None, None)
                row = {
                    "id": next_id, "created_at": moment.isoformat(timespec="microseconds"),
                    "source": _weighted(rng, SOURCES), "prompt_name": rng.choice(PROMPTS), "model": model,
                    "request_hash": f"{rng.getrandbits(64):016x}",
                    "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
                    "cache_write_tokens": usage.cache_write_tokens, "cache_read_tokens": usage.cache_read_tokens,
                    "cache_write_1h_tokens": 0, "ttft_ms": None if failed else ttft_median * rng.lognormvariate(0, 0.5),
                    "latency_ms": rng.uniform(50, 400) if failed else latency_median * rng.lognormvariate(0, 0.4),
                    "stop_reason": None if failed else rng.choice(["end_turn"] * 9 + ["max_tokens"]),
                    "error_type": error, "error_status": status, "request_id": f"req_{rng.getrandbits(48):012x}",
                    "cost_usd": cost, "price_version": None if failed else prices.version, "sdk_retries": 0,
                    "batch_id": None, "status": "completed", "group_id": next_id, "attempt": 1, "final": 1,
                }
                rows.append([row[name] for name in columns])
                bodies.append((next_id, REQUEST, None if failed else RESPONSE))
                next_id += 1
                done += 1
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(insert, rows)
            conn.executemany("INSERT INTO call_bodies (call_id, request_json, response_json) VALUES (?, ?, ?)", bodies)
            conn.execute("COMMIT")
            print(f"  filled {done:,} / {calls:,}", file=sys.stderr)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("ANALYZE")


def measure(preload: bool) -> None:
    """In a fresh process with WORKBENCH_HOME set: time the Usage page's first and a second render.

    With `preload`, what a running server has already loaded for other pages (Plotly for Compare,
    pandas/pyarrow for any table, the app shell's modules, Streamlit's first-run set-up, the
    backend and model catalog its sidebar shows) is loaded first, so the time is the page's own:
    its queries and drawing.
    """
    from streamlit.testing.v1 import AppTest

    if preload:
        import pandas  # noqa: F401
        import plotly.graph_objects  # noqa: F401
        import pyarrow  # noqa: F401

        import components.session  # noqa: F401  (app.py imports it on every page)
        import components.sidebar  # noqa: F401

        # A server has run scripts before (Compare draws Plotly charts): warm Streamlit's own
        # first-run set-up and Plotly's lazily loaded validators on a trivial script.
        # Its sidebar has resolved the backend (here the in-process simulator) and listed the models.
        AppTest.from_string("import streamlit as st\nimport plotly.graph_objects as go\nst.dataframe([{'a': 1}])\n"
                            "st.plotly_chart(go.Figure(go.Bar(x=['a'], y=[1])))\n"
                            "from components.session import get_catalog\nget_catalog()", default_timeout=120).run()

    renders = []
    for _ in range(2):
        app = AppTest.from_file(str(ROOT / "app_pages" / "usage.py"), default_timeout=120)
        started = time.perf_counter()
        app.run()
        renders.append(time.perf_counter() - started)
        if app.exception:
            raise SystemExit(f"the page failed: {app.exception}")
    charts = len(app.get("plotly_chart"))
    calls = next(metric.value for metric in app.metric if metric.label == "Calls")
    started = time.perf_counter()
    app.selectbox(key="usage_range").set_value("Last 7 days").run()
    week_s = time.perf_counter() - started
    week_calls = next(metric.value for metric in app.metric if metric.label == "Calls")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"first_render_s": renders[0], "second_render_s": renders[1], "peak_rss_mib": peak_mib,
                      "charts": charts, "calls_shown": calls, "week_s": week_s, "week_calls": week_calls}))


def _measured(home: Path, preload: bool) -> dict:
    env = {"WORKBENCH_HOME": str(home), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    flag = "--measure-preloaded" if preload else "--measure-cold"
    completed = subprocess.run([sys.executable, __file__, flag], env=env, cwd=ROOT, capture_output=True, text=True,
                               check=False)
    if completed.returncode != 0:
        raise SystemExit(completed.stderr[-2000:])
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--home", type=Path, default=Path("/tmp/workbench-usage-scale"),
                        help="WORKBENCH_HOME holding the filled log (kept, and topped up by later runs)")
    parser.add_argument("--measure-cold", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure-preloaded", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_cold or args.measure_preloaded:
        measure(preload=args.measure_preloaded)
        return
    args.home.mkdir(parents=True, exist_ok=True)
    log_path = args.home / "calls.db"
    started = time.perf_counter()
    fill(log_path, args.calls, args.days)
    print(f"fill to {args.calls:,} calls over {args.days} days (setup): {time.perf_counter() - started:.1f} s; "
          f"file {log_path.stat().st_size / 2**20:,.0f} MiB")
    warm = _measured(args.home, preload=True)
    cold = _measured(args.home, preload=False)
    print(f"Usage page, first render (default filter: last 24 hours, {warm['calls_shown']} calls, {warm['charts']} charts), "
          f"libraries already loaded as in a running server: {warm['first_render_s'] * 1000:,.0f} ms "
          "(target <= 1,500 ms)")
    print(f"Usage page, first render in a cold process (includes importing Plotly and pandas): "
          f"{cold['first_render_s'] * 1000:,.0f} ms")
    print(f"Usage page, a second session's render: {warm['second_render_s'] * 1000:,.0f} ms")
    print(f"Usage page, switching to the last 7 days ({warm['week_calls']} calls): {warm['week_s'] * 1000:,.0f} ms")
    print(f"load average while measuring (1 / 5 / 15 min, {os.cpu_count()} cores): "
          + " / ".join(f"{load:.1f}" for load in os.getloadavg()))
    print(f"peak RSS of the rendering process: {max(warm['peak_rss_mib'], cold['peak_rss_mib']):,.0f} MiB "
          "(target <= 400 MB)")


if __name__ == "__main__":
    main()
