"""Reference oracles not asserted elsewhere, sent over HTTP as a user would send them.

Each case names its source in /work/shared/reference/ and recomputes the expected value by hand
(Decimal arithmetic in the comment). Tolerances are the reference's own; figures the reference
rounds are compared at its rounding.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from litestar.testing import TestClient

from tests.integration.numbers import num
from tests.workloads import COMPARE, RAG_1

D = Decimal


def post(client: TestClient, kind: str, body: dict) -> dict:
    """POST an estimate and return its 200 body (fails with the problem otherwise)."""
    response = client.post(f"/v1/estimates/{kind}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def within(actual: object, expected: str, tolerance: str) -> bool:
    """True when ``actual`` is within a relative ``tolerance`` of ``expected``."""
    return abs(num(actual) - D(expected)) <= D(expected) * D(tolerance)


def line(body: dict, name: str) -> Decimal:
    """The cost of the line item called ``name``."""
    return num(next(item["cost_usd"] for item in body["line_items"] if item["name"] == name))


# ------------------------------------------------------------------ usage (pricing-anchors §3)


def test_f20_per_1m_rates_are_not_per_token_rates(client: TestClient) -> None:
    # pricing-anchors §3 F20: gpt-oss-120b at $0.15 per 1M, 1M tokens = $0.15 (the faulty table
    # gave $15,000); Titan embed v2 at $0.02 per 1M, 5M tokens = $0.10 (it gave $1.00).
    body = {"rates": {"input": 0.15, "output": 0.6}, "usage": {"input_tokens": 1_000_000}}
    assert num(post(client, "usage", body)["total_usd"]) == D("0.15")
    body = {"rates": {"input": 0.02}, "usage": {"input_tokens": 5_000_000}}
    assert num(post(client, "usage", body)["total_usd"]) == D("0.10")
    # An embedding has no output price: output tokens are refused, never priced at 0.
    body["usage"]["output_tokens"] = 1
    problem = client.post("/v1/estimates/usage", json=body).json()
    assert (problem["status"], problem["errors"][0]["path"]) == (422, "$.usage.output_tokens")
    # The per-token price pasted as per 1M (0.015 per token = 15,000 per 1M) fails the band.
    body = {"rates": {"input": 15_000}, "usage": {"input_tokens": 1}}
    problem = client.post("/v1/estimates/usage", json=body).json()
    assert (problem["status"], problem["errors"][0]["path"]) == (422, "$.rates.input")


@pytest.mark.parametrize(("model", "expected"), [("o3", "0.5"), ("o4-mini", "0.275")])
def test_o_series_cached_input_is_a_quarter_of_input(
    client: TestClient, model: str, expected: str
) -> None:
    # spend-models §9 (adk-model): o3 / o4-mini cached input is 25% of input (2 → 0.50,
    # 1.10 → 0.275 per 1M), not the 50% of gpt-4o. 1M cached tokens cost the cached rate.
    body = {"model": model, "usage": {"input_tokens": 1_000_000, "cache_read_tokens": 1_000_000}}
    assert num(post(client, "usage", body)["total_usd"]) == D(expected)


def test_gpt_6_long_context_doubles_input_and_adds_half_to_output(client: TestClient) -> None:
    # spend-models §1.6: GPT-6 above 272k input bills 2× input and 1.5× output for the whole
    # request: 272,001 × $4 / 1M + 1,000 × $15 / 1M = 1.088004 + 0.015 = 1.103004.
    body = {"model": "gpt-6-sol", "usage": {"input_tokens": 272_001, "output_tokens": 1000}}
    assert num(post(client, "usage", body)["total_usd"]) == D("1.103004")


# ------------------------------------------------------------------- prompting (spend-models §4)


def test_anthropic_prompt_caching_reads_hits_and_writes_misses(client: TestClient) -> None:
    # spend-models §4, Anthropic: reads = h × R × static, writes = (1 − h) × R × static at 1.25×.
    # Sonnet 4.5 (3 / 0.30 / 3.75 / 15), static 3,000, variable 200, out 150, R 1M, h 0.9:
    # 2,700M × 0.30 + 300M × 3.75 + 200M × 3 + 150M × 15 (per 1M) = 810 + 1,125 + 600 + 2,250.
    body = {
        "model": "claude-sonnet-4.5",
        "system_prompt_tokens": 3000,
        "variable_input_tokens": 200,
        "output_tokens": 150,
        "requests_per_month": 1_000_000,
        "cache_hit_rate": 0.9,
        "prompt_caching": True,
    }
    assert num(post(client, "prompting", body)["monthly_usd"]) == D(4785)

    # spend-models §1.2: Haiku 4.5 caches from 4,096 tokens; a 3,000-token prefix caches nothing
    # and raises no error: 3,200M × $1 + 150M × $5 (per 1M) = 3,200 + 750.
    answer = post(client, "prompting", body | {"model": "claude-haiku-4.5"})
    assert num(answer["monthly_usd"]) == D(3950)
    assert [w["code"] for w in answer["warnings"]] == ["prefix_below_cache_minimum"]


# ------------------------------------------------------------------------- RAG (spend-models §2)


def test_novacalculator_chunking_counts_the_short_last_chunk(client: TestClient) -> None:
    # spend-models §2.1 (b): L 50,000, C 512, O 64: n = ceil(49,936 / 448) = 112 chunks and
    # L + (n − 1) × O = 50,000 + 111 × 64 = 57,104 embedded tokens (not the 57,344 upper bound).
    answer = post(client, "rag", RAG_1 | {"documents": 1, "tokens_per_document": 50_000})
    assert (answer["chunks_per_document"], answer["embedded_tokens"]) == (112, 57_104)


def test_pinecone_doc_example_reads_one_unit_per_gb(client: TestClient) -> None:
    # spend-models §2.2 (Pinecone "Understanding cost"): 1,000,000 records × (4 × 1,536 + 1,000) B
    # = 7,144 B each = 7.144 GB, so 7.144 read units per query (the doc rounds to 7.14).
    body = RAG_1 | {
        "documents": 1_000_000,
        "tokens_per_document": 500,
        "changed_documents_share_per_month": 0,
    }
    answer = post(client, "rag", body)
    assert answer["records"] == 1_000_000
    assert num(answer["vector_store_gb"]) == D("7.144")
    assert num(answer["read_units_per_query"]) == D("7.144")


def test_rag_1_generation_through_the_batch_api(client: TestClient) -> None:
    # spend-models §2.3: RAG-1's generation at gpt-4o-mini batch rates (0.075 / 0.30 per 1M):
    # 308M × 0.075 + 30M × 0.30 (per 1M) = 23.10 + 9.00 = $32.10 (standard: $64.20).
    answer = post(client, "rag", RAG_1 | {"service_tier": "batch"})
    assert line(answer, "generation_input") + line(answer, "generation_output") == D("32.10")


# ------------------------------------------------------------------------ agent (spend-models §3)


def test_agentbeck_630k_input_tokens_cost_1_89_not_9_45(client: TestClient) -> None:
    # spend-models §3.2 / §9 (agentbeck #92305): 20 turns, each adding 3,000 tokens to a first
    # prompt of 3,000: 20 × 3,000 + 3,000 × 20 × 19 / 2 = 630,000 input tokens × $3 / 1M = $1.89.
    # The report's $9.45 applied the $15 output rate. Every step stays under Sonnet's 200k tier.
    body = {
        "model": "claude-sonnet-4.5",
        "tasks_per_month": 1,
        "steps_per_task": 20,
        "max_steps": 20,
        "initial_prompt_tokens": 3000,
        "growth_tokens_per_step": 3000,
        "output_tokens_per_step": 0,
        "failure_probability": 0,
        "max_retries": 0,
    }
    answer = post(client, "agent", body)
    assert answer["tokens_per_attempt"]["input_tokens"] == 630_000
    assert num(answer["monthly_usd"]) == D("1.89")


def test_agent_long_context_cliff_is_per_step(client: TestClient) -> None:
    # DESIGN §2 (cliff on one request's total input) with §4.5: each step is its own request.
    # Sonnet 4.5, contexts 150k, 180k, 210k, 1,000 out per step; only step 3 passes 200k:
    # 0.45 + 0.015 + 0.54 + 0.015 + 210,000 × 6 / 1M + 1,000 × 22.5 / 1M = 2.3025
    # (the tier on the attempt's 540k total would give 3.3075; no tier at all 1.665).
    body = {
        "model": "claude-sonnet-4.5",
        "tasks_per_month": 1,
        "steps_per_task": 3,
        "max_steps": 3,
        "initial_prompt_tokens": 150_000,
        "growth_tokens_per_step": 30_000,
        "output_tokens_per_step": 1000,
        "failure_probability": 0,
        "max_retries": 0,
    }
    assert num(post(client, "agent", body)["monthly_usd"]) == D("2.3025")


# ----------------------------------------------- fine-tuning vs prompting (spend-models §5.4)


@pytest.mark.parametrize(
    ("requests", "prompted", "fine_tuned"),
    [(10_000, "912", "110.40"), (100_000, "9120", "888"), (1_000_000, "91200", "8664")],
)
def test_twelve_month_totals_ft_1(
    client: TestClient, requests: int, prompted: str, fine_tuned: str
) -> None:
    # spend-models §5.4: gpt-4.1 prompted at $0.0076 a call × 12 months against fine-tuned
    # gpt-4.1-mini: $24 training + $0.00072 a call × 12; e.g. 10k: 912 vs 24 + 86.40 = 110.40.
    body = COMPARE | {
        "requests_per_month": requests,
        "training_examples": 2000,
        "tokens_per_training_example": 800,
    }
    approaches = {a["approach"]: a for a in post(client, "compare", body)["approaches"]}
    assert num(approaches["prompt_engineering"]["first_year_usd"]) == D(prompted)
    assert num(approaches["fine_tuning"]["first_year_usd"]) == D(fine_tuned)


def test_break_even_against_prompted_gpt_4_1_mini_is_30000_calls(client: TestClient) -> None:
    # spend-models §5.4: prompted gpt-4.1-mini 3,200 × 0.40 / 1M + 150 × 1.60 / 1M = $0.00152;
    # fine-tuned $0.00072; saving $0.0008; $24 / $0.0008 = 30,000 calls.
    body = COMPARE | {
        "large_model": "gpt-4.1-mini",
        "training_examples": 2000,
        "tokens_per_training_example": 800,
    }
    break_even = post(client, "compare", body)["break_even"]
    assert num(break_even["saving_usd_per_request"]) == D("0.0008")
    assert num(break_even["requests"]) == D(30_000)


# --------------------------------------------------------------- serving (capacity-anchors §3, §5)


def serving(**fields: object) -> dict:
    """A one-token serving request: the figures below do not depend on the traffic."""
    body: dict = {
        "architecture": "llama-3.1-8b",
        "gpu": "h100",
        "workload": {"requests_per_second": 0.01, "prompt_tokens": 1, "output_tokens": 1},
    }
    return body | fields


@pytest.mark.parametrize(
    ("gpu", "ms"),
    [
        ("a100-40gb", "10.33"),
        ("a100-80gb", "7.88"),
        ("h100", "4.79"),
        ("h200", "3.35"),
        ("l4", "53.5"),
        ("a10g", "26.8"),
    ],
)
def test_8b_decode_bound_per_gpu(client: TestClient, gpu: str, ms: str) -> None:
    # capacity-anchors §3.3, column "bf16 8B decode bound" = 16.06 GB / bandwidth, at full
    # bandwidth and batch 1 (e.g. 16,060,522,496 B / 1,555 GB/s = 10.33 ms); tolerance 0.5%
    # (§6 D1). A 1.5-token context adds 196,608 B of KV cache, far inside it.
    answer = post(client, "serving", serving(gpu=gpu, bandwidth_efficiency=1))
    assert within(answer["ms_per_output_token_at_batch_1"], ms, "0.005")


def test_d2_llama_2_70b_tensor_parallel_decode(client: TestClient) -> None:
    # capacity-anchors §3.2 / §6 D2: Llama-2-70B fp16 on 2 × A100 80GB: 137.95 GB / 4,078 GB/s
    # = 33.83 ms a token, 512 tokens 17.32 s weights-only (tolerance 5%).
    body = serving(
        architecture="llama-2-70b",
        gpu="a100-80gb",
        gpus_per_replica=2,
        precision="fp16",
        bandwidth_efficiency=1,
        workload={"requests_per_second": 0.01, "prompt_tokens": 512, "output_tokens": 512},
    )
    ms = post(client, "serving", body)["ms_per_output_token_at_batch_1"]
    assert within(ms, "33.83", "0.05")
    assert within(num(ms) * 512 / 1000, "17.32", "0.05")


def test_405b_kv_cache_at_128000_tokens_uses_8_kv_heads(client: TestClient) -> None:
    # capacity-anchors §3.1 and §5 #16: 516,096 B a token × 128,000 tokens = 66,060,288,000 B
    # = 61.52 GiB (the HF blog's 123.05 assumed 16 KV heads).
    body = serving(
        architecture="llama-3.1-405b",
        gpus_per_replica=16,
        workload={"requests_per_second": 0.01, "prompt_tokens": 127_000, "output_tokens": 1000},
    )
    answer = post(client, "serving", body)
    assert answer["kv_cache_bytes_per_token"] == 516_096
    assert answer["kv_cache_per_sequence"]["bytes"] == 66_060_288_000
    assert round(num(answer["kv_cache_per_sequence"]["gib"]), 2) == D("61.52")


#: A Llama-7B-shaped inline configuration (32 layers, hidden 4,096, 32 heads).
LLAMA_7B_SHAPE = {
    "layers": 32,
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "attention_heads": 32,
    "kv_heads": 32,
    "vocab_size": 32000,
    "tied_embeddings": False,
    "qk_norm": False,
}


@pytest.mark.parametrize(("kv_heads", "gib"), [(32, "1.00"), (8, "0.25")])
def test_cookbook_kv_cache_counts_k_and_v_and_gqa(
    client: TestClient, kv_heads: int, gib: str
) -> None:
    # capacity-anchors §5, code findings: h 4,096, 32 layers, 2,048 + 1 tokens, fp16: the
    # cookbook printed 0.50 GiB; with K and V, 2 × 32 × 32 × 128 × 2 B × 2,049 = 1.00 GiB
    # (MHA), and 0.25 GiB with 8 of 32 KV heads.
    body = serving(
        architecture=LLAMA_7B_SHAPE | {"kv_heads": kv_heads},
        gpu="a100-80gb",
        precision="fp16",
        workload={"requests_per_second": 0.01, "prompt_tokens": 2048, "output_tokens": 1},
    )
    answer = post(client, "serving", body)
    assert answer["kv_cache_per_sequence"]["bytes"] == 2 * 32 * kv_heads * 128 * 2 * 2049
    assert round(num(answer["kv_cache_per_sequence"]["gib"]), 2) == D(gib)


def test_opt_13b_kv_cache_matches_the_pagedattention_paper(client: TestClient) -> None:
    # capacity-anchors §3.1 K1: OPT-13B (40 layers, 40 heads of 128, MHA), fp16:
    # 2 × 40 × 40 × 128 × 2 = 819,200 B a token (~800 KB in the vLLM paper).
    opt_13b = {
        "layers": 40,
        "hidden_size": 5120,
        "intermediate_size": 20480,
        "attention_heads": 40,
        "kv_heads": 40,
        "vocab_size": 50272,
        "tied_embeddings": True,
        "qk_norm": False,
    }
    body = serving(architecture=opt_13b, gpu="a100-80gb", precision="fp16")
    assert post(client, "serving", body)["kv_cache_bytes_per_token"] == 819_200


def test_llama_2_70b_from_its_config_counts_gqa(client: TestClient) -> None:
    # capacity-anchors §5 #13 (meta-llama/llama #1111): with 8 KV heads Llama-2-70B has
    # 68,976,648,192 parameters, not the ~78.4B of a count that ignores GQA.
    config = LLAMA_7B_SHAPE | {
        "layers": 80,
        "hidden_size": 8192,
        "intermediate_size": 28672,
        "attention_heads": 64,
        "kv_heads": 8,
    }
    body = serving(architecture=config, gpus_per_replica=2, precision="fp16")
    assert post(client, "serving", body)["architecture"]["parameters"] == 68_976_648_192


def test_accelerate_3379_llama_3_1_70b_fp16_weights(client: TestClient) -> None:
    # capacity-anchors §5 #1: Llama-3.1-70B in fp16, LM head included: 70,553,706,496 × 2 B
    # = 141.11 GB = 131.42 GiB (the faulty tool printed 64.73 "GB").
    body = serving(architecture="llama-3.1-70b", gpus_per_replica=2, precision="fp16")
    weights = post(client, "serving", body)["weights"]
    assert weights["bytes"] == 141_107_412_992
    assert (round(num(weights["gb"]), 2), round(num(weights["gib"]), 2)) == (
        D("141.11"),
        D("131.42"),
    )


# -------------------------------------------------------------- training (capacity-anchors §5 #2)


def test_blog_2245_70b_full_fine_tune_needs_1_129_tb_of_states(client: TestClient) -> None:
    # capacity-anchors §5 #2: ZeRO mixed-precision AdamW, 16 B a parameter:
    # 70,553,706,496 × 16 = 1,128,859,303,936 B = 1.129 TB (the blog's table said 300 GB).
    body = {
        "mode": "self_hosted",
        "architecture": "llama-3.1-70b",
        "method": "full",
        "gpu": "h100",
        "trained_tokens": 1_000_000,
        "tokens_per_example": 2048,
    }
    states = post(client, "training", body)["self_hosted"]["memory"]["sharded_states"]
    assert states["bytes"] == 1_128_859_303_936
    assert round(num(states["gb"]) / 1000, 3) == D("1.129")


def test_gpt_3_training_flops_and_days_t1_t3(client: TestClient) -> None:
    # capacity-anchors §1.2 / §6 T1 and T3. GPT-3's shape (96 layers, h 12,288, tied vocabulary
    # of 50,257) with a 4h GeLU MLP written as a gated MLP of the same weight count (3 × h × i =
    # 2 × h × 4h, so i = 32,768) has N = 174,566,105,088 (the reference's 174.6B).
    # T1: 6ND = 6 × N × 300B = 3.142e23 FLOPs (reference 3.143e23, tolerance 0.5%).
    # T3: 8ND with full recomputation at 140 TFLOP/s achieved: 8 × N × 300B / 140e12 / 3,600
    # = 831,267 GPU-hours, on 1,024 GPUs 33.82 days (reference 33.91 for N = 175B, tolerance 0.5%).
    gpt_3 = {
        "layers": 96,
        "hidden_size": 12288,
        "intermediate_size": 32768,
        "attention_heads": 96,
        "kv_heads": 96,
        "vocab_size": 50257,
        "tied_embeddings": True,
        "qk_norm": False,
    }
    gpu = {
        "name": "A100 at the 140 TFLOP/s Megatron achieved",
        "memory_gb": 80,
        "bandwidth_gb_per_s": 2039,
        "dense_bf16_tflops": 140,
        "usd_per_hour": 2.21,
    }
    body = {
        "mode": "self_hosted",
        "method": "full",
        "architecture": gpt_3,
        "gpu": gpu,
        "efficiency": 1,
        "trained_tokens": 300 * 10**9,
        "tokens_per_example": 2048,
    }
    # Without recomputation 2,048-token activations overflow 64 of these GPUs; 6ND does not
    # depend on the sequence length, so that run uses 512-token examples.
    plain = post(client, "training", body | {"tokens_per_example": 512})["self_hosted"]
    assert plain["architecture"]["parameters"] == 174_566_105_088
    assert within(plain["executed_flops"], "3.143e23", "0.005")

    recomputed = post(client, "training", body | {"activation_recomputation": True})
    gpu_hours = num(recomputed["self_hosted"]["gpu_hours"])
    assert within(gpu_hours / 1024 / 24, "33.91", "0.005")
