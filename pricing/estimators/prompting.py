"""estimatePrompting: monthly spend of a prompt-only application, with prompt caching.

A request is a static prefix (system prompt, few-shot examples, tool schemas) followed by a
variable part. How much of the prefix a cache hit saves follows the model's caching policy in
the table: automatic prefix caching counts the cached prefix from a minimum in fixed increments
and bills a miss's write only where the table lists a write price (GPT-6), as the agent estimator
does; explicit caching reads the whole prefix on a hit and writes it on a miss at the write rate.
A prefix below the minimum caches nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from pricing.catalog import Catalog
from pricing.entries import CachePolicy
from pricing.errors import InvalidInput
from pricing.estimators.common import (
    PricingContext,
    WorkloadEstimate,
    long_prompt_flag,
    to_decimal,
    totals,
)
from pricing.estimators.workload import (
    CACHE_PATH,
    EXPECTED,
    HitRate,
    PricedModel,
    PromptCaching,
    RequestVolume,
    Scale,
    cacheable_tokens,
    given_or_default,
    monthly_volume,
    notices,
    pick_model,
    prompt_cache,
    workload_fields,
)
from pricing.results import LineItem, Notice
from pricing.usage import TokenBreakdown

_Tokens = Annotated[int, Meta(ge=0, le=10**9)]


class PromptingRequest(RequestVolume, kw_only=True, forbid_unknown_fields=True):
    """A prompt-only application: a static prefix and a variable part per request."""

    system_prompt_tokens: Annotated[
        _Tokens, Meta(description="System prompt tokens (static).", examples=[1500])
    ]
    few_shot_examples: (
        Annotated[
            _Tokens,
            Meta(description="How many few-shot examples (static; default 0).", examples=[10]),
        ]
        | None
    ) = None
    tokens_per_example: (
        Annotated[
            _Tokens,
            Meta(
                description="Tokens of one few-shot example (with few_shot_examples).",
                examples=[150],
            ),
        ]
        | None
    ) = None
    tool_schema_tokens: (
        Annotated[
            _Tokens,
            Meta(description="Tool and function schemas sent with every request (default 0)."),
        ]
        | None
    ) = None
    variable_input_tokens: Annotated[
        _Tokens,
        Meta(description="The user's message and other per-request input.", examples=[200]),
    ]
    output_tokens: Annotated[
        _Tokens, Meta(description="Output per request, reasoning included.", examples=[150])
    ]
    cache_hit_rate: (
        Annotated[
            HitRate,
            Meta(description="Share of requests whose static prefix is a cache hit (default 0)."),
        ]
        | None
    ) = None
    prompt_caching: PromptCaching | None = None


class PromptingEstimate(WorkloadEstimate, kw_only=True):
    """Monthly prompt-only spend with and without prompt caching."""

    requests_per_month: Annotated[Decimal, Meta(description="The monthly volume priced.")]
    static_prefix_tokens: Annotated[
        int, Meta(description="System + few-shot examples × tokens each + tool schemas.")
    ]
    prompt_tokens: Annotated[int, Meta(description="Static prefix + variable input per request.")]
    cache_mode: Annotated[
        Literal["automatic", "explicit", "off"], Meta(description="The caching priced.")
    ]
    cacheable_prefix_tokens: Annotated[
        int, Meta(description="Prefix tokens a cache hit covers (0 below the model's minimum).")
    ]
    monthly_without_caching_usd: Annotated[
        Decimal, Meta(description="The same month with no prompt caching, USD.")
    ]
    usd_per_request: Annotated[Decimal, Meta(description="Average cost of one request, USD.")]


def estimate_prompting(catalog: Catalog, request: PromptingRequest) -> PromptingEstimate:
    """Price a prompt-only workload with the model's prompt caching.

    Raises:
        NotFound: Unknown table version or model.
        InvalidInput: Bad volume, unoffered tier, caching asked of a model without it, or an
            unpriced token class.
    """
    context = PricingContext.open(catalog, request.pricing_version, request.at)
    volume = monthly_volume(
        context, request.requests_per_month, request.requests_per_day, "requests"
    )
    priced = pick_model(context, request.model, request.rates, request.service_tier)
    policy = prompt_cache(context, priced, request.prompt_caching)
    hit_rate = to_decimal(
        given_or_default(
            context, "cache_hit_rate", request.cache_hit_rate, 0, "no cache hits assumed"
        )
    )
    shape = PromptShape.of(request, context)

    def price_at(scale: Scale) -> list[LineItem]:
        return prompting_items(priced, shape, volume, hit_rate, policy, scale)

    fields = workload_fields(
        context,
        price_at,
        request.uncertainty,
        priced=priced,
        warnings=notices(
            _below_cache_minimum(shape.static_tokens, hit_rate, policy),
            _hit_rate_unused(request.cache_hit_rate, policy, priced),
        ),
        red_flags=notices(long_prompt_flag(shape.prompt_tokens)),
    )
    uncached = totals(prompting_items(priced, shape, volume, hit_rate, None, EXPECTED))[1]
    one_request = totals(prompting_items(priced, shape, Decimal(1), hit_rate, policy, EXPECTED))
    return PromptingEstimate(
        **fields,
        requests_per_month=volume,
        static_prefix_tokens=shape.static_tokens,
        prompt_tokens=shape.prompt_tokens,
        cache_mode=policy.mode if policy else "off",
        cacheable_prefix_tokens=int(cacheable_tokens(Decimal(shape.static_tokens), policy)),
        monthly_without_caching_usd=uncached,
        usd_per_request=one_request[1],
    )


def _hit_rate_unused(
    requested: float | None, policy: CachePolicy | None, priced: PricedModel
) -> Notice | None:
    """The warning when a hit rate was given but no cache is priced.

    Silent, a client who asked for 90% hits would read an uncached bill as the cached one (the
    compare route warns the same way).
    """
    if policy is not None or not requested:
        return None
    cache = priced.model.caching
    if cache is None and priced.inline:
        why = "the inline rates carry no caching rules"
    elif cache is None:
        why = f"model {priced.model.id!r} has no prompt cache in the table"
    elif cache.mode == "explicit":
        why = "the model's caching is opt-in: set prompt_caching to true to price it"
    else:
        why = "prompt_caching is false"
    return Notice(
        code="cache_hit_rate_unused",
        message=(
            f"cache_hit_rate {requested:g} prices nothing without prompt caching ({why}): every "
            "request is priced as uncached input"
        ),
    )


def _below_cache_minimum(
    static_tokens: int, hit_rate: Decimal, policy: CachePolicy | None
) -> Notice | None:
    """The warning when caching is priced but the prefix is too short for any of it to apply.

    Silent, the client would read a hit rate or an opt-in as applied while every token is
    billed as uncached input (the agent estimator warns the same way).
    """
    if policy is None or static_tokens == 0 or static_tokens >= policy.min_tokens:
        return None
    if policy.mode == "automatic" and hit_rate == 0:
        return None  # nothing was expected of the cache
    return Notice(
        code="prefix_below_cache_minimum",
        message=(
            f"the static prefix of {static_tokens} tokens is below the model's "
            f"{policy.min_tokens}-token cache minimum: nothing is cached, every request is "
            "priced as uncached input"
        ),
    )


class PromptShape(msgspec.Struct, frozen=True, kw_only=True):
    """Token counts of one request: static prefix, variable part and output."""

    static_tokens: int
    variable_tokens: int
    output_tokens: int

    @property
    def prompt_tokens(self) -> int:
        """The whole input of one request."""
        return self.static_tokens + self.variable_tokens

    @classmethod
    def of(cls, request: PromptingRequest, context: PricingContext) -> PromptShape:
        """The shape a request describes (defaults echoed in ``assumptions``).

        Raises:
            InvalidInput: Few-shot examples without their size, or a size without examples.
        """
        examples, size = request.few_shot_examples, request.tokens_per_example
        if (examples is None) != (size is None):
            missing = "tokens_per_example" if size is None else "few_shot_examples"
            raise InvalidInput(
                f"$.{missing}", "give few_shot_examples and tokens_per_example together"
            )
        if examples is None or size is None:
            context.assume("few_shot_examples", 0, "no few-shot examples")
            examples, size = 0, 0
        tools = given_or_default(
            context, "tool_schema_tokens", request.tool_schema_tokens, 0, "no tool schemas"
        )
        static = request.system_prompt_tokens + examples * size + tools
        return cls(
            static_tokens=static,
            variable_tokens=request.variable_input_tokens,
            output_tokens=request.output_tokens,
        )


def request_tokens(
    static: Decimal,
    variable: Decimal,
    output: Decimal,
    hit_rate: Decimal,
    policy: CachePolicy | None,
    *,
    bills_writes: bool,
) -> TokenBreakdown:
    """One average request by billing class.

    A hit reads the cacheable prefix (automatic: whole increments from the minimum; explicit:
    all of it); a miss writes it. With ``bills_writes`` the write is a ``cache_write`` token
    (explicit caching, or an automatic cache with a write price); otherwise it stays plain input.
    """
    cacheable = cacheable_tokens(static, policy)
    reads = hit_rate * cacheable
    writes = Decimal(0)
    if bills_writes and cacheable:
        writes = (1 - hit_rate) * cacheable
    return TokenBreakdown(
        input=static + variable - reads - writes,
        cache_read=reads,
        cache_write=writes,
        output=output,
    )


def prompting_items(
    priced: PricedModel,
    shape: PromptShape,
    volume: Decimal,
    hit_rate: Decimal,
    policy: CachePolicy | None,
    scale: Scale,
) -> list[LineItem]:
    """Monthly line items of a prompt-only workload at a scale."""
    static = scale.of(shape.static_tokens)
    variable = scale.of(shape.variable_tokens)
    tokens = request_tokens(
        static,
        variable,
        scale.of(shape.output_tokens),
        hit_rate,
        policy,
        bills_writes=priced.bills_cache_writes(policy),
    )
    return priced.price(
        tokens,
        input_tokens=static + variable,
        requests=volume * scale.volume,
        cache_path=CACHE_PATH if policy else None,
    )
