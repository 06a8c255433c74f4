"""estimateAgent: context growth per step, prefix caching, retries and the step cap (DESIGN §4.5).

Token model and worked numbers: spend-models.md §3.1 and issue 3 (8 steps, P1 2,000, Δ 500).
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from pricing.catalog import Catalog
from pricing.estimators.agent import AgentRequest, AgentShape, estimate_agent
from tests.workloads import AGENT
from tests.workloads import EXPLICIT_RATES as EXPLICIT

D = Decimal


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
    shape = AgentShape(
        initial_prompt_tokens=D(1800), growth_tokens_per_step=D(333), output_tokens_per_step=D(7)
    )
    uncached = shape.tokens(1, steps, cached=False)
    cached = shape.tokens(1, steps, cached=True)
    assert uncached.input == steps * 1800 + D(333) * steps * (steps - 1) / 2
    assert cached.cache_write == 1800 + (steps - 1) * 333
    assert cached.cache_read == (steps - 1) * 1800 + D(333) * (steps - 1) * (steps - 2) / 2
    assert cached.cache_write + cached.cache_read == uncached.input


def test_automatic_cache_without_write_price_bills_writes_as_input(catalog: Catalog) -> None:
    # gpt-4.1-mini: 5,500 × 0.40 + 24,500 × 0.10 + 2,400 × 1.60 = 8,490 per 1M → $0.00849.
    result = estimate(catalog, model="gpt-4.1-mini", **AGENT)
    quantities = {item.name: item.quantity for item in result.line_items}
    assert quantities == {"input": 5_500_000, "cache_read": 24_500_000, "output": 2_400_000}
    assert result.monthly_usd == D("8.49")


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
