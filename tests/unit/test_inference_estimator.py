"""estimateInference: monthly spend of one request shape and its peak capacity (DESIGN §4.2).

Worked numbers: issue 3 (gpt-4o-mini at $0.15 / $0.60 per 1M in the 2026-12-01 table).
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from pricing.catalog import Catalog
from pricing.errors import InvalidInput
from pricing.estimators.inference import InferenceRequest, estimate_inference

D = Decimal
SHAPE = {"input_tokens": 1200, "output_tokens": 300}
SECONDS_PER_MONTH = 730 * 3600


def estimate(catalog: Catalog, **body: object):
    return estimate_inference(catalog, msgspec.convert(body, InferenceRequest))


def test_a_million_requests_a_month_on_gpt_4o_mini(catalog: Catalog) -> None:
    # 1e6 × (1,200 × 0.15 + 300 × 0.60) / 1e6 = 180 + 180.
    result = estimate(catalog, model="gpt-4o-mini", usage=SHAPE, requests_per_month=1_000_000)

    assert result.monthly_usd == D(360)
    assert result.one_time_usd == 0
    assert result.first_year_usd == D(4320)
    assert result.usd_per_request == D("0.00036")
    capacity = result.capacity
    assert capacity.average_requests_per_second == D(1_000_000) / SECONDS_PER_MONTH
    assert round(capacity.average_requests_per_second, 4) == D("0.3805")
    assert round(capacity.peak_requests_per_second, 4) == D("1.1416")
    assert capacity.peak_to_average == 3
    # Peak tokens per minute: peak requests per second × 60 × tokens per request.
    per_minute = D(3_000_000) / SECONDS_PER_MONTH * 60
    assert capacity.peak_input_tokens_per_minute == per_minute * 1200
    assert capacity.peak_output_tokens_per_minute == per_minute * 300
    assert {a.name: a.value for a in result.assumptions}["peak_to_average"] == "3"


def test_ten_thousand_requests_a_day(catalog: Catalog) -> None:
    # 10,000 × 365/12 = 304,166.67 requests; × $0.00036 = 109.5.
    result = estimate(catalog, model="gpt-4o-mini", usage=SHAPE, requests_per_day=10_000)

    assert round(result.monthly_usd, 10) == D("109.5")
    assert round(result.capacity.average_requests_per_second, 4) == D("0.1157")
    assumed = {a.name: a.note for a in result.assumptions}
    assert "365/12" in assumed["requests_per_month"]
    assert "730" in assumed["hours_per_month"]


@pytest.mark.parametrize(
    ("limits", "codes"),
    [
        # Peak: 68.49 requests and 102,739.7 tokens per minute.
        ({"rate_limit_rpm": 60}, {"rate_limit_rpm_exceeded"}),
        ({"rate_limit_rpm": 69}, set()),
        ({"rate_limit_tpm": 100_000}, {"rate_limit_tpm_exceeded"}),
        ({"rate_limit_tpm": 110_000}, set()),
        (
            {"rate_limit_rpm": 10, "rate_limit_tpm": 10},
            {"rate_limit_rpm_exceeded", "rate_limit_tpm_exceeded"},
        ),
    ],
)
def test_rate_limits_exceeded_at_peak_warn(catalog: Catalog, limits: dict, codes: set) -> None:
    result = estimate(
        catalog, model="gpt-4o-mini", usage=SHAPE, requests_per_month=1_000_000, **limits
    )
    assert {warning.code for warning in result.warnings} == codes


def test_range_applies_both_low_and_both_high_multipliers(catalog: Catalog) -> None:
    result = estimate(
        catalog,
        model="gpt-4o-mini",
        usage=SHAPE,
        requests_per_month=1_000_000,
        uncertainty={"volume": {"low": 0.5, "high": 2}, "tokens": {"low": 0.8, "high": 1.25}},
    )
    assert result.range is not None
    assert result.range.low == D(360) * D("0.5") * D("0.8")
    assert result.range.expected == D(360)
    assert result.range.high == D(360) * 2 * D("1.25")


def test_range_reprices_tokens_so_a_long_context_tier_can_apply(catalog: Catalog) -> None:
    # 900 input tokens × 1.25 = 1,125 > 1,000: the high case pays the tier rate on all input.
    result = estimate(
        catalog,
        rates={"input": 1, "tiers": [{"above_input_tokens": 1000, "input": 2}]},
        usage={"input_tokens": 900},
        requests_per_month=1000,
        uncertainty={"tokens": {"high": 1.25}},
    )
    assert result.monthly_usd == D("0.9")
    assert result.range is not None
    assert result.range.high == D(1125) * 1000 * 2 / 10**6


def test_fractional_volume_is_priced_exactly(catalog: Catalog) -> None:
    result = estimate(
        catalog, rates={"input": 5}, usage={"input_tokens": 323}, requests_per_month=0.5
    )
    assert result.monthly_usd == D("0.0008075")


@pytest.mark.parametrize(
    ("volume", "path"),
    [
        ({"requests_per_month": 1, "requests_per_day": 1}, "$.requests_per_day"),
        ({}, "$.requests_per_month"),
    ],
)
def test_exactly_one_volume(catalog: Catalog, volume: dict, path: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        estimate(catalog, model="gpt-4o-mini", usage=SHAPE, **volume)
    assert caught.value.path == path


def test_inconsistent_usage_is_refused_even_at_zero_volume(catalog: Catalog) -> None:
    with pytest.raises(InvalidInput) as caught:
        estimate(
            catalog,
            model="gpt-4o-mini",
            usage={"input_tokens": 10, "cache_read_tokens": 20},
            requests_per_month=0,
        )
    assert caught.value.path == "$.usage.input_tokens"


def test_cached_tokens_below_the_cache_minimum_warn(catalog: Catalog) -> None:
    usage = {"input_tokens": 1000, "cache_read_tokens": 500, "output_tokens": 10}
    result = estimate(catalog, model="gpt-4o-mini", usage=usage, requests_per_month=10)
    assert [warning.code for warning in result.warnings] == ["cache_below_minimum_prefix"]
