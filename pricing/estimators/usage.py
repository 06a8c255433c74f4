"""estimateUsageCost: one request's usage (times ``requests``) on one model."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from msgspec import Meta

from pricing.catalog import Catalog
from pricing.entries import ChatModel
from pricing.estimators.common import Estimate, ModelRequest, PricingContext
from pricing.results import Notice
from pricing.usage import CONVENTION, Usage, choose_model, price_usage


class UsageRequest(ModelRequest, kw_only=True, forbid_unknown_fields=True):
    """Price one request's usage, times ``requests``."""

    usage: Annotated[Usage, Meta(description=f"One request's tokens. {CONVENTION}.")]
    requests: Annotated[
        int, Meta(ge=1, le=10**12, description="How many such requests (default 1).")
    ] = 1


class UsageEstimate(Estimate, kw_only=True):
    """The price of a usage."""

    total_usd: Annotated[Decimal, Meta(description="Total for all requests, USD.")]
    service_tier: Annotated[str, Meta(description="The service tier priced.")]
    context_tier_above_input_tokens: Annotated[
        int | None,
        Meta(description="Threshold of the long-context tier that applied, if one did."),
    ] = None
    rates_effective_from: Annotated[
        datetime | None, Meta(description="Start of the price row used (None: since listed).")
    ] = None


def estimate_usage(catalog: Catalog, request: UsageRequest) -> UsageEstimate:
    """Price a usage under the requested table, time and service tier.

    Raises:
        NotFound: Unknown table version or model.
        InvalidInput: Inconsistent usage, unoffered tier, or an unpriced class.
    """
    context = PricingContext.open(catalog, request.pricing_version, request.at)
    # Any per-token model prices a usage: chat, embedding or fine-tuned.
    model, match = choose_model(
        context.table, request.model, request.rates, request.service_tier, kind=None
    )
    priced = price_usage(
        model,
        request.usage,
        requests=request.requests,
        service_tier=request.service_tier,
        at=context.at,
    )

    tier = priced.context_tier
    return UsageEstimate(
        warnings=usage_warnings(model, request),
        pricing_version=context.table.version,
        model=match,
        line_items=priced.line_items,
        assumptions=context.assumptions,
        total_usd=priced.total_usd,
        service_tier=request.service_tier,
        context_tier_above_input_tokens=tier.above_input_tokens if tier else None,
        rates_effective_from=priced.rate_card.effective_from,
    )


def usage_warnings(model: ChatModel, request: UsageRequest) -> list[Notice]:
    """Things in a usage that the model's rules say cannot happen as stated."""
    found = (
        inline_tier_notice(request.rates is not None, request.service_tier),
        cache_below_minimum_notice(model, request.usage),
    )
    return [notice for notice in found if notice is not None]


def inline_tier_notice(inline: bool, service_tier: str) -> Notice | None:
    """Inline rates are used as given at a non-standard tier: say so."""
    if not inline or service_tier == "standard":
        return None
    return Notice(
        code="inline_rates_used_as_given",
        message=f"inline rates are applied as given for service tier "
        f"{service_tier!r}; no tier discount or premium is added",
    )


def cache_below_minimum_notice(model: ChatModel, usage: Usage) -> Notice | None:
    """A usage reports cached tokens on a prompt shorter than the model's cache minimum."""
    caching = model.caching
    cached = usage.cache_read_tokens + usage.cache_write_tokens
    if caching is None or not cached or usage.input_tokens >= caching.min_tokens:
        return None
    return Notice(
        code="cache_below_minimum_prefix",
        message=f"the usage reports cached tokens, but {model.id!r} caches only prompts "
        f"of at least {caching.min_tokens} tokens and this input is "
        f"{usage.input_tokens}",
    )
