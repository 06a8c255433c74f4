"""Faults a first user reported, each kept as a test of its whole kind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from litestar.testing import TestClient

USAGE = "/v1/estimates/usage"


def total(body: dict) -> Decimal:
    return Decimal(str(body["total_usd"]))


def test_huge_amounts_are_exact_not_500(client: TestClient) -> None:
    # 1e15 tokens × 1e9 requests × $2.50 per 1M = $2.5e18.
    body = {
        "model": "gpt-4o",
        "requests": 1_000_000_000,
        "usage": {"input_tokens": 10**15},
    }
    response = client.post(USAGE, json=body)
    assert response.status_code == 200
    assert '"total_usd":2500000000000000000,' in response.text


def test_tiny_amounts_are_plain_decimals(client: TestClient) -> None:
    # gpt-5-nano: 1 token in at $0.05 + 1 out at $0.40 per 1M = 0.00000045.
    body = {"model": "gpt-5-nano", "usage": {"input_tokens": 1, "output_tokens": 1}}
    response = client.post(USAGE, json=body)
    assert '"total_usd":0.00000045' in response.text
    assert "E-" not in response.text


def test_deeply_nested_body_is_400(client: TestClient) -> None:
    raw = '{"model":"gpt-4o","usage":{"input_tokens":1},"x":' + "[" * 5000 + "]" * 5000 + "}"
    response = client.post(USAGE, content=raw, headers={"content-type": "application/json"})
    # The strict decoder refuses the unknown field `x` (422) before reading into it; the
    # two-step retry path reads it whole and answers 400. Either way a problem, never a 500.
    assert response.status_code in {400, 422}
    assert response.headers["content-type"].startswith("application/problem+json")
    retried = raw.replace('"usage"', '"requests":2.0,"usage"')
    response = client.post(USAGE, content=retried, headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_empty_body_is_400_saying_so(client: TestClient) -> None:
    response = client.post(USAGE, content=b"", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "empty" in response.json()["detail"]


def test_embedding_models_price_their_input(client: TestClient) -> None:
    body = {"model": "text-embedding-3-small", "usage": {"input_tokens": 1_000_000}}
    response = client.post(USAGE, json=body)
    assert response.status_code == 200
    assert total(response.json()) == Decimal("0.02")

    body["usage"]["output_tokens"] = 10
    problem = client.post(USAGE, json=body).json()
    assert problem["status"] == 422
    assert problem["errors"][0]["path"] == "$.usage.output_tokens"


def test_provider_prefix_picks_the_fine_tune_provider(client: TestClient) -> None:
    usage = {"input_tokens": 1_000_000, "output_tokens": 100_000}
    openai = client.post(USAGE, json={"model": "ft:gpt-4.1", "usage": usage}).json()
    azure = client.post(USAGE, json={"model": "azure/ft:gpt-4.1", "usage": usage}).json()
    inner = client.post(USAGE, json={"model": "ft:azure/gpt-4.1:org:x:1", "usage": usage}).json()
    # OpenAI fine-tuned gpt-4.1: 3 / 12 per 1M; Azure bills base rates 2 / 8 (+ hosting).
    assert total(openai) == Decimal("4.2")
    assert total(azure) == Decimal("2.8")
    assert total(inner) == Decimal("2.8")
    assert azure["model"]["provider"] == "azure"


def test_surrounding_whitespace_in_ids_is_ignored(client: TestClient) -> None:
    body = {"model": " gpt-4o-mini ", "usage": {"input_tokens": 1_000_000}}
    assert total(client.post(USAGE, json=body).json()) == Decimal("0.15")


def test_suggestions_have_no_duplicates(client: TestClient) -> None:
    problem = client.post(USAGE, json={"model": "gpt-4o-2024-05-13", "usage": {}}).json()
    assert problem["suggestions"]
    assert len(problem["suggestions"]) == len(set(problem["suggestions"]))


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"model": "gpt-4o", "usage": {"cached_tokens": 500}}, "$.usage.cached_tokens"),
        ({"model": "gpt-4o", "usage": {}, "foo": 1}, "$.foo"),
        ({"model": "gpt-4o"}, "$.usage"),
        ({"rates": {"input": 1, "unit": "usd_per_token"}, "usage": {}}, "$.rates.unit"),
        ({"rates": {"blended": 20000}, "usage": {}}, "$.rates.blended"),
    ],
)
def test_errors_name_the_field_itself(client: TestClient, body: dict, path: str) -> None:
    problem = client.post(USAGE, json=body).json()
    assert problem["status"] == 422
    assert [e["path"] for e in problem["errors"]] == [path]


def test_cache_below_the_minimum_prefix_is_warned(client: TestClient) -> None:
    body = {"model": "gpt-4o", "usage": {"input_tokens": 1000, "cache_read_tokens": 500}}
    codes = [w["code"] for w in client.post(USAGE, json=body).json()["warnings"]]
    assert codes == ["cache_below_minimum_prefix"]


def test_inline_rates_at_a_service_tier_are_warned(client: TestClient) -> None:
    body = {"rates": {"input": 2}, "service_tier": "priority", "usage": {"input_tokens": 10}}
    codes = [w["code"] for w in client.post(USAGE, json=body).json()["warnings"]]
    assert codes == ["inline_rates_used_as_given"]


def test_method_not_allowed_says_what_is(client: TestClient) -> None:
    response = client.put(USAGE, json={})
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]


@pytest.mark.parametrize("form", ['W/"{h}"', "*", '"x", "{h}"'])
def test_if_none_match_forms(client: TestClient, form: str) -> None:
    content_hash = client.get("/v1/pricing/2026-03-30").headers["etag"].strip('"')
    header = form.format(h=content_hash)
    response = client.get("/v1/pricing/2026-03-30", headers={"if-none-match": header})
    assert response.status_code == 304


def test_every_listed_entry_can_be_fetched(client: TestClient) -> None:
    listed = client.get("/v1/pricing/latest/models").json()["models"]
    versions = client.get("/v1/pricing").json()["versions"]
    latest = next(v for v in versions if v["latest"])
    assert latest["model_count"] == len(listed)
    for entry in listed:
        detail = client.get(f"/v1/pricing/latest/models/{entry['id']}")
        assert detail.status_code == 200, entry["id"]
        assert detail.json()["kind"] == entry["kind"], entry["id"]


def test_provider_filter(client: TestClient) -> None:
    models = client.get("/v1/pricing/latest/models", params={"provider": "Anthropic"}).json()
    assert models["models"]
    assert {m["provider"] for m in models["models"]} == {"anthropic"}
    unknown = client.get("/v1/pricing/latest/models", params={"provider": "nope"})
    assert unknown.status_code == 422
    assert "anthropic" in unknown.json()["detail"]


@pytest.mark.parametrize(
    ("model", "said"),
    [
        ("rerank-v3.5", "is a reranker"),
        ("llama-3.1-8b", "is an architecture"),
        ("h100-sxm", "is a gpu"),
    ],
)
def test_an_id_of_another_kind_says_what_it_is(client: TestClient, model: str, said: str) -> None:
    problem = client.post(USAGE, json={"model": model, "usage": {"input_tokens": 1}}).json()
    assert problem["status"] == 404
    assert said in problem["detail"]


def test_suggestions_keep_the_tables_spelling(client: TestClient) -> None:
    body = {
        "architecture": "llama-3.1-8",
        "gpu": "h100-sxm",
        "workload": {"requests_per_second": 1, "prompt_tokens": 100, "output_tokens": 100},
    }
    problem = client.post("/v1/estimates/serving", json=body).json()
    assert "meta-llama/Llama-3.1-8B" in problem["suggestions"]


def test_a_table_without_gpus_says_so(client: TestClient) -> None:
    body = {
        "pricing_version": "2026-03-30",
        "architecture": "llama-3.1-8b",
        "gpu": "h100-sxm",
        "workload": {"requests_per_second": 1, "prompt_tokens": 100, "output_tokens": 100},
    }
    problem = client.post("/v1/estimates/serving", json=body).json()
    assert problem["status"] == 404
    assert "pricing_version latest" in problem["detail"]


@pytest.mark.parametrize("version", ["LATEST", "Latest", " latest ", "2026-12-04", " 2026-12-04"])
def test_table_versions_are_read_like_model_ids(client: TestClient, version: str) -> None:
    # Any case of the keyword, and surrounding spaces, as model ids allow. gpt-4o-mini in the
    # latest table (2026-12-04, 2026-12-01's prices): 1,000,000 input tokens at $0.15 per 1M.
    body = {
        "model": "gpt-4o-mini",
        "pricing_version": version,
        "usage": {"input_tokens": 1_000_000},
    }
    response = client.post(USAGE, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["pricing_version"] == "2026-12-04"
    assert total(response.json()) == Decimal("0.15")
    table = client.get(f"/v1/pricing/{version.strip()}")
    assert table.status_code == 200
    assert table.json()["version"] == "2026-12-04"


def test_an_unknown_version_suggests_the_keyword_too(client: TestClient) -> None:
    body = {"model": "gpt-4o-mini", "pricing_version": "lates", "usage": {"input_tokens": 1}}
    response = client.post(USAGE, json=body)
    assert response.status_code == 404
    assert "latest" in response.json()["detail"]
