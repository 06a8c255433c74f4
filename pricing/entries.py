"""Normalized, immutable table entries: what the estimators read.

Every rate here is in its canonical unit (token rates in USD per 1M tokens), every effective
window is explicit, and derived service-tier rows are materialized, so no estimator converts a
unit or applies a multiplier on its own.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import msgspec

from pricing.errors import InvalidInput
from pricing.money import plain_decimal
from pricing.schema import TOKEN_CLASSES, CacheMode, ServiceTier


class TokenRates(msgspec.Struct, frozen=True, kw_only=True):
    """Rates per token class in USD per 1M tokens; None means not priced."""

    input: Decimal | None = None
    output: Decimal | None = None
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    cache_write_1h: Decimal | None = None
    input_audio: Decimal | None = None
    output_audio: Decimal | None = None

    def scaled(self, multiplier: Decimal) -> TokenRates:
        """Every priced class multiplied by ``multiplier``."""
        values = {name: getattr(self, name) for name in TOKEN_CLASSES}
        return TokenRates(
            **{
                name: None if rate is None else plain_decimal(rate * multiplier)
                for name, rate in values.items()
            }
        )


class ContextTier(msgspec.Struct, frozen=True, kw_only=True):
    """Cliff pricing above a total-input threshold for the classes it lists."""

    above_input_tokens: int
    inclusive: bool
    rates: TokenRates

    def applies_to(self, total_input_tokens: int | Decimal) -> bool:
        """Whether a request with this total input is billed at this tier."""
        if self.inclusive:
            return total_input_tokens >= self.above_input_tokens
        return total_input_tokens > self.above_input_tokens


class CachePolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How a model's prompt cache bills."""

    mode: CacheMode
    min_tokens: int
    increment_tokens: int


class RateCard(msgspec.Struct, frozen=True, kw_only=True):
    """A model's rates for one service tier over one effective window."""

    service_tier: ServiceTier
    effective_from: datetime | None
    effective_to: datetime | None
    rates: TokenRates
    tiers: tuple[ContextTier, ...] = ()
    derived_from: str | None = None

    def covers(self, at: datetime) -> bool:
        """Whether this card is in force at ``at``."""
        if self.effective_from is not None and at < self.effective_from:
            return False
        return self.effective_to is None or at < self.effective_to

    def tier_for(self, total_input_tokens: int | Decimal) -> ContextTier | None:
        """The highest tier whose threshold the request passes, if any."""
        chosen = None
        for tier in self.tiers:
            if tier.applies_to(total_input_tokens):
                chosen = tier
        return chosen


class ChatModel(msgspec.Struct, frozen=True, kw_only=True):
    """A model priced per token: chat, embedding, or a fine-tuned chat model."""

    id: str
    provider: str
    kind: str
    name: str
    aliases: tuple[str, ...]
    context_window: int | None
    training_context: int | None
    dimensions: int | None
    caching: CachePolicy | None
    source: str
    verified: date | None
    rate_cards: tuple[RateCard, ...]

    def service_tiers(self) -> list[str]:
        """The service tiers this model has rows for."""
        return sorted({card.service_tier for card in self.rate_cards})

    def rate_card(self, service_tier: str, at: datetime, path: str = "$.model") -> RateCard:
        """The card in force for a service tier at a time.

        Raises:
            InvalidInput: The model has no row for that tier, or none in force at ``at``.
        """
        offered = False
        for card in self.rate_cards:
            if card.service_tier == service_tier:
                if card.covers(at):
                    return card
                offered = True
        if not offered:
            raise InvalidInput(
                "$.service_tier",
                f"model {self.id!r} is not offered at service tier {service_tier!r}; "
                f"offered: {', '.join(self.service_tiers())}",
            )
        raise InvalidInput(
            "$.at", f"model {self.id!r} has no {service_tier} price in force at {at.isoformat()}"
        )

    def cliff_tiers(self, card: RateCard, at: datetime) -> tuple[ContextTier, ...]:
        """The long-context tiers that split a card's requests: its own, or its standard row's.

        A tier row written without tiers (gpt-5.5's priority row: no priority long-context rate
        is published) still faces the standard row's cliff; those thresholds are returned so
        that a request above them is refused rather than billed at the lower base rate.
        """
        if card.tiers or card.service_tier == "standard":
            return card.tiers
        for standard in self.rate_cards:
            if standard.service_tier == "standard" and standard.covers(at):
                return standard.tiers
        return ()


class FineTune(msgspec.Struct, frozen=True, kw_only=True):
    """Fine-tuning of one base model at one provider."""

    base: str
    provider: str
    aliases: tuple[str, ...]
    training_rate: Decimal
    training_unit: str
    hosting_usd_per_hour: Decimal | None
    training_context: int | None
    source: str
    verified: date
    model: ChatModel | None


class Reranker(msgspec.Struct, frozen=True, kw_only=True):
    """A reranker priced per 1k searches."""

    id: str
    provider: str
    aliases: tuple[str, ...]
    usd_per_1k_searches: Decimal
    documents_per_search: int
    source: str
    verified: date


class VectorStore(msgspec.Struct, frozen=True, kw_only=True):
    """A managed vector store plan."""

    id: str
    provider: str
    aliases: tuple[str, ...]
    storage_usd_per_gb_month: Decimal
    read_usd_per_1m_units: Decimal
    write_usd_per_1m_units: Decimal
    monthly_minimum_usd: Decimal
    min_read_units_per_query: Decimal
    source: str
    verified: date


class GpuOffer(msgspec.Struct, frozen=True, kw_only=True):
    """One provider's price for one GPU-hour."""

    provider: str
    sku: str
    usd_per_hour: Decimal
    as_of: date
    region: str | None
    default: bool
    source: str


class Gpu(msgspec.Struct, frozen=True, kw_only=True):
    """A GPU type: memory (decimal GB), bandwidth, dense BF16 compute and offers."""

    id: str
    name: str
    aliases: tuple[str, ...]
    memory_gb: Decimal
    bandwidth_gb_per_s: Decimal
    dense_bf16_tflops: Decimal
    source: str
    verified: date
    offers: tuple[GpuOffer, ...]

    @property
    def default_offer(self) -> GpuOffer:
        """The offer used when a request names no provider."""
        return next(offer for offer in self.offers if offer.default)


class Architecture(msgspec.Struct, frozen=True, kw_only=True):
    """A dense transformer's configuration with its checked parameter count."""

    id: str
    name: str
    aliases: tuple[str, ...]
    parameters: int
    layers: int
    hidden_size: int
    intermediate_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    vocab_size: int
    tied_embeddings: bool
    qk_norm: bool
    context_length: int
    source: str


def count_parameters(arch: Architecture) -> int:
    """Parameters of a dense Llama-style decoder (SwiGLU MLP, RMSNorm, no biases).

    Args:
        arch: The configuration; ``parameters`` is ignored.

    Returns:
        Embeddings (+ an untied LM head) + per layer attention, MLP and norms + final norm.
    """
    hidden = arch.hidden_size
    embeddings = arch.vocab_size * hidden * (1 if arch.tied_embeddings else 2)
    attention = hidden * arch.head_dim * (2 * arch.attention_heads + 2 * arch.kv_heads)
    mlp = 3 * hidden * arch.intermediate_size
    norms = 2 * hidden + (2 * arch.head_dim if arch.qk_norm else 0)
    return embeddings + arch.layers * (attention + mlp + norms) + hidden
