"""GET /v1/models through the SDK: all pages, newest first, exactly the catalog file's line-up."""
from __future__ import annotations

import json

import anthropic
import pytest
from anthropic.types import ModelInfo

from workbench.paths import DATA_DIR
from workbench.simulator.catalog import lifecycle_on


ALL_STAGES = ["active", "deprecated", "retired"]


def catalog_ids(stages=("active", "deprecated")) -> list[str]:
    """The file's line-up, each model in the stage it has today (a passed retirement date retires it)."""
    models = json.loads((DATA_DIR / "models.json").read_text())["data"]
    return [model["id"] for model in models if lifecycle_on(model) in stages]


def test_list_iterates_every_page_in_catalog_order(client):
    first_page = client.models.list(limit=5, lifecycle=ALL_STAGES)
    assert len(first_page.data) == 5 and first_page.has_more is True
    listed = list(client.models.list(limit=5, lifecycle=ALL_STAGES))
    assert [model.id for model in listed] == catalog_ids(ALL_STAGES)
    assert all(isinstance(model, ModelInfo) for model in listed)
    assert all(ModelInfo.model_validate(model.model_dump()) for model in listed)


def test_retired_models_are_listed_only_when_asked_for(client):
    listed = [model.id for model in client.models.list()]
    assert listed == catalog_ids() and "claude-opus-4-1" not in listed
    retired = [model.id for model in client.models.list(lifecycle=["retired"])]
    assert retired == catalog_ids(("retired",))
    assert {"claude-opus-4-1", "claude-opus-4", "claude-sonnet-4", "claude-3-5-haiku-20241022"} <= set(retired)


def test_default_page_size_is_20_and_before_id_pages_backwards(client):
    ids = catalog_ids(ALL_STAGES)
    page = client.models.list(lifecycle=ALL_STAGES)
    assert [model.id for model in page.data] == ids[:20]
    assert page.first_id == ids[0] and page.last_id == ids[19]
    before = client.models.list(before_id=ids[7], limit=3, lifecycle=ALL_STAGES)
    assert [model.id for model in before.data] == ids[4:7]


def test_retrieve_known_and_unknown_model(client):
    model = client.models.retrieve("claude-opus-5-5")
    assert model.id == "claude-opus-5-5" and model.capabilities is not None
    assert model.lifecycle == "active"
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.models.retrieve("claude-imaginary-9")
    assert caught.value.type == "not_found_error"
    assert "claude-imaginary-9" in caught.value.api_message
