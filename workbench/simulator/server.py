"""HTTP layer: routing, auth, JSON and chunked-SSE responses, faults and rate limiting on the wire."""
from __future__ import annotations

import hashlib
import json
import socket
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import catalog
from .config import SimulatorConfig
from .errors import ApiError, invalid_request, not_found
from .faults import DISCONNECT, choose_fault
from .messages import MessageService, PreparedMessage
from .ratelimit import RequestRateLimiter, rate_limit_headers
from .sse import message_events

MAX_REQUEST_BYTES = 32 * 1024 * 1024  # the Messages API's request size limit
DISCONNECT_AFTER_DELTAS = 3
CONNECTION_IDLE_TIMEOUT_S = 300


def new_request_id() -> str:
    return "req_sim_" + uuid.uuid4().hex[:24]


class SimulatorServer(ThreadingHTTPServer):
    """One simulator: its settings, prompt cache and rate limiter; a daemon thread per connection."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], config: SimulatorConfig) -> None:
        self.config = config
        self.messages = MessageService(config)
        self.limiter = RequestRateLimiter(config.rate_limit, config.speed)
        self._open_connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, SimulatorHandler)

    def process_request(self, request, client_address) -> None:  # type: ignore[override]
        with self._connections_lock:
            self._open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:  # type: ignore[override]
        with self._connections_lock:
            self._open_connections.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        """Cut kept-alive client connections, so a stopped simulator really stops answering."""
        with self._connections_lock:
            connections = list(self._open_connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class SimulatorHandler(BaseHTTPRequestHandler):
    """Serves /v1/models, /v1/messages and /v1/messages/count_tokens like the API."""

    # HTTP/1.1 for keep-alive and chunked streaming (a cut chunked stream is detectable; a
    # connection-delimited one would look like a normal end).
    protocol_version = "HTTP/1.1"
    server_version = "workbench-simulator/1.0"
    sys_version = ""
    timeout = CONNECTION_IDLE_TIMEOUT_S
    server: SimulatorServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the simulator runs inside tests and the app."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    # --- dispatch ------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        self.request_id = new_request_id()
        try:
            body = self._read_body()
            self._authenticate()
            url = urlsplit(self.path)
            path = url.path.rstrip("/")
            if method == "GET" and path == "/v1/models":
                self._send_json(200, catalog.list_page(**self._query(url.query)))
            elif method == "GET" and path.startswith("/v1/models/"):
                self._get_model(unquote(path[len("/v1/models/"):]))
            elif method == "POST" and path == "/v1/messages/count_tokens":
                self._send_json(200, self.server.messages.count_tokens(_parse_json(body)))
            elif method == "POST" and path == "/v1/messages":
                self._create_message(body)
            else:
                raise not_found(f"{method} {url.path} is not a route of this API")
        except ApiError as error:
            self._send_error(error)
        except (BrokenPipeError, ConnectionResetError):
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

    def _get_model(self, model_id: str) -> None:
        model = catalog.find_model(model_id)
        if model is None:
            raise not_found(f"model: {model_id}")
        self._send_json(200, model)

    def _create_message(self, body: bytes) -> None:
        request = _parse_json(body)
        config = self.server.config
        request_key = hashlib.sha256(body).hexdigest()
        fault = choose_fault(self.headers, request_key, fault_rate=config.fault_rate, seed=config.seed)
        if fault is not None and fault.kind != DISCONNECT:
            raise fault.as_error(config.speed)
        admission = self.server.limiter.admit()
        if not admission.allowed:
            raise ApiError(
                "rate_limit_error",
                "This request would exceed your organization's rate limit of requests per minute (simulated).",
                headers=rate_limit_headers(admission),
            )
        prepared = self.server.messages.create(request)
        usage = prepared.message["usage"]
        headers = rate_limit_headers(admission, usage["input_tokens"], usage["output_tokens"])
        disconnect = fault is not None
        if request.get("stream"):
            self._send_stream(prepared, headers, disconnect=disconnect)
        else:
            time.sleep(prepared.pacing.total_s(usage["output_tokens"]))
            self._send_json(200, prepared.message, headers, disconnect=disconnect)

    # --- request parts -------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked_body()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True  # the body stays unread, so the connection cannot be reused
            raise ApiError("request_too_large", f"Request exceeds the maximum allowed number of bytes ({MAX_REQUEST_BYTES}).")
        return self.rfile.read(length) if length else b""

    def _read_chunked_body(self) -> bytes:
        parts = []
        size = 0
        while True:
            chunk_size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if chunk_size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            size += chunk_size
            if size > MAX_REQUEST_BYTES:
                self.close_connection = True
                raise ApiError("request_too_large", "Request exceeds the maximum allowed number of bytes.")
            parts.append(self.rfile.read(chunk_size))
            self.rfile.readline()

    def _authenticate(self) -> None:
        """x-api-key, or `Authorization: Bearer` (what SDK 2.x sends); keys starting "bad" are wrong."""
        key = self.headers.get("x-api-key") or ""
        authorization = self.headers.get("Authorization") or ""
        if not key and authorization.lower().startswith("bearer "):
            key = authorization[len("bearer "):].strip()
        if not key:
            raise ApiError("authentication_error", "x-api-key header is required")
        if key.startswith("bad"):
            raise ApiError("authentication_error", "invalid x-api-key")

    # --- responses -----------------------------------------------------------------------

    def _start_response(self, status: int, content_type: str, headers: dict[str, str] | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("request-id", self.request_id)
        merged = rate_limit_headers(self.server.limiter.status())
        merged.update(headers or {})
        for name, value in merged.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")

    def _send_json(self, status: int, payload: dict, headers: dict[str, str] | None = None, *,
                   disconnect: bool = False) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self._start_response(status, "application/json", headers)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if disconnect:
            # Half the promised body, then the socket goes away: the client sees a short read.
            self.wfile.write(data[: len(data) // 2])
            self._drop_connection()
            return
        self.wfile.write(data)

    def _send_error(self, error: ApiError) -> None:
        self._send_json(error.status, error.body(self.request_id), error.headers)

    def _send_stream(self, prepared: PreparedMessage, headers: dict[str, str], *, disconnect: bool) -> None:
        self._start_response(200, "text/event-stream; charset=utf-8", headers)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        pacing = prepared.pacing
        first_block = True
        deltas = 0
        for event in message_events(prepared.message, prepared.start_usage):
            if disconnect and (deltas >= DISCONNECT_AFTER_DELTAS or event.name == "message_delta"):
                self._drop_connection()
                return
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

    def _drop_connection(self) -> None:
        """Close the socket without finishing the body (no terminating chunk, short content)."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _parse_json(body: bytes) -> object:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise invalid_request(f"The request body is not valid JSON: {error}") from None
