"""estimateAgent: monthly spend of an agent whose context grows with every step.

Each step is one model call whose input is the initial prompt P1 plus Δ tokens per earlier step
(the previous outputs and tool results), so a task's input grows quadratically with its steps S.
With prefix caching each step writes what is new and reads the prefix before it. Failed attempts
are retried; the answer reports $ per successful task and the worst case at ``max_steps``
(DESIGN §4.5).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Annotated

import msgspec
from msgspec import Meta

from pricing.catalog import Catalog
from pricing.entries import CachePolicy, ContextTier
from pricing.estimators.common import (
    PricingContext,
    WorkloadEstimate,
    batch_not_interactive,
    long_prompt_flag,
    to_decimal,
    total,
)
from pricing.estimators.workload import (
    CACHE_PATH,
    EXPECTED,
    ONE,
    PricedModel,
    PromptCaching,
    Scale,
    WorkloadRequest,
    cacheable_sum,
    cacheable_tokens,
    given_or_default,
    monthly_volume,
    notices,
    pick_model,
    prompt_cache,
    volume_field,
    workload_fields,
)
from pricing.results import LineItem, Notice
from pricing.usage import TokenBreakdown

_Tokens = Annotated[int, Meta(ge=0, le=10**8)]
_MAX_STEPS = 10_000

TasksPerMonth = volume_field("tasks", "month", 50_000)
TasksPerDay = volume_field("tasks", "day", 1_500)


#: Smallest success rate the answer's 10 decimal places show (half of the last place rounds
#: up); below it the rate is written as 0 and a warning says so.
_SHOWN_RATE = Decimal("0.5e-10")


class AgentRequest(WorkloadRequest, kw_only=True, forbid_unknown_fields=True):
    """An agent workload: steps per task, context growth, retries and a step limit."""

    tasks_per_month: TasksPerMonth | None = None
    tasks_per_day: TasksPerDay | None = None
    steps_per_task: Annotated[
        int,
        Meta(
            ge=1, le=_MAX_STEPS, description="Model calls per task (S), at least 1.", examples=[8]
        ),
    ]
    max_steps: (
        Annotated[
            int,
            Meta(
                ge=1,
                le=_MAX_STEPS,
                description="The agent's step limit; steps are capped by it. None is a red flag.",
                examples=[20],
            ),
        ]
        | None
    ) = None
    initial_prompt_tokens: Annotated[
        _Tokens,
        Meta(
            description="P1: system prompt, tool schemas and the task, sent at step 1.",
            examples=[2000],
        ),
    ]
    growth_tokens_per_step: Annotated[
        _Tokens,
        Meta(
            description="Δ: tokens appended to the context per step (output + tool result).",
            examples=[500],
        ),
    ]
    output_tokens_per_step: Annotated[
        _Tokens, Meta(description="Output per step, reasoning included.", examples=[300])
    ]
    failure_probability: (
        Annotated[
            float,
            Meta(
                ge=0,
                lt=1,
                description="Probability that one attempt fails (0 ≤ p < 1, default 0).",
                examples=[0.2],
            ),
        ]
        | None
    ) = None
    max_retries: (
        Annotated[
            int,
            Meta(
                ge=0,
                le=100,
                description="Retries after a failed attempt (r); None or 0 is a red flag.",
                examples=[2],
            ),
        ]
        | None
    ) = None
    prompt_caching: PromptCaching | None = None


class AgentTokens(msgspec.Struct, kw_only=True):
    """Tokens of one attempt at a task."""

    steps: Annotated[int, Meta(description="Steps priced: min(steps_per_task, max_steps).")]
    input_tokens: Annotated[
        int, Meta(description="S·P1 + Δ·S(S−1)/2, cache reads and writes included.")
    ]
    uncached_input_tokens: Annotated[
        int,
        Meta(
            description=(
                "Input neither read from nor written to the prompt cache: every context below "
                "the model's cache minimum, and the part of a context beyond whole increments."
            )
        ),
    ]
    cache_write_tokens: Annotated[
        int,
        Meta(
            description=(
                "Prefix tokens added to the cache (P1 + (S−1)Δ when every context reaches the "
                "minimum under explicit caching); billed as input when the model caches "
                "automatically without a write price. 0 without caching."
            )
        ),
    ]
    cache_read_tokens: Annotated[
        int,
        Meta(
            description=(
                "Each step reads the prefix the step before cached ((S−1)·P1 + Δ(S−1)(S−2)/2 "
                "when every context reaches the minimum under explicit caching). 0 without "
                "caching."
            )
        ),
    ]
    output_tokens: Annotated[int, Meta(description="S × output per step.")]
    usd: Annotated[Decimal, Meta(description="Cost of one attempt, USD.")]


class AgentWorstCase(msgspec.Struct, kw_only=True):
    """Every attempt runs to the step limit."""

    tokens_per_attempt: Annotated[AgentTokens, Meta(description="One attempt at max_steps.")]
    usd_per_task: Annotated[Decimal, Meta(description="Attempts × $ per attempt at the cap.")]
    monthly_usd: Annotated[Decimal, Meta(description="Every task at the cap, USD per month.")]


class AgentEstimate(WorkloadEstimate, kw_only=True):
    """Monthly agent spend with step growth, caching and retries."""

    tasks_per_month: Annotated[Decimal, Meta(description="The monthly volume priced.")]
    tokens_per_attempt: Annotated[AgentTokens, Meta(description="One attempt at a task.")]
    attempts_per_task: Annotated[
        Decimal, Meta(description="(1 − p^(r+1)) / (1 − p): expected attempts per task.")
    ]
    success_rate: Annotated[Decimal, Meta(description="1 − p^(r+1).")]
    usd_per_task: Annotated[Decimal, Meta(description="Attempts × $ per attempt.")]
    usd_per_successful_task: Annotated[Decimal, Meta(description="$ per task ÷ success rate.")]
    worst_case: Annotated[
        AgentWorstCase | None,
        Meta(description="Every attempt at max_steps; None when there is no step limit."),
    ] = None


class AgentShape(msgspec.Struct, frozen=True, kw_only=True):
    """One attempt's shape: initial prompt, growth and output per step."""

    initial_prompt_tokens: Decimal
    growth_tokens_per_step: Decimal
    output_tokens_per_step: Decimal

    def step_input(self, step: int) -> Decimal:
        """Context C_t of step ``step`` (1-based): P1 + (step − 1)Δ."""
        return self.initial_prompt_tokens + (step - 1) * self.growth_tokens_per_step

    def first_cached_step(self, min_tokens: int) -> int | None:
        """The first step whose context reaches a cache minimum (None: no step ever does)."""
        if self.initial_prompt_tokens >= min_tokens:
            return 1
        if self.growth_tokens_per_step <= 0:
            return None
        short = Fraction(min_tokens - self.initial_prompt_tokens)
        return 1 + math.ceil(short / Fraction(self.growth_tokens_per_step))

    def tokens(self, first: int, last: int, policy: CachePolicy | None) -> TokenBreakdown:
        """Tokens of steps ``first`` to ``last`` (1-based, inclusive) by billing class.

        Input is Σ C_t. With a prompt cache, a step whose context C_t reaches the minimum
        caches its cacheable prefix (all of it for explicit caching, whole increments for
        automatic); step t reads what step t − 1 cached, and writes the rest of its own cached
        prefix; the remainder of C_t (all of it below the minimum) is uncached input. When every
        context reaches the minimum under explicit caching this is DESIGN §4.5's closed form:
        writes P1 + (S − 1)Δ, reads (S − 1)P1 + Δ(S − 1)(S − 2)/2.
        """
        count = last - first + 1
        growth_steps = Decimal((first - 1 + last - 1) * count) / 2  # Σ (t − 1)
        inputs = count * self.initial_prompt_tokens + self.growth_tokens_per_step * growth_steps
        output = count * self.output_tokens_per_step
        start = None if policy is None else self.first_cached_step(policy.min_tokens)
        if policy is None or start is None or start > last:
            return TokenBreakdown(input=inputs, output=output)

        read_first = max(first, start + 1)
        reads = cacheable_sum(
            self.step_input(read_first - 1),
            self.growth_tokens_per_step,
            last - read_first + 1,
            policy,
        )
        # Writes telescope: Σ (cached_t − cached_{t−1}) = what the last step leaves cached
        # minus what the range found cached before its first step.
        found = cacheable_tokens(self.step_input(first - 1), policy) if first > start else 0
        writes = cacheable_tokens(self.step_input(last), policy) - found
        return TokenBreakdown(
            input=inputs - reads - writes, cache_read=reads, cache_write=writes, output=output
        )

    def scaled(self, scale: Scale) -> AgentShape:
        """The shape with every token count at a scale."""
        return AgentShape(
            initial_prompt_tokens=scale.of(self.initial_prompt_tokens),
            growth_tokens_per_step=scale.of(self.growth_tokens_per_step),
            output_tokens_per_step=scale.of(self.output_tokens_per_step),
        )


def estimate_agent(catalog: Catalog, request: AgentRequest) -> AgentEstimate:
    """Price a month of agent tasks, per attempt, per task and per successful task.

    Raises:
        NotFound: Unknown table version or model.
        InvalidInput: Bad volume, unoffered tier, caching asked of a model without it, or an
            unpriced class.
    """
    context = PricingContext.open(catalog, request.pricing_version, request.at)
    tasks = monthly_volume(context, request.tasks_per_month, request.tasks_per_day, "tasks")
    priced = pick_model(context, request.model, request.rates, request.service_tier)
    policy = prompt_cache(context, priced, request.prompt_caching)
    steps = min(request.steps_per_task, request.max_steps or request.steps_per_task)
    attempts, success = _retries(context, request)
    shape = AgentShape(
        initial_prompt_tokens=Decimal(request.initial_prompt_tokens),
        growth_tokens_per_step=Decimal(request.growth_tokens_per_step),
        output_tokens_per_step=Decimal(request.output_tokens_per_step),
    )
    pricing = AgentPricing(priced=priced, policy=policy, shape=shape)

    fields = workload_fields(
        context,
        lambda scale: pricing.items(steps, tasks * attempts, scale),
        request.uncertainty,
        priced=priced,
        warnings=[*_warnings(request, policy, shape, steps), *notices(_rate_not_shown(success))],
        red_flags=notices(
            long_prompt_flag(request.initial_prompt_tokens),
            _no_step_limit(request.max_steps),
            _no_retries(request.max_retries),
        ),
    )
    per_attempt = pricing.attempt(steps)
    per_task = per_attempt.usd * attempts
    return AgentEstimate(
        **fields,
        tasks_per_month=tasks,
        tokens_per_attempt=per_attempt,
        attempts_per_task=attempts,
        success_rate=success,
        usd_per_task=per_task,
        usd_per_successful_task=per_task / success,
        worst_case=pricing.worst_case(request.max_steps, attempts, tasks),
    )


class AgentPricing(msgspec.Struct, frozen=True, kw_only=True):
    """Prices attempts of one agent shape on one model."""

    priced: PricedModel
    policy: CachePolicy | None
    shape: AgentShape

    def items(self, steps: int, attempts: Decimal, scale: Scale) -> list[LineItem]:
        """Monthly line items of ``attempts`` attempts of ``steps`` steps at a scale.

        Steps are grouped by the long-context tier their own input falls in (each step is a
        request, so the tier is picked per step, never from the task's total).
        """
        shape = self.shape.scaled(scale)
        segments = self._segments(shape, steps)
        items = []
        for first, last in segments:
            label = "" if len(segments) == 1 else f"steps_{first}_to_{last}_"
            items += self.priced.price(
                self._billed(shape.tokens(first, last, self.policy)),
                input_tokens=shape.step_input(first),
                requests=attempts * scale.volume,
                label=label,
                cache_path=CACHE_PATH if self.policy else None,
            )
        return items

    def attempt(self, steps: int) -> AgentTokens:
        """Tokens and cost of one attempt of ``steps`` steps."""
        tokens = self.shape.tokens(1, steps, self.policy)
        return AgentTokens(
            steps=steps,
            input_tokens=int(tokens.input + tokens.cache_write + tokens.cache_read),
            uncached_input_tokens=int(tokens.input),
            cache_write_tokens=int(tokens.cache_write),
            cache_read_tokens=int(tokens.cache_read),
            output_tokens=int(tokens.output),
            usd=total(self.items(steps, ONE, EXPECTED), "monthly"),
        )

    def worst_case(
        self, max_steps: int | None, attempts: Decimal, tasks: Decimal
    ) -> AgentWorstCase | None:
        """Every attempt at the step limit; None without one."""
        if max_steps is None:
            return None
        at_cap = self.attempt(max_steps)
        per_task = at_cap.usd * attempts
        return AgentWorstCase(
            tokens_per_attempt=at_cap, usd_per_task=per_task, monthly_usd=per_task * tasks
        )

    def _billed(self, tokens: TokenBreakdown) -> TokenBreakdown:
        # Automatic caching without a write price bills the written prefix as plain input.
        if self.policy is not None and not self.priced.bills_cache_writes(self.policy):
            return msgspec.structs.replace(
                tokens, input=tokens.input + tokens.cache_write, cache_write=0
            )
        return tokens

    def _segments(self, shape: AgentShape, steps: int) -> list[tuple[int, int]]:
        starts = {1}
        # A tier row without its standard row's cliff is split there too, so the steps above
        # it are refused (no published rate) instead of billed at the base rate.
        for tier in self.priced.model.cliff_tiers(self.priced.card, self.priced.at):
            first = _first_step_in(tier, shape, steps)
            if first is not None:
                starts.add(first)
        bounds = sorted(starts)
        return [
            (start, end - 1) for start, end in zip(bounds, [*bounds[1:], steps + 1], strict=True)
        ]


def _first_step_in(tier: ContextTier, shape: AgentShape, steps: int) -> int | None:
    # Step inputs never shrink, so the steps a tier applies to are a tail: binary search it.
    if not tier.applies_to(shape.step_input(steps)):
        return None
    low, high = 1, steps
    while low < high:
        middle = (low + high) // 2
        if tier.applies_to(shape.step_input(middle)):
            high = middle
        else:
            low = middle + 1
    return low


def _retries(context: PricingContext, request: AgentRequest) -> tuple[Decimal, Decimal]:
    failure = to_decimal(
        given_or_default(
            context, "failure_probability", request.failure_probability, 0, "no failed attempts"
        )
    )
    retries = given_or_default(context, "max_retries", request.max_retries, 0, "no retries")
    all_fail = failure ** (retries + 1)
    return (1 - all_fail) / (1 - failure), 1 - all_fail


def _rate_not_shown(success: Decimal) -> Notice | None:
    # p = 0.99999999999 wrote success_rate 0 beside $1,000,000 per successful task: a reader
    # dividing by the rate shown would divide by zero, so the rate is stated in the warning.
    if success >= _SHOWN_RATE:
        return None
    return Notice(
        code="success_rate_below_shown_precision",
        message=(
            f"about one task in {round(1 / success):,} succeeds: that success rate is below the "
            "10 decimal places of this answer, so success_rate is written as 0; "
            "usd_per_successful_task is computed from the exact rate"
        ),
    )


def _warnings(
    request: AgentRequest, policy: CachePolicy | None, shape: AgentShape, steps: int
) -> list[Notice]:
    found = []
    if request.max_steps is not None and request.steps_per_task > request.max_steps:
        found.append(
            Notice(
                code="steps_capped",
                message=(
                    f"{request.steps_per_task} steps per task exceed max_steps "
                    f"({request.max_steps}): tasks stop at the cap, usually unsolved"
                ),
            )
        )
    if policy is not None:
        found += notices(_below_cache_minimum(policy.min_tokens, shape, steps))
    found += notices(
        batch_not_interactive(request.service_tier, "every step waits that long for the one before")
    )
    return found


def _below_cache_minimum(min_tokens: int, shape: AgentShape, steps: int) -> Notice | None:
    # Steps before the first one whose context reaches the minimum are priced uncached.
    start = shape.first_cached_step(min_tokens)
    below = steps if start is None else min(steps, start - 1)
    if below == 0:
        return None
    if below == steps:
        which = "every step has" if steps > 1 else "the one step has"
    else:
        which = "step 1 has" if below == 1 else f"steps 1 to {below} have"
    return Notice(
        code="prefix_below_cache_minimum",
        message=(
            f"{which} a context below the model's {min_tokens}-token cache minimum: "
            "priced as uncached input"
        ),
    )


def _no_step_limit(max_steps: int | None) -> Notice | None:
    if max_steps is not None:
        return None
    return Notice(
        code="agent_without_step_limit",
        message=(
            "no max_steps: an agent that loops has no cost ceiling and no worst case; set a "
            "step limit"
        ),
    )


def _no_retries(max_retries: int | None) -> Notice | None:
    if max_retries:
        return None
    return Notice(
        code="agent_without_retry_policy",
        message=(
            "no retry policy: a failed step or tool call ends the task; give max_retries and "
            "failure_probability for error recovery and $ per successful task"
        ),
    )
