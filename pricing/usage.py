"""Pricing one request's usage: the primitive every estimator stands on.

Convention: ``input_tokens`` is the request's total input and INCLUDES cache reads, cache writes
and audio input; ``output_tokens`` is the total output and INCLUDES reasoning and audio output.
Each token is priced once, in the most specific class it belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import Meta

from pricing.catalog import ModelMatch, PricingTable
from pricing.entries import ChatModel, ContextTier, RateCard
from pricing.errors import InvalidInput
from pricing.loader import cache_policy, inline_rate_card
from pricing.money import per_million, round_output, without_trailing_zeros
from pricing.results import LineItem, Recurrence
from pricing.schema import InlineRates, RateCardSpec

_MAX_TOKENS = 10**15
_Tokens = Annotated[int, Meta(ge=0, le=_MAX_TOKENS)]

CONVENTION = (
    "input_tokens is the total input and includes cache_read_tokens, cache_write_tokens, "
    "cache_write_1h_tokens and input_audio_tokens; output_tokens is the total output and "
    "includes reasoning_tokens and output_audio_tokens"
)


class Usage(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Token counts of one request. Totals include their parts."""

    input_tokens: Annotated[
        _Tokens, Meta(description="Total input, INCLUDING cache reads, cache writes and audio.")
    ] = 0
    output_tokens: Annotated[
        _Tokens, Meta(description="Total output, INCLUDING reasoning and audio output.")
    ] = 0
    cache_read_tokens: Annotated[
        _Tokens, Meta(description="Part of input_tokens read from the prompt cache.")
    ] = 0
    cache_write_tokens: Annotated[
        _Tokens, Meta(description="Part of input_tokens written to a 5-minute cache.")
    ] = 0
    cache_write_1h_tokens: Annotated[
        _Tokens, Meta(description="Part of input_tokens written to a 1-hour cache.")
    ] = 0
    input_audio_tokens: Annotated[
        _Tokens, Meta(description="Part of input_tokens that is audio.")
    ] = 0
    reasoning_tokens: Annotated[
        _Tokens, Meta(description="Part of output_tokens spent on reasoning (billed as output).")
    ] = 0
    output_audio_tokens: Annotated[
        _Tokens, Meta(description="Part of output_tokens that is audio.")
    ] = 0


class TokenBreakdown(msgspec.Struct, frozen=True, kw_only=True):
    """Tokens of one request by billing class (each token in exactly one class).

    Counts are integers for a single request and may be fractional Decimals when they are
    averages over many requests (a 90% cache hit rate reads 0.9 × the prefix per request).
    """

    input: int | Decimal = 0
    cache_read: int | Decimal = 0
    cache_write: int | Decimal = 0
    cache_write_1h: int | Decimal = 0
    input_audio: int | Decimal = 0
    output: int | Decimal = 0
    output_audio: int | Decimal = 0


class PricedUsage(msgspec.Struct, frozen=True, kw_only=True):
    """The price of a usage: total, items and the rows that priced it."""

    total_usd: Decimal
    line_items: list[LineItem]
    rate_card: RateCard
    context_tier: ContextTier | None


def breakdown(usage: Usage, path: str = "$.usage") -> TokenBreakdown:
    """Split a usage into billing classes, refusing parts larger than their totals.

    Raises:
        InvalidInput: A part exceeds its total.
    """
    input_parts = (
        usage.cache_read_tokens
        + usage.cache_write_tokens
        + usage.cache_write_1h_tokens
        + usage.input_audio_tokens
    )
    if input_parts > usage.input_tokens:
        raise InvalidInput(
            f"{path}.input_tokens",
            f"the input parts add up to {input_parts}, more than input_tokens "
            f"({usage.input_tokens}); {CONVENTION}",
        )
    output_parts = usage.reasoning_tokens + usage.output_audio_tokens
    if output_parts > usage.output_tokens:
        raise InvalidInput(
            f"{path}.output_tokens",
            f"reasoning_tokens + output_audio_tokens is {output_parts}, more than "
            f"output_tokens ({usage.output_tokens}); {CONVENTION}",
        )
    return TokenBreakdown(
        input=usage.input_tokens - input_parts,
        cache_read=usage.cache_read_tokens,
        cache_write=usage.cache_write_tokens,
        cache_write_1h=usage.cache_write_1h_tokens,
        input_audio=usage.input_audio_tokens,
        output=usage.output_tokens - usage.output_audio_tokens,
        output_audio=usage.output_audio_tokens,
    )


def inline_model(
    rates: RateCardSpec | InlineRates, service_tier: str, path: str = "$.rates"
) -> ChatModel:
    """A stand-in model for a request's inline rate card.

    Raises:
        InvalidInput: The card breaks a table rule (unit, magnitude, tiers).
    """
    if isinstance(rates, InlineRates):
        rates = rates.to_spec()
    card = inline_rate_card(rates, path, service_tier)
    return ChatModel(
        id="inline",
        provider="inline",
        kind="chat",
        name="inline rates",
        aliases=(),
        context_window=None,
        training_context=None,
        dimensions=None,
        caching=cache_policy(rates.caching),
        source="request",
        verified=None,
        rate_cards=(card,),
    )


def choose_model(
    table: PricingTable,
    model: str | None,
    rates: RateCardSpec | InlineRates | None,
    service_tier: str,
    *,
    model_path: str = "$.model",
    rates_path: str = "$.rates",
    kind: str | None = "chat",
) -> tuple[ChatModel, ModelMatch]:
    """The model a request prices with: a table id or inline rates, exactly one of them.

    Raises:
        InvalidInput: Both or neither were given, or the inline card is invalid.
        NotFound: The id does not resolve.
    """
    if model is not None and rates is not None:
        raise InvalidInput(rates_path, "give either a model id or inline rates, not both")
    if model is None and rates is None:
        raise InvalidInput(model_path, "give a model id from the table or inline rates")
    if rates is not None:
        chosen = inline_model(rates, service_tier, rates_path)
        return chosen, ModelMatch(
            id="inline", requested="inline", matched_by="inline", provider="inline"
        )
    return table.resolve_model(model, model_path, kind)  # type: ignore[arg-type]


def price_usage(
    model: ChatModel,
    usage: Usage,
    *,
    requests: int | Decimal = 1,
    service_tier: str = "standard",
    at: datetime | None = None,
    recurrence: Recurrence = "one_time",
    path: str = "$.usage",
    label: str = "",
) -> PricedUsage:
    """Price ``requests`` requests of one usage shape on one model.

    Args:
        model: The model (from the table or inline).
        usage: One request's token counts.
        requests: How many such requests (may be a fractional average volume).
        service_tier: standard, batch, flex or priority.
        at: When the requests run; picks the effective row (default: now).
        recurrence: The recurrence written on the line items.
        path: The JSON path of ``usage``, for errors.
        label: A prefix for line-item names (``generation_``), empty for plain usage.

    Returns:
        The total and one line item per billed token class.

    Raises:
        InvalidInput: A part exceeds its total, the tier is not offered, or a class the usage
            uses has no rate (never priced as zero).
    """
    return price_tokens(
        model,
        breakdown(usage, path),
        input_tokens=usage.input_tokens,
        requests=requests,
        service_tier=service_tier,
        at=at,
        recurrence=recurrence,
        path=path,
        field_names=_USAGE_FIELD,
        label=label,
    )


def price_tokens(
    model: ChatModel,
    tokens: TokenBreakdown,
    *,
    input_tokens: int | Decimal,
    requests: int | Decimal = 1,
    service_tier: str = "standard",
    at: datetime | None = None,
    recurrence: Recurrence = "one_time",
    path: str = "$.usage",
    field_names: Mapping[str, str] | None = None,
    label: str = "",
) -> PricedUsage:
    """Price ``requests`` requests of one per-request token breakdown on one model.

    The estimators use this directly when a request's tokens are fractional averages (cache
    hit rates, scaled token counts); :func:`price_usage` is this with a client's usage.

    Args:
        model: The model (from the table or inline).
        tokens: One request's tokens by billing class (may be fractional averages).
        input_tokens: One request's total input, cache included: it picks the context tier.
        requests: How many such requests (may be a fractional average volume).
        service_tier: standard, batch, flex or priority.
        at: When the requests run; picks the effective row (default: now).
        recurrence: The recurrence written on the line items.
        path: The JSON path that a missing rate is reported at.
        field_names: Billing class -> field name appended to ``path`` in that error; None
            reports ``path`` itself (a table model that lacks the rate).
        label: A prefix for line-item names (``generation_``), empty for plain usage.

    Returns:
        The total and one line item per billed token class.

    Raises:
        InvalidInput: The tier is not offered, or a class in use has no rate (never zero).
    """
    at = at or datetime.now(UTC)
    card = model.rate_card(service_tier, at)
    tier = card.tier_for(input_tokens)
    if tier is None and not card.tiers and service_tier != "standard":
        _refuse_unpublished_cliff(model, card, input_tokens, at, path, field_names)
    single = requests == 1
    volume = _ONE if single else Decimal(requests)

    items = []
    total = _ZERO
    # TokenBreakdown's fields are the billed classes, in order (asserted below the function).
    for class_name, count in zip(_BILLED_CLASSES, msgspec.structs.astuple(tokens)):  # noqa: B905
        if count == 0:
            continue
        # The common case (no long-context tier, class priced) without a call.
        rate = None if tier is not None else getattr(card.rates, class_name)
        if rate is None:
            where = f"{path}.{field_names[class_name]}" if field_names else path
            rate = _rate_for(card, tier, class_name, model.id, where)
        quantity = Decimal(count) if single else count * volume
        cost_usd = per_million(quantity, rate)
        total += cost_usd
        items.append(
            LineItem(
                name=label + class_name if label else class_name,
                quantity=quantity,
                unit="tokens",
                rate=rate,
                rate_unit="usd_per_1m_tokens",
                cost_usd=cost_usd,
                recurrence=recurrence,
            )
        )
    return PricedUsage(
        total_usd=without_trailing_zeros(total), line_items=items, rate_card=card, context_tier=tier
    )


_ZERO = Decimal(0)
_ONE = Decimal(1)

_BILLED_CLASSES = (
    "input",
    "cache_read",
    "cache_write",
    "cache_write_1h",
    "input_audio",
    "output",
    "output_audio",
)

assert TokenBreakdown.__struct_fields__ == _BILLED_CLASSES

_USAGE_FIELD = {
    "input": "input_tokens",
    "cache_read": "cache_read_tokens",
    "cache_write": "cache_write_tokens",
    "cache_write_1h": "cache_write_1h_tokens",
    "input_audio": "input_audio_tokens",
    "output": "output_tokens",
    "output_audio": "output_audio_tokens",
}

#: Billing class -> the field of :class:`Usage` that carries it (for error paths).
USAGE_FIELDS: Mapping[str, str] = _USAGE_FIELD


def class_rate(card: RateCard, tier: ContextTier | None, class_name: str) -> Decimal | None:
    """The rate of a billing class on a card: the context tier's if it sets one, else the card's.

    Returns:
        USD per 1M tokens, or None when the card does not price the class.
    """
    if tier is not None:
        tier_rate = getattr(tier.rates, class_name)
        if tier_rate is not None:
            return tier_rate
    return getattr(card.rates, class_name)


def _refuse_unpublished_cliff(
    model: ChatModel,
    card: RateCard,
    input_tokens: int | Decimal,
    at: datetime,
    path: str,
    field_names: Mapping[str, str] | None,
) -> None:
    # A tier row without the standard row's long-context tier has no published price above
    # the threshold; its base rate there would be a guess below the real bill.
    for cliff in model.cliff_tiers(card, at):
        if cliff.applies_to(input_tokens):
            above = "at or above" if cliff.inclusive else "above"
            # At the client's input count when there is one, else at the tier that lacks the rate.
            raise InvalidInput(
                f"{path}.{field_names['input']}" if field_names else "$.service_tier",
                f"model {model.id!r} has no long-context price at service tier "
                f"{card.service_tier!r}: its standard price changes {above} "
                f"{cliff.above_input_tokens:,} input tokens and the table publishes no "
                f"{card.service_tier} rate there, so {round_output(Decimal(input_tokens)):,} "
                "input tokens per request "
                "cannot be priced (never at the lower base rate); use the standard tier or a "
                "smaller prompt",
            )


def _rate_for(
    card: RateCard, tier: ContextTier | None, class_name: str, model_id: str, where: str
) -> Decimal:
    rate = class_rate(card, tier, class_name)
    if rate is None:
        raise InvalidInput(
            where,
            f"model {model_id!r} has no {class_name} price at service tier "
            f"{card.service_tier!r}; it cannot be priced (never as zero)",
        )
    return rate
