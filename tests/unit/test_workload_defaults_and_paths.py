"""Workload estimators echo the tier they priced and report a missing rate at the field to change.

DESIGN §4 (every default applied is echoed) and §3 (errors carry the JSON path of the field).
"""

from __future__ import annotations

import msgspec
import pytest

from pricing.catalog import Catalog
from pricing.errors import InvalidInput
from pricing.estimators.registry import ESTIMATORS
from tests.workloads import AGENT, INFERENCE, PROMPT_1, RAG_1


def estimate(catalog: Catalog, kind: str, body: dict):
    estimator = ESTIMATORS[kind]
    return estimator.compute(catalog, msgspec.convert(body, estimator.request_type))


WORKLOADS = {
    "inference": INFERENCE,
    "prompting": PROMPT_1 | {"model": "gpt-4o-mini"},
    "agent": AGENT | {"model": "gpt-4o-mini"},
    "rag": RAG_1,
}


@pytest.mark.parametrize("kind", sorted(WORKLOADS))
def test_the_default_tier_is_echoed(catalog: Catalog, kind: str) -> None:
    result = estimate(catalog, kind, WORKLOADS[kind])
    assumed = {a.name: a.value for a in result.assumptions}
    assert assumed["service_tier"] == "standard"


@pytest.mark.parametrize("kind", sorted(WORKLOADS))
def test_a_chosen_tier_is_not_an_assumption(catalog: Catalog, kind: str) -> None:
    result = estimate(catalog, kind, WORKLOADS[kind] | {"service_tier": "batch"})
    assert "service_tier" not in {a.name for a in result.assumptions}


def test_an_unpriced_usage_class_is_reported_at_the_usage_field(catalog: Catalog) -> None:
    # gpt-4o-mini has no audio input price: the usage field that carries audio is the one to fix.
    usage = {"input_tokens": 1000, "input_audio_tokens": 100, "output_tokens": 10}
    with pytest.raises(InvalidInput) as caught:
        estimate(catalog, "inference", INFERENCE | {"usage": usage})
    assert caught.value.path == "$.usage.input_audio_tokens"


def test_an_inline_card_without_the_rate_is_reported_at_the_rate(catalog: Catalog) -> None:
    usage = {"input_tokens": 1000, "input_audio_tokens": 100, "output_tokens": 10}
    body = {k: v for k, v in INFERENCE.items() if k != "model"}
    with pytest.raises(InvalidInput) as caught:
        estimate(catalog, "inference", body | {"usage": usage, "rates": {"input": 1, "output": 2}})
    assert caught.value.path == "$.rates.input_audio"


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        # gpt-4o-mini's priority tier has no cached-input price; both workloads read the cache.
        ("prompting", PROMPT_1 | {"model": "gpt-4o-mini", "service_tier": "priority"}),
        ("agent", AGENT | {"model": "gpt-4o-mini", "service_tier": "priority"}),
    ],
)
def test_a_tier_without_a_cache_price_points_at_prompt_caching(
    catalog: Catalog, kind: str, body: dict
) -> None:
    with pytest.raises(InvalidInput) as caught:
        estimate(catalog, kind, body)
    assert caught.value.path == "$.prompt_caching"
    assert "set prompt_caching to false" in caught.value.reason
    assert "no cache_read price at service tier 'priority'" in caught.value.reason

    # ... and the way out works.
    assert estimate(catalog, kind, body | {"prompt_caching": False}).monthly_usd > 0


def test_a_tier_without_a_cache_price_is_fine_when_nothing_is_cached(catalog: Catalog) -> None:
    # No hits, so no cache reads are priced and nothing is missing.
    body = PROMPT_1 | {"model": "gpt-4o-mini", "service_tier": "priority", "cache_hit_rate": 0}
    assert estimate(catalog, "prompting", body).monthly_usd > 0
