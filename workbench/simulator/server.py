"""HTTP layer: routing, auth, JSON and chunked-SSE responses, faults and rate limiting on the wire."""
from __future__ import annotations

import hashlib
import json
import socket
import struct
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import catalog
from .config import SimulatorConfig
from .errors import ApiError, error_type_for_status, not_found
from .batches import MAX_BATCH_BYTES, BatchService
from .faults import DISCONNECT, RESET, STREAM_ERROR, Fault, choose_fault
from .messages import MessageService, PreparedMessage
from .ratelimit import RateLimiter, rate_limit_headers
from .request_body import MAX_REQUEST_BYTES, BodyError, parse_json, read_body
from .request_headers import authenticate, check_api_version
from .sse import StreamEvent, message_events

DISCONNECT_AFTER_DELTAS = 3
CONNECTION_IDLE_TIMEOUT_S = 300
CLOSE_WAIT_S = 2.0  # how long stop() waits for handler threads to close their sockets
# The API's JSON is compact; so is ours (byte-for-byte closer, and what raw readers see).
JSON_SEPARATORS = (",", ":")
BATCHES_PATH = "/v1/messages/batches"
RESULTS_CHUNK_BYTES = 64 * 1024


def new_request_id() -> str:
    return "req_sim_" + uuid.uuid4().hex[:24]


class SimulatorServer(ThreadingHTTPServer):
    """One simulator: its settings, prompt cache and rate limits; a daemon thread per connection."""

    daemon_threads = True
    allow_reuse_address = True
    # The stdlib default backlog is 5: a burst of concurrent connections (20 streams at once,
    # run_many's pool) overflowed it and clients saw "connection reset by peer".
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], config: SimulatorConfig) -> None:
        self.config = config
        self.messages = MessageService(config)
        self.batches = BatchService(config)
        # The API applies rate limits per model; other endpoints' responses report a fresh set.
        self._limiters: dict[str, RateLimiter] = {}
        self._limiters_lock = threading.Lock()
        self.idle_limiter = self._new_limiter()
        self._open_connections: set[socket.socket] = set()
        self._connections_lock = threading.Condition()
        super().__init__(address, SimulatorHandler)

    def _new_limiter(self) -> RateLimiter:
        config = self.config
        return RateLimiter(requests_per_second=config.rate_limit, input_tokens_per_minute=config.itpm,
                           output_tokens_per_minute=config.otpm, speed=config.speed)

    def limiter_for(self, model_id: str) -> RateLimiter:
        """The rate limits of POST /v1/messages for one model."""
        with self._limiters_lock:
            if model_id not in self._limiters:
                self._limiters[model_id] = self._new_limiter()
            return self._limiters[model_id]

    def process_request(self, request, client_address) -> None:  # type: ignore[override]
        with self._connections_lock:
            self._open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:  # type: ignore[override]
        super().shutdown_request(request)  # closed first, so an empty set means every socket is gone
        with self._connections_lock:
            self._open_connections.discard(request)
            self._connections_lock.notify_all()

    def close_open_connections(self, wait_s: float = CLOSE_WAIT_S) -> None:
        """Cut kept-alive client connections, so a stopped simulator really stops answering.

        Each is shut down (which wakes its handler thread) with SO_LINGER 0, so that the
        handler's close is a reset that leaves no TIME_WAIT behind; then this waits (bounded)
        for the handlers to close them. Only then is the port really free again.
        """
        with self._connections_lock:
            for connection in list(self._open_connections):
                try:
                    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self._connections_lock.wait_for(lambda: not self._open_connections, timeout=wait_s)

    def handle_error(self, request, client_address) -> None:  # type: ignore[override]
        """A client that vanished mid-request is routine, not worth a traceback; bugs still are."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return
        super().handle_error(request, client_address)


class SimulatorHandler(BaseHTTPRequestHandler):
    """Serves /v1/models, /v1/messages, /v1/messages/count_tokens and /v1/messages/batches like the API."""

    # HTTP/1.1 for keep-alive and chunked streaming (a cut chunked stream is detectable; a
    # connection-delimited one would look like a normal end).
    protocol_version = "HTTP/1.1"
    server_version = "workbench-simulator/1.0"
    sys_version = ""
    timeout = CONNECTION_IDLE_TIMEOUT_S
    # TCP_NODELAY, as API servers set it. Without it the headers and the body (or two SSE
    # events) go out as separate small writes, Nagle holds the second until the client's
    # delayed ACK arrives, and every response took ~40 ms longer than its simulated latency.
    disable_nagle_algorithm = True
    server: SimulatorServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the simulator runs inside tests and the app."""

    def __getattr__(self, name: str):
        """`do_METHOD` for every method: GET, POST and any other (HEAD, OPTIONS, PROPFIND...) go
        through the router, so a wrong method gets the API's JSON 404, not the stdlib's HTML 501."""
        if name.startswith("do_"):
            return lambda: self._handle(name[len("do_"):])
        raise AttributeError(name)

    def parse_request(self) -> bool:
        """The stdlib's parsing, minus HTTP/0.9 (no status line, no headers): the API refuses it."""
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":
            self.send_error(400, "HTTP/0.9 is not supported")
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the stdlib raises itself (bad request line, URI or headers too long) in the
        API's JSON shape rather than an HTML page."""
        self.request_id = new_request_id()
        self.close_connection = True
        # A request line too broken to name a version would otherwise get a bare body back.
        self.request_version = "HTTP/1.1"
        error = ApiError(error_type_for_status(code), message or explain or "Bad request", status=code)
        try:
            self._send_error(error)
        except OSError:
            pass

    # --- dispatch ------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        self.request_id = new_request_id()
        try:
            url = urlsplit(self.path)
            path = url.path.rstrip("/")
            is_batch_create = method == "POST" and path == BATCHES_PATH
            body = read_body(self.headers, self.rfile, MAX_BATCH_BYTES if is_batch_create else MAX_REQUEST_BYTES)
            authenticate(self.headers)
            check_api_version(self.headers)
            if method == "GET" and (path == "/v1/models" or path.startswith("/v1/models/")):
                self._models(path, url.query, body)
            elif method == "POST" and path == "/v1/messages/count_tokens":
                self._count_tokens(body)
            elif method == "POST" and path == "/v1/messages":
                self._create_message(body)
            elif path == BATCHES_PATH or path.startswith(BATCHES_PATH + "/"):
                self._batches(method, path, url.query, body)
            else:
                raise not_found(f"{method} {url.path} is not a route of this API")
        except ApiError as error:
            if isinstance(error, BodyError):
                self.close_connection = True  # the body was not (fully) read: the stream is out of step
            self._send_error(error)
        except OSError:  # the client went away (reset, broken pipe, timeout)
            self.close_connection = True
        except Exception:  # a bug in the simulator: answer like the API's 500, and say why on stderr
            traceback.print_exc(file=sys.stderr)
            self._send_error(ApiError("api_error", "Internal server error (simulator bug)"))

    def _query(self, query: str) -> dict:
        parsed = parse_qs(query)
        values = {key: items[-1] for key, items in parsed.items()}
        # The SDK sends list parameters as `lifecycle[]=a&lifecycle[]=b`.
        lifecycle = parsed.get("lifecycle[]") or parsed.get("lifecycle")
        return {"limit": values.get("limit"), "after_id": values.get("after_id"),
                "before_id": values.get("before_id"), "lifecycle": lifecycle}

    def _base_url(self) -> str:
        """This server's URL as the client reached it (for results_url)."""
        host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
        return f"http://{host}"

    def _batches(self, method: str, path: str, query: str, body: bytes) -> None:
        """The Message Batches routes."""
        service = self.server.batches
        rest = [unquote(part) for part in path[len(BATCHES_PATH):].split("/") if part]
        if method == "POST" and not rest:
            self._send_json(200, service.create(parse_json(body), self.headers, self._base_url()))
        elif method == "GET" and not rest:
            query_values = self._query(query)
            self._send_json(200, service.list_page(self._base_url(), query_values["limit"],
                                                   query_values["after_id"], query_values["before_id"]))
        elif method == "GET" and len(rest) == 1:
            self._send_json(200, service.retrieve(rest[0], self._base_url()))
        elif method == "DELETE" and len(rest) == 1:
            self._send_json(200, service.delete(rest[0]))
        elif method == "POST" and len(rest) == 2 and rest[1] == "cancel":
            self._send_json(200, service.cancel(rest[0], self._base_url()))
        elif method == "GET" and len(rest) == 2 and rest[1] == "results":
            self._send_lines(service.results(rest[0]))
        else:
            raise not_found(f"{method} {path} is not a route of this API")

    def _models(self, path: str, query: str, body: bytes) -> None:
        """GET /v1/models and /v1/models/{id}; the fault header applies, so a failing listing (the
        app's offline-catalog path) can be driven like any other call."""
        fault = self._header_fault(f"GET {path}?{query}".encode() + body)
        if path == "/v1/models":
            payload = catalog.list_page(**self._query(query))
        else:
            model_id = unquote(path[len("/v1/models/"):])
            payload = catalog.find_model(model_id)
            if payload is None:
                raise not_found(f"model: {model_id}")
        self._send_json(200, payload, disconnect=fault is not None and fault.kind == DISCONNECT)

    def _header_fault(self, request_bytes: bytes) -> Fault | None:
        """The header's fault for a route without a stream: an error kind is raised, `reset` cuts the
        connection before any headers, and a `disconnect` is returned for the caller to apply."""
        fault = choose_fault(self.headers, hashlib.sha256(request_bytes).hexdigest(), fault_rate=0.0,
                             seed=self.server.config.seed)
        if fault is None:
            return None
        if fault.kind == RESET:
            self._reset_connection()
        if fault.kind != DISCONNECT:
            raise fault.as_error(self.server.config.speed)
        return fault

    def _count_tokens(self, body: bytes) -> None:
        request = parse_json(body)
        # The fault header applies here too (the API can 429 or 529 a count); a disconnect has no
        # stream to cut and is not injected on this route.
        self._header_fault(body)
        self._send_json(200, self.server.messages.count_tokens(request))

    def _create_message(self, body: bytes) -> None:
        request = parse_json(body)
        config = self.server.config
        request_key = hashlib.sha256(body).hexdigest()
        fault = choose_fault(self.headers, request_key, fault_rate=config.fault_rate, seed=config.seed)
        if fault is not None and fault.kind == RESET:
            self._reset_connection()
        streamed_fault = fault is not None and (fault.kind == DISCONNECT
                                                or (fault.kind == STREAM_ERROR and request.get("stream")))
        if fault is not None and not streamed_fault:
            raise fault.as_error(config.speed)
        # Uncached input counts against the input-token limit; output is estimated from max_tokens
        # until the reply ends, then the unused part is given back (as the API documents).
        admitted = []

        def admit(uncached_input: int) -> None:  # called once the request is known to be valid
            admission = self.server.limiter_for(request["model"]).admit(uncached_input, request["max_tokens"])
            if not admission.allowed:
                raise ApiError("rate_limit_error", admission.refusal_message(),
                               headers=rate_limit_headers(admission))
            admitted.append(admission)

        prepared = self.server.messages.create(request, admit)
        usage = prepared.message["usage"]
        headers = rate_limit_headers(admitted[0])
        try:
            if request.get("stream"):
                self._send_stream(prepared, headers, fault=fault.kind if fault is not None else None)
            else:
                time.sleep(prepared.pacing.total_s(usage["output_tokens"]))
                self._send_json(200, prepared.message, headers, disconnect=fault is not None)
        finally:
            self.server.limiter_for(request["model"]).give_back_output(request["max_tokens"] - usage["output_tokens"])

    # --- responses -----------------------------------------------------------------------

    def _start_response(self, status: int, content_type: str, headers: dict[str, str] | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("request-id", self.request_id)
        merged = rate_limit_headers(self.server.idle_limiter.status())
        merged.update(headers or {})
        for name, value in merged.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")

    def _send_json(self, status: int, payload: dict, headers: dict[str, str] | None = None, *,
                   disconnect: bool = False) -> None:
        data = json.dumps(payload, ensure_ascii=False, separators=JSON_SEPARATORS).encode()
        self._start_response(status, "application/json", headers)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if disconnect:
            # Half the promised body, then the socket goes away: the client sees a short read.
            self.wfile.write(data[: len(data) // 2])
            self._drop_connection()
            return
        self.wfile.write(data)

    def _send_lines(self, lines) -> None:
        """JSON lines as a chunked body (a batch's results), many lines per chunk."""
        self._start_response(200, "application/binary", None)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        buffer = bytearray()
        for line in lines:
            buffer += line
            if len(buffer) >= RESULTS_CHUNK_BYTES:
                self._write_chunk(bytes(buffer))
                buffer.clear()
        if buffer:
            self._write_chunk(bytes(buffer))
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _send_error(self, error: ApiError) -> None:
        self._send_json(error.status, error.body(self.request_id), error.headers)

    def _send_stream(self, prepared: PreparedMessage, headers: dict[str, str], *, fault: str | None) -> None:
        """The SSE stream; a `disconnect` fault cuts it after a few deltas, a `stream_error` fault
        sends an `event: error` there and ends the stream properly, as the API does."""
        self._start_response(200, "text/event-stream; charset=utf-8", headers)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        pacing = prepared.pacing
        first_block = True
        deltas = 0
        for event in message_events(prepared.message, prepared.start_usage):
            if fault is not None and (deltas >= DISCONNECT_AFTER_DELTAS or event.name == "message_delta"):
                if fault == DISCONNECT:
                    self._drop_connection()
                    return
                error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
                self._write_chunk(StreamEvent("error", error).encode())
                break
            if event.name == "content_block_start" and first_block:
                time.sleep(pacing.ttft_s)
                first_block = False
            self._write_chunk(event.encode())
            if event.name == "content_block_delta":
                deltas += 1
                time.sleep(event.tokens * pacing.seconds_per_token)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _reset_connection(self) -> None:
        """Abort the connection before anything is sent: SO_LINGER 0 makes the close a TCP reset.
        Raises OSError, which _handle treats as a client gone away (nothing more is written)."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        raise ConnectionResetError("simulated reset")

    def _drop_connection(self) -> None:
        """Close the socket without finishing the body (no terminating chunk, short content)."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

