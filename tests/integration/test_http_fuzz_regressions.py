"""What schemathesis found in the estimators, kept as regressions (each was a 500 or a refusal)."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

TRAINING = "/v1/estimates/training"
SERVING = "/v1/estimates/serving"


def test_absurd_efficiency_is_a_422_at_its_field(client: TestClient) -> None:
    # 5e-324 (> 0) made GPU-hours about 1e315: once a 500, then a 422 that could only point at
    # the whole request ($); efficiencies now start at 1%, so the refusal names the field.
    body = {
        "mode": "self_hosted",
        "method": "full",
        "architecture": "llama-3.1-8b",
        "gpu": "h100",
        "examples": 1,
        "tokens_per_example": 1,
        "epochs": 1,
        "efficiency": 5e-324,
    }
    response = client.post(TRAINING, json=body)

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["path"] == "$.efficiency"


_SERVING = {
    "architecture": "llama-3.1-8b",
    "gpu": "h100",
    "workload": {"requests_per_second": 1, "prompt_tokens": 1000, "output_tokens": 300},
}
_GPU = {"memory_gb": 80, "bandwidth_gb_per_s": 3350, "dense_bf16_tflops": 989.4, "usd_per_hour": 2}


@pytest.mark.parametrize(
    ("route", "body", "path"),
    [
        (SERVING, _SERVING | {"bandwidth_efficiency": 5e-324}, "$.bandwidth_efficiency"),
        (SERVING, _SERVING | {"mfu": 5e-324}, "$.mfu"),
        (SERVING, _SERVING | {"target_utilization": 5e-324}, "$.target_utilization"),
        (
            SERVING,
            _SERVING
            | {
                "workload": {
                    "requests_per_second": 5e-324,
                    "prompt_tokens": 1000,
                    "output_tokens": 300,
                }
            },
            "$.workload.requests_per_second",
        ),
        (
            SERVING,
            _SERVING
            | {
                "workload": {
                    "requests_per_day": 5e-324,
                    "prompt_tokens": 1000,
                    "output_tokens": 300,
                }
            },
            "$.workload.requests_per_day",
        ),
        (
            SERVING,
            _SERVING
            | {
                "workload": {
                    "requests_per_month": 5e-324,
                    "prompt_tokens": 1000,
                    "output_tokens": 300,
                }
            },
            "$.workload.requests_per_month",
        ),
        (
            SERVING,
            _SERVING | {"gpu": _GPU | {"bandwidth_gb_per_s": 5e-324}},
            "$.gpu.bandwidth_gb_per_s",
        ),
        (
            SERVING,
            _SERVING | {"gpu": _GPU | {"dense_bf16_tflops": 5e-324}},
            "$.gpu.dense_bf16_tflops",
        ),
    ],
)
def test_a_figure_too_large_to_write_is_refused_at_its_field(
    client: TestClient, route: str, body: dict, path: str
) -> None:
    # Each of these (valid as > 0) once gave a figure near 1e324 (a latency, replica count or
    # $ per 1M output tokens), refused only at $; a bound on the field now names it.
    response = client.post(route, json=body)

    assert response.status_code == 422, response.text
    assert [e["path"] for e in response.json()["errors"]] == [path]


def test_the_smallest_accepted_inputs_give_readable_figures(client: TestClient) -> None:
    # At every lower bound at once (1% shares, 1 GB/s, 0.01 TFLOP/s, one request every 32
    # years) the answer is still a 200 whose figures a double holds.
    body = {
        "architecture": "llama-3.1-405b",
        "gpu": {
            "memory_gb": 100_000,
            "bandwidth_gb_per_s": 1,
            "dense_bf16_tflops": 0.01,
            "usd_per_hour": 10_000,
        },
        "bandwidth_efficiency": 0.01,
        "mfu": 0.01,
        "target_utilization": 0.01,
        "workload": {"requests_per_second": 1e-9, "prompt_tokens": 1, "output_tokens": 1},
    }
    response = client.post(SERVING, json=body)

    assert response.status_code == 200, response.text
    assert response.json()["usd_per_1m_output_tokens"] < 1e300


def test_integral_number_counts_for_an_optional_integer(client: TestClient) -> None:
    body = {
        "architecture": "llama-3.1-8b",
        "gpu": "h100",
        "workload": {"requests_per_second": 2, "prompt_tokens": 500, "output_tokens": 200},
        "max_concurrency_per_replica": 64.0,
    }
    response = client.post(SERVING, json=body)

    assert response.status_code == 200, response.text
