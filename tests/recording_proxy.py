"""A loopback HTTP proxy in front of the simulator that records what reached it: counts that tests
trust come from the other side, not from the code under test."""
from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# Hop-by-hop headers: the proxy answers with a plain Content-Length body of its own.
_DROPPED = {"transfer-encoding", "connection", "content-length", "keep-alive"}


class RecordingProxy:
    """Forwards every request to `upstream` and keeps (method, path) of each, in order."""

    def __init__(self, upstream: str):
        target = urlsplit(upstream)
        self.seen: list[tuple[str, str]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                pass

            def _forward(self) -> None:
                proxy.seen.append((self.command, urlsplit(self.path).path))
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                headers = {name: value for name, value in self.headers.items() if name.lower() not in _DROPPED}
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in _DROPPED:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                connection.close()

            do_GET = do_POST = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def messages_calls(self) -> list[tuple[str, str]]:
        """Requests that would be billed or counted: messages and count_tokens."""
        return [(method, path) for method, path in self.seen if path.startswith("/v1/messages")]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
