"""The catalog comes from models.list() (all pages) or, when listing fails, from the offline file."""
from __future__ import annotations

import json

import anthropic

from workbench.models import (
    OFFLINE_CATALOG_PATH,
    Catalog,
    fetch_catalog,
    load_quirks,
    offline_catalog,
    quirk_applies,
)

OFFLINE_IDS = [item["id"] for item in json.loads(OFFLINE_CATALOG_PATH.read_text(encoding="utf-8"))["data"]]


def test_fetch_catalog_reads_every_page(client):
    catalog = fetch_catalog(client, page_size=5)  # several pages: the line-up has more than 5 models
    assert catalog.source == "api" and catalog.error is None
    assert catalog.ids == OFFLINE_IDS
    assert catalog.source_label == "API (models.list)"


def test_fetch_catalog_with_default_page_size_gets_all(client):
    assert fetch_catalog(client).ids == OFFLINE_IDS


def test_entries_carry_capabilities_as_plain_dicts(client):
    entry = fetch_catalog(client).get("claude-haiku-4-5")
    assert entry is not None
    assert isinstance(entry.capabilities, dict)
    assert entry.max_tokens == 64000 and entry.max_input_tokens == 200000
    assert entry.lifecycle == "active" and entry.line == "haiku"
    assert entry.created_at.startswith("2025-10-15")
    assert entry.effort_levels == []
    assert set(entry.thinking_types) == {"enabled", "disabled"}
    assert entry.supports_structured_outputs


def test_effort_levels_are_in_api_order():
    entry = offline_catalog().get("claude-opus-5-5")
    assert entry.effort_levels == ["low", "medium", "high", "xhigh", "max"]
    assert "disabled" not in entry.thinking_types  # always thinks


def test_unreachable_endpoint_falls_back_to_offline_file(unreachable_base_url):
    # A refused connection: a real connection error, no retries.
    unreachable = anthropic.Anthropic(base_url=unreachable_base_url, api_key="test-key", max_retries=0, timeout=2)
    catalog = fetch_catalog(unreachable)
    assert catalog.source == "offline"
    assert catalog.ids == OFFLINE_IDS
    assert "could not connect" in catalog.error
    assert catalog.source_label.startswith("Offline catalog file (listing failed: could not connect")


def test_api_error_falls_back_to_offline_file(simulator):
    rejected = anthropic.Anthropic(base_url=simulator.base_url, api_key="bad-key", max_retries=0)
    catalog = fetch_catalog(rejected)
    assert catalog.source == "offline"
    assert "401" in catalog.error and "authentication_error" in catalog.error
    assert "bad-key" not in catalog.error


def test_offline_and_api_entries_are_identical(client):
    assert fetch_catalog(client).models == offline_catalog().models


def test_active_models_leave_out_retired_ones():
    catalog = offline_catalog()
    active_ids = [entry.id for entry in catalog.active_models()]
    assert "claude-opus-4-1" in catalog.ids and "claude-opus-4-1" not in active_ids
    assert "claude-opus-4-5" in active_ids  # deprecated is still usable
    assert catalog.get("no-such-model") is None
    assert isinstance(catalog, Catalog)


def test_quirks_file_has_the_documented_rules():
    quirks = load_quirks()
    assert set(quirks) >= {"forced_tool_choice_rejected", "sampling_parameters_rejected", "prefill_rejected",
                           "newer_tokenizer"}
    assert quirks["newer_tokenizer"]["ratio"] == 1.3
    assert quirk_applies("sampling_parameters_rejected", "claude-sonnet-5")
    assert not quirk_applies("sampling_parameters_rejected", "claude-haiku-4-5")


def test_load_quirks_returns_a_copy():
    load_quirks()["prefill_rejected"]["models"].clear()
    assert load_quirks()["prefill_rejected"]["models"]


def test_an_endpoint_that_lists_no_models_falls_back_to_offline_file():
    # A compatible endpoint answering GET /v1/models with an empty page: nothing to pick from.
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class EmptyListing(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"data": [], "has_more": false, "first_id": null, "last_id": null}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), EmptyListing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = anthropic.Anthropic(base_url=f"http://127.0.0.1:{server.server_port}", api_key="test-key",
                                       max_retries=0)
        catalog = fetch_catalog(endpoint)
    finally:
        server.shutdown()
        server.server_close()
    assert catalog.source == "offline" and catalog.ids == OFFLINE_IDS
    assert catalog.source_label == "Offline catalog file (listing failed: the endpoint listed no models)"


def test_the_offline_file_is_a_page_of_the_sdks_model_objects():
    # offline_catalog() reads the file as plain JSON (no SDK import); this keeps it the API's shape.
    from anthropic.types import ModelInfo

    items = json.loads(OFFLINE_CATALOG_PATH.read_text(encoding="utf-8"))["data"]
    for item, entry in zip(items, offline_catalog().models, strict=True):
        info = ModelInfo.model_validate(item)
        assert entry.id == info.id and entry.max_tokens == info.max_tokens
        assert entry.capabilities == (info.capabilities.model_dump(mode="json") if info.capabilities else {})
        assert entry.created_at == info.model_dump(mode="json")["created_at"]
