"""estimateUsageCost: one request's usage (times ``requests``) on one model."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from msgspec import Meta

from pricing.catalog import Catalog
from pricing.estimators.common import Estimate, ModelRequest, PricingContext
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
    model, match = choose_model(context.table, request.model, request.rates, request.service_tier)
    priced = price_usage(
        model,
        request.usage,
        requests=request.requests,
        service_tier=request.service_tier,
        at=context.at,
    )

    tier = priced.context_tier
    return UsageEstimate(
        pricing_version=context.table.version,
        model=match,
        line_items=priced.line_items,
        assumptions=context.assumptions,
        total_usd=priced.total_usd,
        service_tier=request.service_tier,
        context_tier_above_input_tokens=tier.above_input_tokens if tier else None,
        rates_effective_from=priced.rate_card.effective_from,
    )
