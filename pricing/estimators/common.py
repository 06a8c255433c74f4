"""Fields and steps that every estimator shares."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from pricing.catalog import Catalog, ModelMatch, PricingTable, names_latest
from pricing.results import Assumption, LineItem, Notice, assumption_text, total
from pricing.schema import InlineRates, ServiceTier

#: A month is 730 hours (365/12 days); volumes per day are multiplied by this.
DAYS_PER_MONTH = Decimal(365) / Decimal(12)
HOURS_PER_MONTH = Decimal(730)

# Lower bounds of the capacity inputs that divide a figure. Above zero is not enough: a share
# of 5e-324 makes GPU-hours about 1e315, which no client can read, and the refusal could then
# only point at the whole request. At these bounds every figure stays readable, so a request
# below one is refused at its own field.
#: Smallest efficiency, MFU, bandwidth share or target utilization: 1%.
MIN_EFFICIENCY = 0.01
#: Smallest serving arrival rate: about one request every 32 years.
MIN_REQUESTS_PER_SECOND = 1e-9
#: The same floor per day and per month (rounded up to a round figure).
MIN_REQUESTS_PER_DAY = 1e-4
MIN_REQUESTS_PER_MONTH = 3e-3
#: Smallest inline GPU memory bandwidth (GB/s) and dense BF16 TFLOP/s.
MIN_BANDWIDTH_GB_PER_S = 1.0
MIN_DENSE_TFLOPS = 0.01
MONTHS_PER_YEAR = 12

ModelId = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=200,
        description=(
            "A model id from the table: exact id, alias (dated snapshot), `provider/id`, or "
            "`ft:<base>[:org:name:id]` for a fine-tuned model."
        ),
        examples=["gpt-4o-mini"],
    ),
]
PricingVersion = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=40,
        description="Table version (publication date) or `latest` (default).",
        examples=["2026-12-01"],
    ),
]
At = Annotated[
    datetime,
    Meta(tz=True, description="RFC 3339 time that picks the effective price rows (default now)."),
]
Tier = Annotated[
    ServiceTier,
    Meta(description="standard (default), batch, flex or priority; priced only where offered."),
]
InlineRateCard = Annotated[
    InlineRates,
    Meta(description="An inline rate card (negotiated or private prices) instead of `model`."),
]


def to_decimal(value: float | int) -> Decimal:
    """A request number as a Decimal equal to what the client wrote (no binary noise)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


class PricingContext(msgspec.Struct, kw_only=True):
    """The table and time an estimate runs against, with the defaults it applied."""

    table: PricingTable
    at: datetime
    assumptions: list[Assumption]

    @classmethod
    def open(cls, catalog: Catalog, version: str | None, at: datetime | None) -> PricingContext:
        """Resolve ``latest`` and a missing ``at`` (both are echoed as assumptions).

        Raises:
            NotFound: The version does not exist.
        """
        table = catalog.get(version)
        assumptions = []
        if names_latest(version):
            assumptions.append(
                Assumption(name="pricing_version", value=table.version, note="latest table")
            )
        if at is None:
            at = datetime.now(UTC)
            assumptions.append(
                Assumption(name="at", value=at.isoformat(), note="now: picks the rows in force")
            )
        return cls(table=table, at=at, assumptions=assumptions)

    def assume(self, name: str, value: object, note: str | None = None) -> None:
        """Record a default that was applied."""
        self.assumptions.append(Assumption(name=name, value=assumption_text(value), note=note))


DEFAULT_SERVICE_TIER: ServiceTier = "standard"


def echo_default(
    context: PricingContext, name: str, value: object, default: object, note: str
) -> None:
    """Echo a field whose schema default stands in for "not sent" when it holds the default.

    Fields with a default value (rather than None) show their bounds and default in the OpenAPI
    document; a value equal to the default is taken as not sent and echoed.
    """
    if value == default:
        context.assume(name, default, note)


class EstimateRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Fields common to every estimate request."""

    pricing_version: PricingVersion | None = None
    at: At | None = None
    service_tier: Tier = DEFAULT_SERVICE_TIER


def assume_service_tier(
    context: PricingContext, service_tier: str, name: str = "service_tier"
) -> None:
    """Echo the default service tier when it priced an API model (a chosen tier is not echoed)."""
    if service_tier == DEFAULT_SERVICE_TIER:
        context.assume(name, service_tier, "the default tier: standard API rates")


def unused_service_tier(context: PricingContext, service_tier: str, what: str) -> Notice | None:
    """Say that the service tier prices nothing here: echoed when default, a warning when chosen.

    Args:
        context: Where the default is echoed.
        service_tier: The request's tier.
        what: What the estimate prices instead (``self-hosted GPU-hours``).
    """
    if service_tier == DEFAULT_SERVICE_TIER:
        context.assume("service_tier", service_tier, f"not used: {what} have no service tier")
        return None
    return Notice(
        code="service_tier_not_used",
        message=(
            f"service_tier {service_tier!r} applies to API prices; {what} have no service tier, "
            "so it changes nothing here"
        ),
    )


def batch_not_interactive(service_tier: str, what: str) -> Notice | None:
    """The warning when an interactive workload (RAG queries, agent steps) is priced at batch.

    The Batch API answers within a window of up to 24 hours, so it never serves interactive RAG
    or agents (spend-models §6); priced as asked, the figure halves with no word that it holds
    for offline jobs only.

    Args:
        service_tier: The tier the request asked for.
        what: What waits for the batch window, for the message.
    """
    if service_tier != "batch":
        return None
    return Notice(
        code="batch_tier_not_interactive",
        message=(
            f"priced at batch rates: the Batch API answers within up to 24 hours, so {what}; "
            "this holds for offline jobs only, interactive use pays the standard rates"
        ),
    )


class ModelRequest(EstimateRequest, kw_only=True, forbid_unknown_fields=True):
    """An estimate request that prices with one chat model: a table id or inline rates."""

    model: ModelId | None = None
    rates: InlineRateCard | None = None


class Estimate(msgspec.Struct, kw_only=True):
    """Fields common to every estimate response."""

    pricing_version: Annotated[str, Meta(description="The table version that priced this.")]
    currency: Annotated[Literal["USD"], Meta(description="Currency of every amount.")] = "USD"
    model: Annotated[
        ModelMatch | None, Meta(description="The resolved model, what was asked, how it matched.")
    ] = None
    line_items: Annotated[list[LineItem], Meta(description="Every priced quantity.")] = []
    assumptions: Annotated[
        list[Assumption], Meta(description="Every default and convention applied.")
    ] = []
    warnings: Annotated[list[Notice], Meta(description="Things to check.")] = []
    red_flags: Annotated[
        list[Notice], Meta(description="The article's red flags that the inputs raise.")
    ] = []


class Multiplier(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A low and a high multiplier around the expected value."""

    low: Annotated[float, Meta(gt=0, le=1000, description="Low multiplier (default 1).")] = 1.0
    high: Annotated[float, Meta(gt=0, le=1000, description="High multiplier (default 1).")] = 1.0


class Uncertainty(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Multipliers on volume and on tokens for a low / expected / high range."""

    volume: Annotated[Multiplier, Meta(description="Multipliers on request volume.")] = Multiplier()
    tokens: Annotated[Multiplier, Meta(description="Multipliers on tokens per request.")] = (
        Multiplier()
    )


class Range(msgspec.Struct, kw_only=True):
    """Monthly spend at the low, expected and high multipliers."""

    low: Annotated[Decimal, Meta(description="Both low multipliers applied, USD per month.")]
    expected: Annotated[Decimal, Meta(description="The expected monthly USD.")]
    high: Annotated[Decimal, Meta(description="Both high multipliers applied, USD per month.")]


class WorkloadEstimate(Estimate, kw_only=True):
    """Fields common to workload estimates (spend over time)."""

    one_time_usd: Annotated[Decimal, Meta(description="Up-front cost, USD.")] = Decimal(0)
    monthly_usd: Annotated[Decimal, Meta(description="Recurring cost per month, USD.")] = Decimal(0)
    first_year_usd: Annotated[Decimal, Meta(description="one_time + 12 × monthly, USD.")] = Decimal(
        0
    )
    range: Annotated[
        Range | None, Meta(description="Low / expected / high, when uncertainty was given.")
    ] = None


def totals(items: list[LineItem]) -> tuple[Decimal, Decimal, Decimal]:
    """One-time, monthly and first-year USD of a list of line items."""
    one_time = total(items, "one_time")
    monthly = total(items, "monthly")
    return one_time, monthly, one_time + MONTHS_PER_YEAR * monthly


PROMPT_RED_FLAG_TOKENS = 2000


def long_prompt_flag(prompt_tokens: int | Decimal) -> Notice | None:
    """The article's red flag for a prompt beyond 2,000 tokens (strictly above)."""
    if prompt_tokens > PROMPT_RED_FLAG_TOKENS:
        return Notice(
            code="prompt_beyond_2000_tokens",
            message=(
                f"one request's prompt is {prompt_tokens} tokens, beyond 2,000: consider "
                "retrieval, summarizing or fine-tuning instead of a longer prompt"
            ),
        )
    return None
