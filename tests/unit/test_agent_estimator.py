"""estimateAgent: context growth per step, prefix caching, retries and the step cap (DESIGN §4.5).

Token model and worked numbers: spend-models.md §3.1 and issue 3 (8 steps, P1 2,000, Δ 500).
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from pricing.catalog import Catalog
from pricing.entries import CachePolicy
from pricing.errors import InvalidInput
from pricing.estimators.agent import AgentRequest, AgentShape, estimate_agent
from pricing.estimators.workload import cacheable_tokens
from tests.workloads import AGENT
from tests.workloads import EXPLICIT_RATES as EXPLICIT

D = Decimal
OPENAI = CachePolicy(mode="automatic", min_tokens=1024, increment_tokens=128)
CLAUDE = CachePolicy(mode="explicit", min_tokens=1024, increment_tokens=1)


def estimate(catalog: Catalog, **body: object):
    return estimate_agent(catalog, msgspec.convert(body, AgentRequest))


def test_eight_steps_without_cache_resend_30000_input_tokens(catalog: Catalog) -> None:
    # 8 × 2,000 + 500 × 8 × 7 / 2 = 16,000 + 14,000.
    result = estimate(catalog, rates=EXPLICIT, **AGENT)
    tokens = result.tokens_per_attempt
    assert (tokens.steps, tokens.input_tokens, tokens.output_tokens) == (8, 30_000, 2400)
    assert (tokens.cache_write_tokens, tokens.cache_read_tokens) == (0, 0)
    assert tokens.usd == (D(30_000) * 3 + D(2400) * 15) / 10**6
    assert result.monthly_usd == tokens.usd * 1000


def test_prefix_caching_writes_5500_and_reads_24500(catalog: Catalog) -> None:
    # Writes 2,000 + 7 × 500; reads 7 × 2,000 + 500 × 7 × 6 / 2.
    result = estimate(catalog, model="claude-sonnet-4.5", prompt_caching=True, **AGENT)
    tokens = result.tokens_per_attempt
    assert (tokens.cache_write_tokens, tokens.cache_read_tokens) == (5500, 24_500)
    assert tokens.input_tokens == 30_000
    # Sonnet 4.5: write 3.75, read 0.30, output 15 per 1M.
    assert tokens.usd == D("0.063975")
    assert result.monthly_usd == D("63.975")


@pytest.mark.parametrize("steps", [1, 2, 3, 8, 25, 100])
def test_writes_plus_reads_equal_the_uncached_input(steps: int) -> None:
    # Every context (1,800 and up) reaches the 1,024 minimum: DESIGN §4.5's closed form.
    shape = AgentShape(
        initial_prompt_tokens=D(1800), growth_tokens_per_step=D(333), output_tokens_per_step=D(7)
    )
    uncached = shape.tokens(1, steps, None)
    cached = shape.tokens(1, steps, CLAUDE)
    assert uncached.input == steps * 1800 + D(333) * steps * (steps - 1) / 2
    assert cached.cache_write == 1800 + (steps - 1) * 333
    assert cached.cache_read == (steps - 1) * 1800 + D(333) * (steps - 1) * (steps - 2) / 2
    assert cached.cache_write + cached.cache_read == uncached.input


def test_automatic_cache_reads_whole_increments_and_bills_writes_as_input(
    catalog: Catalog,
) -> None:
    # gpt-4.1-mini (1,024 + k × 128): step t reads 1,024 + ⌊(C_{t−1} − 1,024)/128⌋ × 128 of the
    # previous context C = 2,000, 2,500, ... 5,000: 1,920 + 2,432 + 2,944 + 3,456 + 3,968 +
    # 4,480 + 4,992 = 24,192. The rest, 30,000 − 24,192 = 5,808, is input (no write price).
    # 5,808 × 0.40 + 24,192 × 0.10 + 2,400 × 1.60 = 8,582.4 per 1M → $0.0085824 per task.
    result = estimate(catalog, model="gpt-4.1-mini", **AGENT)
    quantities = {item.name: item.quantity for item in result.line_items}
    assert quantities == {"input": 5_808_000, "cache_read": 24_192_000, "output": 2_400_000}
    assert result.monthly_usd == D("8.5824")
    tokens = result.tokens_per_attempt
    # Cached at the end: 1,024 + ⌊4,476/128⌋ × 128 = 5,376 of the last 5,500; 432 never cached.
    assert (tokens.cache_write_tokens, tokens.uncached_input_tokens) == (5376, 432)


def test_automatic_cache_with_a_write_price_bills_the_cached_prefix_at_it(
    catalog: Catalog,
) -> None:
    # gpt-6-sol caches automatically and charges writes (DESIGN §4.5): as above, writes 5,376 at
    # 2.50, uncached 432 at 2.00, reads 24,192 at 0.20, output 2,400 at 10:
    # 13,440 + 864 + 4,838.4 + 24,000 = 43,142.4 per 1M → $43.1424 a month for 1,000 tasks.
    result = estimate(catalog, model="gpt-6-sol", **AGENT)
    quantities = {item.name: item.quantity for item in result.line_items}
    assert quantities == {
        "input": 432_000,
        "cache_read": 24_192_000,
        "cache_write": 5_376_000,
        "output": 2_400_000,
    }
    assert result.monthly_usd == D("43.1424")


@pytest.mark.parametrize(
    ("model", "caching", "monthly"),
    [
        # o3: every context 300 ... 700 is below its 1,024 minimum, nothing is cached:
        # 2,500 × $2/1M + 250 × $8/1M = $0.007 per task.
        ("o3", None, "7"),
        # Sonnet 4.5 (explicit, minimum 1,024): 2,500 × 3 + 250 × 15 per 1M = $0.01125.
        ("claude-sonnet-4-5", True, "11.25"),
    ],
)
def test_contexts_below_the_cache_minimum_cache_nothing(
    catalog: Catalog, model: str, caching: bool | None, monthly: str
) -> None:
    body = {
        "tasks_per_month": 1000,
        "steps_per_task": 5,
        "max_steps": 5,
        "initial_prompt_tokens": 300,
        "growth_tokens_per_step": 100,
        "output_tokens_per_step": 50,
        "failure_probability": 0,
        "max_retries": 2,
    }
    if caching is not None:
        body["prompt_caching"] = caching
    result = estimate(catalog, model=model, **body)
    tokens = result.tokens_per_attempt
    assert (tokens.cache_write_tokens, tokens.cache_read_tokens) == (0, 0)
    assert tokens.uncached_input_tokens == 2500
    assert result.monthly_usd == D(monthly)
    [warning] = [w for w in result.warnings if w.code == "prefix_below_cache_minimum"]
    assert "every step" in warning.message


def test_steps_cache_once_their_context_reaches_the_minimum(catalog: Catalog) -> None:
    # Explicit, minimum 1,024; P1 800, Δ 300: contexts 800, 1,100, 1,400, 1,700.
    # Step 1 uncached 800; step 2 reads 0 (800 is below) and writes 1,100; steps 3 and 4 read
    # 1,100 and 1,400 and write 300 each. Uncached 800, writes 1,700, reads 2,500.
    # 800 × 3 + 1,700 × 3.75 + 2,500 × 0.30 + 400 × 15 = 15,525 per 1M → $0.015525.
    body = AGENT | {
        "steps_per_task": 4,
        "initial_prompt_tokens": 800,
        "growth_tokens_per_step": 300,
        "output_tokens_per_step": 100,
    }
    result = estimate(catalog, rates=EXPLICIT, prompt_caching=True, **body)
    tokens = result.tokens_per_attempt
    assert (tokens.uncached_input_tokens, tokens.cache_write_tokens) == (800, 1700)
    assert (tokens.cache_read_tokens, tokens.input_tokens) == (2500, 5000)
    assert tokens.usd == D("0.015525")
    [warning] = [w for w in result.warnings if w.code == "prefix_below_cache_minimum"]
    assert "step 1 has" in warning.message


def _per_step(shape: AgentShape, first: int, last: int, policy: CachePolicy) -> tuple:
    # The rule, one step at a time: step t reads what step t − 1 cached (if C_{t−1} reached the
    # minimum) and caches its own cacheable prefix when C_t reaches it.
    uncached = reads = writes = D(0)
    for step in range(first, last + 1):
        context = shape.step_input(step)
        previous = shape.step_input(step - 1) if step > 1 else D(0)
        read = cacheable_tokens(previous, policy) if step > 1 else D(0)
        cached = cacheable_tokens(context, policy)
        if cached == 0:
            uncached += context
            continue
        reads += read
        writes += cached - read
        uncached += context - cached
    return uncached, writes, reads


@pytest.mark.parametrize(
    "policy", [OPENAI, CLAUDE, CachePolicy(mode="automatic", min_tokens=0, increment_tokens=7)]
)
@pytest.mark.parametrize(
    ("prompt", "growth", "segment"),
    [
        ("300", "100", (1, 40)),
        ("1023", "1", (1, 300)),
        ("2000", "500", (3, 8)),
        ("150.75", "333.5", (2, 17)),
        ("5000", "0", (1, 9)),
        ("900", "0", (1, 9)),
        ("1000.4", "0.3", (50, 200)),
    ],
)
def test_closed_form_matches_the_rule_step_by_step(
    policy: CachePolicy, prompt: str, growth: str, segment: tuple[int, int]
) -> None:
    shape = AgentShape(
        initial_prompt_tokens=D(prompt),
        growth_tokens_per_step=D(growth),
        output_tokens_per_step=D(1),
    )
    tokens = shape.tokens(*segment, policy)
    assert (tokens.input, tokens.cache_write, tokens.cache_read) == _per_step(
        shape, *segment, policy
    )


def test_agent_and_prompting_cache_the_same_prefix(catalog: Catalog) -> None:
    # A 3,000-token context on gpt-4.1-mini: prompting caches 1,024 + 15 × 128 = 2,944 of it;
    # an agent's second step (Δ = 0) reads the same 2,944 from its first.
    body = AGENT | {"steps_per_task": 2, "initial_prompt_tokens": 3000, "growth_tokens_per_step": 0}
    result = estimate(catalog, model="gpt-4.1-mini", **body)
    assert result.tokens_per_attempt.cache_read_tokens == 2944
    assert cacheable_tokens(D(3000), OPENAI) == 2944


def test_steps_are_capped_and_the_worst_case_is_at_the_cap(catalog: Catalog) -> None:
    capped = estimate(catalog, rates=EXPLICIT, **(AGENT | {"steps_per_task": 30, "max_steps": 8}))
    assert capped.tokens_per_attempt.input_tokens == 30_000
    assert "steps_capped" in {warning.code for warning in capped.warnings}

    result = estimate(catalog, rates=EXPLICIT, max_steps=20, **AGENT)
    worst = result.worst_case
    assert worst is not None
    # 20 × 2,000 + 500 × 20 × 19 / 2 = 135,000 input; 6,000 output.
    assert worst.tokens_per_attempt.input_tokens == 135_000
    assert worst.usd_per_task == (D(135_000) * 3 + D(6000) * 15) / 10**6
    assert worst.monthly_usd == worst.usd_per_task * 1000


def test_retries_give_attempts_success_rate_and_cost_per_success(catalog: Catalog) -> None:
    # p = 0.2, r = 2: attempts (1 − 0.008) / 0.8 = 1.24; success 0.992.
    result = estimate(
        catalog, rates=EXPLICIT, failure_probability=0.2, max_retries=2, max_steps=10, **AGENT
    )
    assert result.attempts_per_task == D("1.24")
    assert result.success_rate == D("0.992")
    per_attempt = result.tokens_per_attempt.usd
    assert result.usd_per_task == per_attempt * D("1.24")
    assert result.usd_per_successful_task == per_attempt * D("1.24") / D("0.992")
    assert result.monthly_usd == per_attempt * D("1.24") * 1000
    assert result.red_flags == []


def test_no_retries_means_one_attempt_and_success_one_minus_p(catalog: Catalog) -> None:
    result = estimate(catalog, rates=EXPLICIT, failure_probability=0.25, **AGENT)
    assert result.attempts_per_task == 1
    assert result.success_rate == D("0.75")


@pytest.mark.parametrize(
    ("changes", "flags"),
    [
        ({}, {"agent_without_step_limit", "agent_without_retry_policy"}),
        ({"max_steps": 10}, {"agent_without_retry_policy"}),
        ({"max_steps": 10, "max_retries": 0}, {"agent_without_retry_policy"}),
        ({"max_steps": 10, "max_retries": 1}, set()),
        (
            {"max_steps": 10, "max_retries": 1, "initial_prompt_tokens": 2001},
            {"prompt_beyond_2000_tokens"},
        ),
    ],
)
def test_red_flags(catalog: Catalog, changes: dict, flags: set) -> None:
    result = estimate(catalog, rates=EXPLICIT, **(AGENT | changes))
    assert {flag.code for flag in result.red_flags} == flags
    assert (result.worst_case is None) is ("max_steps" not in changes)


def test_long_context_tier_is_picked_per_step_not_per_task(catalog: Catalog) -> None:
    # Step inputs 2,000 … 5,500; above 4,000 (steps 6–8) every class is at the tier rate.
    rates = {
        "input": 3,
        "output": 15,
        "tiers": [{"above_input_tokens": 4000, "input": 6, "output": 30}],
    }
    result = estimate(catalog, rates=rates, **AGENT)
    costs = {item.name: item.cost_usd for item in result.line_items}
    assert costs == {
        "steps_1_to_5_input": D(15_000_000) * 3 / 10**6,
        "steps_1_to_5_output": D(1_500_000) * 15 / 10**6,
        "steps_6_to_8_input": D(15_000_000) * 6 / 10**6,
        "steps_6_to_8_output": D(900_000) * 30 / 10**6,
    }


def test_prefix_below_cache_minimum_warns(catalog: Catalog) -> None:
    body = AGENT | {"initial_prompt_tokens": 800}
    result = estimate(catalog, rates=EXPLICIT, prompt_caching=True, **body)
    assert "prefix_below_cache_minimum" in {warning.code for warning in result.warnings}


def test_tasks_per_day(catalog: Catalog) -> None:
    body = {k: v for k, v in AGENT.items() if k != "tasks_per_month"} | {"tasks_per_day": 12}
    result = estimate(catalog, rates=EXPLICIT, **body)
    assert round(result.tasks_per_month, 10) == 365


def test_steps_past_an_unpublished_priority_cliff_are_refused(catalog: Catalog) -> None:
    # gpt-5.5 at priority publishes no rate above the standard row's 272,000-token cliff.
    # 8 steps of 200,000 + (t − 1) × 10,000 stay at or below 270,000: Σ = 8 × 200,000 +
    # 10,000 × 28 = 1,880,000 in × $12.50 + 800 out × $75 = $23.56 a task, 10 tasks $235.60.
    body = {
        "model": "gpt-5.5",
        "service_tier": "priority",
        "prompt_caching": False,
        "tasks_per_month": 10,
        "steps_per_task": 8,
        "initial_prompt_tokens": 200_000,
        "growth_tokens_per_step": 10_000,
        "output_tokens_per_step": 100,
    }
    assert estimate(catalog, **body).monthly_usd == Decimal("235.6")
    # A 9th step reads 280,000 tokens: past the cliff, so the task cannot be priced.
    with pytest.raises(InvalidInput) as caught:
        estimate(catalog, **(body | {"steps_per_task": 9}))
    assert "272,000" in caught.value.reason
    assert caught.value.path == "$.service_tier"


def test_a_success_rate_too_small_to_show_is_warned(catalog: Catalog) -> None:
    # p = 0.99999999999, no retries: success 1 − p = 1e-11, below the 10 places written (it
    # shows as 0); $ per success = $ per task ÷ 1e-11, exact, and a warning states the rate.
    body = AGENT | {"model": "gpt-4.1", "failure_probability": 0.99999999999, "max_retries": 0}
    result = estimate(catalog, **body)
    assert result.success_rate == D("1E-11")
    assert result.usd_per_successful_task == result.usd_per_task * D("1E+11")
    [warning] = [w for w in result.warnings if w.code == "success_rate_below_shown_precision"]
    assert "one task in 100,000,000,000 succeeds" in warning.message


def test_a_success_rate_that_shows_is_not_warned(catalog: Catalog) -> None:
    # p = 0.999999: 1 − p = 0.000001, written as such.
    body = AGENT | {"model": "gpt-4.1", "failure_probability": 0.999999, "max_retries": 0}
    result = estimate(catalog, **body)
    assert result.success_rate == D("0.000001")
    assert "success_rate_below_shown_precision" not in [w.code for w in result.warnings]
