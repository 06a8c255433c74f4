"""Transformer math against the oracles of capacity-anchors.md (section cited on each test).

Architectures and GPUs are written inline here (from the published config.json files and
datasheets), so these tests do not depend on a pricing table.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from pricing import capacity
from pricing.capacity import memory_size
from pricing.entries import Architecture
from pricing.errors import InvalidInput
from pricing.estimators.hardware import InlineArchitecture, inline_architecture
from pricing.estimators.training import default_epochs

D = Decimal

# meta-llama/Llama-2-7b-hf and meta-llama/Llama-3.1-8B config.json.
LLAMA_2_7B = InlineArchitecture(
    layers=32,
    hidden_size=4096,
    intermediate_size=11008,
    attention_heads=32,
    kv_heads=32,
    vocab_size=32000,
    tied_embeddings=False,
)
LLAMA_3_1_8B = InlineArchitecture(
    layers=32,
    hidden_size=4096,
    intermediate_size=14336,
    attention_heads=32,
    kv_heads=8,
    head_dim=128,
    vocab_size=128256,
    tied_embeddings=False,
)
H100_DENSE_TFLOPS = D("989.4")
A100_DENSE_TFLOPS = D(312)


def arch(spec: InlineArchitecture) -> Architecture:
    return inline_architecture(spec)


def within(actual: Decimal, expected: str, tolerance: str) -> bool:
    return abs(actual - D(expected)) <= D(expected) * D(tolerance)


# --------------------------------------------------------------------- parameters and KV (§0, §3.1)


def test_parameters_are_counted_from_the_configuration() -> None:
    # §0: Llama-2-7B 6,738,415,616; Llama-3.1-8B 8,030,261,248 (GQA, untied head).
    assert arch(LLAMA_2_7B).parameters == 6_738_415_616
    assert arch(LLAMA_3_1_8B).parameters == 8_030_261_248


def test_kv_cache_per_token_uses_kv_heads_and_head_dim() -> None:
    # §3.1 K1: 2 × 32 × 8 × 128 × 2 = 131,072; Llama-2-7B (MHA) 2 × 32 × 32 × 128 × 2 = 524,288.
    bf16 = capacity.BYTES_PER_VALUE["bf16"]
    assert capacity.kv_cache_bytes_per_token(arch(LLAMA_3_1_8B), bf16) == 131_072
    assert capacity.kv_cache_bytes_per_token(arch(LLAMA_2_7B), bf16) == 524_288


def test_kv_cache_of_10000_tokens_is_5_24_gb() -> None:
    # §3.1: Llama-2-7B × 10,000 tokens = 5.24 GB (HF blog on KV quantization).
    per_token = capacity.kv_cache_bytes_per_token(arch(LLAMA_2_7B), D(2))
    assert memory_size(10_000 * per_token).gb == D("5.24288")


def test_kv_cache_follows_explicit_head_dim_not_hidden_over_heads() -> None:
    # A model whose heads × head_dim (32 × 256) differs from its hidden size (4096).
    wide_heads = InlineArchitecture(
        layers=2,
        hidden_size=4096,
        intermediate_size=8192,
        attention_heads=32,
        kv_heads=4,
        head_dim=256,
        vocab_size=1000,
        tied_embeddings=True,
    )
    assert capacity.kv_cache_bytes_per_token(arch(wide_heads), D(1)) == 2 * 2 * 4 * 256


def test_precision_bytes() -> None:
    assert {
        "fp32": 4,
        "bf16": 2,
        "fp16": 2,
        "fp8": 1,
        "int8": 1,
        "int4": D("0.5"),
    } == capacity.BYTES_PER_VALUE


def test_inline_architecture_refuses_kv_heads_that_do_not_divide_heads() -> None:
    bad = InlineArchitecture(
        layers=2,
        hidden_size=4096,
        intermediate_size=8192,
        attention_heads=32,
        kv_heads=6,
        vocab_size=1000,
        tied_embeddings=True,
    )
    with pytest.raises(InvalidInput) as caught:
        arch(bad)
    assert caught.value.path == "$.architecture.kv_heads"


def test_inline_architecture_needs_head_dim_when_hidden_does_not_split() -> None:
    bad = InlineArchitecture(
        layers=2,
        hidden_size=4000,
        intermediate_size=8192,
        attention_heads=48,
        kv_heads=8,
        vocab_size=1000,
        tied_embeddings=True,
    )
    with pytest.raises(InvalidInput) as caught:
        arch(bad)
    assert caught.value.path == "$.architecture.head_dim"


# -------------------------------------------------------------------------------- LoRA (§1.4)


def test_lora_adapters_on_q_and_v() -> None:
    # §1.4 L1: 32 × 2 × 8 × (4096 + 4096) = 4,194,304; r = 16 doubles it (8,388,608).
    llama = arch(LLAMA_2_7B)
    assert capacity.lora_adapter_parameters(llama, 8, ("q_proj", "v_proj")) == 4_194_304
    assert capacity.lora_adapter_parameters(llama, 16, ("q_proj", "v_proj")) == 8_388_608


def test_lora_module_widths_follow_gqa() -> None:
    # Llama-3.1-8B: k_proj and v_proj are 4096 → 8 × 128 = 1024 wide; down_proj 14336 → 4096.
    llama = arch(LLAMA_3_1_8B)
    assert capacity.module_shape(llama, "k_proj") == (4096, 1024)
    assert capacity.module_shape(llama, "o_proj") == (4096, 4096)
    assert capacity.module_shape(llama, "down_proj") == (14336, 4096)
    every = capacity.LINEAR_MODULES
    # r × Σ(d_in + d_out) per layer: q 8192, k 5120, v 5120, o 8192, gate/up 18432 each, down 18432.
    per_layer = 8192 + 5120 + 5120 + 8192 + 3 * 18432
    assert capacity.lora_adapter_parameters(llama, 16, every) == 16 * per_layer * 32


def test_repeated_target_modules_count_once() -> None:
    llama = arch(LLAMA_2_7B)
    assert capacity.lora_adapter_parameters(llama, 8, ("q_proj", "q_proj", "v_proj")) == 4_194_304


# ------------------------------------------------------------------------ training FLOPs (§1.3)


@pytest.mark.parametrize(
    ("method", "recomputation", "expected_gpu_hours"),
    [("full", False, "33.82"), ("lora", False, "22.55"), ("full", True, "45.09")],
)
def test_gpu_hours_oracle_f1(method: str, recomputation: bool, expected_gpu_hours: str) -> None:
    # §1.3 F1: Llama-3.1-8B, 1e9 tokens, H100 dense 989.4 TFLOP/s, efficiency 0.40; tol 1%.
    flops = capacity.training_flops(8_030_261_248, 10**9, method, recomputation)
    hours = capacity.gpu_hours_for(flops, H100_DENSE_TFLOPS, D("0.40"))
    assert within(hours, expected_gpu_hours, "0.01")


def test_full_fine_tune_flops_are_6nd() -> None:
    # §1.3: 6ND = 4.818e19 for the F1 run.
    assert capacity.training_flops(8_030_261_248, 10**9, "full", False) == 48_181_567_488 * 10**9
    assert capacity.flops_per_parameter_token("qlora", True) == 6


# ------------------------------------------------------------------------ training memory (§1.4)


def test_full_adamw_states_oracle_m1() -> None:
    # §1.4 M1: 16 B/param × 6,738,415,616 = 107.81 GB = 100.41 GiB.
    states = capacity.training_states(arch(LLAMA_2_7B), "full", 0)
    size = memory_size(states.total)
    assert size.bytes == 107_814_649_856
    assert round(size.gb, 2) == D("107.81")
    assert round(size.gib, 2) == D("100.41")
    assert states.weights == states.gradients == 2 * 6_738_415_616
    assert states.optimizer_states == 12 * 6_738_415_616


def test_lora_states_are_frozen_bf16_weights_and_16_bytes_per_adapter() -> None:
    states = capacity.training_states(arch(LLAMA_2_7B), "lora", 4_194_304)
    assert states.weights == 2 * 6_738_415_616
    assert states.gradients == states.optimizer_states == 0
    assert states.adapters == 16 * 4_194_304


def test_qlora_quantizes_projections_only() -> None:
    # Projections per layer: 4 × 4096² + 3 × 4096 × 11008 = 202,375,168; × 32 = 6,476,005,376.
    # The other 262,410,240 (embeddings, untied LM head, norms) stay at 2 bytes (§1.4).
    llama = arch(LLAMA_2_7B)
    assert capacity.linear_layer_parameters(llama) == 6_476_005_376
    states = capacity.training_states(llama, "qlora", 4_194_304)
    assert states.weights == D(6_476_005_376) * D("4.127") / 8 + 2 * 262_410_240
    assert states.adapters == 16 * 4_194_304


def test_memory_ordering_qlora_below_lora_below_full() -> None:
    # §5 #3 (gpu_poor #1): QLoRA < LoRA < full must hold.
    llama = arch(LLAMA_2_7B)
    totals = [capacity.training_states(llama, m, 4_194_304).total for m in ("qlora", "lora")]
    full = capacity.training_states(llama, "full", 0).total
    assert totals[0] < totals[1] < full


def test_activations_oracle_a2() -> None:
    # §1.5 A2, Llama-7B shape s 4096, h 4096, L 32: 34·s·b·h·L = 17.0 GiB; recomputed 1.0 GiB.
    llama = arch(LLAMA_2_7B)
    kept = memory_size(capacity.activation_bytes(llama, 4096, 1, False))
    recomputed = memory_size(capacity.activation_bytes(llama, 4096, 1, True))
    assert kept.gib == D(17)
    assert recomputed.gib == D(1)


def test_smallest_gpu_count_shards_states_not_activations() -> None:
    # 128 GB states, 9 GB activations, 72 GB usable: 128/2 + 9 = 73 > 72, 128/3 + 9 ≤ 72 → 3.
    gb = D(10**9)
    assert capacity.smallest_fitting_gpu_count(128 * gb, 9 * gb, 72 * gb) == 3
    assert capacity.smallest_fitting_gpu_count(10 * gb, 1 * gb, 72 * gb) == 1
    # Exactly at the limit fits: 126/2 + 9 = 72.
    assert capacity.smallest_fitting_gpu_count(126 * gb, 9 * gb, 72 * gb) == 2


def test_no_gpu_count_fits_when_activations_alone_overflow_or_64_are_too_few() -> None:
    gb = D(10**9)
    assert capacity.smallest_fitting_gpu_count(1 * gb, 80 * gb, 72 * gb) is None
    assert capacity.smallest_fitting_gpu_count(72 * gb, 72 * gb, 72 * gb) is None
    # 64 × 71 GB of states with 1 GB activations fits exactly on 64; one byte more does not.
    assert capacity.smallest_fitting_gpu_count(64 * 71 * gb, gb, 72 * gb) == 64
    assert capacity.smallest_fitting_gpu_count(64 * 71 * gb + 64, gb, 72 * gb) is None


def test_memory_sizes_round_fractional_bytes_up() -> None:
    size = memory_size(D("1.5"))
    assert size.bytes == 2
    assert size.gb == D(2) / 10**9
    assert memory_size(2**30).gib == 1


# ----------------------------------------------------------------------------- epochs (§5.1)


@pytest.mark.parametrize(
    ("examples", "epochs"),
    [
        (20, 5),
        (10_000, 2),
        (2_000, 3),
        (1, 25),
        (3, 25),
        (4, 25),
        (5, 20),
        (33, 3),
        (34, 3),
        (8_333, 3),
        (8_334, 2),
        (30_000, 1),
    ],
)
def test_default_epochs(examples: int, epochs: int) -> None:
    # spend-models §5.1: 3; examples × 3 < 100 → min(25, ⌊100/n⌋); > 25,000 → max(1, ⌊25,000/n⌋).
    assert default_epochs(examples) == epochs


# ---------------------------------------------------------------------------- serving (§3.2, §3.5)


def test_decode_bound_oracle_d1() -> None:
    # §3.2 D1: Llama-2-7B fp16 weights 13.48 GB read once per token: A100 80GB 6.61 ms, H100 4.02.
    weights = D(6_738_415_616) * 2
    a100 = capacity.decode_seconds_per_token(weights, 0, D(0), D(524_288), D(2039), D(1))
    h100 = capacity.decode_seconds_per_token(weights, 0, D(0), D(524_288), D(3350), D(1))
    assert within(a100 * 1000, "6.61", "0.005")
    assert within(h100 * 1000, "4.02", "0.005")


def test_decode_step_adds_the_batch_kv_cache_and_divides_by_efficiency() -> None:
    # 1e9 weight bytes + 4 × 1,000 tokens × 1,000 bytes = 1.004e9 bytes at 1,000 GB/s × 0.5.
    step = capacity.decode_seconds_per_token(D(10**9), 4, D(1000), D(1000), D(1000), D("0.5"))
    assert step == D("1.004e9") / D("5e11")


def test_prefill_oracle_p1() -> None:
    # §3.2 P1: Llama-2-7B, 2,048-token prompt: 2.760e13 FLOPs, 88.5 ms at 312 TFLOP/s, 177 at 50%.
    peak = capacity.prefill_seconds(6_738_415_616, 2048, A100_DENSE_TFLOPS, D(1))
    half = capacity.prefill_seconds(6_738_415_616, 2048, A100_DENSE_TFLOPS, D("0.5"))
    assert within(peak * 1000, "88.5", "0.005")
    assert within(half * 1000, "177", "0.005")


def test_batch_that_fits_beside_the_weights() -> None:
    # 72 GB usable − 16 GB weights = 56 GB; 1,000 tokens × 131,072 B = 131.072 MB → 427 sequences.
    batch = capacity.max_batch_in_memory(D(16 * 10**9), 1000, D(131_072), D(72 * 10**9))
    assert batch == math.floor(56 * 10**9 / 131_072_000)
    assert capacity.max_batch_in_memory(D(73 * 10**9), 1000, D(131_072), D(72 * 10**9)) == 0


def test_replicas_oracle_r1() -> None:
    # §3.5 R1: λ 20 req/s, W 2.0 s, B_max 32, ρ 0.8 → ceil(40 / 25.6) = 2.
    assert capacity.replicas_needed(D(20), D("2.0"), 32, D("0.8")) == 2


def test_replicas_take_the_gpu_time_bound_when_it_is_larger() -> None:
    # Little alone needs 2; at most 5 req/s per replica, 20 req/s need 4.
    assert capacity.replicas_needed(D(20), D("2.0"), 32, D("0.8"), D(5)) == 4
    # A tiny load still needs one replica.
    assert capacity.replicas_needed(D("0.001"), D(1), 32, D("0.8"), D(5)) == 1
