"""estimatePrompting: static prefix + variable part with the model's prompt caching (DESIGN §4.6).

Worked case PROMPT-1: spend-models.md §4 (gpt-4.1-mini at $0.40 / cached $0.10 / $1.60).
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from pricing.catalog import Catalog
from pricing.entries import CachePolicy
from pricing.errors import InvalidInput
from pricing.estimators.agent import AgentRequest, estimate_agent
from pricing.estimators.prompting import (
    PromptingRequest,
    cacheable_tokens,
    estimate_prompting,
)
from tests.workloads import EXPLICIT_RATES as EXPLICIT
from tests.workloads import PROMPT_1

D = Decimal
OPENAI = CachePolicy(mode="automatic", min_tokens=1024, increment_tokens=128)
MINI_INLINE = {
    "input": 0.40,
    "cache_read": 0.10,
    "output": 1.60,
    "caching": {"mode": "automatic", "min_tokens": 1024, "increment_tokens": 128},
}


def estimate(catalog: Catalog, **body: object):
    return estimate_prompting(catalog, msgspec.convert(body, PromptingRequest))


@pytest.mark.parametrize("model", [{"model": "gpt-4.1-mini"}, {"rates": MINI_INLINE}])
def test_prompt_1_with_automatic_prefix_caching(catalog: Catalog, model: dict) -> None:
    # Cacheable = 1,024 + 15 × 128 = 2,944; cached 2,649.6M × 0.10 = 264.96; uncached
    # 550.4M × 0.40 = 220.16; output 150M × 1.60 = 240.
    result = estimate(catalog, **model, **PROMPT_1)

    assert result.monthly_usd == D("725.12")
    assert result.monthly_without_caching_usd == D("1520")
    assert result.static_prefix_tokens == 3000
    assert result.cacheable_prefix_tokens == 2944
    assert result.cache_mode == "automatic"
    items = {item.name: item for item in result.line_items}
    assert items["cache_read"].quantity == D("2649600000")
    assert items["input"].quantity == D("550400000")
    assert "cache_write" not in items


@pytest.mark.parametrize(
    "model",
    [
        {"model": "gpt-6-sol"},
        {
            "rates": {
                "input": 2,
                "cache_read": 0.20,
                "cache_write": 2.50,
                "output": 10,
                "caching": {"mode": "automatic", "min_tokens": 1024, "increment_tokens": 128},
            }
        },
    ],
)
def test_automatic_cache_with_a_write_price_bills_each_miss_write(
    catalog: Catalog, model: dict
) -> None:
    # gpt-6-sol ($2 / cached $0.20 / write $2.50 = 1.25 × input / $10, spend-models §1.2 and
    # §11) caches automatically but charges writes, as the agent estimator bills them. PROMPT-1
    # shape: cacheable 2,944; reads 0.9 × 2,944 × 1M = 2,649.6M × 0.20 = 529.92; a miss writes
    # the prefix: 0.1 × 2,944 × 1M = 294.4M × 2.50 = 736; uncached (56 + 200) × 1M = 256M × 2
    # = 512; output 150M × 10 = 1,500. Billing the writes as input gave 3,218.96.
    result = estimate(catalog, **model, **PROMPT_1)

    quantities = {item.name: item.quantity for item in result.line_items}
    assert quantities == {
        "input": D("256000000"),
        "cache_read": D("2649600000"),
        "cache_write": D("294400000"),
        "output": D("150000000"),
    }
    assert result.monthly_usd == D("3277.92")
    assert result.usd_per_request == D("0.00327792")
    # Without caching: 3,200M × 2 + 150M × 10.
    assert result.monthly_without_caching_usd == D("7900")


def test_automatic_cache_write_price_matches_the_agent_for_one_step(catalog: Catalog) -> None:
    # One agent step of 2,048 tokens caches its whole prefix (1,024 + 8 × 128) and pays the write;
    # a prompt of 2,048 static tokens that always misses pays the same: 2,048 × 2.50 per 1M.
    agent = estimate_agent(
        catalog,
        msgspec.convert(
            {
                "model": "gpt-6-sol",
                "tasks_per_month": 1000,
                "steps_per_task": 1,
                "initial_prompt_tokens": 2048,
                "growth_tokens_per_step": 0,
                "output_tokens_per_step": 0,
            },
            AgentRequest,
        ),
    )
    prompting = estimate(
        catalog,
        model="gpt-6-sol",
        system_prompt_tokens=2048,
        variable_input_tokens=0,
        output_tokens=0,
        requests_per_month=1000,
        cache_hit_rate=0,
    )
    assert agent.monthly_usd == prompting.monthly_usd == D("5.12")


def test_caching_turned_off_prices_every_token_as_input(catalog: Catalog) -> None:
    # 3,200M × 0.40 + 150M × 1.60 = 1,280 + 240.
    result = estimate(catalog, model="gpt-4.1-mini", prompt_caching=False, **PROMPT_1)
    assert result.monthly_usd == D("1520")
    assert result.cache_mode == "off"


@pytest.mark.parametrize(
    ("static", "cacheable"),
    [(0, 0), (1023, 0), (1024, 1024), (1151, 1024), (1152, 1152), (3000, 2944)],
)
def test_automatic_cacheable_prefix_counts_whole_increments(static: int, cacheable: int) -> None:
    assert cacheable_tokens(D(static), OPENAI) == cacheable


def test_prefix_below_the_minimum_saves_nothing(catalog: Catalog) -> None:
    body = PROMPT_1 | {"few_shot_examples": 0, "system_prompt_tokens": 1000}
    result = estimate(catalog, model="gpt-4.1-mini", **body)
    assert result.cacheable_prefix_tokens == 0
    assert result.monthly_usd == result.monthly_without_caching_usd


def test_explicit_caching_reads_on_hits_and_writes_on_misses(catalog: Catalog) -> None:
    # Reads 0.9 × 3,000 × 1M = 2,700M × 0.30 = 810; writes 0.1 × 3,000 × 1M = 300M × 3.75 =
    # 1,125; variable 200M × 3 = 600; output 150M × 15 = 2,250.
    result = estimate(catalog, rates=EXPLICIT, prompt_caching=True, **PROMPT_1)
    assert result.monthly_usd == D(810 + 1125 + 600 + 2250)
    assert result.cacheable_prefix_tokens == 3000
    assert result.monthly_without_caching_usd == D(3200 * 3 + 2250)


def test_explicit_caching_is_opt_in(catalog: Catalog) -> None:
    result = estimate(catalog, rates=EXPLICIT, **PROMPT_1)
    assert result.cache_mode == "off"
    assert result.monthly_usd == D(3200 * 3 + 2250)
    assert {a.name: a.value for a in result.assumptions}["prompt_caching"] == "off"


def test_explicit_prefix_below_minimum_neither_writes_nor_reads(catalog: Catalog) -> None:
    body = PROMPT_1 | {"few_shot_examples": 0, "system_prompt_tokens": 1000}
    result = estimate(catalog, rates=EXPLICIT, prompt_caching=True, **body)
    assert result.monthly_usd == D(1200 * 3 + 2250)
    assert {item.name for item in result.line_items} == {"input", "output"}


@pytest.mark.parametrize(
    ("model", "system", "hit_rate", "warned"),
    [
        # Opt-in caching asked for, 1,000-token prefix under the 1,024 minimum.
        ({"rates": EXPLICIT, "prompt_caching": True}, 1000, 0.9, True),
        ({"rates": EXPLICIT, "prompt_caching": True}, 1000, 0, True),
        # Automatic caching with a hit rate the prefix cannot use.
        ({"model": "gpt-4.1-mini"}, 1000, 0.9, True),
        # Nothing was expected of the cache, or the prefix reaches the minimum.
        ({"model": "gpt-4.1-mini"}, 1000, 0, False),
        ({"model": "gpt-4.1-mini"}, 1024, 0.9, False),
        ({"rates": EXPLICIT, "prompt_caching": True}, 1024, 0.9, False),
        ({"model": "gpt-4.1-mini", "prompt_caching": False}, 1000, 0.9, False),
    ],
)
def test_a_prefix_below_the_cache_minimum_is_a_warning(
    catalog: Catalog, model: dict, system: int, hit_rate: float, warned: bool
) -> None:
    # The same warning the agent estimator gives: without it a client reads its hit rate as
    # applied while every token is billed as uncached input.
    body = PROMPT_1 | {
        "few_shot_examples": 0,
        "system_prompt_tokens": system,
        "cache_hit_rate": hit_rate,
    }
    result = estimate(catalog, **model, **body)
    codes = [w.code for w in result.warnings if w.code == "prefix_below_cache_minimum"]
    assert codes == (["prefix_below_cache_minimum"] if warned else [])
    if warned:
        assert result.monthly_usd == result.monthly_without_caching_usd


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        # Opt-in caching not asked for: the hit rate alone does not turn it on.
        ({"rates": EXPLICIT}, "set prompt_caching to true"),
        ({"model": "claude-sonnet-4.5"}, "set prompt_caching to true"),
        # Caching turned off, or a model without a cache (davinci-002's fine-tune).
        ({"model": "gpt-4.1-mini", "prompt_caching": False}, "prompt_caching is false"),
        ({"model": "ft:davinci-002"}, "no prompt cache in the table"),
        ({"rates": {"input": 3, "output": 15}}, "the inline rates give no `caching`"),
    ],
)
def test_every_way_a_hit_rate_prices_nothing_is_warned(
    catalog: Catalog, model: dict, reason: str
) -> None:
    # PROMPT_1 asks for 90% hits; with no cache priced every token is uncached input, and the
    # client must be told rather than read the uncached bill as its cached one.
    result = estimate(catalog, **model, **PROMPT_1)
    [warning] = [w for w in result.warnings if w.code == "cache_hit_rate_unused"]
    assert reason in warning.message
    assert result.monthly_usd == result.monthly_without_caching_usd


@pytest.mark.parametrize(
    "model",
    [
        {"model": "gpt-4.1-mini"},  # automatic caching prices the hit rate
        {"rates": EXPLICIT, "prompt_caching": True},  # opted in
    ],
)
def test_a_priced_hit_rate_raises_no_unused_warning(catalog: Catalog, model: dict) -> None:
    result = estimate(catalog, **model, **PROMPT_1)
    assert "cache_hit_rate_unused" not in [w.code for w in result.warnings]


def test_a_zero_hit_rate_without_caching_is_not_warned(catalog: Catalog) -> None:
    # 0 asks nothing of a cache, so nothing was ignored.
    result = estimate(catalog, rates=EXPLICIT, **(PROMPT_1 | {"cache_hit_rate": 0}))
    assert result.warnings == []


def test_caching_asked_of_a_model_without_a_cache_is_refused(catalog: Catalog) -> None:
    with pytest.raises(InvalidInput) as caught:
        estimate(catalog, rates={"input": 1, "output": 1}, prompt_caching=True, **PROMPT_1)
    assert caught.value.path == "$.prompt_caching"


def test_missing_cache_read_rate_is_an_error_never_zero(catalog: Catalog) -> None:
    rates = {"input": 1, "output": 1, "caching": {"mode": "automatic"}}
    with pytest.raises(InvalidInput) as caught:
        estimate(catalog, rates=rates, **PROMPT_1)
    assert caught.value.path == "$.rates.cache_read"


def test_default_hit_rate_is_zero_and_echoed(catalog: Catalog) -> None:
    body = {key: value for key, value in PROMPT_1.items() if key != "cache_hit_rate"}
    result = estimate(catalog, model="gpt-4.1-mini", **body)
    assert result.monthly_usd == D("1520")
    assert {a.name: a.value for a in result.assumptions}["cache_hit_rate"] == "0"


@pytest.mark.parametrize(("variable", "flagged"), [(500, False), (501, True)])
def test_long_prompt_flag_counts_static_and_variable(
    catalog: Catalog, variable: int, flagged: bool
) -> None:
    # 1,500 static + variable: 2,000 is not beyond 2,000; 2,001 is.
    body = PROMPT_1 | {"few_shot_examples": 0, "variable_input_tokens": variable}
    result = estimate(catalog, model="gpt-4.1-mini", **body)
    codes = {flag.code for flag in result.red_flags}
    assert ("prompt_beyond_2000_tokens" in codes) is flagged


def test_cost_per_request_is_the_month_over_its_volume(catalog: Catalog) -> None:
    result = estimate(catalog, model="gpt-4.1-mini", **PROMPT_1)
    assert result.usd_per_request == D("0.00072512")


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"tokens_per_example": None}, "$.tokens_per_example"),
        ({"few_shot_examples": None}, "$.few_shot_examples"),
    ],
)
def test_few_shot_examples_need_their_size(catalog: Catalog, changes: dict, path: str) -> None:
    body = {key: value for key, value in (PROMPT_1 | changes).items() if value is not None}
    with pytest.raises(InvalidInput) as caught:
        estimate(catalog, model="gpt-4.1-mini", **body)
    assert caught.value.path == path


def test_static_defaults_are_echoed(catalog: Catalog) -> None:
    body = {
        key: value
        for key, value in PROMPT_1.items()
        if key not in {"few_shot_examples", "tokens_per_example"}
    }
    result = estimate(catalog, model="gpt-4.1-mini", **body)
    assumed = {a.name: a.value for a in result.assumptions}
    assert (assumed["few_shot_examples"], assumed["tool_schema_tokens"]) == ("0", "0")
    assert result.static_prefix_tokens == 1500


# A 3,000-token prefix, 200 variable and 100 output tokens, 1,000 requests, hit rate 0.9.
HIT_RATE_SHAPE = {
    "system_prompt_tokens": 3000,
    "variable_input_tokens": 200,
    "output_tokens": 100,
    "requests_per_month": 1000,
    "cache_hit_rate": 0.9,
    "pricing_version": "2026-12-01",
    "at": "2026-12-02T00:00:00Z",
}


@pytest.mark.parametrize(
    ("model", "total", "why"),
    [
        # claude-sonnet-4-5 caches only on request: $3 in, $15 out per 1M, uncached:
        # 1,000 × (3,200 × 3 + 100 × 15) / 1M = 1,000 × 0.0111 = $11.10.
        ({"model": "claude-sonnet-4.5"}, D("11.1"), "set prompt_caching to true"),
        # Inline rates with a cache-read price but no `caching`: $1 in, $2 out:
        # 1,000 × (3,200 × 1 + 100 × 2) / 1M = $3.40.
        (
            {"rates": {"input": 1, "output": 2, "cache_read": 0.1}},
            D("3.4"),
            "the inline rates give no `caching`",
        ),
        # gpt-4.1-mini caches automatically, but the request turned it off: $0.40 in, $1.60
        # out: 1,000 × (3,200 × 0.40 + 100 × 1.60) / 1M = $1.44.
        ({"model": "gpt-4.1-mini", "prompt_caching": False}, D("1.44"), "prompt_caching is false"),
    ],
)
def test_a_hit_rate_that_prices_nothing_is_a_warning(
    catalog: Catalog, model: dict, total: Decimal, why: str
) -> None:
    # Reported: a cache_hit_rate of 0.9 with no cache priced gave the uncached figure and no
    # word that the hit rate was ignored.
    result = estimate(catalog, **HIT_RATE_SHAPE, **model)
    assert result.monthly_usd == total
    [warning] = [w for w in result.warnings if w.code == "cache_hit_rate_unused"]
    assert why in warning.message


def test_a_priced_hit_rate_is_no_warning(catalog: Catalog) -> None:
    # claude-sonnet-4-5 with prompt_caching: reads 0.9 × 1,000 × 3,000 = 2,700,000 at $0.30,
    # writes 0.1 × 1,000 × 3,000 = 300,000 at $3.75, 200,000 variable in at $3, 100,000 out
    # at $15: 0.81 + 1.125 + 0.6 + 1.5 = $4.035.
    result = estimate(catalog, **HIT_RATE_SHAPE, model="claude-sonnet-4.5", prompt_caching=True)
    assert result.monthly_usd == D("4.035")
    assert "cache_hit_rate_unused" not in [w.code for w in result.warnings]
