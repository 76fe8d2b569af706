"""run_many: bounded concurrency, events in the caller's thread, independent failures, results in order."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from workbench.runner import RunDone, TextDelta, run_many, run_many_results
from workbench.usage_log import UsageLog


def make_request(topic: str, model: str = "claude-haiku-4-5") -> dict:
    return {"model": model, "max_tokens": 300, "messages": [{"role": "user", "content": f"Tell me about {topic}."}]}


def max_in_flight(results) -> int:
    """Most runs whose [start, start + latency] intervals overlap, from the results' own timestamps."""
    moments = []
    for result in results:
        start = datetime.fromisoformat(result.started_at)
        moments.append((start, 1))
        moments.append((start + timedelta(milliseconds=result.latency_ms), -1))
    in_flight = peak = 0
    for _, change in sorted(moments, key=lambda moment: (moment[0], moment[1])):
        in_flight += change
        peak = max(peak, in_flight)
    return peak


def test_one_failure_among_four_does_not_cancel_the_others(client, workbench_home):
    log = UsageLog()
    requests = [make_request("rivers"), make_request("lakes", model="claude-nonexistent-9"),
                make_request("seas"), make_request("oceans")]
    results = run_many_results(client, requests, concurrency=4, log=log, source="compare")
    assert [result.ok for result in results] == [True, False, True, True]
    assert results[1].error.status == 404
    assert [result.request for result in results] == requests
    assert log.count(source="compare") == 4
    assert sorted(result.log_id for result in results) == sorted(record.id for record in log.recent(10))


def test_events_arrive_in_the_callers_thread_and_each_run_ends_with_runddone(client):
    caller = threading.get_ident()
    seen_threads = set()
    done_per_index: dict[int, int] = {}
    text_per_index: dict[int, str] = {}
    requests = [make_request(topic) for topic in ("sand", "stone", "clay")]
    events = run_many(client, requests, concurrency=2)
    for index, event in events:
        seen_threads.add(threading.get_ident())
        assert index not in done_per_index, "no event after a run's RunDone"
        if isinstance(event, TextDelta):
            text_per_index[index] = text_per_index.get(index, "") + event.text
        if isinstance(event, RunDone):
            done_per_index[index] = done_per_index.get(index, 0) + 1
            assert event.result.text == text_per_index[index]
    assert seen_threads == {caller}
    assert done_per_index == {0: 1, 1: 1, 2: 1}


def test_concurrency_bound_is_respected(client):
    requests = [make_request(f"topic number {number}") for number in range(6)]
    results = run_many_results(client, requests, concurrency=2)
    assert all(result.ok for result in results)
    assert max_in_flight(results) <= 2


def test_runs_do_overlap_when_allowed(client):
    requests = [make_request(f"subject {number}", model="claude-opus-4-7") for number in range(4)]
    results = run_many_results(client, requests, concurrency=4)
    assert max_in_flight(results) >= 2


def test_results_come_back_in_input_order(client):
    topics = ["alpha", "beta", "gamma", "delta", "epsilon"]
    results = run_many_results(client, [make_request(topic) for topic in topics], concurrency=3)
    assert [result.request["messages"][0]["content"] for result in results] == [
        f"Tell me about {topic}." for topic in topics]


def test_empty_input_yields_nothing(client):
    assert list(run_many(client, [])) == []


def test_consumer_stopping_early_returns_and_threads_finish(client, workbench_home):
    log = UsageLog()
    requests = [make_request(f"long story {number}", model="claude-opus-4-7") for number in range(6)]
    before = {thread.ident for thread in threading.enumerate()}
    events = run_many(client, requests, concurrency=2, log=log)
    first_index, _ = next(events)
    events.close()  # the consumer goes away after one event
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        workers = [thread for thread in threading.enumerate()
                   if thread.ident not in before and thread.name.startswith("workbench-run")]
        if not workers:
            break
        time.sleep(0.05)
    assert not workers, "worker threads kept running after the consumer left"
    # Runs never started are cancelled; started ones are logged as cancelled or finished.
    assert log.count() <= 2 + 2
    assert all(record.error_type in (None, "cancelled") for record in log.recent(10))
