"""The 2026-12-04 table: 2026-12-01's prices, with the providers' dated snapshot ids.

Reported: the ids the APIs return in every response (`claude-sonnet-4-5-20250929`,
`gpt-4.1-mini-2025-04-14`) and the fine-tuned ids OpenAI issues
(`ft:gpt-4.1-mini-2025-04-14:acme:demo:abc123`) were 404s, so usage logs could not be priced
as they are. A published table is never edited: the aliases come as a new version.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from pricing.catalog import Catalog
from pricing.errors import NotFound
from pricing.usage import Usage, price_usage
from pricing.views import diff_tables

SNAPSHOTS = {
    "gpt-4o-2024-11-20": "gpt-4o",
    "gpt-4.1-2025-04-14": "gpt-4.1",
    "gpt-4.1-mini-2025-04-14": "gpt-4.1-mini",
    "gpt-4.1-nano-2025-04-14": "gpt-4.1-nano",
    "o3-2025-04-16": "o3",
    "o4-mini-2025-04-16": "o4-mini",
    "gpt-5-2025-08-07": "gpt-5",
    "gpt-5-mini-2025-08-07": "gpt-5-mini",
    "gpt-5-nano-2025-08-07": "gpt-5-nano",
    "claude-opus-4-1-20250805": "claude-opus-4-1",
    "claude-opus-4-5-20251101": "claude-opus-4-5",
    "claude-sonnet-4-20250514": "claude-sonnet-4",
    "claude-sonnet-4-5-20250929": "claude-sonnet-4-5",
    "claude-haiku-4-5-20251001": "claude-haiku-4-5",
    "claude-3-5-haiku-20241022": "claude-haiku-3-5",
}


def test_latest_is_the_corrected_table(catalog: Catalog) -> None:
    assert catalog.latest.version == "2026-12-04"


def test_no_price_changed_from_2026_12_01(catalog: Catalog) -> None:
    # Only aliases were added: every model, fine-tune, GPU and store keeps its rows.
    diff = diff_tables(catalog, "2026-12-01", "2026-12-04")
    assert (diff.added, diff.removed, diff.changed, diff.prices_changed) == ([], [], [], [])
    # ... and the diff says so, rather than "nothing changed": each snapshot once, at its model.
    added = {change.id: change.added for change in diff.aliases_changed}
    assert {alias: model_id for model_id, aliases in added.items() for alias in aliases} == (
        SNAPSHOTS | {f"gpt-3.5-turbo-{s}": "ft:gpt-3.5-turbo" for s in ("0125", "0613", "1106")}
    )
    assert all(change.removed == [] for change in diff.aliases_changed)
    old, new = catalog.tables["2026-12-01"], catalog.tables["2026-12-04"]
    strip = msgspec.structs.replace
    assert [strip(m, aliases=()) for m in old.models] == [strip(m, aliases=()) for m in new.models]


@pytest.mark.parametrize(("snapshot", "model_id"), sorted(SNAPSHOTS.items()))
def test_a_dated_snapshot_prices_as_its_model(
    catalog: Catalog, snapshot: str, model_id: str
) -> None:
    table = catalog.latest
    model, match = table.resolve_model(snapshot)
    assert (model.id, match.matched_by) == (model_id, "alias")
    # Also written with its provider, as a gateway logs it.
    _, prefixed = table.resolve_model(f"{model.provider}/{snapshot}")
    assert prefixed.id == model_id
    # On 2026-12-01 the snapshot was unknown: only the new version lists it.
    with pytest.raises(NotFound):
        catalog.tables["2026-12-01"].resolve_model(snapshot)


def test_claude_sonnet_4_5_snapshot_prices_a_logged_request(catalog: Catalog) -> None:
    # claude-sonnet-4-5: $3 in, $15 out per 1M. 10,000 in and 500 out:
    # 10,000 × 3 + 500 × 15 = 37,500 per 1M = $0.0375.
    model, _ = catalog.latest.resolve_model("claude-sonnet-4-5-20250929")
    usage = Usage(input_tokens=10_000, output_tokens=500)
    assert price_usage(model, usage).total_usd == Decimal("0.0375")


@pytest.mark.parametrize(
    ("requested", "fine_tuned_id"),
    [
        ("ft:gpt-4.1-mini-2025-04-14:acme:demo:abc123", "ft:gpt-4.1-mini"),
        ("ft:gpt-4.1-2025-04-14:acme::abc123", "ft:gpt-4.1"),
        ("ft:gpt-4.1-nano-2025-04-14", "ft:gpt-4.1-nano"),
        ("ft:gpt-3.5-turbo-0125:acme::abc123", "ft:gpt-3.5-turbo"),
        ("ft:gpt-3.5-turbo-1106:acme::abc123", "ft:gpt-3.5-turbo"),
        ("ft:gpt-3.5-turbo-0613:acme::abc123", "ft:gpt-3.5-turbo"),
    ],
)
def test_a_fine_tuned_id_on_a_dated_base_prices_fine_tuned(
    catalog: Catalog, requested: str, fine_tuned_id: str
) -> None:
    model, match = catalog.latest.resolve_model(requested)
    assert (model.id, match.matched_by, match.provider) == (fine_tuned_id, "fine_tuned", "openai")


def test_ft_gpt_4_1_mini_snapshot_is_billed_at_fine_tuned_rates(catalog: Catalog) -> None:
    # Fine-tuned gpt-4.1-mini: $0.80 in, $3.20 out per 1M (the base is $0.40 / $1.60).
    # 1,000,000 in and 100,000 out: 0.80 + 0.32 = $1.12.
    model, _ = catalog.latest.resolve_model("ft:gpt-4.1-mini-2025-04-14:acme:demo:abc123")
    usage = Usage(input_tokens=1_000_000, output_tokens=100_000)
    assert price_usage(model, usage).total_usd == Decimal("1.12")


def test_a_snapshot_billed_otherwise_stays_unknown(catalog: Catalog) -> None:
    # gpt-4o-2024-05-13 was $5 / $15, not gpt-4o's $2.50 / $10: not an alias, so not mispriced.
    with pytest.raises(NotFound):
        catalog.latest.resolve_model("gpt-4o-2024-05-13")
