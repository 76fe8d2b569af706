"""A local HTTP server that records every request (path, headers, raw body) and answers like the Messages API.

Used to check what generated code and Workbench itself put on the wire. Each caller gets a path
prefix (`server.url_for("python/3")`), so requests made concurrently from one process are told apart.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY_TEXT = "Captured."


@dataclass(frozen=True)
class Captured:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> object:
        return json.loads(self.body.decode("utf-8"))


def _message(model: str) -> dict:
    return {
        "id": "msg_capture", "type": "message", "role": "assistant", "model": model,
        "content": [{"type": "text", "text": REPLY_TEXT}],
        "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 2},
    }


def _sse(model: str) -> bytes:
    message = _message(model)
    start = dict(message, content=[], stop_reason=None, usage={"input_tokens": 3, "output_tokens": 0})
    events = [
        ("message_start", {"type": "message_start", "message": start}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": REPLY_TEXT}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                           "usage": {"output_tokens": 2}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events).encode()


class CaptureServer:
    def __init__(self) -> None:
        self.requests: list[Captured] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with owner._lock:
                    owner.requests.append(Captured(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                try:
                    request = json.loads(body)
                    model = request.get("model", "unknown") if isinstance(request, dict) else "unknown"
                    streaming = isinstance(request, dict) and request.get("stream") is True
                except ValueError:
                    model, streaming = "unknown", False
                if streaming:
                    payload, kind = _sse(str(model)), "text/event-stream"
                else:
                    payload, kind = json.dumps(_message(str(model))).encode(), "application/json"
                self.send_response(200)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(payload)))
                self.send_header("request-id", "req_capture")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url_for(self, label: str) -> str:
        return f"{self.base_url}/{label}"

    def taken(self, label: str) -> list[Captured]:
        """The requests sent under `url_for(label)`."""
        prefix = f"/{label}/"
        with self._lock:
            return [request for request in self.requests if request.path.startswith(prefix)]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
