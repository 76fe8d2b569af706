"""Run Messages API requests (streaming), time them, price them and log them; yields events, never renders.

Every run ends with exactly one RunDone event, whatever happened. Callers render the events
(the Streamlit pages) or print them (the CLI); this module never imports streamlit.
"""
from __future__ import annotations

import copy
import inspect
import json
import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Union

from workbench import pacing
from workbench.pacing import RateLimitWait
from workbench.present import error_advice
from workbench.cache_miss import CacheMissExplanation, explain_cache_miss
from workbench.pricing import Cost, PriceFileError, PriceTable, UsageCounts, load_price_table
from workbench.spec import request_hash
from workbench.tokens import estimate_input_tokens
from workbench.usage_log import CallRecord, UsageLog, utc_now_iso

if TYPE_CHECKING:  # the SDK is imported when a call is made: importing it takes seconds, and the
    import anthropic  # Editor's form, the CLI's input checks and the rule book need none of it
    import httpx2

logger = logging.getLogger(__name__)

# Arguments of messages.create that are not request-body fields: control arguments, and
# user_profile_id / workspace_id, which the SDK turns into headers.
_NOT_BODY_ARGUMENTS = frozenset(
    {"self", "stream", "extra_headers", "extra_query", "extra_body", "timeout", "user_profile_id", "workspace_id"}
)


@lru_cache(maxsize=1)
def sdk_body_fields() -> frozenset[str]:
    """Body fields the SDK takes as keyword arguments, read once from its signature. Anything else
    in a request (e.g. temperature, which SDK 2.10+ dropped) is still sent, through extra_body."""
    from anthropic.resources.messages import Messages

    return frozenset(inspect.signature(Messages.create).parameters) - _NOT_BODY_ARGUMENTS


def __getattr__(name: str) -> Any:
    # SDK_BODY_FIELDS reads the SDK's signature, so it is computed on first use, not at import.
    if name == "SDK_BODY_FIELDS":
        return sdk_body_fields()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# SSE content deltas that count as "the first token" for TTFT.
_CONTENT_DELTA_TYPES = ("text_delta", "thinking_delta", "input_json_delta", "citations_delta")


# ---------------------------------------------------------------- events and results


@dataclass(frozen=True)
class TextDelta:
    """A piece of reply text, as it arrives."""

    text: str


@dataclass(frozen=True)
class ThinkingDelta:
    """A piece of the model's thinking, as it arrives."""

    text: str


@dataclass(frozen=True)
class ToolUseStarted:
    """The model began a tool_use block (its input is still streaming)."""

    id: str
    name: str


@dataclass(frozen=True)
class ToolUseReady:
    """A tool_use block is complete and its input parsed."""

    id: str
    name: str
    input: dict


@dataclass
class RunError:
    """Why a run failed, in the API's terms, plus one sentence on what to do about it."""

    type: str
    status: int | None
    message: str
    request_id: str | None
    retry_after: float | None
    hint: str


@dataclass
class RunResult:
    """Everything known about one run: output, usage, cost, timings, error; what the log stores."""

    model: str
    request: dict
    source: str
    prompt_name: str | None
    text: str
    thinking: str
    tool_uses: list[dict]
    content: list[dict]
    stop_reason: str | None
    request_id: str | None
    usage: UsageCounts | None
    cost: Cost
    ttft_ms: float | None
    latency_ms: float
    output_tokens_per_s: float | None
    error: RunError | None
    partial: bool
    started_at: str
    log_id: int | None = None
    # The reply as API JSON: the final message, or the snapshot so far when the stream died.
    response: dict | None = None
    # Why this run read less from the prompt cache than the previous one had cached (Editor runs).
    cache_miss: CacheMissExplanation | None = None
    # The prompt's request before {{variables}} were filled in, and the values (for restoring the run).
    template: dict | None = None
    variables: dict | None = None
    # HTTP retries the SDK made inside this run (rate limits, overload, dropped connections).
    sdk_retries: int | None = None

    @property
    def incomplete(self) -> bool:
        """The reply stopped early (an error mid-stream): the text is what arrived before it."""
        return self.partial

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class RunDone:
    """The last event of every run, success or failure."""

    result: RunResult


Event = Union[RateLimitWait, TextDelta, ThinkingDelta, ToolUseStarted, ToolUseReady, RunDone]


# ---------------------------------------------------------------- request building


def build_call_kwargs(request: dict) -> dict:
    """Request body -> keyword arguments for messages.create/stream; unknown keys go into extra_body."""
    known: dict[str, Any] = {}
    extra_body: dict[str, Any] = {}
    for name, value in request.items():
        if name == "stream":
            continue  # the runner decides how to call; the spec format forbids it anyway
        target = known if name in sdk_body_fields() else extra_body
        target[name] = copy.deepcopy(value)
    if extra_body:
        known["extra_body"] = extra_body
    return known


# ---------------------------------------------------------------- errors


def _retry_after_seconds(response: httpx2.Response | None) -> float | None:
    if response is None:
        return None
    raw = response.headers.get("retry-after")
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None  # an HTTP-date; rare from this API, and the SDK already honoured it


def _status_error(error: anthropic.APIStatusError) -> RunError:
    # An error event inside a 200 stream arrives as APIStatusError with the stream's status 200:
    # that status says nothing about the error, so report none.
    status = error.status_code if error.status_code >= 400 else None
    error_type = error.type or (f"http_{status}" if status else "api_error")
    message = error.api_message or str(error)
    retry_after = _retry_after_seconds(error.response)
    return RunError(
        type=error_type, status=status, message=message, request_id=error.request_id,
        retry_after=retry_after, hint=error_advice(error_type, status, message, retry_after),
    )


def _local_error(error_type: str, message: str, request_id: str | None = None) -> RunError:
    return RunError(
        type=error_type, status=None, message=message, request_id=request_id,
        retry_after=None, hint=error_advice(error_type, None, message, None),
    )


# ---------------------------------------------------------------- one run


def _elapsed_ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0


class _RunRecorder:
    """What one run has produced so far, so a failure at any point still yields a full RunResult."""

    def __init__(self, request: dict, source: str, prompt_name: str | None,
                 template: dict | None = None, variables: dict | None = None):
        self.request = copy.deepcopy(request)
        self.template = copy.deepcopy(template)
        self.variables = dict(variables) if variables is not None else None
        self.sdk_retries: int | None = None
        self.model = str(request.get("model", ""))
        self.source = source
        self.prompt_name = prompt_name
        self.started_at = utc_now_iso()
        self.clock_start = time.perf_counter()
        self.ttft_ms: float | None = None
        self.text_parts: list[str] = []
        self.thinking_parts: list[str] = []
        self.tool_uses: list[dict] = []
        self.request_id: str | None = None
        self.message: Any = None  # final message, or the SDK's snapshot so far
        self.finished = False  # saw message_stop

    def mark_content(self) -> None:
        if self.ttft_ms is None:
            self.ttft_ms = _elapsed_ms(self.clock_start)

    @property
    def has_output(self) -> bool:
        return self.ttft_ms is not None

    def result(self, prices: PriceTable | None, error: RunError | None) -> RunResult:
        latency_ms = _elapsed_ms(self.clock_start)
        message = self.message
        usage = UsageCounts.from_sdk(message.usage) if message is not None and message.usage is not None else None
        response = message.to_dict(mode="json") if message is not None else None
        content = response["content"] if response is not None else []
        if error is None:
            # Take the text from the final message, so streamed and final text cannot disagree.
            text = "".join(block["text"] for block in content if block.get("type") == "text")
            thinking = "".join(block["thinking"] for block in content if block.get("type") == "thinking")
        else:
            text, thinking = "".join(self.text_parts), "".join(self.thinking_parts)
        return RunResult(
            model=self.model, request=self.request, source=self.source, prompt_name=self.prompt_name,
            text=text, thinking=thinking, tool_uses=list(self.tool_uses), content=content,
            stop_reason=message.stop_reason if message is not None else None,
            request_id=self.request_id, usage=usage,
            cost=_price(prices, usage, _answering_model(message, self.model), requested_model=self.model),
            ttft_ms=self.ttft_ms, latency_ms=latency_ms,
            output_tokens_per_s=_output_rate(usage, self.ttft_ms, latency_ms),
            error=error, partial=error is not None and self.has_output,
            started_at=self.started_at, response=response,
            template=self.template, variables=self.variables, sdk_retries=self.sdk_retries,
        )


def _answering_model(message: Any, requested: str) -> str:
    """The model that produced the reply (a server-side fallback answers as another model)."""
    answered = getattr(message, "model", None) if message is not None else None
    return answered if isinstance(answered, str) and answered else requested


def _price(prices: PriceTable | None, usage: UsageCounts | None, model: str, *,
           requested_model: str | None = None) -> Cost:
    if prices is None:
        try:
            prices = load_price_table()
        except PriceFileError as error:
            return Cost(usd=None, reason=f"no price table: {error}")
    if usage is None:
        return Cost(usd=None, reason="no usage reported: the call failed before the reply started",
                    price_version=prices.version)
    try:
        return prices.cost(usage, model, requested_model=requested_model)
    except ValueError as error:  # counts no call can have: say so rather than price them
        return Cost(usd=None, reason=str(error), price_version=prices.version)


def _output_rate(usage: UsageCounts | None, ttft_ms: float | None, latency_ms: float) -> float | None:
    """Output tokens per second while generating (after the first token); None when not measurable."""
    if usage is None or ttft_ms is None or not usage.output_tokens:
        return None
    generating_s = (latency_ms - ttft_ms) / 1000.0
    if generating_s <= 0:
        return None
    return usage.output_tokens / generating_s


def _read_stream(client: anthropic.Anthropic, kwargs: dict, recorder: _RunRecorder,
                 pacer: pacing.Pacer, reservation: pacing.Reservation, spend: pacing.Spend) -> Iterator[Event]:
    """Stream one call, yielding content events and filling `recorder`; SDK/HTTP errors propagate."""
    sent_at = time.monotonic()
    with client.messages.stream(**kwargs) as stream:
        pacer.observe_response(stream.response.headers, sent_at)
        recorder.request_id = stream.request_id
        recorder.sdk_retries = _retries_taken(stream.response)
        for event in stream:
            kind = event.type
            if kind == "message_start":
                recorder.message = stream.current_message_snapshot
                usage = recorder.message.usage
                pacer.calibrate_input(spend.input_tokens,
                                      usage.input_tokens + (usage.cache_creation_input_tokens or 0))
                pacer.settle(reservation)
            elif kind == "content_block_delta" and event.delta.type in _CONTENT_DELTA_TYPES:
                recorder.mark_content()
            elif kind == "text":
                recorder.text_parts.append(event.text)
                yield TextDelta(event.text)
            elif kind == "thinking":
                recorder.thinking_parts.append(event.thinking)
                yield ThinkingDelta(event.thinking)
            elif kind == "content_block_start" and event.content_block.type == "tool_use":
                yield ToolUseStarted(id=event.content_block.id, name=event.content_block.name)
            elif kind == "content_block_stop" and event.content_block.type == "tool_use":
                block = event.content_block
                tool_input = dict(block.input) if isinstance(block.input, dict) else {}
                recorder.tool_uses.append({"id": block.id, "name": block.name, "input": tool_input})
                yield ToolUseReady(id=block.id, name=block.name, input=tool_input)
            elif kind == "message_stop":
                recorder.message = event.message
                recorder.finished = True


def _retries_taken(response: httpx2.Response | None) -> int | None:
    """How many times the SDK retried before this response, from the header it sent with the last try."""
    try:
        return int(response.request.headers["x-stainless-retry-count"])
    except (AttributeError, KeyError, RuntimeError, TypeError, ValueError):
        return None


def _log_pending(log: UsageLog | None, recorder: _RunRecorder, attempt_of: int | None) -> int | None:
    """Write-ahead: the call's row, pending, before anything is sent; None when there is no log."""
    if log is None:
        return None
    try:
        return log.begin(_pending_record(recorder), attempt_of=attempt_of)
    except Exception as error:  # a log failure must not stop the run the user asked for
        _warn_log_failure(error)
        return None


def _log_result(log: UsageLog | None, result: RunResult, pending_id: int | None, attempt_of: int | None) -> None:
    if log is None:
        return
    try:
        record = record_from_result(result)
        if pending_id is None:
            result.log_id = log.append(record, attempt_of=attempt_of)
        else:
            log.complete(pending_id, record)
            result.log_id = pending_id
    except Exception as error:  # a log failure must not lose the reply the user is looking at
        _warn_log_failure(error)


def _warn_log_failure(error: Exception) -> None:
    # One line for whoever reads stderr (the CLI has no logging set up); details at debug level.
    logger.warning("could not write the call log entry: %s: %s", type(error).__name__, error)
    logger.debug("call log failure", exc_info=True)


def stream_run(
    client: anthropic.Anthropic,
    request: dict,
    *,
    source: str = "editor",
    prompt_name: str | None = None,
    log: UsageLog | None = None,
    prices: PriceTable | None = None,
    extra_headers: dict | None = None,
    previous: RunResult | None = None,
    input_tokens: int | None = None,
    template: dict | None = None,
    variables: dict | None = None,
    attempt_of: int | None = None,
) -> Iterator[Event]:
    """Run one (already substituted) request with streaming; yields deltas, then RunDone(result).

    `previous`: the run before this one of the same prompt. When it used the prompt cache, the call
    asks the API for `diagnostics` against it, and the result explains a cache miss (`cache_miss`).

    Before sending, the run waits while the endpoint's rate limits for this model are spent
    (workbench.pacing), yielding RateLimitWait events; `input_tokens` is the request's count when
    the caller has one (else an estimate). Timings start when the request is sent.
    The call is logged as pending before the request is sent and completed when it ends, so a
    process killed mid-call leaves a row (marked interrupted when the log is next opened).
    `template` and `variables` are the prompt before substitution, stored to restore the run;
    `attempt_of` is the log id of an earlier attempt at the same logical call (a re-queue).
    If the consumer closes the generator early, or Ctrl-C (KeyboardInterrupt) arrives mid-run, the
    HTTP stream is closed and the run is still logged, with error type "cancelled".
    """
    import anthropic  # see the TYPE_CHECKING import above; loaded once, then free
    import httpx2

    pacer = pacing.pacer_for(str(client.base_url), str(request.get("model", "")))
    spend = _rate_limit_spend(request, input_tokens)
    reservation = yield from pacer.spend_when_ready(spend)
    recorder = _RunRecorder(request, source, prompt_name, template, variables)
    kwargs = build_call_kwargs(request)
    if extra_headers:
        kwargs["extra_headers"] = dict(extra_headers)
    previous_id = _previous_message_id(previous)
    if previous_id and "diagnostics" not in request:
        kwargs["diagnostics"] = {"previous_message_id": previous_id}
    error: RunError | None = None
    pending_id = _log_pending(log, recorder, attempt_of)
    try:
        yield from _read_stream(client, kwargs, recorder, pacer, reservation, spend)
        if not recorder.finished:
            # A body that ends without message_stop is a cut connection that looked like an end.
            error = _local_error("stream_interrupted", "The reply stream ended before message_stop.",
                                 recorder.request_id)
    except (GeneratorExit, KeyboardInterrupt):
        # The consumer closed the stream, or the user pressed Ctrl-C mid-reply: the call was
        # made (and may be billed), so log what arrived before letting the interruption through.
        result = recorder.result(prices, _local_error("cancelled", "The run was stopped before it finished.",
                                                      recorder.request_id))
        _log_result(log, result, pending_id, attempt_of)
        raise
    except anthropic.APIStatusError as status_error:
        error = _status_error(status_error)
        recorder.request_id = recorder.request_id or error.request_id
        if recorder.sdk_retries is None:
            recorder.sdk_retries = _retries_taken(status_error.response)
    except (anthropic.APIConnectionError, httpx2.TransportError) as connection_error:
        # Mid-stream, a dropped connection surfaces as httpx2's RemoteProtocolError/ReadError, not
        # as an anthropic exception (the SDK only wraps errors raised before the response arrives).
        if recorder.message is not None:
            error = _local_error("stream_interrupted", f"The connection dropped mid-reply "
                                 f"({type(connection_error).__name__}).", recorder.request_id)
        elif isinstance(connection_error, (anthropic.APITimeoutError, httpx2.TimeoutException)):
            error = _local_error("timeout_error", "The request timed out.")
        else:
            error = _local_error("connection_error",
                                 f"Could not connect to {client.base_url} ({type(connection_error).__name__}).")
    except Exception as unexpected:  # noqa: BLE001 - every run must end with a RunDone, even on a bug
        logger.warning("run failed unexpectedly", exc_info=True)
        error = _local_error("client_error", f"{type(unexpected).__name__}: {unexpected}", recorder.request_id)
    finally:
        pacer.settle(reservation)
    result = recorder.result(prices, error)
    if previous is not None and result.ok:
        result.cache_miss = explain_cache_miss(
            previous.request, previous.usage, previous.started_at, result.request, result.usage, result.started_at,
            (result.response or {}).get("diagnostics"))
    _log_result(log, result, pending_id, attempt_of)
    yield RunDone(result)


def _previous_message_id(previous: RunResult | None) -> str | None:
    """The message id to ask diagnostics against: only when the previous run used the prompt cache."""
    if previous is None or previous.usage is None or not previous.response:
        return None
    if not (previous.usage.cache_write_tokens or previous.usage.cache_read_tokens):
        return None
    message_id = previous.response.get("id")
    return message_id if isinstance(message_id, str) else None


def _rate_limit_spend(request: dict, input_tokens: int | None) -> pacing.Spend:
    """What a request takes from the rate limits: one request, its input tokens, max_tokens of output."""
    max_tokens = request.get("max_tokens")
    return pacing.Spend(
        input_tokens=input_tokens if input_tokens is not None else estimate_input_tokens(request),
        output_tokens=max_tokens if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) else 0,
    )


def run_once(client: anthropic.Anthropic, request: dict, **options: Any) -> RunResult:
    """Run one request to the end and return its result (same options as stream_run)."""
    for event in stream_run(client, request, **options):
        if isinstance(event, RunDone):
            return event.result
    raise AssertionError("stream_run ended without RunDone")  # stream_run always ends with RunDone


# ---------------------------------------------------------------- many runs


_WORKER_DONE = object()  # queued after each run's last event, so the consumer can count finished runs


def run_many(
    client: anthropic.Anthropic,
    requests: Sequence[dict],
    *,
    concurrency: int = 4,
    per_request: Sequence[dict] | None = None,
    **options: Any,
) -> Iterator[tuple[int, Event]]:
    """Run requests on a pool of `concurrency` threads; yield (index, event) in the caller's thread.

    Runs are independent: one failure never cancels the others, and each run ends with its own
    RunDone. If the consumer stops early (breaks out or closes this generator), runs not yet
    started are cancelled and running ones stop at their next stream event, closing their HTTP
    streams (logged as "cancelled"); worker threads are not joined, so this returns at once and
    each thread ends within one event or the client timeout. `per_request[i]`, when given, holds
    stream_run options of request i alone (its template, variables, attempt_of).
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    if options.get("prices") is None:
        options["prices"] = _price_table_or_none()
    events: queue.Queue = queue.Queue()
    consumer_gone = threading.Event()

    def run_one(index: int, request: dict) -> None:
        try:
            own_options = per_request[index] if per_request is not None else {}
            for event in stream_run(client, request, **options, **own_options):
                if consumer_gone.is_set():
                    return  # leaving the loop closes stream_run, which closes the HTTP stream
                events.put((index, event))
        except Exception:  # noqa: BLE001 - stream_run already converts errors; this is a last guard
            logger.warning("run %d failed outside stream_run", index, exc_info=True)
            failed = _RunRecorder(request, options.get("source", "editor"), options.get("prompt_name"))
            events.put((index, RunDone(failed.result(options.get("prices"),
                                                     _local_error("client_error", "The run failed unexpectedly.")))))
        finally:
            events.put((index, _WORKER_DONE))

    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="workbench-run")
    try:
        for index, request in enumerate(requests):
            pool.submit(run_one, index, request)
        unfinished = len(requests)
        while unfinished:
            index, event = events.get()
            if event is _WORKER_DONE:
                unfinished -= 1
                continue
            yield index, event
    finally:
        consumer_gone.set()
        pool.shutdown(wait=False, cancel_futures=True)


def _price_table_or_none() -> PriceTable | None:
    # Load once for all runs; on a bad file each run reports the cost as unknown with the reason.
    try:
        return load_price_table()
    except PriceFileError:
        return None


def run_many_results(client: anthropic.Anthropic, requests: Sequence[dict], **options: Any) -> list[RunResult]:
    """Run requests concurrently (see run_many) and return their results in input order."""
    results: list[RunResult | None] = [None] * len(requests)
    for index, event in run_many(client, requests, **options):
        if isinstance(event, RunDone):
            results[index] = event.result
    return [result for result in results if result is not None]


# ---------------------------------------------------------------- logging


def _pending_record(recorder: _RunRecorder) -> CallRecord:
    """The write-ahead row of a run about to be sent: what was asked, nothing yet of what came back."""
    return CallRecord(
        created_at=recorder.started_at, source=recorder.source, prompt_name=recorder.prompt_name,
        model=recorder.model or "(none)", request_hash=request_hash(recorder.request),
        input_tokens=0, output_tokens=0, cache_write_tokens=0, cache_read_tokens=0,
        ttft_ms=None, latency_ms=None, stop_reason=None, error_type=None, error_status=None,
        request_id=None, cost_usd=None, price_version=None, response_json=None,
        **_body_fields(recorder.request, recorder.template, recorder.variables),
    )


def _body_fields(request: dict, template: dict | None, variables: dict | None) -> dict[str, str | None]:
    return {
        "request_json": json.dumps(request, ensure_ascii=False, sort_keys=True),
        "template_json": json.dumps(template, ensure_ascii=False, sort_keys=True) if template is not None else None,
        "variables_json": json.dumps(variables, ensure_ascii=False, sort_keys=True) if variables is not None else None,
    }


def record_from_result(result: RunResult) -> CallRecord:
    """The call-log row of a run: tokens, timings, cost, error, and the request/response JSON."""
    usage = result.usage or UsageCounts()
    error = result.error
    return CallRecord(
        created_at=result.started_at,
        source=result.source,
        prompt_name=result.prompt_name,
        model=result.model or "(none)",
        request_hash=request_hash(result.request),
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        cache_write_1h_tokens=usage.cache_write_1h_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        ttft_ms=result.ttft_ms,
        latency_ms=result.latency_ms,
        stop_reason=result.stop_reason,
        error_type=error.type if error else None,
        error_status=error.status if error else None,
        request_id=result.request_id,
        cost_usd=result.cost.usd,
        price_version=result.cost.price_version or None,
        response_json=json.dumps(result.response, ensure_ascii=False) if result.response is not None else None,
        sdk_retries=result.sdk_retries,
        **_body_fields(result.request, result.template, result.variables),
    )
