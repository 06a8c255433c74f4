"""Request and response parts shared by the self-hosted estimators: architectures and GPUs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import Meta

from pricing.capacity import BYTES_PER_GB, MemorySize, memory_size
from pricing.entries import Architecture, Gpu, GpuOffer, count_parameters
from pricing.errors import InvalidInput, NotFound
from pricing.estimators.common import (
    MIN_BANDWIDTH_GB_PER_S,
    MIN_DENSE_TFLOPS,
    PricingContext,
    to_decimal,
)

_Width = Annotated[int, Meta(ge=1, le=1_000_000)]
_Heads = Annotated[int, Meta(ge=1, le=10_000)]


class InlineArchitecture(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A dense Llama-style decoder given field by field (as in its config.json)."""

    layers: Annotated[int, Meta(ge=1, le=1_000, description="Decoder layers (num_hidden_layers).")]
    hidden_size: Annotated[_Width, Meta(description="Model width h (hidden_size).")]
    intermediate_size: Annotated[
        int, Meta(ge=1, le=10_000_000, description="SwiGLU MLP width (intermediate_size).")
    ]
    attention_heads: Annotated[_Heads, Meta(description="Query heads (num_attention_heads).")]
    kv_heads: Annotated[
        _Heads, Meta(description="Key/value heads (num_key_value_heads); fewer than heads = GQA.")
    ]
    head_dim: (
        Annotated[
            int,
            Meta(
                ge=1,
                le=10_000,
                description="Width of one head; default hidden_size / attention_heads.",
            ),
        ]
        | None
    ) = None
    vocab_size: Annotated[int, Meta(ge=1, le=100_000_000, description="Vocabulary size.")]
    tied_embeddings: Annotated[
        bool, Meta(description="True when the LM head shares the embedding matrix.")
    ]
    qk_norm: Annotated[bool, Meta(description="Per-head RMSNorm on queries and keys.")] = False
    context_length: (
        Annotated[
            int,
            Meta(
                ge=1,
                le=100_000_000,
                description=(
                    "Longest context (max_position_embeddings); without it, sequences are not "
                    "checked against the model's context."
                ),
            ),
        ]
        | None
    ) = None


class InlineGpu(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A GPU given by its figures (private hardware, negotiated price)."""

    name: Annotated[str, Meta(min_length=1, max_length=200, description="A label.")] = "inline"
    memory_gb: Annotated[
        float, Meta(gt=0, le=100_000, description="Memory in decimal GB (1e9 bytes).")
    ]
    bandwidth_gb_per_s: Annotated[
        float,
        Meta(
            ge=MIN_BANDWIDTH_GB_PER_S,
            le=1_000_000,
            description="Memory bandwidth in GB/s (1e9 bytes).",
        ),
    ]
    dense_bf16_tflops: Annotated[
        float,
        Meta(
            ge=MIN_DENSE_TFLOPS,
            le=1_000_000,
            description="Dense (not 2:4-sparse) BF16 TFLOP/s.",
        ),
    ]
    usd_per_hour: Annotated[float, Meta(ge=0, le=10_000, description="Price of one GPU-hour, USD.")]


ArchitectureField = Annotated[
    str | InlineArchitecture,
    Meta(
        description=(
            "An architecture id from the table (`llama-3.1-8b`, aliases such as the Hugging Face "
            "repo id), or an inline configuration. Parameters are counted from it."
        ),
        examples=["llama-3.1-8b"],
    ),
]
GpuField = Annotated[
    str | InlineGpu,
    Meta(description="A GPU id from the table (`h100-sxm`) or an inline GPU.", examples=["h100"]),
]
# The bounds sit on the inner type, beside the description, so that they reach the OpenAPI
# document (Litestar reads a field's constraints only from ``Annotated[T, Meta(...)] | None``).
GpuProvider = (
    Annotated[
        str,
        Meta(
            min_length=1,
            max_length=100,
            description=(
                "Which offer of the table GPU prices it (default: the offer marked default)."
            ),
            examples=["lambda"],
        ),
    ]
    | None
)
GpuSku = (
    Annotated[
        str,
        Meta(
            min_length=1,
            max_length=200,
            description=("The offer's SKU, when the provider has more than one offer for the GPU."),
        ),
    ]
    | None
)
UsdPerGpuHour = (
    Annotated[
        float,
        Meta(
            ge=0,
            le=10_000,
            description="A negotiated price per GPU-hour, USD, instead of offers.",
        ),
    ]
    | None
)


class SelectedGpu(msgspec.Struct, kw_only=True):
    """The GPU an estimate ran on and the price it used."""

    id: Annotated[str, Meta(description="Table id (`inline` for an inline GPU).")]
    name: Annotated[str, Meta(description="Product name.")]
    memory: Annotated[MemorySize, Meta(description="Memory of one GPU.")]
    bandwidth_gb_per_s: Annotated[Decimal, Meta(description="Memory bandwidth, GB/s (1e9).")]
    dense_bf16_tflops: Annotated[Decimal, Meta(description="Dense BF16 peak, TFLOP/s.")]
    usd_per_hour: Annotated[Decimal, Meta(description="Price of one GPU-hour, USD.")]
    price_source: Annotated[
        str, Meta(description="Where the price comes from: provider and SKU, or the request.")
    ]
    price_as_of: Annotated[date | None, Meta(description="Date of the offer, if from the table.")]


def gpus(count: int) -> str:
    """A GPU count in words: ``1 GPU``, ``8 GPUs``."""
    return f"{count} GPU" if count == 1 else f"{count} GPUs"


def architecture_from(
    context: PricingContext, requested: str | InlineArchitecture, path: str = "$.architecture"
) -> Architecture:
    """The architecture a request names, from the table or inline (defaults echoed).

    Raises:
        NotFound: The id is unknown (with the closest ids).
        InvalidInput: An inline configuration is inconsistent.
    """
    if isinstance(requested, str):
        return context.table.resolve_architecture(requested, path)
    arch = inline_architecture(requested, path)
    if requested.head_dim is None:
        context.assume("architecture.head_dim", arch.head_dim, "hidden_size / attention_heads")
    if not requested.qk_norm:
        context.assume("architecture.qk_norm", "false", "no per-head query/key norms counted")
    if requested.context_length is None:
        context.assume(
            "architecture.context_length", "not given", "sequences are not checked against it"
        )
    return arch


def inline_architecture(spec: InlineArchitecture, path: str = "$.architecture") -> Architecture:
    """An inline configuration as a table entry, with its parameters counted.

    Raises:
        InvalidInput: KV heads do not divide the heads, or head_dim is needed and missing.
    """
    if spec.kv_heads > spec.attention_heads or spec.attention_heads % spec.kv_heads:
        raise InvalidInput(
            f"{path}.kv_heads",
            f"{spec.kv_heads} KV heads do not divide {spec.attention_heads} attention heads",
        )
    head_dim = spec.head_dim
    if head_dim is None:
        if spec.hidden_size % spec.attention_heads:
            raise InvalidInput(
                f"{path}.head_dim",
                "hidden_size is not a multiple of attention_heads: give head_dim explicitly",
            )
        head_dim = spec.hidden_size // spec.attention_heads
    arch = Architecture(
        id="inline",
        name="inline architecture",
        aliases=(),
        parameters=0,
        layers=spec.layers,
        hidden_size=spec.hidden_size,
        intermediate_size=spec.intermediate_size,
        attention_heads=spec.attention_heads,
        kv_heads=spec.kv_heads,
        head_dim=head_dim,
        vocab_size=spec.vocab_size,
        tied_embeddings=spec.tied_embeddings,
        qk_norm=spec.qk_norm,
        # 0: not given; only used to warn about sequences longer than the model was built for.
        context_length=spec.context_length or 0,
        source="request",
    )
    return msgspec.structs.replace(arch, parameters=count_parameters(arch))


def gpu_from(
    context: PricingContext,
    requested: str | InlineGpu,
    provider: str | None,
    sku: str | None,
    usd_per_hour: float | None,
) -> tuple[Gpu, SelectedGpu]:
    """The GPU a request names and the hourly price it is billed at.

    A table GPU is priced by the requested provider's offer, else by the table's default
    offer (echoed as an assumption); ``usd_per_hour`` overrides both.

    Raises:
        NotFound: Unknown GPU id or provider.
        InvalidInput: Offer fields given with an inline GPU, or an ambiguous provider.
    """
    if not isinstance(requested, str):
        if provider is not None or sku is not None or usd_per_hour is not None:
            raise InvalidInput(
                "$.gpu_provider",
                "an inline GPU carries its own usd_per_hour; gpu_provider, gpu_sku and "
                "usd_per_gpu_hour apply to table GPUs only",
            )
        return _inline_gpu(requested)

    gpu = context.table.resolve_gpu(requested, "$.gpu")
    if usd_per_hour is not None:
        price = to_decimal(usd_per_hour)
        return gpu, _selected(gpu, price, "request (usd_per_gpu_hour)", None)

    offer = _offer(gpu, provider, sku)
    if provider is None:
        context.assume(
            "gpu_offer",
            f"{offer.provider} {offer.sku}: {offer.usd_per_hour} USD per GPU-hour",
            f"the table's default offer for {gpu.id}, as of {offer.as_of.isoformat()}",
        )
    return gpu, _selected(gpu, offer.usd_per_hour, f"{offer.provider} {offer.sku}", offer.as_of)


def _offer(gpu: Gpu, provider: str | None, sku: str | None) -> GpuOffer:
    if provider is None:
        if sku is not None:
            raise InvalidInput("$.gpu_sku", "gpu_sku needs gpu_provider")
        return gpu.default_offer

    offers = [offer for offer in gpu.offers if offer.provider.lower() == provider.lower()]
    if not offers:
        known = sorted({offer.provider for offer in gpu.offers})
        raise NotFound(f"offer for {gpu.id} by provider", provider, known, "$.gpu_provider")
    if sku is not None:
        offers = [offer for offer in offers if offer.sku.lower() == sku.lower()]
        if not offers:
            known = [o.sku for o in gpu.offers if o.provider.lower() == provider.lower()]
            raise NotFound(f"{provider} offer for {gpu.id} with SKU", sku, known, "$.gpu_sku")
    if len(offers) > 1:
        skus = "; ".join(f"{offer.sku!r} ({offer.usd_per_hour} USD/h)" for offer in offers)
        raise InvalidInput(
            "$.gpu_sku", f"{provider} has {len(offers)} offers for {gpu.id}: pick one of {skus}"
        )
    return offers[0]


def _inline_gpu(spec: InlineGpu) -> tuple[Gpu, SelectedGpu]:
    price = to_decimal(spec.usd_per_hour)
    gpu = Gpu(
        id="inline",
        name=spec.name,
        aliases=(),
        memory_gb=to_decimal(spec.memory_gb),
        bandwidth_gb_per_s=to_decimal(spec.bandwidth_gb_per_s),
        dense_bf16_tflops=to_decimal(spec.dense_bf16_tflops),
        source="request",
        verified=date.min,
        offers=(),
    )
    return gpu, _selected(gpu, price, "request (inline GPU)", None)


def _selected(gpu: Gpu, price: Decimal, source: str, as_of: date | None) -> SelectedGpu:
    return SelectedGpu(
        id=gpu.id,
        name=gpu.name,
        memory=memory_size(gpu.memory_gb * BYTES_PER_GB),
        bandwidth_gb_per_s=gpu.bandwidth_gb_per_s,
        dense_bf16_tflops=gpu.dense_bf16_tflops,
        usd_per_hour=price,
        price_source=source,
        price_as_of=as_of,
    )


class ArchitectureSummary(msgspec.Struct, kw_only=True):
    """The architecture an estimate used."""

    id: Annotated[str, Meta(description="Table id (`inline` for an inline configuration).")]
    name: Annotated[str, Meta(description="Model name.")]
    parameters: Annotated[int, Meta(description="Parameters counted from the configuration.")]
    layers: Annotated[int, Meta(description="Decoder layers.")]
    hidden_size: Annotated[int, Meta(description="Model width.")]
    kv_heads: Annotated[int, Meta(description="Key/value heads.")]
    head_dim: Annotated[int, Meta(description="Width of one head.")]


def architecture_summary(arch: Architecture) -> ArchitectureSummary:
    """The response echo of an architecture."""
    return ArchitectureSummary(
        id=arch.id,
        name=arch.name,
        parameters=arch.parameters,
        layers=arch.layers,
        hidden_size=arch.hidden_size,
        kv_heads=arch.kv_heads,
        head_dim=arch.head_dim,
    )
