"""estimateServing over HTTP against capacity-anchors §3.1-§3.5 (K1, D1, P1, R1)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from litestar.testing import TestClient

from tests.integration.numbers import assumed, close, num

SERVING = "/v1/estimates/serving"
D = Decimal


def post(client: TestClient, body: dict) -> tuple[int, dict]:
    response = client.post(SERVING, json=body)
    return response.status_code, response.json()


def serving(**fields: object) -> dict:
    base: dict = {
        "architecture": "llama-3.1-8b",
        "gpu": "h100-sxm",
        "workload": {"requests_per_second": 20, "prompt_tokens": 1000, "output_tokens": 300},
    }
    return base | fields


@pytest.mark.parametrize(
    ("architecture", "kv_bytes"), [("llama-3.1-8b", 131_072), ("llama-2-7b", 524_288)]
)
def test_kv_cache_per_token_k1(client: TestClient, architecture: str, kv_bytes: int) -> None:
    # capacity-anchors §3.1: bf16, from KV heads and head_dim (GQA counts).
    status, body = post(client, serving(architecture=architecture))
    assert status == 200, body
    assert num(body["kv_cache_bytes_per_token"]) == kv_bytes
    assert body["kv_cache_per_sequence"]["bytes"] == 1300 * kv_bytes
    assert assumed(body, "kv_cache_precision") == "bf16"


def test_fp8_kv_cache_halves_it(client: TestClient) -> None:
    _, body = post(client, serving(kv_cache_precision="fp8"))
    assert num(body["kv_cache_bytes_per_token"]) == 65_536
    assert body["weights"]["bytes"] == 2 * 8_030_261_248


def test_decode_bound_d1(client: TestClient) -> None:
    # capacity-anchors §3.2 D1: Llama-2-7B fp16 on an A100 80 GB (2,039 GB/s) at η = 1:
    # 6.61 ms per token for the weights; one 2-token sequence adds 1.5 × 512 KiB.
    status, body = post(
        client,
        serving(
            architecture="llama-2-7b",
            gpu="a100-80gb",
            precision="fp16",
            bandwidth_efficiency=1,
            workload={"requests_per_second": 1, "prompt_tokens": 1, "output_tokens": 1},
        ),
    )
    assert status == 200, body
    exact = (D(2 * 6_738_415_616) + D("1.5") * 524_288) / D("2039e9") * 1000
    assert close(body["ms_per_output_token_at_batch_1"], exact)
    assert round(exact, 2) == D("6.61")
    assert body["weights"]["bytes"] == 13_476_831_232


def test_prefill_p1(client: TestClient) -> None:
    # capacity-anchors §3.2 P1: Llama-2-7B, 2,048-token prompt, A100: 177 ms at 50% MFU.
    _, body = post(
        client,
        serving(
            architecture="llama-2-7b",
            gpu="a100-80gb",
            workload={"requests_per_second": 1, "prompt_tokens": 2048, "output_tokens": 1},
        ),
    )
    exact = D(2 * 6_738_415_616 * 2048) / (D("312e12") * D("0.5"))
    assert close(body["prefill_seconds"], exact)
    assert round(exact * 1000) == 177
    assert assumed(body, "mfu") == "0.5"


def test_replicas_r1_with_measured_concurrency_and_latency(client: TestClient) -> None:
    # capacity-anchors §3.5 R1: 20 req/s × 2.0 s / (32 × 0.8) = 1.5625 → 2 replicas.
    # Short requests keep the GPU-time bound below it: per request 8.6 ms prefill + 100 decode
    # steps shared by 32 sequences (about 31 ms) → about 20 req/s per replica at ρ = 0.8.
    status, body = post(
        client,
        serving(
            architecture="llama-2-7b",
            gpu="a100-80gb",
            max_concurrency_per_replica=32,
            mean_latency_s=2.0,
            workload={"requests_per_second": 20, "prompt_tokens": 100, "output_tokens": 100},
        ),
    )
    assert status == 200, body
    assert num(body["replicas_by_concurrency"]) == D("1.5625")
    assert num(body["replicas_by_gpu_time"]) < D("1.5625")
    assert body["replicas"] == 2
    assert body["gpus"] == 2
    assert num(body["concurrency"]) == 40
    assert assumed(body, "target_utilization") == "0.8"


def test_gpu_time_balance_can_need_more_replicas_than_littles_law(client: TestClient) -> None:
    # Long prompts: prefill holds the whole GPU, so the GPU-time bound dominates.
    _, body = post(
        client,
        serving(workload={"requests_per_second": 20, "prompt_tokens": 8000, "output_tokens": 50}),
    )
    assert num(body["replicas_by_gpu_time"]) > num(body["replicas_by_concurrency"])
    assert body["replicas"] == math.ceil(num(body["replicas_by_gpu_time"]))


def test_replica_figures_are_consistent(client: TestClient) -> None:
    # Llama-3.1-8B bf16 on one H100: 72 GB usable − 16.06 GB weights leaves room for 328
    # sequences of 1,300 tokens × 128 KiB; vLLM's cap of 256 binds.
    status, body = post(client, serving(model="gpt-4o-mini"))
    assert status == 200, body
    assert body["max_batch_by_memory"] == (72 * 10**9 - 2 * 8_030_261_248) // (1300 * 131_072)
    assert body["max_batch_by_memory"] == 328
    assert body["max_concurrency_per_replica"] == 256
    assert assumed(body, "max_batch_size") == "256"

    # Decode step at B = 256: (weights + 256 × 1,150 × 131,072) / (3,350 GB/s × 0.8).
    step = (D(2 * 8_030_261_248) + 256 * 1150 * 131_072) / (D("3350e9") * D("0.8"))
    prefill = D(2 * 8_030_261_248 * 1000) / (D("989.4e12") * D("0.5"))
    latency = prefill + 300 * step
    assert close(body["ms_per_output_token"], step * 1000)
    assert close(body["mean_latency_seconds"], latency)
    max_rate = D("0.8") / (prefill + 300 * step / 256)
    assert close(body["max_requests_per_second_per_replica"], max_rate)
    assert body["replicas"] == 2  # 20 / 14.19 = 1.41 → 2; Little: 20 × 6.15 / 204.8 = 0.60

    # 2 H100 at the default $6.88: 13.76 per hour, × 730 a month.
    assert num(body["usd_per_hour"]) == D("13.76")
    assert num(body["monthly_usd"]) == D("13.76") * 730
    assert num(body["first_year_usd"]) == D("13.76") * 730 * 12
    output_per_hour = 20 * 3600 * 300
    assert close(body["usd_per_1m_output_tokens"], D("13.76") / output_per_hour * 10**6)


def test_api_cost_beside_it(client: TestClient) -> None:
    # gpt-4o-mini 0.15 / 0.60 per 1M; 20 req/s × 2,628,000 s a month = 52,560,000 requests.
    _, body = post(client, serving(model="gpt-4o-mini"))
    comparison = body["api_comparison"]
    requests = 20 * 2_628_000
    expected = D(requests * 1000) * D("0.15") / 10**6 + D(requests * 300) * D("0.60") / 10**6
    assert num(comparison["monthly_usd"]) == expected == D("17344.8")
    assert close(comparison["usd_per_1m_output_tokens"], expected / (requests * 300) * 10**6)
    assert body["model"]["id"] == "gpt-4o-mini"
    # The API's lines are beside the estimate, not in its total.
    assert [line["name"] for line in body["line_items"]] == ["gpu_hours"]


def test_no_model_no_comparison(client: TestClient) -> None:
    _, body = post(client, serving())
    assert body["api_comparison"] is None
    assert body["model"] is None


@pytest.mark.parametrize(
    ("rate", "per_second"),
    [({"requests_per_day": 864_000}, D(10)), ({"requests_per_month": 2_628_000}, D(1))],
)
def test_rate_units(client: TestClient, rate: dict, per_second: Decimal) -> None:
    workload = {"prompt_tokens": 1000, "output_tokens": 300} | rate
    _, body = post(client, serving(workload=workload))
    assert num(body["requests_per_second"]) == per_second


@pytest.mark.parametrize("rate", [{}, {"requests_per_second": 1, "requests_per_day": 86_400}])
def test_rate_in_exactly_one_unit(client: TestClient, rate: dict) -> None:
    workload = {"prompt_tokens": 1000, "output_tokens": 300} | rate
    status, body = post(client, serving(workload=workload))
    assert status == 422
    assert body["errors"][0]["path"] == "$.workload.requests_per_second"


def test_latency_target_caps_the_batch(client: TestClient) -> None:
    # 30 ms per output token: (16.06e9 + B × 1,150 × 131,072) / 2.68e12 ≤ 0.030 → B ≤ 426;
    # 10 ms: B ≤ 71.
    workload = {"requests_per_second": 20, "prompt_tokens": 1000, "output_tokens": 300}
    _, loose = post(client, serving(workload=workload | {"max_ms_per_output_token": 30}))
    _, tight = post(client, serving(workload=workload | {"max_ms_per_output_token": 10}))
    bound = (D("0.010") * D("3350e9") * D("0.8") - 2 * 8_030_261_248) / (1150 * 131_072)
    assert tight["max_batch_by_latency"] == int(bound) == 71
    assert tight["max_concurrency_per_replica"] == 71
    assert num(tight["ms_per_output_token"]) <= 10
    assert loose["max_concurrency_per_replica"] == 256
    assert tight["replicas"] >= loose["replicas"]


def test_end_to_end_latency_target(client: TestClient) -> None:
    workload = {"requests_per_second": 20, "prompt_tokens": 1000, "output_tokens": 300}
    _, body = post(client, serving(workload=workload | {"max_latency_s": 3}))
    assert num(body["mean_latency_seconds"]) <= 3
    assert body["max_batch_by_latency"] == body["max_concurrency_per_replica"]


@pytest.mark.parametrize(
    ("targets", "path"),
    [
        # One H100 reads 16.06 GB of weights (+ 150 × 128 KiB of KV) in 6.00 ms at
        # 3,350 GB/s × 0.8: 1 ms per token cannot be met.
        ({"max_ms_per_output_token": 1}, "$.workload.max_ms_per_output_token"),
        # The prefill (2 × 8.03e9 × 100 FLOPs at 989.4 TFLOP/s × 0.5 = 3.2 ms) fits in 0.5 s,
        # but the 100 output tokens get 4.97 ms each, below the 6.00 ms of one sequence.
        ({"max_latency_s": 0.5}, "$.workload.max_latency_s"),
        # Both given: the tighter one is named (4.97 ms from the latency, 5 ms per token).
        ({"max_latency_s": 0.5, "max_ms_per_output_token": 5}, "$.workload.max_latency_s"),
        (
            {"max_latency_s": 0.5, "max_ms_per_output_token": 4},
            "$.workload.max_ms_per_output_token",
        ),
        ({"max_latency_s": 0.0001}, "$.workload.max_latency_s"),
    ],
)
def test_unreachable_latency_is_a_422_at_the_target(
    client: TestClient, targets: dict, path: str
) -> None:
    workload = {"requests_per_second": 1, "prompt_tokens": 100, "output_tokens": 100}
    status, body = post(client, serving(workload=workload | targets))
    assert status == 422
    assert [error["path"] for error in body["errors"]] == [path]


def test_weights_that_do_not_fit_say_what_is_missing(client: TestClient) -> None:
    # Llama-3.1-70B bf16 = 141.11 GB on one A100 80 GB (72 GB usable): 69.11 GB missing.
    status, body = post(client, serving(architecture="llama-3.1-70b", gpu="a100-80gb"))
    assert status == 422
    assert body["errors"][0]["path"] == "$.gpu"
    assert "69.11 GB" in body["detail"]


def test_tensor_parallel_adds_memory_bandwidth_and_compute(client: TestClient) -> None:
    # Two A100s hold it: 144 GB usable, 4,078 GB/s, 624 TFLOP/s per replica.
    status, body = post(
        client, serving(architecture="llama-3.1-70b", gpu="a100-80gb", gpus_per_replica=2)
    )
    assert status == 200, body
    assert body["usable_memory"]["bytes"] == 144 * 10**9
    step_1 = (D(2 * 70_553_706_496) + 1150 * 327_680) / (D("4078e9") * D("0.8"))
    assert close(body["ms_per_output_token_at_batch_1"], step_1 * 1000)
    assert body["gpus"] == 2 * body["replicas"]


def test_one_sequence_that_does_not_fit_is_a_422(client: TestClient) -> None:
    # Llama-2-7B bf16 on an A100 80 GB: 58.5 GB beside the weights, 1M tokens × 512 KiB = 524 GB.
    workload = {"requests_per_second": 1, "prompt_tokens": 1_000_000, "output_tokens": 1}
    status, body = post(
        client, serving(architecture="llama-2-7b", gpu="a100-80gb", workload=workload)
    )
    assert status == 422
    assert "KV cache" in body["detail"]


def test_sequence_beyond_context_is_a_warning(client: TestClient) -> None:
    workload = {"requests_per_second": 1, "prompt_tokens": 5000, "output_tokens": 100}
    _, body = post(client, serving(architecture="llama-2-7b", workload=workload))
    assert "sequence_beyond_context" in {w["code"] for w in body["warnings"]}


def test_unknown_architecture_and_gpu_are_404(client: TestClient) -> None:
    status, body = post(client, serving(architecture="llama-2-7"))
    assert status == 404
    assert "llama-2-7b" in body["suggestions"]
    status, body = post(client, serving(gpu="a100-80"))
    assert status == 404
    assert "a100-80gb" in body["suggestions"]


def test_every_efficiency_default_is_echoed(client: TestClient) -> None:
    _, body = post(client, serving())
    names = {a["name"] for a in body["assumptions"]}
    assert {
        "precision",
        "kv_cache_precision",
        "gpus_per_replica",
        "bandwidth_efficiency",
        "mfu",
        "target_utilization",
        "max_batch_size",
        "usable_memory_share",
        "gpu_offer",
    } <= names
    assert assumed(body, "bandwidth_efficiency") == "0.8"


# -------------------------------------------------- measured values against the targets


def _codes(body: dict) -> set[str]:
    return {warning["code"] for warning in body["warnings"]}


def test_measured_concurrency_is_capped_by_the_latency_target(client: TestClient) -> None:
    # At the measured B = 200 a decode step takes (16,060,522,496 + 200 × 1,150 × 131,072) /
    # (3.35e12 × 0.8) = 17.24 ms, above the 10 ms target; the largest batch that meets it is
    # ⌊(0.010 × 2.68e12 − 16,060,522,496) / (1,150 × 131,072)⌋ = 71, so B = 71 (9.99 ms).
    workload = {
        "requests_per_second": 20,
        "prompt_tokens": 1000,
        "output_tokens": 300,
        "max_ms_per_output_token": 10,
    }
    status, body = post(
        client, serving(gpu="h100", max_concurrency_per_replica=200, workload=workload)
    )
    assert status == 200, body
    assert body["max_concurrency_per_replica"] == 71
    step = (D(2 * 8_030_261_248) + 71 * 1150 * 131_072) / (D("3350e9") * D("0.8"))
    assert close(body["ms_per_output_token"], step * 1000)
    [warning] = [w for w in body["warnings"] if w["code"] == "concurrency_breaks_latency_target"]
    assert "max_ms_per_output_token 10 (17.24 ms" in warning["message"]
    assert "planned at 71" in warning["message"]


@pytest.mark.parametrize(
    ("fields", "batch", "capped"),
    [
        # 300 ≤ 328 sequences fit in memory, but the engine's default cap is 256.
        ({}, 256, True),
        ({"max_batch_size": 400}, 300, False),
    ],
)
def test_measured_concurrency_is_capped_by_the_engine(
    client: TestClient, fields: dict, batch: int, capped: bool
) -> None:
    status, body = post(client, serving(max_concurrency_per_replica=300, **fields))
    assert status == 200, body
    assert body["max_concurrency_per_replica"] == batch
    assert ("concurrency_beyond_max_batch_size" in _codes(body)) is capped


def test_measured_concurrency_above_the_kv_bound_is_kept_with_a_warning(
    client: TestClient,
) -> None:
    # 328 sequences of 1,300 tokens fit; a measured 330 is kept (engines page the cache).
    status, body = post(client, serving(max_concurrency_per_replica=330, max_batch_size=400))
    assert status == 200, body
    assert body["max_concurrency_per_replica"] == 330
    assert "concurrency_beyond_kv_cache" in _codes(body)


def test_measured_latency_above_the_target_warns(client: TestClient) -> None:
    workload = {
        "requests_per_second": 20,
        "prompt_tokens": 1000,
        "output_tokens": 300,
        "max_latency_s": 3,
    }
    status, body = post(client, serving(mean_latency_s=100, workload=workload))
    assert status == 200, body
    assert num(body["mean_latency_seconds"]) == 100
    [warning] = [w for w in body["warnings"] if w["code"] == "measured_latency_breaks_target"]
    assert "mean_latency_s 100 is above the max_latency_s target 3" in warning["message"]


def test_weights_that_do_not_fit_one_gpu_say_one_gpu(client: TestClient) -> None:
    status, body = post(client, serving(architecture="llama-3.1-70b", gpu="a100-80gb"))
    assert status == 422
    assert "usable on 1 GPU:" in body["detail"]


# ----------------------------------------------------------------------------- ranges


def test_range_re_sizes_the_replicas_at_each_bound(client: TestClient) -> None:
    # Expected: 20 req/s need 2 H100 (14.19 req/s per replica by GPU time), $6.88 × 2 × 730.
    # Low, 10 req/s: 1 replica → 5,022.4. High, 40 req/s with 1,500 / 450 tokens: the same as
    # asking for that workload directly.
    uncertainty = {"volume": {"low": 0.5, "high": 2}, "tokens": {"low": 1, "high": 1.5}}
    status, body = post(client, serving(uncertainty=uncertainty))
    assert status == 200, body
    high_workload = {"requests_per_second": 40, "prompt_tokens": 1500, "output_tokens": 450}
    _, high = post(client, serving(workload=high_workload))
    assert num(body["range"]["expected"]) == num(body["monthly_usd"]) == D("6.88") * 2 * 730
    assert num(body["range"]["low"]) == D("6.88") * 730
    assert num(body["range"]["high"]) == num(high["monthly_usd"])
    assert num(high["monthly_usd"]) > num(body["monthly_usd"])


def test_a_bound_that_cannot_be_served_is_a_422_at_the_bound(client: TestClient) -> None:
    # Llama-2-7B on an A100 80 GB: 72e9 − 13,476,831,232 bytes beside the weights hold
    # 58,523,168,768 / 524,288 = 111,624 tokens of KV cache; 100,000-token requests fit,
    # 200,000 (tokens × 2) do not.
    workload = {"requests_per_second": 1, "prompt_tokens": 99_999, "output_tokens": 1}
    uncertainty = {"tokens": {"high": 2}}
    status, body = post(
        client,
        serving(
            architecture="llama-2-7b", gpu="a100-80gb", workload=workload, uncertainty=uncertainty
        ),
    )
    assert status == 422
    assert body["errors"][0]["path"] == "$.uncertainty.tokens.high"
    assert "KV cache" in body["detail"]


# ----------------------------------------------------------------------- service tier


def test_service_tier_is_echoed_where_an_api_model_is_priced(client: TestClient) -> None:
    _, body = post(client, serving(model="gpt-4o-mini"))
    assert assumed(body, "service_tier") == "standard"
    assert "service_tier_not_used" not in _codes(body)


def test_service_tier_without_an_api_model_prices_nothing(client: TestClient) -> None:
    _, default = post(client, serving())
    assert assumed(default, "service_tier") == "standard"
    assert "not used" in next(
        a["note"] for a in default["assumptions"] if a["name"] == "service_tier"
    )
    _, chosen = post(client, serving(service_tier="batch"))
    assert "service_tier_not_used" in _codes(chosen)
    assert num(chosen["monthly_usd"]) == num(default["monthly_usd"])


def test_api_comparison_reports_a_missing_inline_rate_at_the_rate(client: TestClient) -> None:
    status, body = post(client, serving(rates={"input": 1}))
    assert status == 422
    assert body["errors"][0]["path"] == "$.rates.output"


# ------------------------------------------------------------ bounds in the schema


@pytest.mark.parametrize(
    "fields",
    [
        {"gpus_per_replica": 65},
        {"gpus_per_replica": 0},
        {"mfu": 0},
        {"mfu": 1.01},
        {"bandwidth_efficiency": 0},
        {"target_utilization": 1.5},
        {"max_concurrency_per_replica": 0},
    ],
)
def test_out_of_bound_settings_are_refused(client: TestClient, fields: dict) -> None:
    status, body = post(client, serving(**fields))
    assert status == 422
    assert body["errors"][0]["path"] == f"$.{next(iter(fields))}"


def test_defaults_given_explicitly_are_not_echoed(client: TestClient) -> None:
    _, body = post(client, serving(mfu=0.6, gpus_per_replica=2, max_batch_size=128))
    names = {a["name"] for a in body["assumptions"]}
    assert not {"mfu", "gpus_per_replica", "max_batch_size"} & names
    assert assumed(body, "bandwidth_efficiency") == "0.8"
