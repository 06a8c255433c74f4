"""The current table (2026-12-01): loads, resolves, and reproduces the reference's numbers.

Expected values are worked by hand from the rates or copied from the worked examples in
spend-models.md, capacity-anchors.md and pricing-anchors.md. Money is compared as Decimal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pricing.entries import RateCard, TokenRates
from pricing.errors import InvalidInput, NotFound
from pricing.loader import TABLES_DIR, load_table
from pricing.usage import Usage, price_usage

TABLE = load_table(TABLES_DIR / "2026-12-01.toml")
PUBLISHED = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
HALF = Decimal("0.5")
D = Decimal


def cost(model_id: str, tier: str = "standard", at: datetime = NOW, **tokens: int) -> Decimal:
    model, _ = TABLE.resolve_model(model_id)
    return price_usage(model, Usage(**tokens), service_tier=tier, at=at).total_usd


def card(model_id: str, tier: str = "standard", at: datetime = NOW) -> RateCard:
    model, _ = TABLE.resolve_model(model_id)
    return model.rate_card(tier, at)


def day(year: int, month: int, dd: int) -> datetime:
    return datetime(year, month, dd, tzinfo=UTC)


def all_rates(rate_card: RateCard) -> list[TokenRates]:
    return [rate_card.rates, *(tier.rates for tier in rate_card.tiers)]


# ---------------------------------------------------------------------------- the table itself


def test_header() -> None:
    assert TABLE.version == "2026-12-01"
    assert TABLE.published == PUBLISHED
    assert TABLE.reference == "2026-03-30"
    assert {
        "openai",
        "anthropic",
        "google",
        "mistral",
        "cohere",
        "voyage",
        "pinecone",
        "azure",
    } <= set(TABLE.providers)


def test_every_row_has_a_source_and_a_verification_date_no_later_than_publication() -> None:
    rows = [*TABLE.models, *TABLE.fine_tunes, *TABLE.rerankers, *TABLE.vector_stores, *TABLE.gpus]
    for row in rows:
        assert row.source.strip(), row
        assert row.verified is not None and row.verified <= PUBLISHED, row
    for gpu in TABLE.gpus:
        for offer in gpu.offers:
            assert offer.source.strip() and offer.as_of <= PUBLISHED, (gpu.id, offer.sku)


def test_every_model_has_a_standard_row_in_force_now() -> None:
    for model in TABLE.models:
        assert model.rate_card("standard", NOW).rates.input is not None, model.id


def test_embeddings_price_input_only() -> None:
    embeddings = {m.id: m for m in TABLE.models if m.kind == "embedding"}
    assert set(embeddings) == {
        "text-embedding-3-small",
        "text-embedding-3-large",
        "embed-v4.0",
        "voyage-3.5",
        "voyage-3.5-lite",
        "voyage-3-large",
        "voyage-4",
        "voyage-4-large",
        "voyage-4-lite",
        "gemini-embedding-001",
        "mistral-embed",
    }
    for model in embeddings.values():
        for rate_card in model.rate_cards:
            rates = rate_card.rates
            assert rates.input is not None and rates.output is None, model.id
    assert embeddings["text-embedding-3-small"].dimensions == 1536
    assert embeddings["text-embedding-3-large"].dimensions == 3072


def test_an_embedding_used_with_output_tokens_is_refused_not_priced_at_zero() -> None:
    with pytest.raises(InvalidInput):
        cost("text-embedding-3-small", input_tokens=100, output_tokens=1)


# ---------------------------------------------------------------------------------- resolution


@pytest.mark.parametrize(
    "requested",
    ["gpt-4o-mini-2099", "gpt-4o-min", "gpt-4", "claude-sonnet-4-5-x", "gpt-3.5-turbo", "o3-pro"],
)
def test_unknown_or_merely_similar_ids_are_not_found(requested: str) -> None:
    with pytest.raises(NotFound):
        TABLE.resolve_model(requested)


def test_dated_snapshots_and_dotted_names_resolve_as_aliases() -> None:
    for requested, expected in [
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("claude-sonnet-4.5", "claude-sonnet-4-5"),
        ("CLAUDE-HAIKU-3.5", "claude-haiku-3-5"),
    ]:
        model, match = TABLE.resolve_model(requested)
        assert (model.id, match.matched_by) == (expected, "alias")


def test_provider_prefix_must_name_the_models_provider() -> None:
    model, match = TABLE.resolve_model("anthropic/claude-sonnet-4.5")
    assert (model.id, match.matched_by) == ("claude-sonnet-4-5", "provider_prefix")
    with pytest.raises(NotFound):
        TABLE.resolve_model("google/claude-sonnet-4.5")


def test_rerankers_and_vector_stores_take_their_providers_prefix() -> None:
    # As models do: `cohere/rerank-v3.5` was a 404 although cohere prices rerank-v3.5.
    assert TABLE.resolve_reranker("cohere/rerank-v3.5", "$.reranker").id == "rerank-v3.5"
    store = TABLE.resolve_vector_store("Pinecone/pinecone-serverless-standard", "$.vector_store")
    assert store.id == "pinecone-serverless-standard"


def test_a_reranker_under_another_provider_is_named_as_such() -> None:
    with pytest.raises(NotFound) as caught:
        TABLE.resolve_reranker("openai/rerank-v3.5", "$.reranker")
    assert "'rerank-v3.5' is priced here as a cohere reranker, not openai" in str(caught.value)


@pytest.mark.parametrize(
    ("requested", "explained"),
    [
        # gpt-4o-mini is also a fine-tunable base: the refusal used to say it was "priced here
        # only fine-tuned: use ft:gpt-4o-mini", which is false (it is priced plainly).
        (
            "anthropic/gpt-4o-mini",
            "'gpt-4o-mini' is priced here as an openai model, not anthropic: "
            "write gpt-4o-mini or openai/gpt-4o-mini",
        ),
        (
            "google/claude-sonnet-4.5",
            "'claude-sonnet-4-5' is priced here as an anthropic model, not google: "
            "write claude-sonnet-4-5 or anthropic/claude-sonnet-4-5",
        ),
    ],
)
def test_a_wrong_provider_prefix_is_named_as_such(requested: str, explained: str) -> None:
    with pytest.raises(NotFound) as caught:
        TABLE.resolve_model(requested)
    assert f"({explained})" in str(caught.value)
    assert "only fine-tuned" not in str(caught.value)


@pytest.mark.parametrize(
    ("requested", "explained"),
    [
        (
            "ft:anthropic/gpt-4o-mini",
            "fine-tuning of 'gpt-4o-mini-2024-07-18' is priced here for azure and openai, "
            "not anthropic",
        ),
        ("azure/ft:gpt-4o", "fine-tuning of 'gpt-4o' is priced here for openai, not azure"),
    ],
)
def test_a_fine_tune_under_a_provider_without_one_names_those_with_one(
    requested: str, explained: str
) -> None:
    with pytest.raises(NotFound) as caught:
        TABLE.resolve_model(requested)
    assert f"({explained})" in str(caught.value)


# ------------------------------------------------------------------------------- OpenAI prices


def test_gpt_4o_mini_simple_call() -> None:
    # 1,200 x 0.15/M + 300 x 0.60/M
    assert cost("gpt-4o-mini", input_tokens=1_200, output_tokens=300) == Decimal("0.00036")


def test_gpt_4o_cached_tokens_are_billed_once() -> None:
    # pricing-anchors F03: 86 x 2.50 + 1,920 x 1.25 + 300 x 10, per 1M.
    total = cost("gpt-4o", input_tokens=2_006, cache_read_tokens=1_920, output_tokens=300)
    assert total == Decimal("0.005615")


def test_gpt_5_nano_flex_is_half_of_standard() -> None:
    # pricing-anchors F11.
    usage = {"input_tokens": 10_000, "output_tokens": 2_000}
    assert cost("gpt-5-nano", **usage) == Decimal("0.0013")
    assert cost("gpt-5-nano", "flex", **usage) == Decimal("0.00065")
    flex = card("gpt-5-nano", "flex").rates
    assert (flex.input, flex.output) == (Decimal("0.025"), Decimal("0.20"))


def test_flex_is_offered_only_by_the_models_that_have_it() -> None:
    flex_models = {m.id for m in TABLE.models if "flex" in m.service_tiers()}
    assert flex_models == {
        "o3",
        "o4-mini",
        "gpt-5",
        "gpt-5.1",
        "gpt-5-mini",
        "gpt-5-nano",
        "gpt-5.2",
        "gpt-5.4",
        "gpt-5.4-mini",
        "gpt-5.5",
    }
    with pytest.raises(InvalidInput):
        card("gpt-4o", "flex")
    o4_flex = card("o4-mini", "flex").rates
    assert (o4_flex.input, o4_flex.output) == (Decimal("0.55"), Decimal("2.20"))


@pytest.mark.parametrize(
    ("model_id", "input_rate", "output_rate"),
    [
        ("gpt-4o-mini", "0.25", "1"),
        ("gpt-4o", "4.25", "17"),
        ("gpt-4.1", "3.50", "14"),
        ("gpt-5", "2.50", "20"),
        ("gpt-5.5", "12.50", "75"),
    ],
)
def test_priority_rows_are_written_per_model(
    model_id: str, input_rate: str, output_rate: str
) -> None:
    priority = card(model_id, "priority")
    assert priority.derived_from is None
    assert priority.rates.input == Decimal(input_rate)
    assert priority.rates.output == Decimal(output_rate)
    # No cached priority rate is published: cached tokens must fail, not be priced at zero.
    assert priority.rates.cache_read is None


def test_priority_up_to_the_cliff_is_priced_at_the_priority_row() -> None:
    # gpt-5.5 priority: 272,000 in × $12.50 + 1,000 out × $75 = 3.40 + 0.075 = $3.475.
    assert cost("gpt-5.5", "priority", input_tokens=272_000, output_tokens=1000) == D("3.475")


def test_priority_above_an_unpublished_cliff_is_refused_not_underpriced() -> None:
    # The standard row bills above 272,000 input tokens at $10 / $45 instead of $5 / $30; the
    # priority row publishes no such rate. 272,001 tokens at the base priority rate would be
    # $3.4000125 + $0.075, a known under-count (the table says so): refused at the input.
    with pytest.raises(InvalidInput) as caught:
        cost("gpt-5.5", "priority", input_tokens=272_001, output_tokens=1000)
    assert caught.value.path == "$.usage.input_tokens"
    assert "272,000" in caught.value.reason


def test_derived_tiers_keep_their_own_cliff() -> None:
    # gpt-5.5 batch is derived (0.5×) with its tier: 300,000 × $5 + 1,000 × $22.50 = $1.5225.
    assert cost("gpt-5.5", "batch", input_tokens=300_000, output_tokens=1000) == D("1.5225")


def test_priority_is_refused_where_no_row_exists() -> None:
    with pytest.raises(InvalidInput):
        card("gpt-5-nano", "priority")


# Batch rows written out because OpenAI's batch table has no cached rate for these models.
BATCH_CACHE_AT_STANDARD = {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3"}


def test_every_openai_batch_row_is_half_of_standard() -> None:
    checked = 0
    for model in TABLE.models:
        if model.provider != "openai":
            continue
        standard = {c.effective_from: c for c in model.rate_cards if c.service_tier == "standard"}
        batch = [c for c in model.rate_cards if c.service_tier == "batch"]
        assert len(batch) == len(standard), model.id
        for row in batch:
            base = standard[row.effective_from]
            assert row.effective_to == base.effective_to, model.id
            for name in ("input", "output", "cache_write"):
                value = getattr(base.rates, name)
                expected = None if value is None else value * HALF
                assert getattr(row.rates, name) == expected, (model.id, name)
            if base.rates.cache_read is not None:
                factor = 1 if model.id in BATCH_CACHE_AT_STANDARD else HALF
                assert row.rates.cache_read == base.rates.cache_read * factor, model.id
            assert len(row.tiers) == len(base.tiers), model.id
            for tier, base_tier in zip(row.tiers, base.tiers, strict=True):
                assert tier.rates.input == base_tier.rates.input * HALF, model.id
                assert tier.rates.output == base_tier.rates.output * HALF, model.id
            checked += 1
    assert checked >= 20


def test_written_batch_rows_keep_cache_reads_at_the_standard_rate() -> None:
    batch = card("gpt-4o-mini", "batch")
    assert batch.derived_from is None
    assert (batch.rates.input, batch.rates.cache_read, batch.rates.output) == (
        Decimal("0.075"),
        Decimal("0.075"),
        Decimal("0.30"),
    )
    assert card("gpt-4o", "batch").rates.cache_read == Decimal("1.25")
    assert card("gpt-4.1", "batch").rates.cache_read == Decimal("0.50")
    # Derived rows halve every class.
    assert card("gpt-5", "batch").rates.cache_read == Decimal("0.0625")


def test_o3_price_cut_on_2025_06_10() -> None:
    before = card("o3", at=day(2025, 6, 9)).rates
    after = card("o3", at=day(2025, 6, 10)).rates
    assert (before.input, before.cache_read, before.output) == (
        Decimal("10"),
        Decimal("2.50"),
        Decimal("40"),
    )
    assert (after.input, after.cache_read, after.output) == (
        Decimal(2),
        Decimal("0.50"),
        Decimal(8),
    )
    usage = {"input_tokens": 1_000_000, "output_tokens": 100_000}
    assert cost("o3", at=day(2025, 6, 9), **usage) == Decimal(14)
    assert cost("o3", at=day(2025, 6, 10), **usage) == Decimal("2.8")
    # Batch and flex follow the same two windows.
    assert cost("o3", "batch", at=day(2025, 6, 9), **usage) == Decimal(7)
    assert cost("o3", "flex", at=day(2025, 6, 10), **usage) == Decimal("1.4")


def test_o3_has_no_price_before_its_launch() -> None:
    with pytest.raises(InvalidInput):
        card("o3", at=day(2025, 4, 15))


def test_gpt_5_4_long_context_cliff_at_272k() -> None:
    at_threshold = cost("gpt-5.4", input_tokens=272_000, output_tokens=1_000)
    above = cost("gpt-5.4", input_tokens=272_001, output_tokens=1_000)
    assert at_threshold == Decimal("0.695")  # 272,000 x 2.50 + 1,000 x 15
    assert above == Decimal("1.382505")  # 272,001 x 5 + 1,000 x 22.50


def test_gpt_6_bills_cache_writes_at_1_25x_input() -> None:
    for model_id in ("gpt-6-sol", "gpt-6-luna"):
        model, _ = TABLE.resolve_model(model_id)
        assert model.caching is not None and model.caching.mode == "automatic"
        for rate_card in model.rate_cards:
            for rates in all_rates(rate_card):
                assert rates.cache_write == rates.input * Decimal("1.25"), model_id


def test_openai_chat_caching_rule() -> None:
    for model in TABLE.models:
        if model.provider == "openai" and model.kind == "chat":
            assert model.caching is not None, model.id
            assert (model.caching.mode, model.caching.min_tokens) == ("automatic", 1024)
            assert model.caching.increment_tokens == 128


def test_rag_generation_per_query() -> None:
    # spend-models RAG-1: 3,080 in / 300 out on gpt-4o-mini is $0.000642, $0.000321 in batch.
    usage = {"input_tokens": 3_080, "output_tokens": 300}
    assert cost("gpt-4o-mini", **usage) == Decimal("0.000642")
    assert cost("gpt-4o-mini", "batch", **usage) == Decimal("0.000321")


def test_fine_tuning_break_even_per_call_costs() -> None:
    # spend-models §5.4: prompted gpt-4.1 vs fine-tuned gpt-4.1-mini with a short prompt.
    assert cost("gpt-4.1", input_tokens=3_200, output_tokens=150) == Decimal("0.0076")
    assert cost("ft:gpt-4.1-mini", input_tokens=300, output_tokens=150) == Decimal("0.00072")
    assert cost("gpt-4.1-mini", input_tokens=3_200, output_tokens=150) == Decimal("0.00152")


# ----------------------------------------------------------------------------------- fine-tunes


def test_fine_tuned_id_prices_at_fine_tuned_rates() -> None:
    # pricing-anchors F14: the base price would give 0.21.
    requested = "ft:gpt-4o-mini-2024-07-18:acme:demo:abc123"
    model, match = TABLE.resolve_model(requested)
    assert (model.id, match.matched_by) == ("ft:gpt-4o-mini-2024-07-18", "fine_tuned")
    assert cost(requested, input_tokens=1_000_000, output_tokens=100_000) == Decimal("0.42")
    assert cost("gpt-4o-mini-2024-07-18", input_tokens=1_000_000, output_tokens=100_000) == (
        Decimal("0.21")
    )
    base = card("gpt-4o-mini-2024-07-18").rates
    assert (base.input, base.output) == (Decimal("0.15"), Decimal("0.60"))


def test_short_fine_tuned_ids_resolve() -> None:
    for requested, expected_input in [
        ("ft:gpt-4o-mini", "0.30"),
        ("ft:gpt-4o", "3.75"),
        ("ft:gpt-4o-2024-08-06:org:name:id1", "3.75"),
        ("ft:gpt-4.1", "3.00"),
        ("ft:gpt-3.5-turbo:org:name:id", "3.00"),
        ("ft:davinci-002", "12"),
        ("ft:babbage-002", "1.60"),
    ]:
        model, _ = TABLE.resolve_model(requested)
        assert model.provider == "openai", requested
        assert model.rate_card("standard", NOW).rates.input == Decimal(expected_input), requested


def test_fine_tuned_batch_row() -> None:
    batch = card("ft:gpt-4o-mini", "batch").rates
    assert (batch.input, batch.output) == (Decimal("0.15"), Decimal("0.60"))


def test_a_fine_tuned_id_without_a_fine_tuning_entry_is_not_found() -> None:
    for requested in ("ft:gpt-5-nano", "ft:gpt-4o-mini-2099:org:x:y", "ft:claude-sonnet-4.5"):
        with pytest.raises(NotFound):
            TABLE.resolve_model(requested)


def test_training_rates_reproduce_the_worked_training_costs() -> None:
    # spend-models §5.4 FT-1: 2,000 examples x 800 tokens x 3 epochs = 4.8M trained tokens.
    trained_millions = Decimal("4.8")
    expected = {
        "gpt-4.1": "120.00",
        "gpt-4.1-mini": "24.00",
        "gpt-4.1-nano": "7.20",
        "gpt-4o": "120.00",
        "gpt-4o-mini": "14.40",
        "gpt-3.5-turbo": "38.40",
        "davinci-002": "28.80",
        "babbage-002": "1.92",
    }
    for base, total in expected.items():
        fine_tune = TABLE.resolve_fine_tune(base)
        assert fine_tune.provider == "openai", base
        assert fine_tune.training_unit == "usd_per_1m_trained_tokens"
        assert fine_tune.training_rate * trained_millions == Decimal(total), base


def test_openai_charges_no_hosting_and_azure_charges_1_70_per_hour() -> None:
    for fine_tune in TABLE.fine_tunes:
        if fine_tune.provider == "openai":
            assert fine_tune.hosting_usd_per_hour is None, fine_tune.base
        else:
            assert fine_tune.provider == "azure"
            assert fine_tune.hosting_usd_per_hour == Decimal("1.70"), fine_tune.base
    azure = {f.base for f in TABLE.fine_tunes if f.provider == "azure"}
    assert azure == {"gpt-4.1", "gpt-4.1-mini", "gpt-4o-mini-2024-07-18"}
    # 720 h of hosting is $1,224 a month (spend-models §5.3).
    assert TABLE.resolve_fine_tune("azure/gpt-4.1").hosting_usd_per_hour * 720 == Decimal(1224)


def test_fine_tuned_ids_prefer_the_home_provider_unless_a_provider_is_named() -> None:
    assert TABLE.resolve_fine_tune("ft:gpt-4.1").provider == "openai"
    azure = TABLE.resolve_fine_tune("ft:azure/gpt-4o-mini")
    assert azure.provider == "azure"
    model, _ = TABLE.resolve_model("ft:azure/gpt-4.1")
    # Azure bills fine-tuned deployments at the base model's token rates.
    assert model.provider == "azure"
    assert model.rate_card("standard", NOW).rates.input == Decimal("2.00")


def test_training_context_is_set_only_where_the_reference_gives_it() -> None:
    contexts = {f.base: f.training_context for f in TABLE.fine_tunes if f.provider == "openai"}
    assert contexts.pop("gpt-3.5-turbo") == 16_385
    assert set(contexts.values()) == {None}


# ------------------------------------------------------------------------------ Anthropic prices


def test_anthropic_cache_write_invariants_hold_on_every_row_and_tier() -> None:
    checked = 0
    for model in TABLE.models:
        if model.provider != "anthropic":
            continue
        assert model.kind == "chat"
        assert model.caching is not None and model.caching.mode == "explicit", model.id
        for rate_card in model.rate_cards:
            for rates in all_rates(rate_card):
                assert rates.cache_write_1h == rates.input * 2, (model.id, rate_card.service_tier)
                assert rates.cache_write == rates.input * Decimal("1.25"), model.id
                checked += 1
    assert checked >= 40


@pytest.mark.parametrize(
    ("model_id", "minimum"),
    [
        ("claude-sonnet-4", 1024),
        ("claude-sonnet-4-5", 1024),
        ("claude-opus-4-1", 1024),
        ("claude-opus-4-5", 4096),
        ("claude-opus-4-6", 4096),
        ("claude-haiku-4-5", 4096),
        ("claude-haiku-3-5", 2048),
        ("claude-sonnet-4-6", 2048),
    ],
)
def test_anthropic_cache_minimums(model_id: str, minimum: int) -> None:
    model, _ = TABLE.resolve_model(model_id)
    assert model.caching is not None and model.caching.min_tokens == minimum


def test_sonnet_4_5_long_context_cliff() -> None:
    # spend-models §7: 250k in / 50k out crosses 200k (6 / 22.50); 100k does not (3 / 15).
    assert cost("claude-sonnet-4.5", input_tokens=250_000, output_tokens=50_000) == Decimal("2.625")
    assert cost("claude-sonnet-4.5", input_tokens=100_000, output_tokens=50_000) == Decimal("1.05")
    # pricing-anchors F01: the boundary itself is not above the threshold.
    assert cost("claude-sonnet-4-5", input_tokens=200_000) == Decimal("0.60")
    assert cost("claude-sonnet-4-5", input_tokens=200_001) == Decimal("1.200006")
    assert cost("claude-sonnet-4", input_tokens=250_000, output_tokens=10_000) == Decimal("1.725")


def test_sonnet_4_6_surcharge_ends_on_2026_03_13() -> None:
    usage = {"input_tokens": 250_000, "output_tokens": 50_000}
    assert cost("claude-sonnet-4.6", at=day(2026, 3, 12), **usage) == Decimal("2.625")
    assert cost("claude-sonnet-4.6", at=day(2026, 3, 14), **usage) == Decimal("1.50")
    assert card("claude-sonnet-4.6", at=day(2026, 3, 13)).tiers == ()


def test_sonnet_4_5_tier_bills_one_hour_writes_at_twice_the_tier_input() -> None:
    usage = {"input_tokens": 300_000, "cache_write_1h_tokens": 100_000}
    # 200,000 x 6 + 100,000 x 12, per 1M.
    assert cost("claude-sonnet-4-5", **usage) == Decimal("2.4")


def test_anthropic_batch_stacks_with_cache_multipliers() -> None:
    batch = card("claude-sonnet-4-5", "batch")
    assert batch.derived_from is not None
    assert (batch.rates.input, batch.rates.cache_write, batch.rates.cache_read) == (
        Decimal("1.5"),
        Decimal("1.875"),
        Decimal("0.15"),
    )
    assert batch.tiers[0].rates.input == Decimal(3)


def test_sonnet_5_5_cache_read_halved_on_2026_10_07() -> None:
    assert card("claude-sonnet-5.5", at=day(2026, 10, 6)).rates.cache_read == Decimal("0.20")
    assert card("claude-sonnet-5.5", at=day(2026, 10, 7)).rates.cache_read == Decimal("0.10")


def test_haiku_5_5_costs_five_times_above_100k() -> None:
    assert cost("claude-haiku-5.5", input_tokens=100_000, output_tokens=1_000) == Decimal("0.0105")
    assert cost("claude-haiku-5.5", input_tokens=100_001, output_tokens=1_000) == (
        Decimal("0.0525005")
    )


def test_opus_4_6_is_refused_before_its_flat_price_starts() -> None:
    # Its earlier long-context surcharge is not in the reference.
    with pytest.raises(InvalidInput):
        card("claude-opus-4.6", at=day(2026, 3, 12))
    assert card("claude-opus-4.6", at=day(2026, 3, 13)).rates.input == Decimal(5)


def test_multi_agent_check_on_sonnet_4_5() -> None:
    # spend-models §3.2: 3,000 in / 500 out = $0.0165 per chat turn.
    assert cost("claude-sonnet-4-5", input_tokens=3_000, output_tokens=500) == Decimal("0.0165")


# --------------------------------------------------------------------------- Google and Mistral


def test_gemini_2_5_pro_cliff() -> None:
    # spend-models §7.
    assert cost("gemini-2.5-pro", input_tokens=250_000, output_tokens=2_000) == Decimal("0.655")
    assert cost("gemini-2.5-pro", input_tokens=199_000, output_tokens=2_000) == Decimal("0.26875")


def test_gemini_batch_is_derived_for_chat_models_only() -> None:
    lite = card("gemini-2.5-flash-lite", "batch").rates
    assert (lite.input, lite.output) == (Decimal("0.05"), Decimal("0.20"))
    flash = card("gemini-2.5-flash", "batch").rates
    assert (flash.input, flash.output) == (Decimal("0.15"), Decimal("1.25"))
    with pytest.raises(InvalidInput):
        card("gemini-embedding-001", "batch")


def test_mistral_cache_reads_cost_a_tenth_of_input() -> None:
    for model in TABLE.models:
        if model.provider == "mistral" and model.kind == "chat":
            rates = model.rate_card("standard", NOW).rates
            assert rates.cache_read == rates.input / 10, model.id
    assert card("mistral-embed", "batch").rates.input == Decimal("0.05")


# ---------------------------------------------------------------------- rerankers, vector store


def test_rerankers() -> None:
    rates = {r.id: r.usd_per_1k_searches for r in TABLE.rerankers}
    assert rates == {
        "rerank-v3.5": Decimal(2),
        "rerank-v4.0-fast": Decimal(2),
        "rerank-v4.0-pro": Decimal("2.50"),
    }
    assert {r.documents_per_search for r in TABLE.rerankers} == {100}
    # RAG-1: 100,000 searches a month.
    assert TABLE.resolve_reranker("rerank-v3.5", "$.reranker").usd_per_1k_searches * 100 == 200


def test_pinecone_standard_reproduces_rag_1() -> None:
    store = TABLE.resolve_vector_store("pinecone-standard", "$.vector_store")
    assert store.id == "pinecone-serverless-standard"
    assert store.monthly_minimum_usd == 50
    assert store.min_read_units_per_query == Decimal("0.25")
    million = Decimal(1_000_000)
    assert store.storage_usd_per_gb_month * Decimal("0.3572") == Decimal("0.117876")
    assert Decimal(35_720) * store.read_usd_per_1m_units / million == Decimal("0.57152")
    assert Decimal(71_440) * store.write_usd_per_1m_units / million == Decimal("0.28576")


# ------------------------------------------------------------------------------------------ GPUs


def test_each_gpu_has_one_default_offer_and_a_dense_figure() -> None:
    assert {g.id for g in TABLE.gpus} == {
        "a100-40gb",
        "a100-80gb",
        "h100-sxm",
        "h200",
        "l4",
        "a10g",
    }
    for gpu in TABLE.gpus:
        assert sum(offer.default for offer in gpu.offers) == 1, gpu.id
        assert gpu.dense_bf16_tflops < 1500, gpu.id
        assert all(offer.usd_per_hour > 0 for offer in gpu.offers), gpu.id


def test_default_offer_is_aws_on_demand_where_aws_rents_the_gpu() -> None:
    defaults = {g.id: g.default_offer for g in TABLE.gpus}
    for gpu_id in ("a100-40gb", "a100-80gb", "h100-sxm", "l4", "a10g"):
        assert defaults[gpu_id].provider == "aws", gpu_id
    assert defaults["h100-sxm"].usd_per_hour == Decimal("55.04") / 8
    assert defaults["h100-sxm"].as_of == date(2026, 11, 9)
    assert defaults["a100-80gb"].usd_per_hour == Decimal("3.43")
    assert defaults["a100-40gb"].usd_per_hour == Decimal("2.74")
    assert defaults["a10g"].usd_per_hour == Decimal("1.006")
    # No AWS on-demand H200: the cheapest dated offer is the default.
    h200 = TABLE.resolve_gpu("h200")
    assert all(offer.provider != "aws" for offer in h200.offers)
    assert h200.default_offer.usd_per_hour == min(o.usd_per_hour for o in h200.offers)


def test_gpu_ridge_points_match_the_reference() -> None:
    # capacity-anchors §3.2: dense FLOPs per byte of bandwidth.
    expected = {
        "a100-40gb": "200.6",
        "a100-80gb": "153.0",
        "h100": "295.3",
        "h200": "206.1",
        "l4": "403.3",
        "a10g": "116.7",
    }
    for gpu_id, ridge in expected.items():
        gpu = TABLE.resolve_gpu(gpu_id)
        value = gpu.dense_bf16_tflops * 1000 / gpu.bandwidth_gb_per_s
        assert value.quantize(Decimal("0.1")) == Decimal(ridge), gpu_id


# --------------------------------------------------------------------------------- architectures


def test_parameter_counts_match_the_published_counts() -> None:
    expected = {
        "llama-2-7b": 6_738_415_616,
        "llama-2-70b": 68_976_648_192,
        "llama-3.1-8b": 8_030_261_248,
        "llama-3.1-70b": 70_553_706_496,
        # capacity-anchors §0 prints 404,650,311,680, which no Llama-style configuration gives;
        # this is the count of the config and of the published weights.
        "llama-3.1-405b": 405_853_388_800,
        "mistral-7b": 7_241_732_096,
        "qwen3-4b": 4_022_468_096,
        "qwen3-8b": 8_190_735_360,
        "qwen3-14b": 14_768_307_200,
        "qwen3-32b": 32_762_123_264,
    }
    assert len(TABLE.architectures) == len(expected)
    assert {a.id: a.parameters for a in TABLE.architectures} == expected


def test_kv_bytes_per_token_match_the_reference() -> None:
    # capacity-anchors §3.1, bf16: 2 x layers x KV heads x head_dim x 2 bytes.
    expected = {
        "llama-2-7b": 524_288,
        "meta-llama/Llama-3.1-8B": 131_072,
        "llama-2-70b": 327_680,
        "llama-3.1-70b": 327_680,
        "llama-3.1-405b": 516_096,
    }
    for arch_id, kv_bytes in expected.items():
        arch = TABLE.resolve_architecture(arch_id)
        assert 2 * arch.layers * arch.kv_heads * arch.head_dim * 2 == kv_bytes, arch_id


def test_qwen3_architectures_use_qk_norm() -> None:
    for arch in TABLE.architectures:
        assert arch.qk_norm == arch.id.startswith("qwen3-"), arch.id
    assert TABLE.resolve_architecture("qwen3-4b").tied_embeddings is True
