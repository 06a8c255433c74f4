"""What every workload estimator shares: linear volume, fixed lines and ranges (DESIGN §4.9).

spend-models.md §7: doubling the volume doubles every volume-driven line and leaves fixed lines
(the store's minimum, corpus upkeep) alone.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from pricing.catalog import Catalog
from pricing.errors import InvalidInput
from pricing.estimators.registry import ESTIMATORS
from tests.workloads import AGENT, EXPLICIT_RATES, INFERENCE, PROMPT_1, RAG_1

D = Decimal
WORKLOADS = {
    "inference": (INFERENCE, "requests_per_month"),
    "prompting": (PROMPT_1 | {"model": "gpt-4.1-mini"}, "requests_per_month"),
    "rag": (RAG_1 | {"reranker": "rerank-v3.5", "rerank_candidates": 50}, "queries_per_month"),
    "agent": (AGENT | {"rates": EXPLICIT_RATES, "prompt_caching": True}, "tasks_per_month"),
}
# Lines that follow the corpus or the plan, not the volume.
FIXED = {"vector_storage", "reembedding_input", "vector_update_writes"}


def run(catalog: Catalog, kind: str, body: dict):
    estimator = ESTIMATORS[kind]
    return estimator.compute(catalog, msgspec.convert(body, estimator.request_type))


@pytest.mark.parametrize("kind", WORKLOADS)
def test_doubling_volume_doubles_volume_lines_only(catalog: Catalog, kind: str) -> None:
    body, volume_field = WORKLOADS[kind]
    single = run(catalog, kind, body)
    double = run(catalog, kind, body | {volume_field: 2 * body[volume_field]})

    before = {item.name: item for item in single.line_items}
    after = {item.name: item for item in double.line_items}
    assert before.keys() == after.keys()
    for name, item in before.items():
        if item.recurrence == "one_time" or name in FIXED:
            assert after[name].cost_usd == item.cost_usd, name
        elif name != "vector_store_minimum_top_up":
            assert after[name].cost_usd == 2 * item.cost_usd, name
            assert after[name].quantity == 2 * item.quantity, name
    assert double.one_time_usd == single.one_time_usd


def test_doubling_queries_leaves_the_store_minimum_alone(catalog: Catalog) -> None:
    body, _ = WORKLOADS["rag"]
    single = run(catalog, "rag", body)
    double = run(catalog, "rag", body | {"queries_per_month": 200_000})
    # Reads double (0.57152 → 1.14304), but usage stays under $50: the bill stays $50.
    assert double.vector_store_usage_usd == single.vector_store_usage_usd + D("0.57152")
    assert double.vector_store_monthly_usd == single.vector_store_monthly_usd == D(50)
    assert double.monthly_usd == D(50) + D("0.04512") + 2 * (D("64.20") + D("0.04") + 200)


def test_rag_range_does_not_scale_the_minimum(catalog: Catalog) -> None:
    body = RAG_1 | {"uncertainty": {"volume": {"low": 0.5, "high": 2}}}
    result = run(catalog, "rag", body)
    # Fixed: the $50 bill and re-embedding 0.04512; per query: generation 64.20 + embeddings 0.04.
    assert result.range is not None
    assert result.range.low == D(50) + D("0.04512") + D("0.5") * D("64.24")
    assert result.range.expected == result.monthly_usd == D("114.28512")
    assert result.range.high == D(50) + D("0.04512") + 2 * D("64.24")


@pytest.mark.parametrize("kind", WORKLOADS)
def test_range_brackets_the_expected_month(catalog: Catalog, kind: str) -> None:
    body, _ = WORKLOADS[kind]
    uncertainty = {"volume": {"low": 0.8, "high": 1.5}, "tokens": {"low": 0.9, "high": 1.2}}
    result = run(catalog, kind, body | {"uncertainty": uncertainty})
    assert result.range is not None
    assert result.range.low < result.range.expected == result.monthly_usd < result.range.high
    assert "range" in {a.name for a in result.assumptions}


def test_no_uncertainty_no_range(catalog: Catalog) -> None:
    assert run(catalog, "inference", INFERENCE).range is None


@pytest.mark.parametrize(
    ("uncertainty", "path"),
    [
        ({"volume": {"low": 1.5}}, "$.uncertainty.volume.low"),
        ({"tokens": {"high": 0.5}}, "$.uncertainty.tokens.high"),
        ({"volume": {"low": 2, "high": 0.5}}, "$.uncertainty.volume.low"),
        ({"volume": {"low": 0.5, "high": 0.9}}, "$.uncertainty.volume.high"),
    ],
)
def test_low_above_one_or_high_below_one_is_refused(
    catalog: Catalog, uncertainty: dict, path: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        run(catalog, "inference", INFERENCE | {"uncertainty": uncertainty})
    assert caught.value.path == path


@pytest.mark.parametrize("kind", WORKLOADS)
def test_every_workload_states_the_month(catalog: Catalog, kind: str) -> None:
    body, _ = WORKLOADS[kind]
    result = run(catalog, kind, body)
    assert {a.name: a.value for a in result.assumptions}["hours_per_month"] == "730"
    assert result.first_year_usd == result.one_time_usd + 12 * result.monthly_usd


def test_a_per_day_volume_is_echoed_as_amounts_are_written(catalog: Catalog) -> None:
    # 10,000 a day × 365/12 = 304,166.666… a month: echoed at the 10 places every amount is
    # rounded to (304,166.6666666667), not as the 50-digit quotient of the arithmetic.
    body = {k: v for k, v in INFERENCE.items() if k != "requests_per_month"}
    result = run(catalog, "inference", body | {"requests_per_day": 10_000})
    echoed = {a.name: a.value for a in result.assumptions}["requests_per_month"]
    assert echoed == "304166.6666666667"


def test_range_multipliers_are_echoed_without_exponent(catalog: Catalog) -> None:
    # A low multiplier of 1e-7 was echoed as "1E-7".
    uncertainty = {"volume": {"low": 1e-7, "high": 2.5}, "tokens": {"low": 0.5, "high": 1}}
    result = run(catalog, "inference", INFERENCE | {"uncertainty": uncertainty})
    echoed = {a.name: a.value for a in result.assumptions}["range"]
    assert echoed == ("low: volume × 0.0000001, tokens × 0.5; high: volume × 2.5, tokens × 1.0")


def test_a_low_bound_above_expected_is_warned(catalog: Catalog) -> None:
    # Explicit caching (min 1,024): 20 steps of a 1,030-token prompt, 1 output token each.
    # Expected: write 1,030 × $3.75 + read 19 × 1,030 × $0.30 + 20 × $15 = $0.0100335 a task.
    # At tokens × 0.99 the prompt is 1,019.7, below the minimum: 20 × 1,019.7 × $3 +
    # 19.8 × $15 = $0.061479 a task. 1,000 tasks: low $61.479 against expected $10.0335.
    body = AGENT | {
        "rates": EXPLICIT_RATES,
        "prompt_caching": True,
        "steps_per_task": 20,
        "initial_prompt_tokens": 1030,
        "growth_tokens_per_step": 0,
        "output_tokens_per_step": 1,
        "uncertainty": {"tokens": {"low": 0.99, "high": 1}},
    }
    result = run(catalog, "agent", body)
    assert (result.range.low, result.range.expected) == (D("61.479"), D("10.0335"))
    [warning] = [w for w in result.warnings if w.code == "range_bound_crosses_expected"]
    assert "low (61.479)" in warning.message


def test_a_prompting_range_across_the_cache_minimum_is_warned(catalog: Catalog) -> None:
    # gpt-4.1-mini ($0.40 in, $0.10 cached, $1.60 out), a 1,100-token static prefix, no variable
    # part, 1 output token, 90% hits, 1,000 requests. Expected: 1,024 cacheable, 921.6 read
    # ($0.10) and 178.4 as input ($0.40), 1 output: (92.16 + 71.36 + 1.6) / 1M × 1,000 =
    # $0.16512. Tokens × 0.9: 990 static, below 1,024, all input, 0.9 output:
    # (396 + 1.44) / 1M × 1,000 = $0.39744.
    body = {
        "model": "gpt-4.1-mini",
        "system_prompt_tokens": 1100,
        "variable_input_tokens": 0,
        "output_tokens": 1,
        "requests_per_month": 1000,
        "cache_hit_rate": 0.9,
        "uncertainty": {"tokens": {"low": 0.9, "high": 1}},
    }
    result = run(catalog, "prompting", body)
    assert (result.range.low, result.range.expected) == (D("0.39744"), D("0.16512"))
    assert "range_bound_crosses_expected" in [w.code for w in result.warnings]


@pytest.mark.parametrize("kind", WORKLOADS)
def test_an_ordinary_range_raises_no_crossing_warning(catalog: Catalog, kind: str) -> None:
    body, _ = WORKLOADS[kind]
    uncertainty = {"volume": {"low": 0.5, "high": 2}, "tokens": {"low": 0.8, "high": 1.5}}
    result = run(catalog, kind, body | {"uncertainty": uncertainty})
    assert result.range.low <= result.range.expected <= result.range.high
    assert "range_bound_crosses_expected" not in [w.code for w in result.warnings]


def test_a_bound_that_cannot_be_priced_is_refused_at_its_multiplier(catalog: Catalog) -> None:
    # 200,000 input tokens price at gpt-5.5 priority; × 2 = 400,000 passes the standard row's
    # 272,000 cliff, which has no priority rate: refused at the multiplier, not at the usage.
    body = {
        "model": "gpt-5.5",
        "service_tier": "priority",
        "usage": {"input_tokens": 200_000, "output_tokens": 1000},
        "requests_per_month": 100,
        "uncertainty": {"tokens": {"low": 1, "high": 2}},
    }
    with pytest.raises(InvalidInput) as caught:
        run(catalog, "inference", body)
    assert caught.value.path == "$.uncertainty.tokens.high"
    assert "400,000 input tokens" in caught.value.reason
