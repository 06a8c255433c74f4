"""POST /v1/estimates/compare over HTTP: four approaches and the flowchart's pick."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

FLOWCHARTS = [
    {"needs_persistent_change": False, "labeled_example_count": 20_000},
    {
        "needs_persistent_change": False,
        "labeled_example_count": 500,
        "needs_multistep_reasoning": True,
    },
    {"needs_persistent_change": True, "data_fits_in_context": False},
    {"needs_persistent_change": True, "data_fits_in_context": True, "example_count": 150_000},
]


@pytest.mark.parametrize("flowchart", FLOWCHARTS)
def test_50000_requests_a_month(client: TestClient, flowchart: dict) -> None:
    body = {
        "pricing_version": "2026-12-01",
        "task_type": "qa",
        "requests_per_month": 50_000,
        "instruction_tokens": 1200,
        "input_tokens": 250,
        "output_tokens": 200,
        "corpus_tokens": 5_000_000,
        "flowchart": flowchart,
        "evaluation_metrics": ["human_eval"],
    }
    response = client.post("/v1/estimates/compare", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    approaches = answer["approaches"]
    assert [a["approach"] for a in approaches] == [
        "fine_tuning",
        "rag",
        "prompt_engineering",
        "agents",
    ]
    for approach in approaches:
        expected = approach["one_time_usd"] + 12 * approach["monthly_usd"]
        assert approach["first_year_usd"] == pytest.approx(expected, rel=1e-12)
        assert approach["monthly_usd"] > 0
        assert approach["failure_modes"][0]["detection"]
        assert approach["band"]["position"] in {"below", "within", "above"}

    picked = client.post("/v1/recommendations", json=flowchart).json()
    assert answer["recommendation"]["approach"] == picked["approach"]
    assert answer["recommendation"]["path"] == picked["path"]
    assert "no_automated_evaluation" in [f["code"] for f in answer["red_flags"]]


def test_unknown_large_model_is_404(client: TestClient) -> None:
    body = {
        "task_type": "qa",
        "requests_per_month": 10,
        "instruction_tokens": 10,
        "input_tokens": 10,
        "output_tokens": 10,
        "corpus_tokens": 1000,
        "flowchart": {"needs_persistent_change": True, "data_fits_in_context": False},
        "large_model": "gpt-99",
    }
    response = client.post("/v1/estimates/compare", json=body)
    assert response.status_code == 404
