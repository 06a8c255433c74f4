"""estimateTraining over HTTP: provider fine-tuning (mode api) and self-hosted GPUs.

Worked numbers: spend-models §5.4 FT-1 (4,800,000 trained tokens), the article's table
(2026-03-30) and capacity-anchors §1.3-§1.5 (F1, M1, L1).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from litestar.testing import TestClient

from tests.integration.numbers import assumed, close, num

TRAINING = "/v1/estimates/training"
D = Decimal


def post(client: TestClient, body: dict) -> tuple[int, dict]:
    response = client.post(TRAINING, json=body)
    return response.status_code, response.json()


def api(model: str, **fields: object) -> dict:
    return {"mode": "api", "model": model, "examples": 2000, "tokens_per_example": 800} | fields


# ----------------------------------------------------------------------------------- mode api


@pytest.mark.parametrize(
    ("model", "training_usd"),
    [
        ("gpt-4.1-mini", "24"),
        ("gpt-4o-mini", "14.4"),
        ("ft:gpt-4.1", "120"),
        ("gpt-4.1-nano", "7.2"),
    ],
)
def test_trained_tokens_ft1(client: TestClient, model: str, training_usd: str) -> None:
    # spend-models §5.4 FT-1: 2,000 × 800 × 3 = 4,800,000 trained tokens.
    status, body = post(client, api(model))
    assert status == 200, body
    assert body["trained_tokens"] == 4_800_000
    assert body["epochs"] == 3
    assert num(body["training_usd"]) == D(training_usd)
    assert num(body["one_time_usd"]) == D(training_usd)
    assert num(body["monthly_usd"]) == 0
    assert body["model"]["matched_by"] == "fine_tuned"
    assert body["red_flags"] == []


def test_article_table_bills_per_1k_examples(client: TestClient) -> None:
    # The article's table: gpt-3.5-turbo at $0.80 per 1k examples; 2,000 × 3 epochs = 4.80.
    status, body = post(client, api("gpt-3.5-turbo", pricing_version="2026-03-30"))
    assert status == 200, body
    assert num(body["training_usd"]) == D("4.8")
    [line] = body["line_items"]
    assert (line["unit"], num(line["quantity"])) == ("trained_examples", 6000)
    assert line["rate_unit"] == "usd_per_1k_examples"
    assert body["api"]["training_rate_unit"] == "usd_per_1k_examples"


@pytest.mark.parametrize(("examples", "epochs"), [(20, 5), (10_000, 2), (2_000, 3)])
def test_default_epochs_are_echoed(client: TestClient, examples: int, epochs: int) -> None:
    status, body = post(client, api("gpt-4.1-mini", examples=examples))
    assert status == 200
    assert body["epochs"] == epochs
    assert assumed(body, "epochs") == str(epochs)
    assert body["trained_tokens"] == examples * 800 * epochs


def test_given_epochs_are_not_an_assumption(client: TestClient) -> None:
    status, body = post(client, api("gpt-4.1-mini", epochs=1))
    assert status == 200
    assert body["trained_tokens"] == 1_600_000
    assert "epochs" not in {a["name"] for a in body["assumptions"]}


def test_fewer_than_1000_examples_is_a_red_flag(client: TestClient) -> None:
    _, small = post(client, api("gpt-4.1-mini", examples=999))
    _, enough = post(client, api("gpt-4.1-mini", examples=1000))
    assert [f["code"] for f in small["red_flags"]] == ["fine_tuning_under_1000_examples"]
    assert enough["red_flags"] == []


def test_examples_are_capped_at_the_training_context(client: TestClient) -> None:
    # gpt-3.5-turbo trains on at most 16,385 tokens per example (spend-models §5.1).
    status, body = post(client, api("gpt-3.5-turbo", examples=1000, tokens_per_example=20_000))
    assert status == 200
    assert body["api"]["billed_tokens_per_example"] == 16_385
    assert body["trained_tokens"] == 1000 * 16_385 * 3
    # $8 per 1M trained tokens.
    assert num(body["training_usd"]) == D(1000 * 16_385 * 3) * 8 / 10**6
    assert [w["code"] for w in body["warnings"]] == ["examples_truncated"]


def test_hosting_and_retraining_are_monthly_lines(client: TestClient) -> None:
    # Azure: $1.70 per hour × 730 = 1,241 a month; 4 retrains a year of a $24 run = $8 a month.
    status, body = post(client, api("azure/gpt-4.1-mini", retrains_per_year=4))
    assert status == 200, body
    lines = {line["name"]: line for line in body["line_items"]}
    assert num(lines["hosting"]["cost_usd"]) == D("1241")
    assert lines["hosting"]["recurrence"] == "monthly"
    assert num(lines["retraining"]["cost_usd"]) == 8
    assert num(body["one_time_usd"]) == 24
    assert num(body["monthly_usd"]) == D("1249")
    assert num(body["first_year_usd"]) == 24 + 12 * D("1249")
    assert body["model"]["provider"] == "azure"


def test_openai_fine_tunes_have_no_hosting_line(client: TestClient) -> None:
    _, body = post(client, api("gpt-4.1-mini"))
    assert body["api"]["hosting_usd_per_hour"] is None
    assert [line["name"] for line in body["line_items"]] == ["training"]


def test_inference_is_priced_at_fine_tuned_rates(client: TestClient) -> None:
    # ft:gpt-4.1-mini 0.80 / 3.20 per 1M: 10,000 × (1,000 in, 100 out) = 8.00 + 3.20 a month.
    inference = {"usage": {"input_tokens": 1000, "output_tokens": 100}, "requests_per_month": 1e4}
    status, body = post(client, api("gpt-4.1-mini", inference=inference))
    assert status == 200, body
    assert num(body["api"]["inference_monthly_usd"]) == D("11.2")
    assert num(body["monthly_usd"]) == D("11.2")
    names = {line["name"] for line in body["line_items"] if line["recurrence"] == "monthly"}
    assert names == {"inference_input", "inference_output"}


def test_inference_per_day_uses_365_over_12(client: TestClient) -> None:
    inference = {"usage": {"input_tokens": 1000, "output_tokens": 0}, "requests_per_day": 1200}
    _, body = post(client, api("gpt-4.1-mini", inference=inference))
    # 1,200 × 365/12 = 36,500 requests × 1,000 tokens × $0.80 per 1M = 29.20.
    assert num(body["api"]["inference_requests_per_month"]) == 36_500
    assert num(body["monthly_usd"]) == D("29.2")


def test_inference_volume_needs_exactly_one_unit(client: TestClient) -> None:
    inference = {"usage": {"input_tokens": 10}}
    status, body = post(client, api("gpt-4.1-mini", inference=inference))
    assert status == 422
    assert body["errors"][0]["path"] == "$.inference.requests_per_month"


def test_unknown_base_model_is_404_with_suggestions(client: TestClient) -> None:
    status, body = post(client, api("gpt-4.1-mni"))
    assert status == 404
    assert "gpt-4.1-mini" in body["suggestions"]


def test_mode_is_required(client: TestClient) -> None:
    body = api("gpt-4.1-mini")
    del body["mode"]
    assert post(client, body)[0] == 422


# --------------------------------------------------------------------------- mode self_hosted


def self_hosted(**fields: object) -> dict:
    base = {
        "mode": "self_hosted",
        "architecture": "llama-3.1-8b",
        "method": "full",
        "gpu": "h100-sxm",
        "trained_tokens": 10**9,
        "tokens_per_example": 2048,
    }
    return base | fields


@pytest.mark.parametrize(
    ("fields", "gpu_hours", "k"),
    [
        ({"method": "full"}, "33.82", 6),
        ({"method": "lora"}, "22.55", 4),
        ({"method": "full", "activation_recomputation": True}, "45.09", 8),
    ],
)
def test_gpu_hours_f1(client: TestClient, fields: dict, gpu_hours: str, k: int) -> None:
    # capacity-anchors §1.3 F1: Llama-3.1-8B, 1e9 tokens, H100 989.4 dense TFLOP/s, 0.40; tol 1%.
    status, body = post(client, self_hosted(**fields))
    assert status == 200, body
    details = body["self_hosted"]
    assert abs(num(details["gpu_hours"]) / D(gpu_hours) - 1) <= D("0.01")
    assert details["flops_per_parameter_token"] == k
    assert details["executed_flops"] == k * 8_030_261_248 * 10**9
    assert assumed(body, "efficiency") == "0.40"
    # Exactly k × N × tokens / (989.4e12 × 0.40 × 3600), at the default offer ($6.88, AWS p5).
    exact_hours = D(k * 8_030_261_248 * 10**9) / (D("989.4e12") * D("0.40") * 3600)
    assert close(details["gpu_hours"], exact_hours)
    assert close(body["training_usd"], exact_hours * D("6.88"))


def test_full_adamw_memory_m1(client: TestClient) -> None:
    # capacity-anchors §1.4 M1: Llama-2-7B 16 B/param = 107.81 GB (100.41 GiB).
    status, body = post(client, self_hosted(architecture="llama-2-7b"))
    assert status == 200, body
    states = body["self_hosted"]["memory"]["sharded_states"]
    assert states["bytes"] == 107_814_649_856
    assert round(num(states["gb"]), 2) == D("107.81")
    assert round(num(states["gib"]), 2) == D("100.41")


def test_lora_adapters_l1(client: TestClient) -> None:
    # capacity-anchors §1.4 L1: r = 8 on q_proj, v_proj of Llama-2-7B = 4,194,304.
    status, body = post(
        client,
        self_hosted(
            architecture="meta-llama/Llama-2-7b-hf",
            method="lora",
            lora_rank=8,
            target_modules=["q_proj", "v_proj"],
        ),
    )
    assert status == 200, body
    details = body["self_hosted"]
    assert details["adapter_parameters"] == 4_194_304
    assert details["trainable_parameters"] == 4_194_304
    assert details["memory"]["adapters"]["bytes"] == 16 * 4_194_304
    assert details["memory"]["weights"]["bytes"] == 2 * 6_738_415_616


def test_lora_defaults_are_echoed(client: TestClient) -> None:
    _, body = post(client, self_hosted(method="qlora"))
    assert assumed(body, "lora_rank") == "8"
    assert assumed(body, "target_modules") == "q_proj, v_proj"
    assert "qlora_dequantization_not_counted" in {w["code"] for w in body["warnings"]}


def test_smallest_gpu_count_and_wall_clock(client: TestClient) -> None:
    # Llama-3.1-8B full: 128.48 GB states; activations 34 × 2048 × 4096 × 32 = 9.13 GB.
    # 2 GPUs: 64.24 + 9.13 > 72 GB usable; 3 GPUs: 42.83 + 9.13 fits.
    _, body = post(client, self_hosted())
    details = body["self_hosted"]
    assert details["min_gpu_count"] == details["gpu_count"] == 3
    assert details["memory"]["activations_per_gpu"]["bytes"] == 34 * 2048 * 4096 * 32
    assert close(details["wall_clock_hours"], num(details["gpu_hours"]) / 3)
    _, eight = post(client, self_hosted(gpu_count=8))
    assert eight["self_hosted"]["gpu_count"] == 8
    assert num(eight["self_hosted"]["gpu_hours"]) == num(details["gpu_hours"])


def test_too_few_gpus_is_a_422(client: TestClient) -> None:
    status, body = post(client, self_hosted(gpu_count=2))
    assert status == 422
    assert body["errors"][0]["path"] == "$.gpu_count"
    assert "fits on 3 or more" in body["detail"]


def test_a_run_that_fits_on_no_gpu_count_says_what_is_missing(client: TestClient) -> None:
    # Llama-2-7B full at s = 4096 on a 16 GB GPU (14.4 GB usable): activations alone take
    # 34 × 4096 × 4096 × 32 = 18.25 GB; at 64 GPUs each needs 107.81/64 + 18.25 = 19.94 GB,
    # so 5.54 GB (5.16 GiB) are missing per GPU.
    small_gpu = {"memory_gb": 16, "bandwidth_gb_per_s": 300, "dense_bf16_tflops": 65}
    status, body = post(
        client,
        self_hosted(
            architecture="llama-2-7b",
            tokens_per_example=4096,
            gpu=small_gpu | {"usd_per_hour": 0.5},
        ),
    )
    assert status == 422
    assert body["errors"][0]["path"] == "$.gpu"
    assert "5.54 GB (5.16 GiB)" in body["detail"]
    assert "64 GPUs" in body["detail"]


def test_examples_give_trained_tokens_with_default_epochs(client: TestClient) -> None:
    body = self_hosted(examples=500, tokens_per_example=1000)
    del body["trained_tokens"]
    status, result = post(client, body)
    assert status == 200, result
    assert result["trained_tokens"] == 500 * 1000 * 3
    assert [f["code"] for f in result["red_flags"]] == ["fine_tuning_under_1000_examples"]


def test_examples_and_trained_tokens_together_are_a_422(client: TestClient) -> None:
    status, body = post(client, self_hosted(examples=5000))
    assert status == 422
    assert body["errors"][0]["path"] == "$.examples"


def test_epochs_with_trained_tokens_say_epochs_go_with_examples(client: TestClient) -> None:
    status, body = post(client, self_hosted(epochs=2))
    assert status == 422
    assert body["errors"][0]["path"] == "$.epochs"
    assert "epochs go with examples" in body["detail"]


def test_inline_architecture_and_gpu(client: TestClient) -> None:
    # Llama-3.1-8B written inline on an inline H100 at $2 per hour: the F1 numbers again.
    architecture = {
        "layers": 32,
        "hidden_size": 4096,
        "intermediate_size": 14336,
        "attention_heads": 32,
        "kv_heads": 8,
        "head_dim": 128,
        "vocab_size": 128256,
        "tied_embeddings": False,
    }
    gpu = {"memory_gb": 80, "bandwidth_gb_per_s": 3350, "dense_bf16_tflops": 989.4}
    status, body = post(
        client, self_hosted(architecture=architecture, gpu=gpu | {"usd_per_hour": 2})
    )
    assert status == 200, body
    details = body["self_hosted"]
    assert details["architecture"]["parameters"] == 8_030_261_248
    assert abs(num(details["gpu_hours"]) / D("33.82") - 1) <= D("0.01")
    assert close(body["training_usd"], num(details["gpu_hours"]) * 2)


@pytest.mark.parametrize(
    ("field", "value", "suggested"),
    [("architecture", "llama-3.1-8", "llama-3.1-8b"), ("gpu", "h100-sx", "h100-sxm")],
)
def test_unknown_ids_are_404_with_suggestions(
    client: TestClient, field: str, value: str, suggested: str
) -> None:
    status, body = post(client, self_hosted(**{field: value}))
    assert status == 404
    assert suggested in body["suggestions"]
    assert body["errors"][0]["path"] == f"$.{field}"


def test_gpu_offer_by_provider_sku_or_negotiated_price(client: TestClient) -> None:
    _, crusoe = post(client, self_hosted(gpu_provider="crusoe"))
    _, lambda_8x = post(client, self_hosted(gpu_provider="lambda", gpu_sku="8x H100 SXM"))
    _, negotiated = post(client, self_hosted(usd_per_gpu_hour=2.5))
    hours = num(crusoe["self_hosted"]["gpu_hours"])
    assert crusoe["self_hosted"]["gpu"]["price_source"] == "crusoe H100 SXM"
    assert close(crusoe["training_usd"], hours * D("3.90"))
    assert close(lambda_8x["training_usd"], hours * D("3.99"))
    assert close(negotiated["training_usd"], hours * D("2.5"))
    assert "gpu_offer" not in {a["name"] for a in negotiated["assumptions"]}


def test_a_provider_with_several_offers_needs_a_sku(client: TestClient) -> None:
    status, body = post(client, self_hosted(gpu_provider="lambda"))
    assert status == 422
    assert body["errors"][0]["path"] == "$.gpu_sku"
    assert "'8x H100 SXM'" in body["detail"] and "'1x H100 SXM'" in body["detail"]


def test_offer_fields_with_an_inline_gpu_are_a_422(client: TestClient) -> None:
    gpu = {"memory_gb": 80, "bandwidth_gb_per_s": 3350, "dense_bf16_tflops": 989.4}
    body = self_hosted(gpu=gpu | {"usd_per_hour": 2}, gpu_provider="aws")
    assert post(client, body)[0] == 422


def test_unknown_gpu_provider_is_404(client: TestClient) -> None:
    status, body = post(client, self_hosted(gpu_provider="nowhere"))
    assert status == 404
    assert "aws" in body["suggestions"]


@pytest.mark.parametrize(
    ("method", "advice", "not_advised"),
    [
        ("full", "a larger GPU, LoRA or QLoRA, activation recomputation or shorter", None),
        ("lora", "a larger GPU, QLoRA, activation recomputation or shorter", "LoRA or"),
        ("qlora", "a larger GPU, activation recomputation or shorter sequences", "LoRA"),
    ],
)
def test_a_run_that_does_not_fit_is_advised_only_what_it_has_not_tried(
    client: TestClient, method: str, advice: str, not_advised: str | None
) -> None:
    # Llama-2-7B at s = 4096 on a 16 GB GPU: 18.25 GB of activations alone (see above), so
    # no method fits without recomputation.
    small_gpu = {"memory_gb": 16, "bandwidth_gb_per_s": 300, "dense_bf16_tflops": 65}
    status, body = post(
        client,
        self_hosted(
            architecture="llama-2-7b",
            method=method,
            tokens_per_example=4096,
            gpu=small_gpu | {"usd_per_hour": 0.5},
        ),
    )
    assert status == 422
    assert advice in body["detail"]
    if not_advised is not None:
        assert not_advised not in body["detail"].split("Use ")[1]


def test_one_gpu_is_one_gpu(client: TestClient) -> None:
    status, body = post(client, self_hosted(gpu_count=1))
    assert status == 422
    assert "sharded over 1 GPU," in body["detail"]
    assert "fits on 3 or more" in body["detail"]


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"gpu_count": 65}, "$.gpu_count"),
        ({"gpu_count": 0}, "$.gpu_count"),
        ({"efficiency": 0}, "$.efficiency"),
        ({"efficiency": 1.5}, "$.efficiency"),
        ({"micro_batch_size": 0}, "$.micro_batch_size"),
        ({"method": "lora", "lora_rank": 0}, "$.lora_rank"),
        ({"trained_tokens": 10**15 + 1}, "$.trained_tokens"),
    ],
)
def test_out_of_bound_fields_are_refused(client: TestClient, fields: dict, path: str) -> None:
    status, body = post(client, self_hosted(**fields))
    assert status == 422
    assert body["errors"][0]["path"] == path


# ------------------------------------------------------------- defaults, tiers, volumes


def test_inference_volume_in_both_units_says_not_both(client: TestClient) -> None:
    inference = {
        "usage": {"input_tokens": 10},
        "requests_per_month": 100,
        "requests_per_day": 10,
    }
    status, body = post(client, api("gpt-4.1-mini", inference=inference))
    assert status == 422
    assert body["errors"][0]["path"] == "$.inference.requests_per_day"
    assert "not both" in body["detail"]


def test_retrains_and_service_tier_defaults_are_echoed(client: TestClient) -> None:
    inference = {"usage": {"input_tokens": 1000}, "requests_per_month": 100}
    _, priced = post(client, api("gpt-4.1-mini", inference=inference))
    assert assumed(priced, "retrains_per_year") == "0"
    assert assumed(priced, "service_tier") == "standard"
    _, hosted = post(client, self_hosted())
    assert assumed(hosted, "retrains_per_year") == "0"
    assert assumed(hosted, "service_tier") == "standard"
    assert "not used" in next(
        a["note"] for a in hosted["assumptions"] if a["name"] == "service_tier"
    )


@pytest.mark.parametrize("body", [api("gpt-4.1-mini"), self_hosted()])
def test_a_tier_that_prices_nothing_is_a_warning(client: TestClient, body: dict) -> None:
    _, standard = post(client, body)
    _, batch = post(client, body | {"service_tier": "batch"})
    assert "service_tier_not_used" in {w["code"] for w in batch["warnings"]}
    assert num(batch["training_usd"]) == num(standard["training_usd"])


def test_api_range_scales_retraining_inference_and_tokens_per_example(
    client: TestClient,
) -> None:
    # gpt-4.1-mini: $5 per 1M trained tokens, ft inference 0.80 / 3.20 per 1M.
    # Expected: training 2,000 × 800 × 3 = 4.8M → $24, 4 retrains → $8 a month; inference
    # 10,000 × (1,000 × 0.80 + 100 × 3.20) / 1M = $11.20 → $19.20.
    # Low (× 0.5, × 0.5): training at 400 tokens → $12 × 4 × 0.5 / 12 = $2; inference 5,000 ×
    # (500 × 0.80 + 50 × 3.20) / 1M = $2.80 → $4.80.
    # High (× 2, × 1.5): training at 1,200 tokens → $36 × 8 / 12 = $24; inference 20,000 ×
    # (1,500 × 0.80 + 150 × 3.20) / 1M = $33.60 → $57.60.
    inference = {"usage": {"input_tokens": 1000, "output_tokens": 100}, "requests_per_month": 1e4}
    uncertainty = {"volume": {"low": 0.5, "high": 2}, "tokens": {"low": 0.5, "high": 1.5}}
    status, body = post(
        client,
        api("gpt-4.1-mini", retrains_per_year=4, inference=inference, uncertainty=uncertainty),
    )
    assert status == 200, body
    assert num(body["monthly_usd"]) == D("19.2")
    spread = body["range"]
    assert (num(spread["low"]), num(spread["expected"]), num(spread["high"])) == (
        D("4.8"),
        D("19.2"),
        D("57.6"),
    )
    assert num(body["training_usd"]) == 24


def test_self_hosted_range_scales_gpu_hours_and_retraining(client: TestClient) -> None:
    # 12 retrains a year = one run a month: monthly = one run's cost C. Low: C × 0.5 tokens ×
    # 0.5 volume; high: C × 1.5 × 2.
    uncertainty = {"volume": {"low": 0.5, "high": 2}, "tokens": {"low": 0.5, "high": 1.5}}
    status, body = post(client, self_hosted(retrains_per_year=12, uncertainty=uncertainty))
    assert status == 200, body
    run = num(body["training_usd"])
    assert num(body["monthly_usd"]) == run
    assert close(body["range"]["low"], run * D("0.25"))
    assert close(body["range"]["high"], run * 3)


def test_a_single_run_has_a_training_range_where_the_monthly_range_is_zero(
    client: TestClient,
) -> None:
    # FT-1 on gpt-4.1-mini, no retraining, hosting or inference: nothing is monthly, so `range`
    # is 0 / 0 / 0, and the run's own spread was nowhere. Tokens × 0.5 and × 2: 2,000 × 400 ×
    # 3 = 2.4M and 2,000 × 1,600 × 3 = 9.6M trained tokens at $5 per 1M = $12 and $48.
    uncertainty = {"volume": {"low": 0.5, "high": 2}, "tokens": {"low": 0.5, "high": 2}}
    status, body = post(client, api("gpt-4.1-mini", uncertainty=uncertainty))
    assert status == 200, body
    assert [num(body["range"][k]) for k in ("low", "expected", "high")] == [0, 0, 0]
    spread = body["training_range"]
    assert [num(spread[k]) for k in ("low", "expected", "high")] == [12, 24, 48]


def test_training_range_caps_the_scaled_example_at_the_training_context(
    client: TestClient,
) -> None:
    # ft:gpt-3.5-turbo ($8 per 1M, 16,385-token training context), 1,000 examples of 16,000
    # tokens × 3 epochs = 48M tokens = $384. × 0.5: 24M = $192. × 2: 32,000 is capped at
    # 16,385, 49,155,000 tokens = $393.24.
    uncertainty = {"tokens": {"low": 0.5, "high": 2}}
    status, body = post(
        client,
        api("gpt-3.5-turbo", examples=1000, tokens_per_example=16_000, uncertainty=uncertainty),
    )
    assert status == 200, body
    spread = body["training_range"]
    assert [num(spread[k]) for k in ("low", "expected", "high")] == [
        D(192),
        D(384),
        D("393.24"),
    ]


def test_self_hosted_training_range_scales_gpu_hours(client: TestClient) -> None:
    # GPU-hours are linear in trained tokens, so the run costs half and twice as much.
    uncertainty = {"tokens": {"low": 0.5, "high": 2}}
    status, body = post(client, self_hosted(uncertainty=uncertainty))
    assert status == 200, body
    run = num(body["training_usd"])
    assert close(body["training_range"]["low"], run / 2)
    assert close(body["training_range"]["high"], run * 2)


def test_no_uncertainty_no_training_range(client: TestClient) -> None:
    status, body = post(client, api("gpt-4.1-mini"))
    assert status == 200, body
    assert body["training_range"] is None


def test_inline_architecture_defaults_are_echoed(client: TestClient) -> None:
    # head_dim defaults to hidden_size / attention_heads = 4096 / 32 = 128.
    architecture = {
        "layers": 32,
        "hidden_size": 4096,
        "intermediate_size": 14336,
        "attention_heads": 32,
        "kv_heads": 8,
        "vocab_size": 128256,
        "tied_embeddings": False,
    }
    status, body = post(client, self_hosted(architecture=architecture))
    assert status == 200, body
    assert assumed(body, "architecture.head_dim") == "128"
    assert assumed(body, "architecture.qk_norm") == "false"
    assert assumed(body, "architecture.context_length") == "not given"
    assert body["self_hosted"]["architecture"]["parameters"] == 8_030_261_248
