"""The workload estimators over HTTP: worked answers as exact JSON numbers, 422s naming fields.

Worked numbers: issue 3 and spend-models.md §2.3, §3.1, §4 on the 2026-12-01 table.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from litestar.testing import TestClient

from tests.workloads import AGENT, INFERENCE, PROMPT_1, RAG_1

D = Decimal


def post(client: TestClient, kind: str, body: dict) -> tuple[int, dict]:
    response = client.post(f"/v1/estimates/{kind}", json=body)
    return response.status_code, response.json()


def test_inference_month_and_capacity(client: TestClient) -> None:
    status, body = post(client, "inference", INFERENCE)
    assert status == 200
    assert body["monthly_usd"] == 360
    assert body["first_year_usd"] == 4320
    assert round(D(str(body["capacity"]["average_requests_per_second"])), 4) == D("0.3805")
    assert round(D(str(body["capacity"]["peak_requests_per_second"])), 4) == D("1.1416")

    daily = {k: v for k, v in INFERENCE.items() if k != "requests_per_month"}
    status, body = post(client, "inference", daily | {"requests_per_day": 10_000})
    assert status == 200
    assert body["monthly_usd"] == 109.5
    assert round(D(str(body["capacity"]["average_requests_per_second"])), 4) == D("0.1157")


def test_prompting_with_and_without_caching(client: TestClient) -> None:
    response = client.post("/v1/estimates/prompting", json={"model": "gpt-4.1-mini"} | PROMPT_1)
    assert response.status_code == 200
    assert '"monthly_usd":725.12,' in response.text
    body = response.json()
    assert body["monthly_without_caching_usd"] == 1520
    assert body["cacheable_prefix_tokens"] == 2944


def test_rag_one_time_and_monthly(client: TestClient) -> None:
    status, body = post(client, "rag", RAG_1)
    assert status == 200
    assert body["one_time_usd"] == 1.88
    assert body["monthly_usd"] == 114.28512
    assert body["vector_store_usage_usd"] == 0.975156
    assert body["vector_store_monthly_usd"] == 50

    status, body = post(client, "rag", RAG_1 | {"reranker": "rerank-v3.5", "rerank_candidates": 50})
    assert status == 200
    assert body["monthly_usd"] == 314.28512


def test_agent_tokens_per_attempt(client: TestClient) -> None:
    status, body = post(client, "agent", AGENT | {"model": "claude-sonnet-4.5"})
    assert status == 200
    tokens = body["tokens_per_attempt"]
    assert (tokens["input_tokens"], tokens["cache_write_tokens"]) == (30_000, 0)
    assert body["worst_case"] is None

    cached = AGENT | {"model": "claude-sonnet-4.5", "prompt_caching": True, "max_steps": 20}
    status, body = post(client, "agent", cached)
    assert status == 200
    tokens = body["tokens_per_attempt"]
    assert (tokens["cache_write_tokens"], tokens["cache_read_tokens"]) == (5500, 24_500)
    assert body["worst_case"]["tokens_per_attempt"]["steps"] == 20


@pytest.mark.parametrize(
    ("kind", "body", "path"),
    [
        (
            "prompting",
            PROMPT_1 | {"model": "gpt-4.1-mini", "cache_hit_rate": 1.5},
            "$.cache_hit_rate",
        ),
        (
            "prompting",
            PROMPT_1 | {"model": "gpt-4.1-mini", "cache_hit_rate": -0.1},
            "$.cache_hit_rate",
        ),
        ("rag", RAG_1 | {"response_cache_hit_rate": 1.01}, "$.response_cache_hit_rate"),
        (
            "rag",
            RAG_1 | {"changed_documents_share_per_month": 2},
            "$.changed_documents_share_per_month",
        ),
        ("rag", RAG_1 | {"chunk_overlap_tokens": 512}, "$.chunk_overlap_tokens"),
        (
            "rag",
            RAG_1 | {"reranker_rates": {"usd_per_1k_searches": -2}, "rerank_candidates": 50},
            "$.reranker_rates.usd_per_1k_searches",
        ),
        ("rag", RAG_1 | {"chunk_overlap_tokens": 700}, "$.chunk_overlap_tokens"),
        ("agent", AGENT | {"model": "gpt-4.1-mini", "steps_per_task": 0}, "$.steps_per_task"),
        ("agent", AGENT | {"model": "gpt-4.1-mini", "max_steps": 0}, "$.max_steps"),
        (
            "agent",
            AGENT | {"model": "gpt-4.1-mini", "failure_probability": 1},
            "$.failure_probability",
        ),
        ("inference", INFERENCE | {"requests_per_day": 5}, "$.requests_per_day"),
        ("inference", INFERENCE | {"peak_to_average": 0.5}, "$.peak_to_average"),
        (
            "inference",
            INFERENCE | {"uncertainty": {"volume": {"low": 2}}},
            "$.uncertainty.volume.low",
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: TestClient, kind: str, body: dict, path: str
) -> None:
    response = client.post(f"/v1/estimates/{kind}", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert path in [error["path"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("kind", "body", "path"),
    [
        ("inference", INFERENCE | {"model": "gpt-4o-mimi"}, "$.model"),
        ("rag", RAG_1 | {"embedding_model": "text-embedding-3-smol"}, "$.embedding_model"),
        ("rag", RAG_1 | {"vector_store": "pinecone"}, "$.vector_store"),
    ],
)
def test_unknown_ids_are_404_with_suggestions(
    client: TestClient, kind: str, body: dict, path: str
) -> None:
    response = client.post(f"/v1/estimates/{kind}", json=body)
    assert response.status_code == 404, response.text
    problem = response.json()
    assert problem["errors"][0]["path"] == path
    assert problem["suggestions"]


def test_inline_rates_at_another_tier_are_used_as_given(client: TestClient) -> None:
    body = {k: v for k, v in INFERENCE.items() if k != "model"}
    body |= {"rates": {"input": 0.15, "output": 0.6}, "service_tier": "batch"}
    status, answer = post(client, "inference", body)
    assert status == 200
    assert answer["monthly_usd"] == 360
    assert [w["code"] for w in answer["warnings"]] == ["inline_rates_used_as_given"]


def test_workloads_on_the_article_table_refuse_unpriced_base_models(client: TestClient) -> None:
    # The 2026-03-30 table prices only fine-tuned models: the base id is not found, never $0.
    body = INFERENCE | {"model": "gpt-3.5-turbo", "pricing_version": "2026-03-30"}
    status, _ = post(client, "inference", body)
    assert status == 404
