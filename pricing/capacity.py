"""Transformer arithmetic for capacity estimates: bytes, parameters, FLOPs, memory, replicas.

Conventions (capacity-anchors §0): GB = 1e9 bytes and GiB = 2**30 bytes, and every memory figure
is given in both; FLOP/s are dense BF16 (never the 2:4-sparse headline); parameters are counted
from the configuration (GQA K/V projections, explicit head_dim, untied LM head).

Every function here is pure and works in ``Decimal`` so that a result is the same on every
machine; the estimators in ``pricing.estimators`` turn requests into these calls.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from pricing.entries import Architecture

BYTES_PER_GB = Decimal(10**9)
BYTES_PER_GIB = Decimal(2**30)
SECONDS_PER_HOUR = 3600

Precision = Literal["fp32", "bf16", "fp16", "fp8", "int8", "int4"]

#: Bytes per stored value of each precision (DESIGN §4.7).
BYTES_PER_VALUE: dict[str, Decimal] = {
    "fp32": Decimal(4),
    "bf16": Decimal(2),
    "fp16": Decimal(2),
    "fp8": Decimal(1),
    "int8": Decimal(1),
    "int4": Decimal("0.5"),
}

#: Share of a GPU's memory that weights, states, activations and KV cache may fill; the rest
#: is left to the CUDA context, allocator fragmentation and temporary buffers (vLLM's default
#: gpu_memory_utilization, capacity-anchors §3.1).
USABLE_MEMORY_SHARE = Decimal("0.9")

LoraModule = Literal["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
LINEAR_MODULES: tuple[LoraModule, ...] = (
    "q_proj",
    "k_proj",
    "v_proj",
    "o_proj",
    "gate_proj",
    "up_proj",
    "down_proj",
)

TrainingMethod = Literal["full", "lora", "qlora"]

#: Executed FLOPs per parameter and trained token: forward 2N, activation gradients 2N, weight
#: gradients 2N; LoRA and QLoRA skip the frozen weights' gradients (capacity-anchors §1.3).
FLOPS_PER_PARAMETER_TOKEN: dict[str, int] = {"full": 6, "lora": 4, "qlora": 4}

#: Full activation recomputation runs the forward pass twice (capacity-anchors §1.1, 8ND).
RECOMPUTATION_FLOPS_PER_PARAMETER_TOKEN = 2

#: Mixed-precision AdamW: bf16 weights 2 + bf16 gradients 2 + fp32 master, momentum and
#: variance 12 bytes per trained parameter (ZeRO paper, capacity-anchors §1.4).
WEIGHT_BYTES = Decimal(2)
GRADIENT_BYTES = Decimal(2)
OPTIMIZER_BYTES = Decimal(12)
TRAINED_PARAMETER_BYTES = WEIGHT_BYTES + GRADIENT_BYTES + OPTIMIZER_BYTES

#: NF4 4 bits + double-quantized blockwise constants 0.127 bits per quantized weight (QLoRA).
QLORA_BITS_PER_PARAMETER = Decimal("4.127")

#: Activation bytes per layer per token per hidden unit, 16-bit activations with FlashAttention
#: (Korthikanti et al. 2022 without the 5as/h term), and with full recomputation.
ACTIVATION_BYTES_FACTOR = 34
RECOMPUTED_ACTIVATION_BYTES_FACTOR = 2

MAX_SHARDING_GPUS = 64


class MemorySize(msgspec.Struct, frozen=True, kw_only=True):
    """An amount of memory in bytes, decimal GB and binary GiB."""

    bytes: Annotated[int, Meta(description="Whole bytes (fractions rounded up).")]
    gb: Annotated[Decimal, Meta(description="Decimal gigabytes: bytes / 1e9.")]
    gib: Annotated[Decimal, Meta(description="Binary gibibytes: bytes / 2^30.")]


def memory_size(byte_count: Decimal | int) -> MemorySize:
    """Label an amount of memory in GB (1e9) and GiB (2^30) both.

    Args:
        byte_count: Bytes; a fraction (int4, QLoRA bits) is rounded up to a whole byte.

    Returns:
        The amount in bytes, GB and GiB.
    """
    whole = int(Decimal(byte_count).to_integral_value(rounding=ROUND_CEILING))
    return MemorySize(bytes=whole, gb=whole / BYTES_PER_GB, gib=whole / BYTES_PER_GIB)


def module_shape(arch: Architecture, module: LoraModule) -> tuple[int, int]:
    """Input and output width of one linear module of a Llama-style layer.

    Widths come from the architecture's heads and head_dim, never from hidden/heads, so GQA
    models and models whose heads × head_dim differs from the hidden size count right.

    Args:
        arch: The configuration.
        module: The module name as PEFT's target_modules spell it.

    Returns:
        (d_in, d_out).
    """
    hidden = arch.hidden_size
    query_width = arch.attention_heads * arch.head_dim
    kv_width = arch.kv_heads * arch.head_dim
    shapes = {
        "q_proj": (hidden, query_width),
        "k_proj": (hidden, kv_width),
        "v_proj": (hidden, kv_width),
        "o_proj": (query_width, hidden),
        "gate_proj": (hidden, arch.intermediate_size),
        "up_proj": (hidden, arch.intermediate_size),
        "down_proj": (arch.intermediate_size, hidden),
    }
    return shapes[module]


def lora_adapter_parameters(arch: Architecture, rank: int, modules: tuple[str, ...]) -> int:
    """Trainable LoRA parameters: Σ r × (d_in + d_out) over the target modules of every layer.

    Args:
        arch: The configuration.
        rank: The LoRA rank r.
        modules: Target module names (each counted once).

    Returns:
        The adapter parameter count (capacity-anchors §1.4, oracle L1).
    """
    per_layer = 0
    for module in dict.fromkeys(modules):
        d_in, d_out = module_shape(arch, module)  # type: ignore[arg-type]
        per_layer += rank * (d_in + d_out)
    return per_layer * arch.layers


def linear_layer_parameters(arch: Architecture) -> int:
    """Parameters of the attention and MLP projections of every layer (QLoRA quantizes these).

    Embeddings, the LM head and norms are not linear layers here; they stay in bf16.
    """
    per_layer = 0
    for module in LINEAR_MODULES:
        d_in, d_out = module_shape(arch, module)
        per_layer += d_in * d_out
    return per_layer * arch.layers


def kv_cache_bytes_per_token(arch: Architecture, bytes_per_value: Decimal) -> Decimal:
    """KV cache of one token: 2 (K and V) × layers × KV heads × head_dim × bytes.

    Args:
        arch: The configuration (KV heads and head_dim from it: GQA counts).
        bytes_per_value: Bytes per cached value of the KV-cache precision.

    Returns:
        Bytes per token of context (capacity-anchors §3.1, oracles K1).
    """
    return 2 * arch.layers * arch.kv_heads * arch.head_dim * bytes_per_value


# ------------------------------------------------------------------------------ training


def training_flops(parameters: int, trained_tokens: int, method: str, recomputation: bool) -> int:
    """Executed FLOPs of a training run: k × N × tokens.

    Args:
        parameters: N, the model's parameter count.
        trained_tokens: Tokens processed over all epochs.
        method: full (k = 6), lora or qlora (k = 4).
        recomputation: Full activation recomputation adds 2 to k.

    Returns:
        Executed (hardware) FLOPs.
    """
    return flops_per_parameter_token(method, recomputation) * parameters * trained_tokens


def flops_per_parameter_token(method: str, recomputation: bool) -> int:
    """The k of k × N × tokens: 6 full, 4 LoRA/QLoRA, 2 more with full recomputation."""
    k = FLOPS_PER_PARAMETER_TOKEN[method]
    return k + RECOMPUTATION_FLOPS_PER_PARAMETER_TOKEN if recomputation else k


def gpu_hours_for(flops: int | Decimal, dense_tflops: Decimal, efficiency: Decimal) -> Decimal:
    """GPU-hours to execute ``flops`` at a share of a GPU's dense peak.

    Args:
        flops: Executed FLOPs.
        dense_tflops: The GPU's dense BF16 peak in TFLOP/s.
        efficiency: Achieved share of the peak (MFU), 0 < efficiency ≤ 1.

    Returns:
        GPU-hours (capacity-anchors §1.1).
    """
    achieved_flops_per_second = dense_tflops * 10**12 * efficiency
    return Decimal(flops) / (achieved_flops_per_second * SECONDS_PER_HOUR)


class TrainingStates(msgspec.Struct, frozen=True, kw_only=True):
    """Bytes of the training states that ZeRO-3 / FSDP shards over the GPUs."""

    weights: Decimal
    gradients: Decimal
    optimizer_states: Decimal
    adapters: Decimal

    @property
    def total(self) -> Decimal:
        """Every sharded state together."""
        return self.weights + self.gradients + self.optimizer_states + self.adapters


def training_states(arch: Architecture, method: str, adapter_parameters: int) -> TrainingStates:
    """Weights, gradients, optimizer states and adapters of a mixed-precision AdamW run.

    Args:
        arch: The configuration (its checked parameter count).
        method: full: 2 + 2 + 12 bytes per parameter; lora: 2 bytes per frozen parameter;
            qlora: 4.127 bits per quantized linear parameter and 2 bytes for the rest.
        adapter_parameters: LoRA parameters, 16 bytes each (ignored for full).

    Returns:
        The states in bytes (capacity-anchors §1.4).
    """
    parameters = Decimal(arch.parameters)
    if method == "full":
        return TrainingStates(
            weights=WEIGHT_BYTES * parameters,
            gradients=GRADIENT_BYTES * parameters,
            optimizer_states=OPTIMIZER_BYTES * parameters,
            adapters=Decimal(0),
        )

    if method == "qlora":
        quantized = Decimal(linear_layer_parameters(arch))
        weights = quantized * QLORA_BITS_PER_PARAMETER / 8 + WEIGHT_BYTES * (parameters - quantized)
    else:
        weights = WEIGHT_BYTES * parameters
    return TrainingStates(
        weights=weights,
        gradients=Decimal(0),
        optimizer_states=Decimal(0),
        adapters=TRAINED_PARAMETER_BYTES * adapter_parameters,
    )


def activation_bytes(
    arch: Architecture, sequence_tokens: int, micro_batch: int, recomputation: bool
) -> Decimal:
    """Activations one GPU holds: 34 × s × b × h per layer, or 2 × s × b × h recomputed.

    Args:
        arch: The configuration (hidden size and layers).
        sequence_tokens: s, tokens per sequence.
        micro_batch: b, sequences per micro-batch.
        recomputation: Full activation recomputation keeps only each layer's input.

    Returns:
        Bytes (capacity-anchors §1.5, FlashAttention assumed).
    """
    factor = RECOMPUTED_ACTIVATION_BYTES_FACTOR if recomputation else ACTIVATION_BYTES_FACTOR
    return Decimal(factor * sequence_tokens * micro_batch * arch.hidden_size * arch.layers)


def usable_bytes(memory_gb: Decimal) -> Decimal:
    """Bytes of one GPU that an estimate may fill (90% of its decimal-GB memory)."""
    return memory_gb * BYTES_PER_GB * USABLE_MEMORY_SHARE


def bytes_per_gpu(states: Decimal, activations: Decimal, gpu_count: int) -> Decimal:
    """One GPU's share of sharded states plus its own activations."""
    return states / gpu_count + activations


def smallest_fitting_gpu_count(
    states: Decimal, activations: Decimal, usable_per_gpu: Decimal
) -> int | None:
    """The smallest n ≤ 64 with states / n + activations ≤ usable memory of one GPU.

    Args:
        states: Bytes of weights, gradients, optimizer states and adapters (sharded evenly).
        activations: Bytes of one GPU's activations (not sharded).
        usable_per_gpu: Bytes one GPU may fill.

    Returns:
        The GPU count, or None when even 64 GPUs are not enough.
    """
    room = usable_per_gpu - activations
    if room <= 0:
        return None
    count = max(1, int((states / room).to_integral_value(rounding=ROUND_CEILING)))
    return count if count <= MAX_SHARDING_GPUS else None


# ------------------------------------------------------------------------------- serving


def decode_seconds_per_token(
    weight_bytes: Decimal,
    batch: int,
    context_tokens: Decimal,
    kv_bytes_per_token: Decimal,
    bandwidth_gb_per_s: Decimal,
    efficiency: Decimal,
) -> Decimal:
    """Memory-bound time of one decode step: every weight and the batch's KV cache read once.

    Args:
        weight_bytes: Bytes of the weights (of the whole replica).
        batch: Sequences decoded together.
        context_tokens: Mean context per sequence.
        kv_bytes_per_token: KV cache bytes per token.
        bandwidth_gb_per_s: Memory bandwidth of the replica in GB/s (1e9 bytes).
        efficiency: Achieved share of the bandwidth (η).

    Returns:
        Seconds per decode step (capacity-anchors §3.2, oracle D1).
    """
    bytes_read = weight_bytes + batch * context_tokens * kv_bytes_per_token
    return bytes_read / (bandwidth_gb_per_s * BYTES_PER_GB * efficiency)


def compute_seconds(flops: Decimal | int, dense_tflops: Decimal, mfu: Decimal) -> Decimal:
    """Compute-bound time of ``flops`` at a share of the dense peak."""
    return Decimal(flops) / (dense_tflops * 10**12 * mfu)


def prefill_seconds(
    parameters: int, prompt_tokens: int, dense_tflops: Decimal, mfu: Decimal
) -> Decimal:
    """Compute-bound prefill of one prompt: 2 × N × prompt FLOPs (capacity-anchors §3.2, P1)."""
    return compute_seconds(2 * parameters * prompt_tokens, dense_tflops, mfu)


def max_batch_in_memory(
    weight_bytes: Decimal,
    sequence_tokens: int,
    kv_bytes_per_token: Decimal,
    usable_memory_bytes: Decimal,
) -> int:
    """Sequences whose full KV cache fits beside the weights: W + B × tokens × KV ≤ usable.

    Returns:
        The largest such B (0 when not even one sequence fits).
    """
    room = usable_memory_bytes - weight_bytes
    if room <= 0:
        return 0
    per_sequence = sequence_tokens * kv_bytes_per_token
    return int((room / per_sequence).to_integral_value(rounding=ROUND_FLOOR))


def replicas_needed(
    arrival_rate: Decimal,
    mean_latency_s: Decimal,
    max_concurrency: int,
    target_utilization: Decimal,
    max_rate_per_replica: Decimal | None = None,
) -> int:
    """Replicas for a request rate: ceil(max(λ·W / (B_max·ρ), λ / λ_r_max)).

    Little's law puts λ·W requests in flight; each replica may hold ρ·B_max of them. The
    GPU-time balance caps each replica at λ_r_max requests per second (capacity-anchors §3.5).

    Args:
        arrival_rate: λ, requests per second.
        mean_latency_s: W, mean seconds a request is in flight.
        max_concurrency: B_max, requests one replica serves at once.
        target_utilization: ρ, the share of B_max (and of GPU time) to plan for.
        max_rate_per_replica: λ_r_max at ρ, requests per second; None skips this bound.

    Returns:
        The replica count, at least 1 (oracle R1: 20, 2.0, 32, 0.8 → 2).
    """
    by_concurrency = arrival_rate * mean_latency_s / (max_concurrency * target_utilization)
    needed = by_concurrency
    if max_rate_per_replica is not None:
        needed = max(needed, arrival_rate / max_rate_per_replica)
    return max(1, math.ceil(needed))
