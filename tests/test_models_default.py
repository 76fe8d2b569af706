"""default_model_id: the newest active Sonnet, else the newest active model; never by list position alone."""
from __future__ import annotations

import dataclasses
import random

import pytest

from workbench.models import Catalog, default_model_id, offline_catalog


def catalog_of(entries) -> Catalog:
    return Catalog(models=list(entries), source="offline")


def test_the_shipped_catalog_starts_on_the_newest_sonnet():
    assert default_model_id(offline_catalog()) == "claude-sonnet-5-5"


def test_order_of_the_listing_does_not_matter():
    entries = offline_catalog().models
    random.Random(7).shuffle(entries)
    assert default_model_id(catalog_of(entries)) == "claude-sonnet-5-5"


def test_deprecated_and_retired_sonnets_are_passed_over():
    entries = offline_catalog().models
    entries = [dataclasses.replace(entry, lifecycle="deprecated") if entry.id == "claude-sonnet-5-5" else entry
               for entry in entries]
    assert default_model_id(catalog_of(entries)) == "claude-sonnet-5"


def test_without_an_active_sonnet_the_newest_active_model():
    entries = [entry for entry in offline_catalog().models if entry.line != "sonnet"]
    assert default_model_id(catalog_of(entries)) == "claude-fable-5-2"


def test_with_nothing_active_the_newest_listed_model():
    entries = [dataclasses.replace(entry, lifecycle="retired") for entry in offline_catalog().models[3:]]
    assert default_model_id(catalog_of(entries)) == entries[0].id


def test_an_empty_catalog_is_an_error():
    with pytest.raises(ValueError):
        default_model_id(catalog_of([]))
