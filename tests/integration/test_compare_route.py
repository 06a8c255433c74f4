"""POST /v1/estimates/compare over HTTP: four approaches and the flowchart's pick."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from tests.workloads import COMPARE

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


# 500 labeled examples: the fine-tuning default takes the flowchart's count.
WORKLOAD = {**COMPARE, "flowchart": {**COMPARE["flowchart"], "labeled_example_count": 500}}


def test_articles_table_answers_with_rag_not_priced(client: TestClient) -> None:
    # The reported request: a 404 at `$` about an embedding model the caller never sent.
    body = {
        **WORKLOAD,
        "pricing_version": "2026-03-30",
        "large_model": "ft:gpt-4",
        "small_model": "gpt-3.5-turbo",
    }
    response = client.post("/v1/estimates/compare", json=body)
    assert response.status_code == 200, response.text
    rag = next(a for a in response.json()["approaches"] if a["approach"] == "rag")
    assert (rag["priced"], rag["monthly_usd"], rag["first_year_usd"]) == (False, None, None)
    assert "`embedding_model`" in rag["not_priced_reason"]


@pytest.mark.parametrize(
    ("sent", "field", "default"),
    [({}, "large_model", "gpt-4.1"), ({"large_model": "ft:gpt-4"}, "small_model", "gpt-4.1-mini")],
)
def test_a_default_model_the_table_lacks_is_named_as_the_default(
    client: TestClient, sent: dict, field: str, default: str
) -> None:
    # Reported: on the article's table, which prices neither gpt-4.1 nor gpt-4.1-mini, the
    # answer was "unknown model 'gpt-4.1'" at `$.large_model`, a field the caller never sent.
    body = {**WORKLOAD, "pricing_version": "2026-03-30", **sent}
    response = client.post("/v1/estimates/compare", json=body)
    assert response.status_code == 404, response.text
    error = response.json()["errors"][0]
    assert error["path"] == f"$.{field}"
    assert f"'{default}' (the default of `{field}`" in error["message"]
    assert f"give `{field}`" in error["message"]


def test_an_unknown_model_that_was_sent_is_not_called_a_default(client: TestClient) -> None:
    body = {**WORKLOAD, "large_model": "gpt-99"}
    response = client.post("/v1/estimates/compare", json=body)
    assert response.status_code == 404
    assert "default" not in response.json()["detail"]


@pytest.mark.parametrize("tier", ["batch", "flex", "priority"])
def test_every_service_tier_is_answered(client: TestClient, tier: str) -> None:
    response = client.post("/v1/estimates/compare", json={**WORKLOAD, "service_tier": tier})
    assert response.status_code == 200, response.text
    tuned = response.json()["approaches"][0]
    assert tuned["service_tier"] == "standard"  # no fine-tuned model offers another tier
    assert "fine_tuning priced at standard rates" in tuned["warnings"][0]["message"]


def test_an_inner_refusal_is_at_the_compare_field(client: TestClient) -> None:
    response = client.post("/v1/estimates/compare", json={**WORKLOAD, "chunk_size_tokens": 64})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["path"] == "$.chunk_overlap_tokens"


@pytest.mark.parametrize(
    ("field", "value"),
    [("training_examples", 10**9 + 1), ("corpus_documents", 10**9 + 1)],
)
def test_schema_bounds_are_the_limits(client: TestClient, field: str, value: int) -> None:
    response = client.post("/v1/estimates/compare", json={**WORKLOAD, field: value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == f"$.{field}"
