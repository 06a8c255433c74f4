"""Interactive workloads priced at the batch tier say that the figure holds offline only.

spend-models §6: "Batch never applies to interactive RAG or agents". The estimators price the
tier that was asked for, but without a word the batch figure (half the generation cost) reads
as the cost of the interactive application.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from pricing.catalog import Catalog
from pricing.estimators.registry import ESTIMATORS
from tests.workloads import RAG_1

AGENT = {
    "model": "gpt-4o-mini",
    "tasks_per_month": 1000,
    "steps_per_task": 3,
    "max_steps": 5,
    "initial_prompt_tokens": 2000,
    "growth_tokens_per_step": 500,
    "output_tokens_per_step": 300,
    "max_retries": 1,
    "prompt_caching": False,
    "pricing_version": "2026-12-01",
    "at": "2026-12-02T00:00:00Z",
}


def estimate(catalog: Catalog, kind: str, body: dict):
    estimator = ESTIMATORS[kind]
    return estimator.compute(catalog, msgspec.convert(body, estimator.request_type))


def codes(result) -> list[str]:
    return [warning.code for warning in result.warnings]


def test_rag_at_batch_is_priced_and_warned(catalog: Catalog) -> None:
    # RAG-1's generation through the Batch API (gpt-4o-mini batch $0.075 / $0.30 per 1M):
    # 308,000,000 in × 0.075 + 30,000,000 out × 0.30 = 23.1 + 9 = $32.10 (spend-models §2.3),
    # half the standard $64.20; the rest of the month is unchanged: 114.28512 − 64.2 + 32.1.
    standard = estimate(catalog, "rag", RAG_1)
    batch = estimate(catalog, "rag", RAG_1 | {"service_tier": "batch"})
    assert standard.monthly_usd - batch.monthly_usd == Decimal("32.1")
    assert batch.monthly_usd == Decimal("82.18512")
    assert "batch_tier_not_interactive" in codes(batch)
    assert "batch_tier_not_interactive" not in codes(standard)


def test_an_agent_at_batch_is_priced_and_warned(catalog: Catalog) -> None:
    # 3 steps from 2,000 tokens, +500 a step: 3 × 2,000 + 500 × 3 = 7,500 in, 900 out.
    # Batch $0.075 / $0.30 per 1M: 562.5 + 270 = 832.5 per 1M = $0.0008325 a task, no failures
    # assumed, 1,000 tasks = $0.8325 a month.
    result = estimate(catalog, "agent", AGENT | {"service_tier": "batch"})
    assert result.monthly_usd == Decimal("0.8325")
    [warning] = [w for w in result.warnings if w.code == "batch_tier_not_interactive"]
    assert "every step waits" in warning.message


@pytest.mark.parametrize("tier", ["standard", "priority"])
def test_other_tiers_are_not_warned(catalog: Catalog, tier: str) -> None:
    result = estimate(catalog, "agent", AGENT | {"service_tier": tier})
    assert "batch_tier_not_interactive" not in codes(result)
