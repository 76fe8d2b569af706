"""What the API accepts as a content block in `messages[].content` (the per-block 400s)."""
from __future__ import annotations

from .errors import invalid_request

IMAGE_MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
DOCUMENT_SOURCES = {"base64": "application/pdf", "text": "text/plain"}


def check_block(block: object, where: str) -> None:
    """400 for a block the API would refuse. Media blocks are checked down to their `source`:
    an image whose source was a bare string used to be answered 200 as if it were text."""
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        raise invalid_request(f"{where}: content blocks must be objects with a 'type'")
    kind = block["type"]
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
    elif kind in REFERENCE_SOURCE_FIELDS:
        _check_reference_source(source, kind, where)
    else:
        raise invalid_request(f"{where}.type: Input should be 'base64', 'url' or 'file'")


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
