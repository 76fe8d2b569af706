"""What the API accepts as a content block in `messages[].content` (the per-block 400s)."""
from __future__ import annotations

import base64
import binascii

from .errors import invalid_request

IMAGE_MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# The first bytes of each image format, to tell real image data from anything else.
_IMAGE_SIGNATURES = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
                     "image/gif": (b"GIF87a", b"GIF89a")}
# Every block type a request may carry (the SDK 2.14 ContentBlockParam union); anything else is a 400.
BLOCK_TYPES = (
    "text", "image", "document", "search_result", "thinking", "redacted_thinking", "tool_use", "tool_result",
    "server_tool_use", "web_search_tool_result", "web_fetch_tool_result", "code_execution_tool_result",
    "bash_code_execution_tool_result", "text_editor_code_execution_tool_result", "tool_search_tool_result",
    "container_upload",
)
DOCUMENT_SOURCES = {"base64": "application/pdf", "text": "text/plain"}


def check_block(block: object, where: str) -> None:
    """400 for a block the API would refuse. Media blocks are checked down to their `source`:
    an image whose source was a bare string used to be answered 200 as if it were text."""
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        raise invalid_request(f"{where}: content blocks must be objects with a 'type'")
    kind = block["type"]
    if kind not in BLOCK_TYPES:
        raise invalid_request(f"{where}: Input tag '{kind}' found using 'type' does not match any of the expected "
                              f"tags: {', '.join(repr(name) for name in BLOCK_TYPES)}")
    if kind == "text":
        if not isinstance(block.get("text"), str):
            raise invalid_request(f"{where}.text: Field required")
        if not block["text"]:
            raise invalid_request(f"{where}: text content blocks must be non-empty")
        if not block["text"].strip():
            raise invalid_request(f"{where}: text content blocks must contain non-whitespace text")
    elif kind == "tool_use":
        if not (isinstance(block.get("id"), str) and isinstance(block.get("name"), str)
                and isinstance(block.get("input"), dict)):
            raise invalid_request(f"{where}: tool_use blocks need 'id', 'name' and an object 'input'")
    elif kind == "tool_result":
        if not isinstance(block.get("tool_use_id"), str):
            raise invalid_request(f"{where}.tool_use_id: Field required")
        content = block.get("content")
        if content is not None and not isinstance(content, (str, list)):
            raise invalid_request(f"{where}.content: Input should be a valid string or list of content blocks")
        for index, part in enumerate(content if isinstance(content, list) else []):
            check_block(part, f"{where}.content.{index}")
    elif kind == "image":
        _check_image_source(block.get("source"), f"{where}.source")
    elif kind == "document":
        _check_document_source(block.get("source"), f"{where}.source")


def _check_image_source(source: object, where: str) -> None:
    if not isinstance(source, dict):
        raise invalid_request(f"{where}: Field required")
    kind = source.get("type") if isinstance(source.get("type"), str) else None  # never hash a list/dict
    if kind == "base64":
        if source.get("media_type") not in IMAGE_MEDIA_TYPES:
            raise invalid_request(f"{where}.media_type: Input should be {', '.join(repr(t) for t in IMAGE_MEDIA_TYPES)}")
        if not isinstance(source.get("data"), str) or not source["data"]:
            raise invalid_request(f"{where}.data: Field required")
        _check_image_bytes(source["data"], source["media_type"], where)
    elif kind in REFERENCE_SOURCE_FIELDS:
        _check_reference_source(source, kind, where)
    else:
        raise invalid_request(f"{where}.type: Input should be 'base64', 'url' or 'file'")


def _check_image_bytes(data: str, media_type: str, where: str) -> None:
    """The API decodes the image: data that is not base64, or not an image of the stated type, is a 400."""
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_request(f"{where}.data: invalid base64 data") from None
    actual = _sniff_image_type(raw)
    if actual is None:
        raise invalid_request(f"{where}: Could not process image")
    if actual != media_type:
        raise invalid_request(f"{where}: The image was specified using the {media_type} media type, but the image "
                              f"appears to be a {actual} image")


def _sniff_image_type(raw: bytes) -> str | None:
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    for media_type, signatures in _IMAGE_SIGNATURES.items():
        if raw.startswith(signatures):
            return media_type
    return None


# Sources that point elsewhere instead of carrying the bytes: type -> the field that must be a string.
REFERENCE_SOURCE_FIELDS = {"url": "url", "file": "file_id"}


def _check_reference_source(source: dict, kind: str, where: str) -> None:
    field = REFERENCE_SOURCE_FIELDS[kind]
    if not isinstance(source.get(field), str):
        raise invalid_request(f"{where}.{field}: Field required")


def _check_document_source(source: object, where: str) -> None:
    if not isinstance(source, dict):
        raise invalid_request(f"{where}: Field required")
    kind = source.get("type") if isinstance(source.get("type"), str) else None  # never hash a list/dict
    if kind in DOCUMENT_SOURCES:
        if not isinstance(source.get("data"), str):
            raise invalid_request(f"{where}.data: Field required")
        if source.get("media_type") != DOCUMENT_SOURCES[kind]:
            raise invalid_request(f"{where}.media_type: Input should be '{DOCUMENT_SOURCES[kind]}'")
    elif kind in REFERENCE_SOURCE_FIELDS:
        _check_reference_source(source, kind, where)
    elif kind == "content":
        if not isinstance(source.get("content"), (str, list)):
            raise invalid_request(f"{where}.content: Field required")
    else:
        raise invalid_request(f"{where}.type: Input should be 'base64', 'text', 'content', 'url' or 'file'")
