"""A `$ref` in a schema from a file never makes Workbench fetch anything, and one that can't be
followed is refused when the file is loaded, before any call is paid for."""
from __future__ import annotations

import http.server
import json
import threading

import pytest

from workbench.compare_cases import CaseCheck, CasesTableError, load_cases_csv
from workbench.json_schemas import schema_problems
from workbench.preflight import output_schema_problems


@pytest.fixture
def listener():
    """A loopback HTTP server that serves a schema and records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = json.dumps({"type": "string"}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def _cases_csv(schema: dict) -> str:
    cell = json.dumps(schema).replace('"', '""')
    return f'topic,check,expected\ntides,json_schema,"{cell}"\n'


def test_a_remote_ref_in_a_cases_file_is_refused_at_load_and_never_fetched(listener):
    url, hits = listener
    schema = {"type": "object", "properties": {"a": {"$ref": f"{url}/evil.json"}}}
    with pytest.raises(CasesTableError) as refused:
        load_cases_csv(_cases_csv(schema), ["topic"])
    assert "refers outside this schema" in str(refused.value)
    assert "$.properties.a" in str(refused.value)
    # Even a check that skipped the load (built by hand) fails without fetching.
    outcome = CaseCheck("json_schema", json.dumps(schema)).evaluate('{"a": "x"}')
    assert not outcome.passed and "cannot be followed" in outcome.detail
    assert hits == []


def test_an_unresolvable_local_ref_is_refused_at_load():
    schema = {"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}
    with pytest.raises(CasesTableError) as refused:
        load_cases_csv(_cases_csv(schema), ["topic"])
    assert "points to nothing in this schema" in str(refused.value)


def test_references_inside_the_document_still_work():
    schema = {"$defs": {"word": {"type": "string"}, "n": {"$id": "urn:n", "type": "integer"}},
              "type": "object", "properties": {"a": {"$ref": "#/$defs/word"}, "b": {"$ref": "urn:n"}}}
    assert schema_problems(schema) == []
    [case] = load_cases_csv(_cases_csv(schema), ["topic"])
    assert case.check.evaluate('{"a": "x", "b": 2}').passed
    assert not case.check.evaluate('{"a": 1}').passed


def test_an_output_schema_with_a_remote_ref_is_refused(listener):
    url, hits = listener
    problems = output_schema_problems({"type": "object", "additionalProperties": False,
                                       "properties": {"a": {"$ref": f"{url}/x.json"}}})
    assert problems and "refers outside this schema" in problems[0]
    assert hits == []
