"""Assumption values are written like amounts: no 50-digit Decimal noise.

A volume per day becomes a monthly volume × 365/12, a Decimal of 50 significant digits. The
answer's amounts are rounded to 10 places (DESIGN §3.2), so its echo in ``assumptions`` must be
too, or a budget tool shows ``304166.66666666666666666666666666666666666666666667``.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from pricing.catalog import Catalog
from pricing.estimators.registry import ESTIMATORS
from pricing.results import assumption_text


def estimate(catalog: Catalog, kind: str, body: dict):
    estimator = ESTIMATORS[kind]
    return estimator.compute(catalog, msgspec.convert(body, estimator.request_type))


USAGE = {"input_tokens": 1200, "output_tokens": 300}

# Each route's per-day volume field, and the monthly field it is echoed under.
PER_DAY = {
    "inference": (
        {"model": "gpt-4o-mini", "usage": USAGE, "requests_per_day": 10_000},
        "requests_per_month",
    ),
    "prompting": (
        {
            "model": "gpt-4.1-mini",
            "system_prompt_tokens": 1500,
            "variable_input_tokens": 200,
            "output_tokens": 150,
            "requests_per_day": 10_000,
        },
        "requests_per_month",
    ),
    "agent": (
        {
            "model": "gpt-4o-mini",
            "tasks_per_day": 10_000,
            "steps_per_task": 3,
            "initial_prompt_tokens": 200,
            "growth_tokens_per_step": 50,
            "output_tokens_per_step": 30,
        },
        "tasks_per_month",
    ),
    "rag": (
        {
            "model": "gpt-4o-mini",
            "embedding_model": "text-embedding-3-small",
            "vector_store": "pinecone-serverless-standard",
            "documents": 10,
            "tokens_per_document": 100,
            "chunk_size_tokens": 512,
            "chunk_overlap_tokens": 64,
            "queries_per_day": 10_000,
            "question_tokens": 20,
            "system_prompt_tokens": 100,
            "top_k": 1,
            "output_tokens": 10,
        },
        "queries_per_month",
    ),
}


@pytest.mark.parametrize("kind", sorted(PER_DAY))
def test_a_monthly_volume_from_a_daily_one_is_echoed_rounded(catalog: Catalog, kind: str) -> None:
    body, field = PER_DAY[kind]
    result = estimate(catalog, kind, body)
    assumed = {a.name: a.value for a in result.assumptions}
    # 10,000 × 365 / 12 = 304,166.666…, rounded half-even to 10 places.
    assert assumed[field] == "304166.6666666667"


def test_a_fine_tuned_inference_volume_per_day_is_echoed_rounded(catalog: Catalog) -> None:
    body = {
        "mode": "api",
        "model": "gpt-4.1-mini",
        "examples": 2000,
        "tokens_per_example": 800,
        "inference": {"requests_per_day": 7, "usage": {"input_tokens": 10, "output_tokens": 10}},
    }
    assumed = {a.name: a.value for a in estimate(catalog, "training", body).assumptions}
    # 7 × 365 / 12 = 212.91666…, to 10 places.
    assert assumed["requests_per_month"] == "212.9166666667"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.40"), "0.40"),  # a short Decimal keeps its spelling
        (Decimal(730), "730"),
        (Decimal(1) / Decimal(3), "0.3333333333"),
        (Decimal(2) / Decimal(3), "0.6666666667"),
        (3, "3"),
        ("on", "on"),
    ],
)
def test_assumption_text(value: object, text: str) -> None:
    assert assumption_text(value) == text
