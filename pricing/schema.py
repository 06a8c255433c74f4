"""The shape of a table file, as written by people (before normalization).

Every Struct here forbids unknown fields so that a misspelt key stops the load instead of being
ignored. Rates are Decimals (the loader parses TOML numbers as Decimal) and carry their unit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

ServiceTier = Literal["standard", "batch", "flex", "priority"]
ModelKind = Literal["chat", "embedding"]
CacheMode = Literal["automatic", "explicit"]

TOKEN_CLASSES = (
    "input",
    "output",
    "cache_read",
    "cache_write",
    "cache_write_1h",
    "input_audio",
    "output_audio",
)

_Rate = Annotated[Decimal, Meta(description="Rate in the row's `unit`; 0 means free.")]
_Count = Annotated[int, Meta(ge=0)]


class _Spec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of every table-file Struct."""


class TokenRateFields(_Spec, kw_only=True):
    """Rates per token class; a class left out is not priced (using it is an error)."""

    input: Annotated[_Rate | None, Meta(description="Uncached text input.")] = None
    output: Annotated[_Rate | None, Meta(description="Output, reasoning included.")] = None
    cache_read: Annotated[_Rate | None, Meta(description="Prompt-cache reads.")] = None
    cache_write: Annotated[_Rate | None, Meta(description="5-minute cache writes.")] = None
    cache_write_1h: Annotated[_Rate | None, Meta(description="1-hour cache writes.")] = None
    input_audio: Annotated[_Rate | None, Meta(description="Audio input.")] = None
    output_audio: Annotated[_Rate | None, Meta(description="Audio output.")] = None


class TierSpec(TokenRateFields, kw_only=True):
    """A long-context tier: above a total-input threshold, listed classes take these rates."""

    above_input_tokens: Annotated[
        int,
        Meta(ge=0, description="Threshold on the request's total input, cache included."),
    ]
    inclusive: Annotated[
        bool, Meta(description="True: the tier starts AT the threshold; false: strictly above.")
    ] = False


class CachingSpec(_Spec, kw_only=True):
    """How a model's prompt cache works."""

    mode: Annotated[
        CacheMode,
        Meta(
            description=(
                "automatic: prefix cached by the provider, writes billed only at a listed "
                "cache_write rate; explicit: cached on request, writes at the write rate."
            )
        ),
    ]
    min_tokens: Annotated[int, Meta(ge=0, description="Smallest cacheable prefix.")] = 1024
    increment_tokens: Annotated[
        int, Meta(ge=1, description="Cache hits are counted in blocks of this many tokens.")
    ] = 1


class RateCardSpec(TokenRateFields, kw_only=True):
    """Rates that a request can bring inline instead of a table model id."""

    unit: Annotated[
        str, Meta(description="Unit of every rate in this card: usd_per_1m_tokens (default).")
    ] = "usd_per_1m_tokens"
    blended: Annotated[
        _Rate | None,
        Meta(description="One price for input and output alike (older fine-tuning tables)."),
    ] = None
    tiers: Annotated[
        list[TierSpec], Meta(description="Long-context tiers (cliff pricing).", max_length=16)
    ] = []
    caching: Annotated[CachingSpec | None, Meta(description="Prompt-cache rules.")] = None


class PriceRowSpec(RateCardSpec, kw_only=True):
    """One effective-dated row of a model's prices for one service tier."""

    service_tier: ServiceTier = "standard"
    effective_from: date | None = None
    effective_to: date | None = None


class RateSpec(_Spec, kw_only=True):
    """A single rate with its unit."""

    unit: str
    rate: Decimal


class TierMultiplierSpec(_Spec, kw_only=True):
    """A provider-wide service-tier multiplier from which rows are derived."""

    service_tier: ServiceTier
    multiplier: Decimal
    models: list[str] | None = None


class ProviderSpec(_Spec, kw_only=True):
    """A provider and its table-wide rules."""

    id: str
    name: str
    tier_multipliers: list[TierMultiplierSpec] = []


class ModelSpec(_Spec, kw_only=True):
    """A chat or embedding model."""

    id: str
    provider: str
    kind: ModelKind = "chat"
    name: str | None = None
    aliases: list[str] = []
    context_window: Annotated[int, Meta(gt=0)] | None = None
    training_context: Annotated[int, Meta(gt=0)] | None = None
    dimensions: Annotated[int, Meta(gt=0)] | None = None
    caching: CachingSpec | None = None
    source: str
    verified: date
    notes: str | None = None
    prices: list[PriceRowSpec]


class FineTuneSpec(_Spec, kw_only=True):
    """Fine-tuning of one base model at one provider: training, hosting, inference."""

    base: str
    provider: str
    aliases: list[str] = []
    training: RateSpec
    hosting: RateSpec | None = None
    training_context: Annotated[int, Meta(gt=0)] | None = None
    source: str
    verified: date
    notes: str | None = None
    prices: list[PriceRowSpec] = []


class RerankerSpec(_Spec, kw_only=True):
    """A reranker priced per search (one query over up to N documents)."""

    id: str
    provider: str
    aliases: list[str] = []
    price: RateSpec
    documents_per_search: Annotated[int, Meta(gt=0)] = 100
    source: str
    verified: date


class VectorStoreSpec(_Spec, kw_only=True):
    """A managed vector store plan."""

    id: str
    provider: str
    aliases: list[str] = []
    storage: RateSpec
    reads: RateSpec
    writes: RateSpec
    monthly_minimum: RateSpec
    min_read_units_per_query: Decimal = Decimal("0.25")
    source: str
    verified: date


class GpuOfferSpec(_Spec, kw_only=True):
    """One provider's hourly price for one GPU."""

    provider: str
    sku: str
    price: RateSpec
    as_of: date
    region: str | None = None
    default: bool = False
    source: str


class GpuSpec(_Spec, kw_only=True):
    """A GPU model with its dense BF16 compute and its hourly offers."""

    id: str
    name: str
    aliases: list[str] = []
    memory_gb: Decimal
    bandwidth_gb_per_s: Decimal
    dense_bf16_tflops: Decimal
    source: str
    verified: date
    offers: list[GpuOfferSpec]


class ArchitectureSpec(_Spec, kw_only=True):
    """A dense open-weight transformer's configuration, as published."""

    id: str
    name: str
    aliases: list[str] = []
    parameters: Annotated[int, Meta(gt=0)]
    layers: _Count
    hidden_size: _Count
    intermediate_size: _Count
    attention_heads: _Count
    kv_heads: _Count
    head_dim: _Count
    vocab_size: _Count
    tied_embeddings: bool
    qk_norm: bool = False
    context_length: _Count
    source: str


class TableInfoSpec(_Spec, kw_only=True):
    """The table's header."""

    version: str
    published: date
    source: str
    description: str
    reference: str | None = None


class TableSpec(_Spec, kw_only=True):
    """A whole table file."""

    table: TableInfoSpec
    providers: list[ProviderSpec] = []
    models: list[ModelSpec] = []
    fine_tunes: list[FineTuneSpec] = []
    rerankers: list[RerankerSpec] = []
    vector_stores: list[VectorStoreSpec] = []
    gpus: list[GpuSpec] = []
    architectures: list[ArchitectureSpec] = []


_InlineRate = Annotated[float, Meta(ge=0, description="Rate in the card's `unit`; 0 = free.")]


class InlineTier(_Spec, kw_only=True):
    """A long-context tier of an inline rate card."""

    above_input_tokens: Annotated[
        int, Meta(ge=0, description="Threshold on the request's total input, cache included.")
    ]
    inclusive: Annotated[
        bool, Meta(description="True: the tier starts AT the threshold; false: strictly above.")
    ] = False
    input: _InlineRate | None = None
    output: _InlineRate | None = None
    cache_read: _InlineRate | None = None
    cache_write: _InlineRate | None = None
    cache_write_1h: _InlineRate | None = None
    input_audio: _InlineRate | None = None
    output_audio: _InlineRate | None = None


class InlineRates(_Spec, kw_only=True):
    """Rates a request brings instead of a table model id (negotiated or private prices).

    The same fields as a table row; JSON numbers only. They are read as the decimal the client
    wrote (0.15 stays exactly 0.15).
    """

    unit: Annotated[
        str, Meta(description="Unit of every rate: usd_per_1m_tokens (default) or per 1k.")
    ] = "usd_per_1m_tokens"
    input: Annotated[_InlineRate | None, Meta(description="Uncached text input.")] = None
    output: Annotated[_InlineRate | None, Meta(description="Output, reasoning included.")] = None
    cache_read: Annotated[_InlineRate | None, Meta(description="Prompt-cache reads.")] = None
    cache_write: Annotated[_InlineRate | None, Meta(description="5-minute cache writes.")] = None
    cache_write_1h: Annotated[_InlineRate | None, Meta(description="1-hour cache writes.")] = None
    input_audio: Annotated[_InlineRate | None, Meta(description="Audio input.")] = None
    output_audio: Annotated[_InlineRate | None, Meta(description="Audio output.")] = None
    blended: Annotated[
        _InlineRate | None, Meta(description="One price for input and output alike.")
    ] = None
    tiers: Annotated[
        list[InlineTier], Meta(description="Long-context tiers (cliff pricing).", max_length=16)
    ] = []
    caching: Annotated[CachingSpec | None, Meta(description="Prompt-cache rules.")] = None

    def to_spec(self) -> RateCardSpec:
        """The same card with every rate as the exact Decimal the client wrote."""
        return RateCardSpec(
            unit=self.unit,
            blended=_exact(self.blended),
            tiers=[
                TierSpec(
                    above_input_tokens=tier.above_input_tokens,
                    inclusive=tier.inclusive,
                    **{name: _exact(getattr(tier, name)) for name in TOKEN_CLASSES},
                )
                for tier in self.tiers
            ],
            caching=self.caching,
            **{name: _exact(getattr(self, name)) for name in TOKEN_CLASSES},
        )


def _exact(rate: float | None) -> Decimal | None:
    # repr() of a float is the shortest decimal that reads back as it: what the client wrote.
    return None if rate is None else Decimal(repr(rate))
