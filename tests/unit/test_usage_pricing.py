"""The usage primitive against hand-computed cases (USD per 1M tokens; input includes cache).

Cases are pricing-anchors.md F01, F03, F04, F18, F24: each names the fault kind it guards.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pricing.errors import InvalidInput
from pricing.schema import RateCardSpec, TierSpec
from pricing.usage import Usage, inline_model, price_usage

D = Decimal
NOW = datetime(2026, 12, 3, tzinfo=UTC)

SONNET_LONG = RateCardSpec(
    input=D(3),
    output=D(15),
    tiers=[TierSpec(above_input_tokens=200_000, input=D(6), output=D("22.50"))],
)


def total(card: RateCardSpec, tier: str = "standard", **usage: int) -> Decimal:
    model = inline_model(card, tier)
    return price_usage(model, Usage(**usage), service_tier=tier, at=NOW).total_usd


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        # Cliff tier: the whole request at the tier rate once total input passes 200k.
        ({"input_tokens": 250_000, "output_tokens": 10_000}, "1.725"),
        ({"input_tokens": 200_000}, "0.60"),
        ({"input_tokens": 200_001}, "1.200006"),
    ],
)
def test_long_context_tier_is_a_cliff_on_total_input(usage: dict, expected: str) -> None:
    assert total(SONNET_LONG, **usage) == D(expected)


def test_inclusive_tier_starts_at_threshold() -> None:
    card = RateCardSpec(
        input=D(3), tiers=[TierSpec(above_input_tokens=200_000, inclusive=True, input=D(6))]
    )
    assert total(card, input_tokens=200_000) == D("1.2")


def test_tier_threshold_counts_cache_tokens() -> None:
    # 150k uncached + 60k cache reads = 210k total input: the tier applies to both classes.
    card = RateCardSpec(
        input=D(3),
        cache_read=D("0.30"),
        tiers=[TierSpec(above_input_tokens=200_000, input=D(6), cache_read=D("0.60"))],
    )
    cost = total(card, input_tokens=210_000, cache_read_tokens=60_000)
    assert cost == D(150_000) * 6 / 10**6 + D(60_000) * D("0.60") / 10**6


def test_cached_tokens_are_a_part_of_input_not_extra() -> None:
    card = RateCardSpec(input=D("2.50"), cache_read=D("1.25"), output=D(10))
    assert total(card, input_tokens=2006, cache_read_tokens=1920, output_tokens=300) == D(
        "0.005615"
    )


def test_cache_writes_are_priced_once_at_the_write_rate() -> None:
    card = RateCardSpec(input=D(3), cache_write=D("3.75"), cache_read=D("0.30"), output=D(15))
    assert total(card, input_tokens=12_307, cache_write_tokens=12_304, output_tokens=550) == D(
        "0.054399"
    )


def test_one_hour_writes_use_their_own_rate() -> None:
    card = RateCardSpec(input=D(3), cache_write=D("3.75"), cache_write_1h=D(6))
    assert total(card, input_tokens=1_000_000, cache_write_1h_tokens=1_000_000) == D(6)


@pytest.mark.parametrize(
    ("card", "usage", "expected"),
    [
        (RateCardSpec(input=D(5)), {"input_tokens": 323}, "0.001615"),
        (
            RateCardSpec(input=D("1.10"), output=D("4.40")),
            {"input_tokens": 1000, "output_tokens": 100},
            "0.00154",
        ),
        (RateCardSpec(input=D("0.10")), {"input_tokens": 150_000}, "0.015"),
    ],
)
def test_exact_decimal_totals(card: RateCardSpec, usage: dict, expected: str) -> None:
    result = total(card, **usage)
    assert result == D(expected)
    assert isinstance(result, Decimal)


def test_reasoning_is_billed_as_output_and_audio_at_its_rate() -> None:
    card = RateCardSpec(input=D(1), output=D(10), output_audio=D(80))
    cost = total(card, output_tokens=1000, reasoning_tokens=600, output_audio_tokens=100)
    assert cost == D(900) * 10 / 10**6 + D(100) * 80 / 10**6


def test_requests_multiply_the_total() -> None:
    model = inline_model(RateCardSpec(input=D(5)), "standard")
    priced = price_usage(model, Usage(input_tokens=323), requests=1000, at=NOW)
    assert priced.total_usd == D("1.615")
    assert priced.line_items[0].quantity == 323_000


def test_unpriced_class_is_an_error_never_zero() -> None:
    card = RateCardSpec(input=D(1), output=D(2))
    with pytest.raises(InvalidInput) as caught:
        total(card, input_tokens=100, cache_read_tokens=50)
    assert caught.value.path == "$.usage.cache_read_tokens"


@pytest.mark.parametrize(
    ("usage", "field"),
    [
        ({"input_tokens": 10, "cache_read_tokens": 11}, "input_tokens"),
        ({"input_tokens": 10, "cache_read_tokens": 6, "cache_write_tokens": 5}, "input_tokens"),
        ({"output_tokens": 10, "reasoning_tokens": 8, "output_audio_tokens": 3}, "output_tokens"),
    ],
)
def test_parts_larger_than_total_are_refused(usage: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        total(RateCardSpec(input=D(1), output=D(1), cache_read=D(1), cache_write=D(1)), **usage)
    assert caught.value.path == f"$.usage.{field}"
    assert "includes" in caught.value.reason


def test_per_1k_unit_is_normalized() -> None:
    card = RateCardSpec(unit="usd_per_1k_tokens", input=D("0.012"), output=D("0.012"))
    assert total(card, input_tokens=1_000_000, output_tokens=1_000_000) == D(24)


@pytest.mark.parametrize(
    ("card", "path"),
    [
        (RateCardSpec(input=D(15_000)), "$.rates.input"),
        (RateCardSpec(unit="usd_per_token", input=D("0.000001")), "$.rates.unit"),
        (RateCardSpec(unit="usd_per_hour", input=D(1)), "$.rates.unit"),
        (RateCardSpec(input=D("1e-11")), "$.rates.input"),
        (RateCardSpec(blended=D(20_000)), "$.rates.blended"),
        (RateCardSpec(input=D(-1)), "$.rates.input"),
        (RateCardSpec(blended=D(1), input=D(1)), "$.rates.blended"),
    ],
)
def test_inline_rates_follow_table_rules(card: RateCardSpec, path: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        inline_model(card, "standard")
    assert caught.value.path == path
