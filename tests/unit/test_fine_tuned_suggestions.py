"""An unknown ``ft:`` id suggests ids that resolve when sent back as they are.

OpenAI names a fine-tuned model after the dated base it was trained from
(``ft:gpt-3.5-turbo-0125:acme::abc``). When a table lacks that snapshot, the 404 listed bare
bases (``gpt-3.5-turbo``), which price the base model instead, or, on the article's
fine-tuning-only table, are themselves not found.
"""

from __future__ import annotations

import pytest

from pricing.catalog import Catalog
from pricing.errors import NotFound


@pytest.mark.parametrize(
    ("version", "requested", "expected"),
    [
        ("2026-03-30", "ft:gpt-3.5-turbo-0125:acme::abc123", "ft:gpt-3.5-turbo"),
        ("2026-12-01", "ft:gpt-4.1-mini-2025-04-14:acme:demo:abc123", "ft:gpt-4.1-mini"),
        ("2026-12-01", "ft:gpt-4.1-mini-2025-04-14", "ft:gpt-4.1-mini"),
    ],
)
def test_every_suggestion_for_an_unknown_fine_tune_resolves_fine_tuned(
    catalog: Catalog, version: str, requested: str, expected: str
) -> None:
    table = catalog.tables[version]
    with pytest.raises(NotFound) as caught:
        table.resolve_model(requested)
    suggestions = caught.value.suggestions
    assert expected in suggestions
    for suggestion in suggestions:
        model, match = table.resolve_model(suggestion)
        assert match.matched_by == "fine_tuned", suggestion
        assert model.id.startswith("ft:"), suggestion


def test_a_base_asked_without_the_prefix_gets_bases_back(catalog: Catalog) -> None:
    # The training route and the dataset route's `model` take the base with or without `ft:`;
    # asked without it, the suggestions keep that form, and each works there.
    table = catalog.tables["2026-03-30"]
    with pytest.raises(NotFound) as caught:
        table.resolve_fine_tune("gpt-3.5-turbo-0125", "$.model")
    assert caught.value.suggestions[0] == "gpt-3.5-turbo"
    assert caught.value.path == "$.model"
    for suggestion in caught.value.suggestions:
        assert table.resolve_fine_tune(suggestion).model is not None
