"""The Message Batches endpoints without the HTTP: create, retrieve, list, cancel, delete, results.

A batch is processed in simulated time, as a pure function of its requests and its clock: the
requests finish one after another (BATCH_QUEUE_S, then PER_REQUEST_S each, both divided by
--speed), so `request_counts` moves as time passes without any worker thread, and a batch kept
on disk (`batch_dir`) carries on where it was after the simulator restarts. Each request is
answered by the same code as POST /v1/messages (a bad one is `errored` with the error that
endpoint gives), with `service_tier: "batch"` in its usage. A fraction of a batch's requests
can be made to expire (the `x-simulator-batch-expire` header on create, or --batch-expire-rate).
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Mapping

from .catalog import _parse_limit
from .config import SimulatorConfig
from .errors import ApiError, invalid_request, not_found
from .messages import MessageService

MAX_BATCH_REQUESTS = 100_000
MAX_BATCH_BYTES = 256 * 1024 * 1024
CUSTOM_ID_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
EXPIRE_HEADER = "x-simulator-batch-expire"
# Simulated seconds: the wait before the first request finishes, each request after that, and
# how long a canceled batch stays `canceling` before it ends.
BATCH_QUEUE_S = 2.0
PER_REQUEST_S = 0.25
CANCEL_GRACE_S = 1.0
RESULTS_AVAILABLE_FOR = timedelta(hours=24)  # expires_at: 24 hours after creation, like the API
# Processing happens in slices of this many requests per lock hold, so a retrieve of a large
# batch never blocks another request for long.
_PROCESS_SLICE = 200


def _rfc3339(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def expire_fraction_from(headers: Mapping[str, str], default: float) -> float:
    """The share of a new batch's requests that will expire: the header, else the configured rate."""
    raw = headers.get(EXPIRE_HEADER)
    if raw is None:
        return default
    try:
        fraction = float(raw)
    except ValueError:
        fraction = -1.0
    if not 0.0 <= fraction <= 1.0:
        raise invalid_request(f"{EXPIRE_HEADER}: must be a number from 0 to 1, got {raw!r}")
    return fraction


def _check_requests(body: object) -> list[dict]:
    """The `requests` of a create body, checked as the API checks them up front (limits, ids)."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object")
    for key in body:
        if key != "requests":
            raise invalid_request(f"{key}: Extra inputs are not permitted")
    requests = body.get("requests")
    if requests is None:
        raise invalid_request("requests: Field required")
    if not isinstance(requests, list):
        raise invalid_request("requests: Input should be a valid list")
    if not requests:
        raise invalid_request("requests: List should have at least 1 item after validation, not 0")
    if len(requests) > MAX_BATCH_REQUESTS:
        raise invalid_request(
            f"requests: List should have at most {MAX_BATCH_REQUESTS} items after validation, not {len(requests)}")
    seen: set[str] = set()
    for index, item in enumerate(requests):
        if not isinstance(item, dict):
            raise invalid_request(f"requests.{index}: Input should be a valid dictionary")
        for key in item:
            if key not in ("custom_id", "params"):
                raise invalid_request(f"requests.{index}.{key}: Extra inputs are not permitted")
        custom_id = item.get("custom_id")
        if not isinstance(custom_id, str):
            raise invalid_request(f"requests.{index}.custom_id: Field required" if custom_id is None
                                  else f"requests.{index}.custom_id: Input should be a valid string")
        if not CUSTOM_ID_PATTERN.match(custom_id):
            raise invalid_request(
                f"requests.{index}.custom_id: String should match pattern '{CUSTOM_ID_PATTERN.pattern}'")
        if custom_id in seen:
            raise invalid_request(f"requests.{index}.custom_id: duplicate custom_id {custom_id!r}; "
                                  "each request in a batch needs its own")
        seen.add(custom_id)
        if "params" not in item:
            raise invalid_request(f"requests.{index}.params: Field required")
        if not isinstance(item["params"], dict):
            raise invalid_request(f"requests.{index}.params: Input should be a valid dictionary")
    return requests


@dataclass
class SimulatedBatch:
    """One batch: its requests and clock; what is processed so far is kept as result lines."""

    id: str
    created_at: float
    requests: list[dict]
    speed: float
    seed: int
    expire_fraction: float = 0.0
    cancel_initiated_at: float | None = None
    # Filled in request order as simulated time passes: one JSON line per finished request.
    lines: list[bytes] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)  # "succeeded" / "errored" / "expired" / "canceled"
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _messages: MessageService | None = field(default=None, repr=False)

    # --- the clock -----------------------------------------------------------------------

    def finish_time(self, index: int) -> float:
        """When request `index` finishes processing, if nothing stops it."""
        return self.created_at + (BATCH_QUEUE_S + (index + 1) * PER_REQUEST_S) / self.speed

    @property
    def processing_end(self) -> float:
        return self.finish_time(len(self.requests) - 1)

    def ended_at(self) -> float:
        """When processing ends (all requests done, or cancellation finalised)."""
        if self.cancel_initiated_at is not None:
            return min(self.processing_end, self.cancel_initiated_at + CANCEL_GRACE_S / self.speed)
        return self.processing_end

    def finished_by(self, now: float) -> int:
        """How many requests have finished processing at `now` (cancellation stops the count)."""
        moment = now if self.cancel_initiated_at is None else min(now, self.cancel_initiated_at)
        if moment >= self.processing_end:
            return len(self.requests)  # exact at the end, whatever the float arithmetic below says
        elapsed = (moment - self.created_at) * self.speed - BATCH_QUEUE_S
        if elapsed < 0:
            return 0
        return min(len(self.requests), int(elapsed / PER_REQUEST_S + 1e-9))

    def status(self, now: float) -> str:
        if now >= self.ended_at():
            return "ended"
        return "canceling" if self.cancel_initiated_at is not None else "in_progress"

    # --- processing ----------------------------------------------------------------------

    def expires(self, custom_id: str) -> bool:
        """Whether this request is one the expire fault picks (deterministic from seed and id)."""
        if self.expire_fraction <= 0:
            return False
        digest = hashlib.sha256(f"{self.seed}:{self.id}:{custom_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < self.expire_fraction

    def process_until(self, now: float) -> None:
        """Answer the requests that have finished by `now` (in order; each exactly once)."""
        target = self.finished_by(now)
        if self.status(now) == "ended":
            target = len(self.requests)  # the rest are canceled (or were already done)
        while True:
            with self.lock:
                done = len(self.lines)
                if done >= target:
                    return
                for index in range(done, min(target, done + _PROCESS_SLICE)):
                    outcome, line = self._answer(index, now)
                    self.outcomes.append(outcome)
                    self.lines.append(line)

    def _answer(self, index: int, now: float) -> tuple[str, bytes]:
        item = self.requests[index]
        custom_id = item["custom_id"]
        if self.cancel_initiated_at is not None and index >= self.finished_by(now):
            result: dict = {"type": "canceled"}
        elif self.expires(custom_id):
            result = {"type": "expired"}
        else:
            result = self._run(item["params"], custom_id)
        line = json.dumps({"custom_id": custom_id, "result": result}, ensure_ascii=False, separators=(",", ":"))
        return result["type"], line.encode() + b"\n"

    def _run(self, params: dict, custom_id: str) -> dict:
        if self._messages is None:
            # A batch's own prompt cache: requests in one batch can hit each other's cache.
            self._messages = MessageService(SimulatorConfig(speed=self.speed, seed=self.seed))
        try:
            if params.get("stream"):
                raise invalid_request("stream: streaming is not supported for requests in a Message Batch")
            prepared = self._messages.create(params)
        except ApiError as error:
            request_id = "req_sim_" + hashlib.sha256(f"{self.id}:{custom_id}".encode()).hexdigest()[:24]
            return {"type": "errored", "error": error.body(request_id)}
        message = dict(prepared.message)
        message["id"] = "msg_sim_" + hashlib.sha256(f"{self.id}:{custom_id}".encode()).hexdigest()[:24]
        message["usage"] = {**message["usage"], "service_tier": "batch"}
        return {"type": "succeeded", "message": message}

    # --- the API object ------------------------------------------------------------------

    def as_json(self, now: float, base_url: str) -> dict:
        status = self.status(now)
        total = len(self.requests)
        counts = {"processing": total, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if status == "ended":
            self.process_until(now)
            counts["processing"] = 0
            for outcome in self.outcomes:
                counts[outcome] += 1
        else:
            # Counts move as requests finish; expired ones stay `processing` until the batch ends.
            self.process_until(now)
            for outcome in self.outcomes:
                if outcome in ("succeeded", "errored"):
                    counts[outcome] += 1
                    counts["processing"] -= 1
        ended = status == "ended"
        return {
            "id": self.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": counts,
            "created_at": _rfc3339(self.created_at),
            "expires_at": _rfc3339(self.created_at + RESULTS_AVAILABLE_FOR.total_seconds()),
            "ended_at": _rfc3339(self.ended_at()) if ended else None,
            "cancel_initiated_at": _rfc3339(self.cancel_initiated_at),
            "archived_at": None,
            "results_url": f"{base_url}/v1/messages/batches/{self.id}/results" if ended else None,
        }


class BatchService:
    """Every batch of one server; kept in memory, and on disk too when `batch_dir` is set."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.batch_dir = Path(config.batch_dir) if config.batch_dir else None
        self._batches: dict[str, SimulatedBatch] = {}
        self._order: list[str] = []  # creation order, oldest first
        self._lock = threading.Lock()
        if self.batch_dir is not None and self.batch_dir.is_dir():
            self._load_saved()

    def create(self, body: object, headers: Mapping[str, str], base_url: str) -> dict:
        requests = _check_requests(body)
        expire = expire_fraction_from(headers, self.config.batch_expire_rate)
        batch = SimulatedBatch(
            id="msgbatch_sim_" + uuid.uuid4().hex[:24], created_at=time.time(), requests=requests,
            speed=self.config.speed, seed=self.config.seed, expire_fraction=expire,
        )
        with self._lock:
            self._batches[batch.id] = batch
            self._order.append(batch.id)
        self._save(batch, with_requests=True)
        return batch.as_json(time.time(), base_url)

    def retrieve(self, batch_id: str, base_url: str) -> dict:
        return self._find(batch_id).as_json(time.time(), base_url)

    def list_page(self, base_url: str, limit: object = None, after_id: str | None = None,
                  before_id: str | None = None) -> dict:
        """One page, newest first, with the same cursors as GET /v1/models."""
        with self._lock:
            ids = list(reversed(self._order))
        page_size = _parse_limit(limit)
        if after_id and before_id:
            raise invalid_request("after_id and before_id cannot both be given")
        if after_id:
            if after_id not in ids:
                raise invalid_request(f"after_id: no message batch with id {after_id}")
            start = ids.index(after_id) + 1
            page_ids, has_more = ids[start: start + page_size], start + page_size < len(ids)
        elif before_id:
            if before_id not in ids:
                raise invalid_request(f"before_id: no message batch with id {before_id}")
            end = ids.index(before_id)
            start = max(0, end - page_size)
            page_ids, has_more = ids[start:end], start > 0
        else:
            page_ids, has_more = ids[:page_size], page_size < len(ids)
        now = time.time()
        page = [self._batches[batch_id].as_json(now, base_url) for batch_id in page_ids]
        return {"data": page, "has_more": has_more,
                "first_id": page_ids[0] if page_ids else None, "last_id": page_ids[-1] if page_ids else None}

    def cancel(self, batch_id: str, base_url: str) -> dict:
        batch = self._find(batch_id)
        now = time.time()
        with batch.lock:
            if batch.status(now) == "ended":
                raise invalid_request(f"Message batch {batch_id} has already ended and cannot be canceled")
            if batch.cancel_initiated_at is None:
                batch.cancel_initiated_at = now
        self._save(batch)
        return batch.as_json(now, base_url)

    def delete(self, batch_id: str) -> dict:
        batch = self._find(batch_id)
        if batch.status(time.time()) != "ended":
            raise invalid_request(
                f"Message batch {batch_id} is still processing: cancel it and wait for it to end before deleting it")
        with self._lock:
            self._batches.pop(batch_id, None)
            self._order.remove(batch_id)
        if self.batch_dir is not None:
            for name in ("batch.json", "requests.jsonl"):
                (self.batch_dir / batch_id / name).unlink(missing_ok=True)
            try:
                (self.batch_dir / batch_id).rmdir()
            except OSError:
                pass
        return {"id": batch_id, "type": "message_batch_deleted"}

    def results(self, batch_id: str) -> Iterator[bytes]:
        """The result lines of an ended batch (request order; the API promises no order)."""
        batch = self._find(batch_id)
        now = time.time()
        if batch.status(now) != "ended":
            raise not_found(f"Message batch {batch_id} has no results yet: it is {batch.status(now)}")
        batch.process_until(now)
        return iter(batch.lines)

    def _find(self, batch_id: str) -> SimulatedBatch:
        with self._lock:
            batch = self._batches.get(batch_id)
        if batch is None:
            raise not_found(f"message batch: {batch_id}")
        return batch

    # --- on disk -------------------------------------------------------------------------
    # Only what decides the outcome is kept (requests, clock, cancel time, expire share): the
    # answers are recomputed from it, the same ones, after a restart.

    def _save(self, batch: SimulatedBatch, *, with_requests: bool = False) -> None:
        if self.batch_dir is None:
            return
        folder = self.batch_dir / batch.id
        folder.mkdir(parents=True, exist_ok=True)
        if with_requests:
            with open(folder / "requests.jsonl", "w", encoding="utf-8") as stream:
                for item in batch.requests:
                    stream.write(json.dumps(item, ensure_ascii=False) + "\n")
        state = {"id": batch.id, "created_at": batch.created_at, "speed": batch.speed, "seed": batch.seed,
                 "expire_fraction": batch.expire_fraction, "cancel_initiated_at": batch.cancel_initiated_at}
        temporary = folder / "batch.json.tmp"
        temporary.write_text(json.dumps(state), encoding="utf-8")
        temporary.replace(folder / "batch.json")

    def _load_saved(self) -> None:
        loaded = []
        for state_path in self.batch_dir.glob("*/batch.json"):
            try:
                state = json.loads(state_path.read_text(encoding="utf-8"))
                with open(state_path.parent / "requests.jsonl", encoding="utf-8") as stream:
                    requests = [json.loads(line) for line in stream if line.strip()]
            except (OSError, ValueError):
                continue  # a batch half-written when the process died: not one the client was told of
            loaded.append(SimulatedBatch(
                id=state["id"], created_at=state["created_at"], requests=requests, speed=state["speed"],
                seed=state["seed"], expire_fraction=state["expire_fraction"],
                cancel_initiated_at=state["cancel_initiated_at"],
            ))
        for batch in sorted(loaded, key=lambda batch: batch.created_at):
            self._batches[batch.id] = batch
            self._order.append(batch.id)
