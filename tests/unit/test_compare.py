"""compareApproaches: four priced approaches, the article's bands, the break-even volume."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest

from pricing.catalog import Catalog
from pricing.errors import InvalidInput, NotFound
from pricing.estimators.agent import AgentRequest
from pricing.estimators.compare import (
    _FIELDS,
    CompareRequest,
    band_check,
    estimate_comparison,
)
from pricing.estimators.prompting import PromptingRequest
from pricing.estimators.rag import RagRequest
from pricing.estimators.training import ApiTrainingRequest
from pricing.knowledge import shipped_library
from tests.workloads import COMPARE

AT = "2026-12-02T00:00:00+00:00"
REFERENCE = shipped_library().get("2026-03-30")


def workload(**changes: Any) -> CompareRequest:
    # spend-models §5.4: prompting gpt-4.1 with 3,200 input tokens (2,900 of instructions, 300
    # of input) and 150 output; fine-tuned gpt-4.1-mini with the 300-token input; FT-1 training
    # of 2,000 examples × 800 tokens × 3 epochs = 4,800,000 trained tokens at $5 per 1M = $24.
    fields: dict[str, Any] = {
        **COMPARE,
        "pricing_version": "2026-12-01",
        "at": AT,
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
    # No hosting: 24 / (50,000 × 0.00688) = 24 / 344 months.
    assert even.months == Decimal(24) / Decimal(344)
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


def test_hosting_above_the_monthly_saving_never_breaks_even(catalog: Catalog) -> None:
    # Azure's fine-tuned gpt-4.1-mini saves $0.00724 a request; at 50,000 requests a month that
    # is $362, against $1,241 of hosting (1.70 × 730): the fine-tuned model costs $879 a month
    # more than prompting, so the $24 of training is never paid back.
    result = estimate_comparison(catalog, workload(small_model="azure/gpt-4.1-mini"))
    even = result.break_even
    assert even.requests == Decimal(24) / Decimal("0.00724")  # the per-request volume stands
    assert even.months is None
    codes = [w.code for w in result.warnings]
    assert "fine_tuning_hosting_exceeds_saving" in codes


def test_months_to_break_even_net_of_hosting(catalog: Catalog) -> None:
    # 1,000,000 requests a month save 1,000,000 × 0.00724 = $7,240, of which $1,241 pays the
    # hosting: $5,999 a month is left to pay back $24 of training, so 24 / 5,999 months.
    result = estimate_comparison(
        catalog, workload(small_model="azure/gpt-4.1-mini", requests_per_month=1_000_000)
    )
    even = result.break_even
    assert even.months == Decimal(24) / Decimal(5999)
    assert "fine_tuning_hosting_exceeds_saving" not in [w.code for w in result.warnings]


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
    # The prompt (2,900 + 300 tokens) is beyond 2,000; no agent step limit, no retries: the
    # plan's flags, each once, also raised by the approaches themselves.
    assert [f.code for f in result.red_flags] == [
        "prompt_beyond_2000_tokens",
        "agent_without_step_limit",
        "agent_without_retry_policy",
    ]


def test_top_level_flags_include_every_approachs(catalog: Catalog) -> None:
    # 500 training examples: only the fine-tuning approach raises the article's flag, and the
    # top level lists it too.
    result = estimate_comparison(catalog, workload(training_examples=500))
    tuned = result.approaches[0]
    assert "fine_tuning_under_1000_examples" in [f.code for f in tuned.red_flags]
    assert "fine_tuning_under_1000_examples" in [f.code for f in result.red_flags]
    assert "fine_tuning_under_1000_examples" not in [
        f.code for f in result.recommendation.red_flags
    ]


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


@pytest.mark.parametrize(
    ("changes", "path", "said"),
    [
        # Default tokens per training example = input + output = 10^8, above training's 10^7.
        (
            {
                "input_tokens": 5 * 10**7,
                "output_tokens": 5 * 10**7,
                "tokens_per_training_example": None,
            },
            "$.tokens_per_training_example",
            "`tokens_per_training_example` was not sent: its default is 100000000",
        ),
        # Default training examples = the flowchart's count, above training's 10^9.
        (
            {
                "training_examples": None,
                "flowchart": {"needs_persistent_change": False, "labeled_example_count": 2 * 10**9},
            },
            "$.training_examples",
            "in the fine_tuning estimate as `examples`",
        ),
        # The default overlap (64) is not below a chunk size of 50.
        ({"chunk_size_tokens": 50}, "$.chunk_overlap_tokens", "its default is 64"),
        ({"chunk_size_tokens": 50, "chunk_overlap_tokens": 50}, "$.chunk_overlap_tokens", "rag"),
        # 10^12 corpus tokens in one document is 10^12 tokens per document, above RAG's 10^9.
        (
            {"corpus_tokens": 10**12, "corpus_documents": 1},
            "$.corpus_tokens",
            "in the rag estimate as `tokens_per_document`",
        ),
    ],
)
def test_a_refusal_names_the_compare_field(
    catalog: Catalog, changes: dict[str, Any], path: str, said: str
) -> None:
    # Reported: refusals came at `$` naming the inner request's fields ($.examples ...).
    with pytest.raises(InvalidInput) as caught:
        estimate_comparison(catalog, workload(**changes))
    assert caught.value.path == path
    assert said in caught.value.reason


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
    check = band_check(REFERENCE.approach(approach), Decimal(one_time), Decimal(monthly))
    assert check.position == position


def test_articles_table_prices_what_it_can(catalog: Catalog) -> None:
    # Reported: a 404 "unknown model 'text-embedding-3-small'" at `$`. The article's table has
    # no embedding model, so RAG is not priced and says which field to give; the rest is.
    # Its rates (blended, per 1k tokens): ft:gpt-4 $0.030, ft:gpt-3.5-turbo $0.012; training
    # gpt-3.5-turbo $0.80 per 1k examples.
    request = workload(
        pricing_version="2026-03-30", large_model="ft:gpt-4", small_model="gpt-3.5-turbo"
    )
    result = estimate_comparison(catalog, request)
    by_id = {a.approach: a for a in result.approaches}

    rag = by_id["rag"]
    assert (rag.priced, rag.monthly_usd, rag.band, rag.service_tier) == (False, None, None, None)
    assert rag.not_priced_reason is not None
    assert "text-embedding-3-small" in rag.not_priced_reason
    assert "give `embedding_model`" in rag.not_priced_reason
    assert [w.code for w in result.warnings] == ["approach_not_priced"]

    # Prompting: 3,200 in + 150 out = 3,350 tokens × $0.03/1k = $0.1005; × 50,000 = $5,025.
    assert by_id["prompt_engineering"].monthly_usd == Decimal(5025)
    # Fine-tuning: 2,000 examples × 3 epochs × $0.80/1k = $4.80 once; 450 tokens × $0.012/1k
    # = $0.0054 a request, $270 a month.
    tuned = by_id["fine_tuning"]
    assert (tuned.one_time_usd, tuned.monthly_usd) == (Decimal("4.8"), Decimal(270))
    # Agents: 5 × 3,200 + 150 × 5 × 4 / 2 = 17,500 in, 750 out: 18,250 × $0.03/1k = $0.5475.
    assert by_id["agents"].monthly_usd == Decimal(27375)
    assert result.cheapest_first_year == "fine_tuning"  # 4.8 + 12 × 270

    even = result.break_even
    assert even is not None
    assert (even.prompted_usd_per_request, even.fine_tuned_usd_per_request) == (
        Decimal("0.1005"),
        Decimal("0.0054"),
    )
    assert even.requests == Decimal("4.8") / Decimal("0.0951")
    assert even.whole_requests == 51


def test_a_default_component_missing_is_not_priced_but_a_named_one_is_404(
    catalog: Catalog,
) -> None:
    request = workload(
        pricing_version="2026-03-30",
        large_model="ft:gpt-4",
        small_model="gpt-3.5-turbo",
        embedding_model="text-embedding-3-small",
    )
    with pytest.raises(NotFound) as caught:
        estimate_comparison(catalog, request)
    assert caught.value.path == "$.embedding_model"


@pytest.mark.parametrize("small_model", ["ft:gpt-4.1-mini", "gpt-4.1-mini"])
def test_small_model_may_carry_the_ft_prefix(catalog: Catalog, small_model: str) -> None:
    # Reported: "ft:gpt-4.1-mini" was looked up as "ft:ft:gpt-4.1-mini".
    result = estimate_comparison(catalog, workload(small_model=small_model))
    assert result.break_even is not None
    assert result.break_even.fine_tuned_usd_per_request == Decimal("0.00072")


def test_tiers_where_offered_and_standard_elsewhere(catalog: Catalog) -> None:
    # Reported: batch, flex and priority were a 422 for the whole compare. gpt-4.1 has batch
    # rows ($1 / $4 per 1M), the fine-tuned gpt-4.1-mini only standard ($0.80 / $3.20).
    result = estimate_comparison(catalog, workload(service_tier="batch"))
    by_id = {a.approach: a for a in result.approaches}
    # 50,000 × (3,200 × $1 + 150 × $4) / 1M = $190.
    assert (by_id["prompt_engineering"].monthly_usd, by_id["prompt_engineering"].service_tier) == (
        Decimal(190),
        "batch",
    )
    tuned = by_id["fine_tuning"]
    assert (tuned.monthly_usd, tuned.service_tier) == (Decimal(36), "standard")
    assert [w.code for w in tuned.warnings][:1] == ["service_tier_not_offered"]
    assert [w.message for w in result.warnings] == [
        "service_tier 'batch' is not offered for ft:gpt-4.1-mini (offered: standard): "
        "fine_tuning priced at standard rates"
    ]
    even = result.break_even
    assert even is not None
    assert even.prompted_usd_per_request == Decimal("0.0038")
    assert even.saving_usd_per_request == Decimal("0.00308")


def test_flex_falls_back_everywhere(catalog: Catalog) -> None:
    result = estimate_comparison(catalog, workload(service_tier="flex"))
    assert {a.service_tier for a in result.approaches} == {"standard"}
    assert len(result.warnings) == 2  # one for gpt-4.1, one for ft:gpt-4.1-mini
    assert "prompt_engineering, rag, agents" in result.warnings[0].message


CLAUDE = {"large_model": "claude-sonnet-4-5", "prompt_caching": True}


def test_prompt_caching_with_the_default_hit_rate(catalog: Catalog) -> None:
    # claude-sonnet-4-5: input $3, cache write $3.75, read $0.30, output $15 per 1M; explicit
    # caching from 1,024 tokens. Hit rate 0 (the default, as estimatePrompting): every
    # request writes the 2,900 instruction tokens: 2,900 × 3.75 + 300 × 3 + 150 × 15 =
    # 14,025 per 1M = $0.014025 a request, $701.25 a month (uncached: $0.01185, $592.50).
    result = estimate_comparison(catalog, workload(**CLAUDE))
    prompting = next(a for a in result.approaches if a.approach == "prompt_engineering")
    assert prompting.monthly_usd == Decimal("701.25")
    assert ("cache_hit_rate", "0") in [(a.name, a.value) for a in result.assumptions]
    assert "cache_without_hits" in [w.code for w in prompting.warnings]
    even = result.break_even
    assert even is not None
    assert even.prompted_usd_per_request == Decimal("0.014025")  # the approach's own price


def test_prompt_caching_with_a_hit_rate(catalog: Catalog) -> None:
    # Hit rate 0.9: reads 2,610 × $0.30, writes 290 × $3.75, 300 × $3 in, 150 × $15 out =
    # 783 + 1,087.5 + 900 + 2,250 = 5,020.5 per 1M = $0.0050205 a request, $251.025 a month.
    # Break-even: $24 of training ÷ (0.0050205 − 0.00072) = 24 / 0.0043005.
    result = estimate_comparison(catalog, workload(**CLAUDE, cache_hit_rate=0.9))
    prompting = next(a for a in result.approaches if a.approach == "prompt_engineering")
    assert prompting.monthly_usd == Decimal("251.025")
    even = result.break_even
    assert even is not None
    assert even.prompted_usd_per_request == Decimal("0.0050205")
    assert even.requests == Decimal(24) / Decimal("0.0043005")
    assert even.whole_requests == 5581


def test_prompt_caching_where_the_model_has_none(catalog: Catalog) -> None:
    # The article's ft:gpt-4 has no prompt cache: priced uncached ($5,025), with a warning.
    request = workload(
        pricing_version="2026-03-30",
        large_model="ft:gpt-4",
        small_model="gpt-3.5-turbo",
        prompt_caching=True,
    )
    result = estimate_comparison(catalog, request)
    by_id = {a.approach: a for a in result.approaches}
    assert by_id["prompt_engineering"].monthly_usd == Decimal(5025)
    assert "prompt_caching_not_offered" in [w.code for w in by_id["agents"].warnings]


def test_settings_are_fields_with_echoed_defaults(catalog: Catalog) -> None:
    said = {a.name: a.value for a in estimate_comparison(catalog, workload()).assumptions}
    assert {k: said[k] for k in DEFAULTS} == DEFAULTS
    given = workload(
        embedding_model="text-embedding-3-large",
        vector_store="pinecone-serverless-standard",
        chunk_size_tokens=1024,
        chunk_overlap_tokens=128,
        top_k=8,
        agent_steps=3,
        agent_growth_tokens_per_step=400,
    )
    result = estimate_comparison(catalog, given)
    assert not set(DEFAULTS) & {a.name for a in result.assumptions}
    rag = next(a for a in result.approaches if a.approach == "rag")
    rag_said = {a.name: a.value for a in rag.assumptions}
    assert rag.model is not None
    assert "text-embedding-3-large" not in rag_said.values()  # given, so not a default


DEFAULTS = {
    "embedding_model": "text-embedding-3-small",
    "vector_store": "pinecone-serverless-standard",
    "chunk_size_tokens": "512",
    "chunk_overlap_tokens": "64",
    "top_k": "5",
    "agent_steps": "5",
    "agent_growth_tokens_per_step": "150",
}


def _bound(request_type: type, field: str, keyword: str) -> object:
    info = next(f for f in mi.type_info(request_type).fields if f.name == field).type
    while isinstance(info, mi.Metadata | mi.UnionType):
        info = info.type if isinstance(info, mi.Metadata) else info.types[0]
    return getattr(info, keyword, None)


# Inner fields computed from several compare fields (not passed as they are).
_DERIVED = {
    ("rag", "$.tokens_per_document"),
    ("agents", "$.initial_prompt_tokens"),
    ("fine_tuning", "$.inference"),
}
_INNER_TYPES = {
    "prompt_engineering": PromptingRequest,
    "rag": RagRequest,
    "fine_tuning": ApiTrainingRequest,
    "agents": AgentRequest,
}


@pytest.mark.parametrize(
    ("approach", "inner", "outer"),
    [
        (approach, inner, outer)
        for approach, fields in _FIELDS.items()
        for inner, outer in fields.items()
        if (approach, inner) not in _DERIVED and inner.count(".") == 1
    ],
)
def test_compare_accepts_nothing_an_approach_refuses(approach: str, inner: str, outer: str) -> None:
    # The class of the reported 1e12 vs 1e9: every compare field passed on as it is has bounds
    # within the approach's own, so a value the schema accepts is never refused inside.
    inner_type, name, inner_name = _INNER_TYPES[approach], outer[2:], inner[2:]
    for keywords, within in (
        (("le", "lt", "max_length"), lambda own, limit: own <= limit),
        (("ge", "gt", "min_length"), lambda own, limit: own >= limit),
    ):
        for keyword in keywords:
            limit = _bound(inner_type, inner_name, keyword)
            if limit is None:
                continue
            own = [_bound(CompareRequest, name, k) for k in keywords]
            own_limit = next((value for value in own if value is not None), None)
            assert own_limit is not None and within(own_limit, limit), (name, keyword, limit)


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("training_examples", 10**9),
        ("corpus_documents", 10**9),
        ("tokens_per_training_example", 10**7),
    ],
)
def test_reported_bounds_are_the_real_ones(field: str, limit: int) -> None:
    assert _bound(CompareRequest, field, "le") == limit


def test_caching_off_by_default_is_echoed_with_what_it_changes(catalog: Catalog) -> None:
    # gpt-4.1 ($2 in, $0.50 cache read, $8 out per 1M; automatic caching from 1,024 tokens in
    # 128-token blocks, no write price). Agents: 5 steps from 3,200 tokens, +150 a step, 150
    # out a step, 50,000 tasks.
    # Uncached (compare's default): 5 × 3,200 + 150 × 10 = 17,500 in × $2 + 750 out × $8 =
    # $0.041 a task, $2,050 a month.
    # Cached: contexts 3,200, 3,350, 3,500, 3,650, 3,800 cache 3,200, 3,328, 3,456, 3,584,
    # 3,712 tokens; writes 3,712 (billed as input), reads 3,200 + 3,328 + 3,456 + 3,584 =
    # 13,568, uncached 0 + 22 + 44 + 66 + 88 = 220: (3,712 + 220) × 2 + 13,568 × 0.5 +
    # 750 × 8 = 20,648 per 1M = $0.020648 a task, $1,032.40 a month (as estimateAgent).
    result = estimate_comparison(catalog, workload())
    agents = next(a for a in result.approaches if a.approach == "agents")
    assert agents.monthly_usd == Decimal(2050)
    said = {a.name: a for a in result.assumptions}
    assert said["prompt_caching"].value == "off"
    assert "gpt-4.1 caches prefixes automatically" in (said["prompt_caching"].note or "")

    cached = estimate_comparison(catalog, workload(prompt_caching=True))
    agents = next(a for a in cached.approaches if a.approach == "agents")
    assert agents.monthly_usd == Decimal("1032.4")
    assert "prompt_caching" not in {a.name for a in cached.assumptions}


def test_more_documents_than_corpus_tokens_is_refused(catalog: Catalog) -> None:
    # 1,000 corpus tokens in 100,000 documents embedded 100,000 tokens (1 per document, 100× the
    # corpus) and wrote 100,000 records: refused at the documents.
    with pytest.raises(InvalidInput) as caught:
        estimate_comparison(catalog, workload(corpus_tokens=1000, corpus_documents=100_000))
    assert caught.value.path == "$.corpus_documents"


def test_one_document_per_corpus_token_is_the_limit(catalog: Catalog) -> None:
    # 1,000 tokens in 1,000 documents: 1 token each, 1,000 embedded at $0.02 per 1M.
    result = estimate_comparison(catalog, workload(corpus_tokens=1000, corpus_documents=1000))
    rag = next(a for a in result.approaches if a.approach == "rag")
    embedded = next(i for i in rag.line_items if i.name == "corpus_embedding_input")
    assert embedded.quantity == 1000
