"""estimateInference: monthly API inference spend of one request shape, and its peak capacity."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import Meta

from pricing.catalog import Catalog
from pricing.estimators.common import PricingContext, WorkloadEstimate, to_decimal
from pricing.estimators.usage import cache_below_minimum_notice
from pricing.estimators.workload import (
    SECONDS_PER_MONTH,
    PricedModel,
    RequestVolume,
    Scale,
    given_or_default,
    monthly_volume,
    notices,
    pick_model,
    scaled_breakdown,
    workload_fields,
)
from pricing.results import LineItem, Notice
from pricing.usage import CONVENTION, Usage, breakdown

DEFAULT_PEAK_TO_AVERAGE = 3
_SECONDS_PER_MINUTE = 60


class InferenceRequest(RequestVolume, kw_only=True, forbid_unknown_fields=True):
    """A monthly volume of requests that share one usage shape."""

    usage: Annotated[
        Usage,
        Meta(
            description=f"One request's tokens (the average request). {CONVENTION}.",
            examples=[{"input_tokens": 1200, "output_tokens": 300}],
        ),
    ]
    peak_to_average: (
        Annotated[
            float,
            Meta(
                ge=1,
                le=1000,
                description="Peak request rate ÷ the month's average rate (default 3).",
                examples=[3],
            ),
        ]
        | None
    ) = None
    rate_limit_rpm: (
        Annotated[
            int,
            Meta(ge=1, description="Your requests-per-minute limit; a warning if peak exceeds it."),
        ]
        | None
    ) = None
    rate_limit_tpm: (
        Annotated[
            int,
            Meta(
                ge=1,
                description=(
                    "Your tokens-per-minute limit (input + output); a warning if peak exceeds it."
                ),
            ),
        ]
        | None
    ) = None


class InferenceCapacity(msgspec.Struct, kw_only=True):
    """Request and token rates the workload needs from the provider."""

    average_requests_per_second: Annotated[
        Decimal, Meta(description="Monthly requests ÷ the seconds of a 730-hour month.")
    ]
    peak_to_average: Annotated[Decimal, Meta(description="The peak-to-average ratio used.")]
    peak_requests_per_second: Annotated[
        Decimal, Meta(description="average_requests_per_second × peak_to_average.")
    ]
    peak_requests_per_minute: Annotated[Decimal, Meta(description="Peak requests per minute.")]
    peak_input_tokens_per_minute: Annotated[
        Decimal, Meta(description="Peak requests per minute × input tokens per request.")
    ]
    peak_output_tokens_per_minute: Annotated[
        Decimal, Meta(description="Peak requests per minute × output tokens per request.")
    ]
    peak_tokens_per_minute: Annotated[
        Decimal, Meta(description="Input + output tokens per minute at peak.")
    ]


class InferenceEstimate(WorkloadEstimate, kw_only=True):
    """Monthly inference spend and the capacity it needs."""

    requests_per_month: Annotated[Decimal, Meta(description="The monthly volume priced.")]
    usd_per_request: Annotated[Decimal, Meta(description="Cost of one request, USD.")]
    capacity: Annotated[InferenceCapacity, Meta(description="Average and peak rates.")]


def estimate_inference(catalog: Catalog, request: InferenceRequest) -> InferenceEstimate:
    """Price a monthly volume of one request shape and size its peak rates.

    Raises:
        NotFound: Unknown table version or model.
        InvalidInput: Bad volume, inconsistent usage, unoffered tier or an unpriced class.
    """
    context = PricingContext.open(catalog, request.pricing_version, request.at)
    volume = monthly_volume(
        context, request.requests_per_month, request.requests_per_day, "requests"
    )
    priced = pick_model(context, request.model, request.rates, request.service_tier)
    breakdown(request.usage)  # refuse inconsistent parts before anything is priced
    peak_ratio = given_or_default(
        context,
        "peak_to_average",
        request.peak_to_average,
        DEFAULT_PEAK_TO_AVERAGE,
        "peak request rate ÷ monthly average",
    )

    capacity = inference_capacity(volume, request.usage, to_decimal(peak_ratio))
    fields = workload_fields(
        context,
        lambda scale: inference_items(priced, request.usage, volume, scale),
        request.uncertainty,
        priced=priced,
        warnings=[
            *notices(cache_below_minimum_notice(priced.model, request.usage)),
            *rate_limit_warnings(capacity, request.rate_limit_rpm, request.rate_limit_tpm),
        ],
    )
    one_request = inference_items(priced, request.usage, Decimal(1), Scale())
    return InferenceEstimate(
        **fields,
        requests_per_month=volume,
        usd_per_request=sum((item.cost_usd for item in one_request), Decimal(0)),
        capacity=capacity,
    )


def inference_items(
    priced: PricedModel, usage: Usage, volume: Decimal, scale: Scale
) -> list[LineItem]:
    """Monthly line items of ``volume`` requests of ``usage``, at a scale."""
    tokens = scaled_breakdown(breakdown(usage), scale.tokens)
    return priced.price(
        tokens, input_tokens=scale.of(usage.input_tokens), requests=volume * scale.volume
    )


def inference_capacity(
    volume: Decimal, usage: Usage, peak_to_average: Decimal
) -> InferenceCapacity:
    """Average and peak request and token rates over a 730-hour month."""
    average = volume / SECONDS_PER_MONTH
    peak = average * peak_to_average
    per_minute = peak * _SECONDS_PER_MINUTE
    input_tpm = per_minute * usage.input_tokens
    output_tpm = per_minute * usage.output_tokens
    return InferenceCapacity(
        average_requests_per_second=average,
        peak_to_average=peak_to_average,
        peak_requests_per_second=peak,
        peak_requests_per_minute=per_minute,
        peak_input_tokens_per_minute=input_tpm,
        peak_output_tokens_per_minute=output_tpm,
        peak_tokens_per_minute=input_tpm + output_tpm,
    )


def rate_limit_warnings(
    capacity: InferenceCapacity, limit_rpm: int | None, limit_tpm: int | None
) -> list[Notice]:
    """A warning for each given rate limit that the peak exceeds."""
    checks = (
        ("rpm", "requests", limit_rpm, capacity.peak_requests_per_minute),
        ("tpm", "tokens", limit_tpm, capacity.peak_tokens_per_minute),
    )
    return [
        Notice(
            code=f"rate_limit_{code}_exceeded",
            message=(
                f"peak is {peak:.2f} {what} per minute, above the limit of {limit}: raise the "
                "limit, smooth the peak or batch"
            ),
        )
        for code, what, limit, peak in checks
        if limit is not None and peak > limit
    ]
