"""What the workload estimators share: volume, model choice, token pricing, ranges and flags.

A workload estimator resolves its inputs once, then prices them with a pure function of a
:class:`Scale`. The expected answer is that function at scale 1; the low / expected / high
``range`` re-runs it at the request's multipliers, so lines that do not follow volume or tokens
(a store's monthly minimum, corpus upkeep, hosting) never scale with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from math import lcm
from typing import Annotated, Any, TypeVar

import msgspec
from msgspec import Meta

from pricing.catalog import ModelMatch
from pricing.entries import CachePolicy, ChatModel, RateCard
from pricing.errors import InvalidInput
from pricing.estimators.common import (
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
    ModelRequest,
    PricingContext,
    Range,
    Uncertainty,
    assume_service_tier,
    to_decimal,
    totals,
)
from pricing.estimators.usage import inline_tier_notice
from pricing.money import plain_number
from pricing.results import LineItem, Notice, Recurrence, assumption_text
from pricing.schema import TOKEN_CLASSES, InlineRates
from pricing.usage import USAGE_FIELDS, TokenBreakdown, choose_model, class_rate, price_tokens

ONE = Decimal(1)
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600

#: Line-item rate units that are not per token, and how many units each rate is quoted for.
_UNITS_PER_RATE = {
    "usd_per_gb_month": 1,
    "usd_per_1m_read_units": 1_000_000,
    "usd_per_1m_write_units": 1_000_000,
    "usd_per_1k_searches": 1_000,
    "usd_per_usd": 1,
    "usd_per_hour": 1,
    "usd_per_gpu_hour": 1,
}

#: Billing class -> field of an inline rate card, for errors about a missing inline rate.
_RATE_FIELDS = {name: name for name in TOKEN_CLASSES}

_MAX_VOLUME = 1e12

T = TypeVar("T")


def volume_field(noun: str, period: str, example: float) -> Any:
    """The schema type of a ``<noun>_per_month`` or ``<noun>_per_day`` field."""
    other = "day" if period == "month" else "month"
    meaning = "per month (730 hours)" if period == "month" else "per day, multiplied by 365/12"
    return Annotated[
        float,
        Meta(
            ge=0,
            le=_MAX_VOLUME,
            description=(
                f"{noun.capitalize()} {meaning}; may be a fractional average. "
                f"Give this or {noun}_per_{other}, not both."
            ),
            examples=[example],
        ),
    ]


RequestsPerMonth = volume_field("requests", "month", 1_000_000)
RequestsPerDay = volume_field("requests", "day", 10_000)

HitRate = Annotated[float, Meta(ge=0, le=1, examples=[0.9])]

PromptCaching = Annotated[
    bool,
    Meta(
        description=(
            "Price the model's prompt cache as the table describes it. Default: on for models "
            "that cache automatically, off for opt-in (explicit) caching; false turns it off."
        )
    ),
]


UncertaintyField = Annotated[
    Uncertainty | None,
    Meta(
        description=(
            "Multipliers on volume and on tokens per request (each low at most 1, each "
            "high at least 1); the answer then carries `range`: low applies both low "
            "multipliers, high both high ones."
        )
    ),
]


class WorkloadRequest(ModelRequest, kw_only=True, forbid_unknown_fields=True):
    """A monthly workload on one chat model, with an optional low / high range."""

    uncertainty: UncertaintyField = None


class RequestVolume(WorkloadRequest, kw_only=True, forbid_unknown_fields=True):
    """A workload counted in requests per month or per day."""

    requests_per_month: RequestsPerMonth | None = None
    requests_per_day: RequestsPerDay | None = None


class Scale(msgspec.Struct, frozen=True, kw_only=True):
    """Multipliers an estimate is priced at: 1 and 1 for the expected answer."""

    volume: Decimal = ONE
    tokens: Decimal = ONE

    def of(self, tokens: int | Decimal) -> Decimal:
        """A per-request token count at this scale (fractional when scaled)."""
        return Decimal(tokens) * self.tokens


EXPECTED = Scale()


def monthly_volume(
    context: PricingContext,
    per_month: float | None,
    per_day: float | None,
    noun: str,
    parent: str = "$",
) -> Decimal:
    """The monthly volume from ``<noun>_per_month`` or ``<noun>_per_day`` (exactly one).

    Args:
        context: Where the month's length (and a per-day conversion) is echoed.
        per_month: The request's ``<noun>_per_month``.
        per_day: The request's ``<noun>_per_day``.
        noun: requests, queries, tasks ...
        parent: JSON path of the object holding the two fields, for errors.

    Raises:
        InvalidInput: Both or neither were given.
    """
    month_field, day_field = f"{noun}_per_month", f"{noun}_per_day"
    if per_month is not None and per_day is not None:
        raise InvalidInput(
            f"{parent}.{day_field}", f"give either {month_field} or {day_field}, not both"
        )
    if per_month is None and per_day is None:
        raise InvalidInput(f"{parent}.{month_field}", f"give {month_field} or {day_field}")

    context.assume("hours_per_month", HOURS_PER_MONTH, "a month is 730 hours (365/12 days)")
    if per_day is None:
        return to_decimal(per_month)  # type: ignore[arg-type]
    volume = to_decimal(per_day) * DAYS_PER_MONTH
    context.assume(month_field, volume, f"{day_field} × 365/12")
    return volume


def given_or_default(
    context: PricingContext, name: str, value: T | None, default: T, note: str
) -> T:
    """A request value, or its default, which is then echoed in ``assumptions``."""
    if value is not None:
        return value
    context.assume(name, default, note)
    return default


class PricedModel(msgspec.Struct, frozen=True, kw_only=True):
    """A token-priced model an estimate uses, and where a missing rate is reported."""

    model: ChatModel
    match: ModelMatch
    service_tier: str
    at: datetime
    card: RateCard
    inline: bool
    error_path: str
    error_fields: Mapping[str, str] | None

    def price(
        self,
        tokens: TokenBreakdown,
        *,
        input_tokens: Decimal,
        requests: Decimal,
        label: str = "",
        recurrence: Recurrence = "monthly",
        usage_path: str | None = None,
        cache_path: str | None = None,
    ) -> list[LineItem]:
        """Line items for ``requests`` requests of a per-request token breakdown.

        Args:
            tokens: One request's tokens by billing class (may be fractional averages).
            input_tokens: One request's total input, cache included (picks the context tier).
            requests: How many such requests.
            label: A prefix for the line-item names.
            recurrence: monthly (default) or one_time.
            usage_path: JSON path of the client's usage the classes come from: a table model
                that lacks a class's rate is reported at that usage field.
            cache_path: JSON path of the field that turned prompt caching on: a table model
                without a cache rate at this tier is reported there, with the way out.

        Raises:
            InvalidInput: A class in use has no rate (never priced as zero).
        """
        path, fields = self.error_path, self.error_fields
        if not self.inline and usage_path is not None:
            path, fields = usage_path, USAGE_FIELDS
        if not self.inline and cache_path is not None:
            self._check_cache_rates(tokens, input_tokens, cache_path)
        return price_tokens(
            self.model,
            tokens,
            input_tokens=input_tokens,
            requests=requests,
            service_tier=self.service_tier,
            at=self.at,
            recurrence=recurrence,
            path=path,
            field_names=fields,
            label=label,
        ).line_items

    def bills_cache_writes(self, policy: CachePolicy | None) -> bool:
        """Whether a cache write is billed as ``cache_write`` (else as plain input, or not at all).

        Explicit caching always bills its writes at the write rate. Automatic caching bills them
        there only when the card lists a write price (OpenAI's GPT-6 entries do, at 1.25× input);
        without one a written prefix costs what uncached input costs.
        """
        if policy is None:
            return False
        return policy.mode == "explicit" or self.card.rates.cache_write is not None

    def _check_cache_rates(self, tokens: TokenBreakdown, input_tokens: Decimal, path: str) -> None:
        tier = self.card.tier_for(input_tokens)
        for class_name in _CACHE_CLASSES:
            if getattr(tokens, class_name) and class_rate(self.card, tier, class_name) is None:
                raise InvalidInput(
                    path,
                    f"model {self.model.id!r} has no {class_name} price at service tier "
                    f"{self.service_tier!r}: set prompt_caching to false to price every input "
                    "token at the input rate, or pick another tier",
                )


_CACHE_CLASSES = ("cache_read", "cache_write", "cache_write_1h")


def pick_model(
    context: PricingContext,
    model_id: str | None,
    rates: InlineRates | None,
    service_tier: str,
    *,
    model_path: str = "$.model",
    rates_path: str = "$.rates",
    kind: str = "chat",
    tier_assumption: str | None = "service_tier",
) -> PricedModel:
    """The model a workload prices with: a table id or inline rates, exactly one.

    The rate card is looked up now, so an unoffered tier is refused even at zero volume. The
    default tier is echoed under ``tier_assumption`` (None: the caller echoes its own tier).

    Raises:
        InvalidInput: Both or neither given, bad inline rates, or the tier is not offered.
        NotFound: The id does not resolve to a model of ``kind``.
    """
    model, match = choose_model(
        context.table,
        model_id,
        rates,
        service_tier,
        model_path=model_path,
        rates_path=rates_path,
        kind=kind,
    )
    if tier_assumption is not None:
        assume_service_tier(context, service_tier, tier_assumption)
    inline = rates is not None
    return PricedModel(
        model=model,
        match=match,
        service_tier=service_tier,
        at=context.at,
        card=model.rate_card(service_tier, context.at),
        inline=inline,
        error_path=rates_path if inline else model_path,
        error_fields=_RATE_FIELDS if inline else None,
    )


#: The request field that turns prompt caching on or off.
CACHE_PATH = "$.prompt_caching"


def prompt_cache(
    context: PricingContext,
    priced: PricedModel,
    requested: bool | None,
    path: str = CACHE_PATH,
) -> CachePolicy | None:
    """The cache policy to price with, or None when caching is not priced.

    Raises:
        InvalidInput: Caching was asked for on a model whose entry has no prompt cache.
    """
    policy = priced.model.caching
    if requested is False:
        return None
    if policy is None:
        if requested:
            raise InvalidInput(
                path,
                f"model {priced.model.id!r} has no prompt cache in the table; set "
                "prompt_caching to false, or give inline rates with `caching`",
            )
        context.assume("prompt_caching", "off", "the model has no prompt cache in the table")
        return None
    if requested is None and policy.mode == "explicit":
        context.assume(
            "prompt_caching", "off", "opt-in (explicit) caching: set prompt_caching to price it"
        )
        return None
    if requested is None:
        context.assume("prompt_caching", "on", "the provider caches prefixes automatically")
    return policy


def cacheable_tokens(prefix: Decimal, policy: CachePolicy | None) -> Decimal:
    """Tokens of a prompt prefix that a cache hit covers (0 below the minimum or without a cache).

    Automatic caching counts the prefix from the minimum in whole increments (OpenAI: 1,024 +
    k × 128); explicit caching covers the whole prefix once it reaches the minimum (DESIGN §4.6).
    """
    if policy is None or prefix < policy.min_tokens:
        return Decimal(0)
    if policy.mode == "explicit":
        return prefix
    blocks = ((prefix - policy.min_tokens) / policy.increment_tokens).to_integral_value(
        rounding=ROUND_FLOOR
    )
    return policy.min_tokens + blocks * policy.increment_tokens


def cacheable_sum(
    first_prefix: Decimal, growth: Decimal, count: int, policy: CachePolicy
) -> Decimal:
    """Σ cacheable_tokens(first_prefix + k × growth) over k < count, in closed form.

    Every prefix must be at or above the policy's minimum (the agent estimator sums only the
    steps whose previous context reached it).
    """
    if count <= 0:
        return Decimal(0)
    if policy.mode == "explicit":
        return count * first_prefix + growth * Decimal(count * (count - 1)) / 2
    blocks = _floor_sum(count, first_prefix - policy.min_tokens, growth, policy.increment_tokens)
    return count * policy.min_tokens + blocks * policy.increment_tokens


def _floor_sum(count: int, offset: Decimal, step: Decimal, divisor: int) -> int:
    # Σ_{k<count} ⌊(offset + k·step) / divisor⌋ for offset, step ≥ 0: the Euclid-like reduction
    # of AtCoder Library's floor_sum, O(log) steps, on exact integers (fractions cleared).
    offset_q, step_q = Fraction(offset), Fraction(step)
    scale = lcm(offset_q.denominator, step_q.denominator)
    n, m = count, divisor * scale
    a, b = int(step_q * scale), int(offset_q * scale)
    total = 0
    while True:
        if a >= m:
            total += n * (n - 1) // 2 * (a // m)
            a %= m
        if b >= m:
            total += n * (b // m)
            b %= m
        largest = a * n + b
        if largest < m:
            return total
        n, b = largest // m, largest % m
        m, a = a, m


def priced_line(
    name: str,
    quantity: Decimal,
    unit: str,
    rate: Decimal,
    rate_unit: str,
    recurrence: Recurrence = "monthly",
) -> LineItem:
    """A line item priced at a rate that is not per token (storage, read units, searches)."""
    return LineItem(
        name=name,
        quantity=quantity,
        unit=unit,
        rate=rate,
        rate_unit=rate_unit,
        cost_usd=quantity * rate / _UNITS_PER_RATE[rate_unit],
        recurrence=recurrence,
    )


def scaled_breakdown(tokens: TokenBreakdown, factor: Decimal) -> TokenBreakdown:
    """Every class of a per-request breakdown multiplied by ``factor``."""
    if factor == ONE:
        return tokens
    fields = msgspec.structs.asdict(tokens)
    return TokenBreakdown(**{name: Decimal(count) * factor for name, count in fields.items()})


def notices(*found: Notice | None) -> list[Notice]:
    """The notices that were raised (None means a check passed)."""
    return [notice for notice in found if notice is not None]


def monthly_range(
    context: PricingContext,
    uncertainty: Uncertainty | None,
    monthly_at: Callable[[Scale], Decimal],
    expected: Decimal,
) -> Range | None:
    """Monthly USD at the request's low and high multipliers (None without ``uncertainty``).

    Args:
        context: Where the multipliers are echoed.
        uncertainty: The request's multipliers.
        monthly_at: The estimate's monthly USD at a scale (pure: called once per bound).
        expected: The monthly USD at scale 1.

    Raises:
        InvalidInput: A low multiplier above 1 or a high one below 1.
    """
    if uncertainty is None:
        return None

    volume, tokens = uncertainty.volume, uncertainty.tokens
    for name, multiplier in (("volume", volume), ("tokens", tokens)):
        if multiplier.low > 1 or multiplier.high < 1:
            # Name the bound that is wrong (the low one when both are), not the pair.
            bound = "low" if multiplier.low > 1 else "high"
            raise InvalidInput(
                f"$.uncertainty.{name}.{bound}",
                f"low must be at most 1 and high at least 1 (got {multiplier.low} and "
                f"{multiplier.high})",
            )

    low = Scale(volume=to_decimal(volume.low), tokens=to_decimal(tokens.low))
    high = Scale(volume=to_decimal(volume.high), tokens=to_decimal(tokens.high))
    context.assume(
        "range",
        f"low: volume × {assumption_text(low.volume)}, tokens × {assumption_text(low.tokens)}; "
        f"high: volume × {assumption_text(high.volume)}, tokens × {assumption_text(high.tokens)}",
        "each bound re-prices the workload; fixed lines do not scale",
    )
    return Range(
        low=_bound_at(monthly_at, low, "low"),
        expected=expected,
        high=_bound_at(monthly_at, high, "high"),
    )


def _bound_at(monthly_at: Callable[[Scale], Decimal], scale: Scale, bound: str) -> Decimal:
    # The expected shape priced, so a refusal at a bound is the multiplier's doing: report it
    # there, not at the request field that is fine as sent.
    try:
        return monthly_at(scale)
    except InvalidInput as error:
        if error.path.startswith("$.uncertainty."):
            raise
        name = "tokens" if scale.tokens != ONE else "volume"
        multiplier = scale.tokens if name == "tokens" else scale.volume
        raise InvalidInput(
            f"$.uncertainty.{name}.{bound}",
            f"at {name} × {assumption_text(multiplier)} the workload cannot be priced: "
            f"{error.reason}",
        ) from None


def range_notice(spread: Range | None) -> Notice | None:
    """The warning when a bound of the range lies on the wrong side of the expected month.

    Each bound re-prices the workload, so a threshold between it and the expected shape (a
    prefix that falls below the cache minimum at fewer tokens and loses its discount) can make
    "low" cost more than expected. The bound is kept as priced; a client must not read it as a
    floor without being told.
    """
    if spread is None:
        return None
    found = []
    if spread.low > spread.expected:
        found.append(f"low ({plain_number(spread.low)})")
    if spread.high < spread.expected:
        found.append(f"high ({plain_number(spread.high)})")
    if not found:
        return None
    return Notice(
        code="range_bound_crosses_expected",
        message=(
            f"the range's {' and '.join(found)} is on the other side of the expected month "
            f"({plain_number(spread.expected)}): at those multipliers a threshold is crossed "
            "(a prompt below the cache minimum loses its cache discount), so the cheapest "
            "month is not the low bound"
        ),
    )


def workload_fields(
    context: PricingContext,
    price_at: Callable[[Scale], list[LineItem]],
    uncertainty: Uncertainty | None,
    *,
    priced: PricedModel,
    warnings: Iterable[Notice] = (),
    red_flags: Iterable[Notice] = (),
) -> dict[str, Any]:
    """The fields every workload estimate shares, priced at the expected scale.

    Args:
        context: The table, time and assumptions of the estimate.
        price_at: The estimate's line items at a scale (pure).
        uncertainty: The request's multipliers, if any.
        priced: The chat model the workload runs on.
        warnings: Things to check (an inline card at a non-standard tier is added here).
        red_flags: The article's red flags the inputs raise.

    Returns:
        Keyword arguments for a :class:`~pricing.estimators.common.WorkloadEstimate` subclass.

    Raises:
        InvalidInput: A low multiplier above 1 or a high one below 1.
    """
    items = price_at(EXPECTED)
    one_time, monthly, first_year = totals(items)
    spread = monthly_range(context, uncertainty, lambda scale: totals(price_at(scale))[1], monthly)
    return {
        "pricing_version": context.table.version,
        "model": priced.match,
        "line_items": items,
        "assumptions": context.assumptions,
        "warnings": notices(
            inline_tier_notice(priced.inline, priced.service_tier), *warnings, range_notice(spread)
        ),
        "red_flags": list(red_flags),
        "one_time_usd": one_time,
        "monthly_usd": monthly,
        "first_year_usd": first_year,
        "range": spread,
    }
