"""compareApproaches: four priced approaches, the article's bands, the break-even volume."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest

from pricing.catalog import Catalog
from pricing.errors import InvalidInput, NotFound
from pricing.estimators.compare import CompareRequest, band_check, estimate_comparison
from pricing.knowledge import shipped_library

AT = "2026-12-02T00:00:00+00:00"
REFERENCE = shipped_library().get("2026-03-30")


def workload(**changes: Any) -> CompareRequest:
    # spend-models §5.4: prompting gpt-4.1 with 3,200 input tokens (2,900 of instructions, 300
    # of input) and 150 output; fine-tuned gpt-4.1-mini with the 300-token input; FT-1 training
    # of 2,000 examples × 800 tokens × 3 epochs = 4,800,000 trained tokens at $5 per 1M = $24.
    fields: dict[str, Any] = {
        "pricing_version": "2026-12-01",
        "at": AT,
        "task_type": "classification",
        "requests_per_month": 50_000,
        "instruction_tokens": 2900,
        "input_tokens": 300,
        "output_tokens": 150,
        "corpus_tokens": 20_000_000,
        "flowchart": {
            "needs_persistent_change": False,
            "labeled_example_count": 2000,
            "needs_multistep_reasoning": False,
        },
        "training_examples": 2000,
        "tokens_per_training_example": 800,
    }
    fields.update(changes)
    return msgspec.convert(fields, CompareRequest)


def test_break_even_of_the_reference(catalog: Catalog) -> None:
    result = estimate_comparison(catalog, workload())
    even = result.break_even
    assert even.prompted_usd_per_request == Decimal("0.0076")  # 0.0064 + 0.0012
    assert even.fine_tuned_usd_per_request == Decimal("0.00072")  # 0.00024 + 0.00048
    assert even.saving_usd_per_request == Decimal("0.00688")
    assert even.training_usd == Decimal(24)
    assert even.requests is not None
    assert round(even.requests, 2) == Decimal("3488.37")
    assert even.whole_requests == 3489
    assert round(even.months, 6) == round(Decimal(24) / Decimal("0.00688") / 50_000, 6)
    assert even.monthly_requests_to_cover_hosting is None  # OpenAI charges no hosting


def test_no_saving_means_no_break_even(catalog: Catalog) -> None:
    # Prompting gpt-4.1-mini ($0.40 / $1.60) with no instructions against a fine-tuned gpt-4.1
    # ($3 / $12): 300 in / 150 out is $0.00036 against $0.0027, so fine-tuning saves nothing.
    result = estimate_comparison(
        catalog, workload(large_model="gpt-4.1-mini", small_model="gpt-4.1", instruction_tokens=0)
    )
    even = result.break_even
    assert even.saving_usd_per_request == Decimal("0.00036") - Decimal("0.0027")
    assert (even.requests, even.whole_requests, even.months) == (None, None, None)


def test_hosting_needs_a_monthly_volume(catalog: Catalog) -> None:
    # Azure's fine-tuned gpt-4.1-mini: base rates ($0.40 / $1.60) + $1.70 an hour of hosting.
    # Per request 300 × 0.40/M + 150 × 1.60/M = $0.00036; saving 0.0076 − 0.00036 = $0.00724;
    # hosting 1.70 × 730 = $1,241 a month ÷ 0.00724.
    result = estimate_comparison(catalog, workload(small_model="azure/gpt-4.1-mini"))
    even = result.break_even
    assert even.saving_usd_per_request == Decimal("0.00724")
    assert even.monthly_requests_to_cover_hosting == Decimal(1241) / Decimal("0.00724")


def test_four_priced_approaches(catalog: Catalog) -> None:
    result = estimate_comparison(catalog, workload())
    by_id = {a.approach: a for a in result.approaches}
    assert list(by_id) == ["fine_tuning", "rag", "prompt_engineering", "agents"]

    # Prompting, no caching: 50,000 × $0.0076 = $380 a month.
    prompting = by_id["prompt_engineering"]
    assert (prompting.one_time_usd, prompting.monthly_usd) == (0, Decimal(380))
    assert prompting.first_year_usd == Decimal(4560)
    assert prompting.band.position == "above"  # the article's $10-100/mo

    # Fine-tuning: $24 once, then 50,000 × $0.00072 = $36 a month.
    tuned = by_id["fine_tuning"]
    assert (tuned.one_time_usd, tuned.monthly_usd) == (Decimal(24), Decimal(36))
    assert tuned.first_year_usd == Decimal(456)
    assert tuned.band.compared_usd == Decimal(24)
    assert tuned.band.position == "below"  # one-time band $2k-30k+

    # Agents, 5 steps, P1 = 3,200, growth 150, output 150 a step: input 5 × 3,200 +
    # 150 × 5 × 4 / 2 = 17,500 tokens, output 750: $0.035 + $0.006 = $0.041 a task.
    agents = by_id["agents"]
    assert agents.monthly_usd == Decimal(2050)
    assert agents.band.position == "above"  # $200-2k/mo
    assert {f.code for f in agents.red_flags} >= {"agent_without_step_limit"}

    for approach in result.approaches:
        assert [m.approach for m in approach.failure_modes] == [approach.approach]
        assert approach.monthly_usd > 0
    assert by_id["rag"].failure_modes[0].code == "hallucinated_citations"
    assert result.cheapest_first_year == "fine_tuning"


def test_pick_is_the_flowcharts(catalog: Catalog) -> None:
    result = estimate_comparison(catalog, workload())
    # Not persistent, 2,000 labeled examples (not more than 10,000), no multi-step reasoning.
    assert result.recommendation.approach == "prompt_engineering"
    assert [s.input for s in result.recommendation.path] == [
        "needs_persistent_change",
        "labeled_example_count",
        "needs_multistep_reasoning",
    ]
    # The prompt (2,900 + 300 tokens) is beyond 2,000: the article's red flag.
    assert [f.code for f in result.red_flags] == ["prompt_beyond_2000_tokens"]


def test_defaults_are_stated(catalog: Catalog) -> None:
    result = estimate_comparison(
        catalog, workload(training_examples=None, tokens_per_training_example=None)
    )
    said = {a.name: a.value for a in result.assumptions}
    assert said["large_model"] == "gpt-4.1"
    assert said["small_model"] == "gpt-4.1-mini"
    assert said["tokens_per_training_example"] == "450"  # 300 input + 150 output
    assert said["corpus_documents"] == "10000"  # 20,000,000 tokens ÷ 2,000
    tuned = result.approaches[0]
    # 2,000 labeled examples × 450 tokens × 3 epochs × $5 per 1M = $13.50.
    assert tuned.one_time_usd == Decimal("13.5")


def test_missing_flowchart_answer_is_422(catalog: Catalog) -> None:
    request = workload(flowchart={"needs_persistent_change": True})
    with pytest.raises(InvalidInput) as caught:
        estimate_comparison(catalog, request)
    assert caught.value.path == "$.flowchart.data_fits_in_context"


def test_unknown_models_name_their_fields(catalog: Catalog) -> None:
    with pytest.raises(NotFound) as large:
        estimate_comparison(catalog, workload(large_model="gpt-9"))
    assert large.value.path == "$.large_model"
    with pytest.raises(NotFound) as small:
        estimate_comparison(catalog, workload(small_model="gpt-9-mini"))
    assert small.value.path == "$.small_model"


def test_a_refusal_names_the_approach(catalog: Catalog) -> None:
    # Input + output of 10^8 tokens per training example is beyond what training accepts.
    with pytest.raises(InvalidInput) as caught:
        estimate_comparison(catalog, workload(tokens_per_training_example=10**12))
    assert "fine_tuning" in caught.value.reason


@pytest.mark.parametrize(
    ("approach", "one_time", "monthly", "position"),
    [
        ("fine_tuning", "1999.99", "0", "below"),
        ("fine_tuning", "2000", "0", "within"),
        ("fine_tuning", "90000", "0", "within"),  # "$2k-30k+": no ceiling
        ("rag", "5000", "49.99", "below"),  # a monthly band ignores the one-time cost
        ("rag", "0", "500", "within"),
        ("rag", "0", "500.01", "above"),
    ],
)
def test_band_position(approach: str, one_time: str, monthly: str, position: str) -> None:
    check = band_check(REFERENCE.approach(approach), Decimal(one_time), Decimal(monthly))  # type: ignore[arg-type]
    assert check.position == position
