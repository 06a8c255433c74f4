"""What schemathesis found in the estimators, kept as regressions (each was a 500 or a refusal)."""

from __future__ import annotations

from litestar.testing import TestClient

TRAINING = "/v1/estimates/training"
SERVING = "/v1/estimates/serving"


def test_absurd_efficiency_is_a_422_not_a_500(client: TestClient) -> None:
    # 5e-324 is a valid efficiency (> 0) that makes GPU-hours about 1e315: a 422, never a 500.
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
    assert response.json()["errors"][0]["path"] == "$"
    assert "too large for a JSON number" in response.json()["detail"]


def test_integral_number_counts_for_an_optional_integer(client: TestClient) -> None:
    body = {
        "architecture": "llama-3.1-8b",
        "gpu": "h100",
        "workload": {"requests_per_second": 2, "prompt_tokens": 500, "output_tokens": 200},
        "max_concurrency_per_replica": 64.0,
    }
    response = client.post(SERVING, json=body)

    assert response.status_code == 200, response.text
