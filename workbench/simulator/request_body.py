"""Reading a request's body off the wire and decoding its JSON, with the API's limits and 400s.

Everything a client can get wrong here (a non-numeric or negative Content-Length, broken chunk
framing, a body over 32 MB, bytes that are not UTF-8 JSON, JSON nested past what a parser
follows, NaN/Infinity) is answered with the API's JSON error, never a 500 or a traceback.
"""
from __future__ import annotations

import json
from typing import BinaryIO, Mapping

from .errors import ApiError, invalid_request

MAX_REQUEST_BYTES = 32 * 1024 * 1024  # the Messages and count_tokens request size limit
# An over-limit body is read and thrown away up to this size before the 413 goes out, so the
# client (still sending) reads the answer instead of a connection reset. Past it, the
# connection is closed unread, as a proxy would.
DRAIN_LIMIT_BYTES = 4 * MAX_REQUEST_BYTES
_DRAIN_CHUNK = 1024 * 1024
_MAX_CHUNK_LINE = 1024


class BodyError(ApiError):
    """An ApiError after which the connection cannot be reused (the body was not fully read)."""


def too_large() -> ApiError:
    return ApiError("request_too_large", "Request exceeds the maximum allowed number of bytes.")


def read_body(headers: Mapping[str, str], rfile: BinaryIO, max_bytes: int = MAX_REQUEST_BYTES) -> bytes:
    """The raw body (Content-Length or chunked); raises ApiError/BodyError on bad framing or size.

    `max_bytes` is the route's limit: 32 MB for messages, 256 MB for a Message Batch.
    """
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        return _read_chunked(rfile, max_bytes)
    raw_length = (headers.get("Content-Length") or "").strip()
    if not raw_length:
        return b""
    if not raw_length.isdigit():
        raise BodyError("invalid_request_error", f"Content-Length: {raw_length!r} is not a valid length")
    length = int(raw_length)
    if length > max_bytes:
        if length <= max(DRAIN_LIMIT_BYTES, max_bytes):
            _discard(rfile, length)
        error = too_large()
        raise BodyError(error.error_type, error.message)
    return rfile.read(length)


def _discard(rfile: BinaryIO, length: int) -> None:
    remaining = length
    while remaining > 0:
        data = rfile.read(min(_DRAIN_CHUNK, remaining))
        if not data:
            return
        remaining -= len(data)


def _read_chunked(rfile: BinaryIO, max_bytes: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        line = rfile.readline(_MAX_CHUNK_LINE)
        try:
            chunk_size = int(line.split(b";")[0].strip(), 16)
        except ValueError:
            raise BodyError("invalid_request_error", "Invalid chunked transfer encoding") from None
        if chunk_size < 0:
            raise BodyError("invalid_request_error", "Invalid chunked transfer encoding")
        if chunk_size == 0:
            while rfile.readline(_MAX_CHUNK_LINE) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(parts)
        size += chunk_size
        if size > max_bytes:
            error = too_large()
            raise BodyError(error.error_type, error.message)
        data = rfile.read(chunk_size)
        if len(data) < chunk_size:
            raise BodyError("invalid_request_error", "Incomplete chunked request body")
        parts.append(data)
        rfile.readline(_MAX_CHUNK_LINE)


def _reject_constant(name: str) -> object:
    # Python's json accepts NaN/Infinity; JSON (and the API) do not.
    raise ValueError(f"{name} is not valid JSON")


def parse_json(body: bytes) -> object:
    """The decoded JSON body; a 400 invalid_request_error for anything that is not strict JSON."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as error:  # JSONDecodeError is a ValueError
        raise invalid_request(f"The request body is not valid JSON: {error}") from None
    except RecursionError:
        raise invalid_request("The request body is not valid JSON: nested too deeply") from None
