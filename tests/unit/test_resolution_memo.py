"""Remembered resolutions answer exactly what a fresh resolution answers (DESIGN §2)."""

from __future__ import annotations

import pytest

from pricing.catalog import Catalog
from pricing.errors import NotFound


def test_remembered_resolution_keeps_what_was_asked(catalog: Catalog) -> None:
    table = catalog.latest
    first = table.resolve_model("gpt-4o-mini")
    again = table.resolve_model("gpt-4o-mini")
    upper = table.resolve_model("GPT-4o-mini")

    assert again == first
    assert upper[0] is first[0]
    assert (upper[1].requested, upper[1].matched_by) == ("GPT-4o-mini", "id")


def test_kind_is_part_of_what_is_remembered(catalog: Catalog) -> None:
    table = catalog.latest
    embedding = next(m.id for m in table.models if m.kind == "embedding")

    assert table.resolve_model(embedding)[0].kind == "embedding"
    with pytest.raises(NotFound):
        table.resolve_model(embedding, kind="chat")


def test_unknown_ids_are_never_remembered(catalog: Catalog) -> None:
    table = catalog.latest
    for _ in range(2):
        with pytest.raises(NotFound) as raised:
            table.resolve_model("gpt-4o-mini-typo", "$.items[3].model")
        assert raised.value.path == "$.items[3].model"
