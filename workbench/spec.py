"""PromptSpec, and the *.prompt.json file that stores one (validated on load, stable on save)."""
from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from workbench.templating import is_variable_name

PROMPT_FORMAT = "workbench.prompt/1"
_FILE_KEYS = ("format", "name", "description", "variables", "request")
_ROLES = ("user", "assistant")
_UTF8_BOM = b"\xef\xbb\xbf"
_CONTENT_SHAPE = "a string or an array of content blocks"
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class PromptFileError(ValueError):
    """A prompt file (or dict) that is not a valid workbench prompt; says where and what."""

    def __init__(self, source: str, json_path: str, problem: str):
        self.source = source
        self.json_path = json_path
        self.problem = problem
        super().__init__(f"{source}: {json_path}: {problem}")


@dataclass
class PromptSpec:
    """One prompt: the exact Messages API body (with {{vars}} still in it) plus its name and defaults."""

    request: dict
    name: str = "untitled"
    description: str = ""
    variables: dict[str, str] = field(default_factory=dict)

    @property
    def model(self) -> str:
        return self.request["model"]

    def to_file_dict(self) -> dict:
        """The *.prompt.json object; a deep copy, so callers may change it freely."""
        return {
            "format": PROMPT_FORMAT,
            "name": self.name,
            "description": self.description,
            "variables": dict(self.variables),
            "request": copy.deepcopy(self.request),
        }

    @classmethod
    def from_file_dict(cls, data: object, source: str = "<input>") -> "PromptSpec":
        """Validate a parsed prompt file and build the spec; raises PromptFileError."""
        if not isinstance(data, dict):
            _fail(source, "$", f"must be a JSON object, got {json_type_phrase(data)}")
        for key in data:
            if key not in _FILE_KEYS:
                _fail(source, _child("$", key), "unknown key; a prompt file has only "
                      + ", ".join(_FILE_KEYS))
        if "format" not in data:
            _fail(source, "$.format", f'missing; a prompt file starts with "format": "{PROMPT_FORMAT}"')
        if data["format"] != PROMPT_FORMAT:
            _fail(source, "$.format", f'must be "{PROMPT_FORMAT}", got {_show(data["format"])}')
        name = data.get("name", "untitled")
        if not isinstance(name, str):
            _fail(source, "$.name", f"must be a string, got {json_type_phrase(name)}")
        description = data.get("description", "")
        if not isinstance(description, str):
            _fail(source, "$.description", f"must be a string, got {json_type_phrase(description)}")
        variables = _check_variables(data.get("variables", {}), source)
        if "request" not in data:
            _fail(source, "$.request", "missing; it holds the Messages API request body")
        request = validate_request(data["request"], source, "$.request")
        return cls(request=copy.deepcopy(request), name=name, description=description,
                   variables=dict(variables))

    def with_request(self, **changes) -> "PromptSpec":
        """A copy with the given request keys replaced; a value of None removes that key."""
        request = copy.deepcopy(self.request)
        for key, value in changes.items():
            if value is None:
                request.pop(key, None)
            else:
                request[key] = copy.deepcopy(value)
        return dataclasses.replace(self, request=request, variables=dict(self.variables))


def new_prompt(model: str, user_text: str = "", system: str | None = None,
               max_tokens: int = 1024) -> PromptSpec:
    """A fresh one-turn prompt for the editor's "New" button."""
    request: dict = {"model": model, "max_tokens": max_tokens,
                     "messages": [{"role": "user", "content": user_text}]}
    if system is not None:
        request["system"] = system
    return PromptSpec(request=request)


def validate_request(request: object, source: str = "<input>", json_path: str = "$") -> dict:
    """Check a Messages API body as a prompt file stores it; returns it, or raises PromptFileError."""
    # Checked: what Workbench relies on (model, messages, max_tokens, system, no stream) and the
    # shape of common optional keys. Everything else passes through for the API to judge.
    if not isinstance(request, dict):
        _fail(source, json_path, f"must be a JSON object (the Messages API body), got {json_type_phrase(request)}")
    if "stream" in request:
        _fail(source, _child(json_path, "stream"),
              "must not be present; Workbench decides whether to stream when it runs the prompt")

    model_path = _child(json_path, "model")
    if "model" not in request:
        _fail(source, model_path, "missing; name the model, e.g. \"claude-sonnet-5-5\"")
    if not isinstance(request["model"], str) or not request["model"].strip():
        _fail(source, model_path, f"must be a non-empty string, got {_show(request['model'])}")

    max_tokens_path = _child(json_path, "max_tokens")
    if "max_tokens" not in request:
        _fail(source, max_tokens_path, "missing; the API requires a positive integer")
    if not _is_int(request["max_tokens"]) or request["max_tokens"] < 1:
        _fail(source, max_tokens_path, f"must be a positive integer, got {_show(request['max_tokens'])}")

    _check_messages(request.get("messages", _MISSING), source, _child(json_path, "messages"))
    if "system" in request:
        _check_system(request["system"], source, _child(json_path, "system"))
    _check_optional_shapes(request, source, json_path)
    return request


def loads_prompt(data: str | bytes, source: str = "<input>") -> PromptSpec:
    """Parse prompt-file text (bytes must be UTF-8) into a validated PromptSpec."""
    if isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
        # A byte-order mark some editors add is tolerated; any other non-UTF-8 byte is not.
        bom = len(_UTF8_BOM) if raw.startswith(_UTF8_BOM) else 0
        try:
            text = raw[bom:].decode("utf-8")
        except UnicodeDecodeError as error:
            offset = bom + error.start
            _fail(source, "$", f"not UTF-8 text (byte 0x{raw[offset:offset + 1].hex()} at offset {offset}); "
                  "save the file as UTF-8")
    else:
        text = data
    if not text.strip():
        _fail(source, "$", f'empty; a prompt file is a JSON object starting with "format": "{PROMPT_FORMAT}"')
    try:
        parsed = loads_strict_json(text)
    except json.JSONDecodeError as error:
        _fail(source, "$", f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})")
    except StrictJsonError as error:
        _fail(source, error.json_path, error.problem)
    except ValueError as error:
        _fail(source, "$", f"not valid JSON: {error}")
    return PromptSpec.from_file_dict(parsed, source)


def load_prompt(path) -> PromptSpec:
    """Read and validate a *.prompt.json file; errors name the file as the caller gave it."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        _fail(source, "$", f"cannot read the file: {error.strerror or error}")
    return loads_prompt(raw, source)


def dumps_prompt(spec: PromptSpec) -> str:
    """The file text: sorted keys, 2-space indent, real UTF-8, trailing newline, so git diffs stay small."""
    return json.dumps(spec.to_file_dict(), sort_keys=True, indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"


def save_prompt(spec: PromptSpec, path) -> Path:
    """Validate and write the spec atomically: a reader sees the old file or the new, never half."""
    # Validate and serialise before touching the disk, so a bad spec leaves no trace.
    return write_text_atomically(path, checked_prompt_text(spec, path))


def checked_prompt_text(spec: PromptSpec, path) -> str:
    """The file text of a valid spec, or PromptFileError naming `path`; writes nothing."""
    PromptSpec.from_file_dict(spec.to_file_dict(), str(path))
    try:
        return dumps_prompt(spec)
    except (TypeError, ValueError) as error:
        raise PromptFileError(str(path), "$", f"cannot be written as JSON: {error}") from error


def write_text_atomically(path, text: str) -> Path:
    """Write UTF-8 text through a temp file in the same folder and os.replace: never half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as temp_file:
            temp_file.write(text)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        os.chmod(temp_name, _file_mode_for(target))
        os.replace(temp_name, target)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise
    return target


def request_hash(request: dict) -> str:
    """sha256 hex of canonical JSON (sorted keys, no spaces, UTF-8): equal bodies, equal hashes."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- validation helpers -------------------------------------------------------------------

_MISSING = object()


def _fail(source: str, json_path: str, problem: str) -> NoReturn:
    raise PromptFileError(source, json_path, problem)


def _child(path: str, key: str) -> str:
    """JSON path of a key: $.a.b for plain keys, $.a["odd key"] otherwise."""
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def json_path_child(path: str, key: str) -> str:
    """The JSON path of `key` under `path`, in the notation every finding uses (tools' too)."""
    return _child(path, key)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def json_type_phrase(value: object) -> str:
    """The JSON type of a value, for messages like 'got an array' (one wording for every file check)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value: object) -> str:
    """A short JSON rendering of a bad value, for the error message."""
    if isinstance(value, (dict, list)):
        return json_type_phrase(value)
    try:
        shown = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return json_type_phrase(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


# Deeper than any real prompt, tool or schema; far below where Python's recursion gives out.
MAX_JSON_DEPTH = 100


class StrictJsonError(ValueError):
    """JSON that parses but is refused: NaN/Infinity, a repeated key, or nesting too deep."""

    def __init__(self, json_path: str, problem: str):
        self.json_path = json_path
        self.problem = problem
        super().__init__(problem if json_path == "$" else f"{json_path}: {problem}")


def loads_strict_json(text: str) -> object:
    """json.loads that refuses what the API's JSON can't mean: NaN and Infinity, a key given twice
    in one object (json.loads would keep the last silently), and nesting deeper than MAX_JSON_DEPTH.
    Raises json.JSONDecodeError or StrictJsonError (both ValueError)."""
    repeated: dict[int, str] = {}

    def object_without_repeats(pairs: list) -> dict:
        built = dict(pairs)
        if len(built) != len(pairs):
            seen: set = set()
            repeated[id(built)] = next(key for key, _ in pairs if key in seen or seen.add(key))
        return built

    try:
        parsed = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=object_without_repeats)
    except RecursionError:
        raise StrictJsonError("$", f"nested too deeply (more than {MAX_JSON_DEPTH} levels)") from None
    _check_nesting(parsed, repeated)
    return parsed


def _check_nesting(parsed: object, repeated: dict[int, str]) -> None:
    """Walk without recursion: the first repeated key by path, or a StrictJsonError for depth."""
    pending: list[tuple[object, str, int]] = [(parsed, "$", 1)]
    while pending:
        value, path, depth = pending.pop()
        if not isinstance(value, (dict, list)):
            continue
        if depth > MAX_JSON_DEPTH:
            raise StrictJsonError("$", f"nested too deeply (more than {MAX_JSON_DEPTH} levels, at {path[:80]}...)")
        if isinstance(value, dict):
            if id(value) in repeated:
                key = repeated[id(value)]
                raise StrictJsonError(path, f"the key {key!r} appears more than once in one object; keep one")
            pending.extend((child, _child(path, key), depth + 1) for key, child in reversed(value.items()))
        else:
            pending.extend((child, f"{path}[{index}]", depth + 1) for index, child in reversed(list(enumerate(value))))


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not allowed in JSON")


def _file_mode_for(target: Path) -> int:
    """Keep an existing file's permissions; new files get the usual 0666 minus umask."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _check_variables(variables: object, source: str) -> dict:
    if not isinstance(variables, dict):
        _fail(source, "$.variables", f"must be an object of name -> default text, got {json_type_phrase(variables)}")
    for name, default in variables.items():
        path = _child("$.variables", name)
        if not is_variable_name(name):
            _fail(source, path, "not a valid variable name (letters, digits, _ . -; not starting with a digit)")
        if not isinstance(default, str):
            _fail(source, path, f"default must be a string, got {json_type_phrase(default)}")
    return variables


def _check_messages(messages: object, source: str, path: str) -> None:
    if messages is _MISSING:
        _fail(source, path, "missing; give at least one message")
    if not isinstance(messages, list):
        _fail(source, path, f"must be an array of messages, got {json_type_phrase(messages)}")
    if not messages:
        _fail(source, path, "must hold at least one message")
    for index, message in enumerate(messages):
        item = f"{path}[{index}]"
        if not isinstance(message, dict):
            _fail(source, item, f"must be an object with role and content, got {json_type_phrase(message)}")
        if "role" not in message:
            _fail(source, f"{item}.role", 'missing; must be "user" or "assistant"')
        if message["role"] not in _ROLES:
            _fail(source, f"{item}.role", f'must be "user" or "assistant", got {_show(message["role"])}')
        if "content" not in message:
            _fail(source, f"{item}.content", "missing; give a string or an array of content blocks")
        content = message["content"]
        if isinstance(content, str):
            continue
        if not isinstance(content, list):
            _fail(source, f"{item}.content", f"must be {_CONTENT_SHAPE}, got {json_type_phrase(content)}")
        _check_blocks(content, source, f"{item}.content")


def _check_blocks(blocks: list, source: str, path: str) -> None:
    for index, block in enumerate(blocks):
        item = f"{path}[{index}]"
        if not isinstance(block, dict):
            _fail(source, item, f"must be a content block object, got {json_type_phrase(block)}")
        if not isinstance(block.get("type"), str):
            _fail(source, f"{item}.type", f"must be a string such as \"text\", got {_show(block.get('type'))}")
        if block["type"] == "text" and not isinstance(block.get("text"), str):
            _fail(source, f"{item}.text", f"must be a string, got {_show(block.get('text'))}")
        if block["type"] == "tool_result" and "content" in block:
            inner = block["content"]
            if isinstance(inner, list):
                _check_blocks(inner, source, f"{item}.content")
            elif not isinstance(inner, str):
                _fail(source, f"{item}.content", f"must be {_CONTENT_SHAPE}, got {json_type_phrase(inner)}")


def _check_system(system: object, source: str, path: str) -> None:
    if isinstance(system, str):
        return
    if not isinstance(system, list):
        _fail(source, path, f"must be a string or an array of text blocks, got {json_type_phrase(system)}")
    for index, block in enumerate(system):
        item = f"{path}[{index}]"
        if not isinstance(block, dict) or block.get("type") != "text":
            _fail(source, item, 'must be a text block {"type": "text", "text": ...}')
        if not isinstance(block.get("text"), str):
            _fail(source, f"{item}.text", f"must be a string, got {_show(block.get('text'))}")


def _check_optional_shapes(request: dict, source: str, path: str) -> None:
    """Shapes of optional keys whose mistakes would otherwise surface only as an API 400."""
    if "tools" in request:
        tools = request["tools"]
        if not isinstance(tools, list):
            _fail(source, _child(path, "tools"), f"must be an array of tool objects, got {json_type_phrase(tools)}")
        for index, tool in enumerate(tools):
            item = f"{_child(path, 'tools')}[{index}]"
            if not isinstance(tool, dict):
                _fail(source, item, f"must be a tool object, got {json_type_phrase(tool)}")
            if not isinstance(tool.get("name"), str) or not tool["name"]:
                _fail(source, f"{item}.name", f"must be a non-empty string, got {_show(tool.get('name'))}")
            if "description" in tool and not isinstance(tool["description"], str):
                _fail(source, f"{item}.description", f"must be a string, got {json_type_phrase(tool['description'])}")
    if "stop_sequences" in request:
        stops = request["stop_sequences"]
        if not isinstance(stops, list) or not all(isinstance(stop, str) for stop in stops):
            _fail(source, _child(path, "stop_sequences"), "must be an array of strings")
    for key in ("temperature", "top_p"):
        if key in request and not _is_number(request[key]):
            _fail(source, _child(path, key), f"must be a number, got {_show(request[key])}")
    if "top_k" in request and not _is_int(request["top_k"]):
        _fail(source, _child(path, "top_k"), f"must be an integer, got {_show(request['top_k'])}")
    for key in ("metadata", "thinking", "tool_choice", "output_config"):
        if key in request and not isinstance(request[key], dict):
            _fail(source, _child(path, key), f"must be an object, got {json_type_phrase(request[key])}")
