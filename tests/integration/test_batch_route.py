"""POST /v1/estimates/batch over HTTP."""

from __future__ import annotations

from litestar.testing import TestClient
from prometheus_client import REGISTRY

from pricing.catalog import Catalog
from service.app import create_app
from service.settings import Settings

URL = "/v1/estimates/batch"


def item(tag: str, input_tokens: object) -> dict[str, object]:
    request = {
        "model": "gpt-4.1",
        "pricing_version": "2026-12-01",
        "at": "2026-12-02T00:00:00Z",
        "usage": {"input_tokens": input_tokens, "output_tokens": 150},
    }
    return {"tag": tag, "kind": "usage", "request": request}


def test_five_items_one_invalid(client: TestClient) -> None:
    body = {"items": [item("a", 3200), item("b", 3200), item("c", -1), item("d", 0), item("e", 1)]}
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["estimated"], answer["refused"]) == (4, 1)
    assert [(i["tag"], i["result"], i["status"]) for i in answer["items"]] == [
        ("a", "usage_estimate", 200),
        ("b", "usage_estimate", 200),
        ("c", "problem", 422),
        ("d", "usage_estimate", 200),
        ("e", "usage_estimate", 200),
    ]
    # gpt-4.1 ($2 / $8 per 1M): 3,200 in + 150 out = $0.0076 (spend-models §5.4).
    assert answer["items"][0]["estimate"]["total_usd"] == 0.0076
    assert answer["items"][2]["problem"]["errors"][0]["path"] == (
        "$.items[2].request.usage.input_tokens"
    )


def test_over_the_configured_limit_is_422(catalog: Catalog) -> None:
    settings = Settings(log_level="WARNING", metrics_enabled=False, batch_max_items=2)
    with TestClient(create_app(settings, catalog)) as small:
        response = small.post(URL, json={"items": [item(str(n), 10) for n in range(3)]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.items"


def test_default_limit_is_1000(client: TestClient) -> None:
    response = client.post(URL, json={"items": [item(str(n), 10) for n in range(1001)]})
    assert response.status_code == 422
    assert "1000" in response.json()["detail"]


def test_estimated_items_are_counted_as_estimates(catalog: Catalog) -> None:
    def usage_estimates() -> float:
        return REGISTRY.get_sample_value("spendcast_estimates_total", {"kind": "usage"}) or 0.0

    before = usage_estimates()
    with TestClient(create_app(Settings(log_level="WARNING"), catalog)) as client:
        body = {"items": [item("a", 3200), item("b", -1), item("c", 10)]}
        assert client.post(URL, json=body).json()["estimated"] == 2
        client.get("/metrics")  # a scrape adds what the worker gathered
    assert usage_estimates() - before == 2


def test_the_answer_names_every_table_it_used(client: TestClient) -> None:
    # Items may name different tables; a refused item names the one it was checked against
    # (latest resolved), or none when its pricing_version is not a table.
    article = {
        "tag": "article",
        "kind": "usage",
        "request": {
            "model": "ft:gpt-3.5-turbo",
            "pricing_version": "2026-03-30",
            "usage": {"input_tokens": 1000, "output_tokens": 0},
        },
    }
    unknown_model = {
        "tag": "latest",
        "kind": "usage",
        "request": {"model": "gpt-0", "usage": {"input_tokens": 1, "output_tokens": 0}},
    }
    no_table = {
        "tag": "nowhere",
        "kind": "usage",
        "request": {**item("x", 1)["request"], "pricing_version": "1999-01-01"},
    }
    body = {"items": [article, unknown_model, no_table, item("current", 3200)]}
    answer = client.post(URL, json=body).json()

    latest = client.get("/v1/pricing").json()["latest"]
    assert answer["pricing_versions"] == sorted({"2026-03-30", "2026-12-01", latest})
    # The article's blended $0.012 per 1k tokens is $12 per 1M: 1,000 tokens cost $0.012.
    assert answer["items"][0]["estimate"]["total_usd"] == 0.012
    assert answer["items"][1]["pricing_version"] == latest
    assert answer["items"][1]["status"] == 404
    assert answer["items"][2]["pricing_version"] is None
    assert answer["items"][3]["estimate"]["pricing_version"] == "2026-12-01"
