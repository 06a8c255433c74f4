"""estimateUsageCost and the pricing routes over HTTP (Litestar's test client)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from litestar.testing import TestClient

USAGE = "/v1/estimates/usage"


def post(client: TestClient, body: object) -> tuple[int, dict, str]:
    response = client.post(USAGE, json=body)
    return response.status_code, response.json(), response.headers["content-type"]


def test_readme_example_prices_gpt_4o_mini(client: TestClient) -> None:
    status, body, _ = post(
        client, {"model": "gpt-4o-mini", "usage": {"input_tokens": 1200, "output_tokens": 300}}
    )
    assert status == 200
    assert Decimal(str(body["total_usd"])) == Decimal("0.00036")
    assert body["pricing_version"] == "2026-12-04"
    assert {item["name"] for item in body["line_items"]} == {"input", "output"}


def test_money_is_an_exact_json_number(client: TestClient) -> None:
    response = client.post(USAGE, json={"rates": {"input": 5}, "usage": {"input_tokens": 323}})
    assert '"total_usd":0.001615' in response.text
    response = client.post(
        USAGE,
        json={
            "rates": {"input": 1.10, "output": 4.40},
            "usage": {"input_tokens": 1000, "output_tokens": 100},
        },
    )
    assert '"total_usd":0.00154' in response.text


def test_flex_tier_is_priced_as_flex(client: TestClient) -> None:
    status, body, _ = post(
        client,
        {
            "model": "gpt-5-nano",
            "service_tier": "flex",
            "usage": {"input_tokens": 10_000, "output_tokens": 2_000},
        },
    )
    assert status == 200
    assert Decimal(str(body["total_usd"])) == Decimal("0.00065")


def test_fine_tuned_id_prices_at_fine_tuned_rates(client: TestClient) -> None:
    status, body, _ = post(
        client,
        {
            "model": "ft:gpt-4o-mini-2024-07-18:acme:demo:abc123",
            "usage": {"input_tokens": 1_000_000, "output_tokens": 100_000},
        },
    )
    assert status == 200
    assert Decimal(str(body["total_usd"])) == Decimal("0.42")
    assert body["model"]["matched_by"] == "fine_tuned"


def test_article_table_prices_fine_tuned_gpt_4(client: TestClient) -> None:
    status, body, _ = post(
        client,
        {
            "model": "ft:gpt-4:acme:x:1",
            "pricing_version": "2026-03-30",
            "usage": {"input_tokens": 1000, "output_tokens": 1000},
        },
    )
    assert status == 200
    # $0.030 per 1k tokens, input and output alike.
    assert Decimal(str(body["total_usd"])) == Decimal("0.06")
    assert body["pricing_version"] == "2026-03-30"


def test_plain_base_id_is_not_found_on_the_article_table(client: TestClient) -> None:
    status, body, _ = post(
        client,
        {"model": "gpt-3.5-turbo", "pricing_version": "2026-03-30", "usage": {"input_tokens": 1}},
    )
    # The article prices only the fine-tuned model; the base has no price there.
    assert status == 404
    assert body["suggestions"] == ["ft:gpt-3.5-turbo"]


@pytest.mark.parametrize("model", ["gpt-4o-mini-2099", "gpt-4o-min", "gpt", "ft:gpt-9"])
def test_unknown_or_prefix_like_model_is_404_with_suggestions(
    client: TestClient, model: str
) -> None:
    status, body, content_type = post(client, {"model": model, "usage": {"input_tokens": 1}})
    assert status == 404
    assert content_type.startswith("application/problem+json")
    assert body["errors"][0]["path"] == "$.model"
    assert model in body["detail"]


def test_unknown_model_suggests_close_ids(client: TestClient) -> None:
    _, body, _ = post(client, {"model": "gpt-4o-mimi", "usage": {"input_tokens": 1}})
    assert "gpt-4o-mini" in body["suggestions"]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"model": "gpt-4o-mini", "usage": {"input_tokens": -1}}, "$.usage.input_tokens"),
        (
            {"model": "gpt-4o-mini", "usage": {"input_tokens": 5, "cache_read_tokens": 6}},
            "$.usage.input_tokens",
        ),
        ({"model": "gpt-4o-mini", "usage": {"input_tokens": 5, "extra": 1}}, "$.usage"),
        ({"model": "gpt-4o-mini", "usage": {}, "colour": "red"}, "$"),
        ({"model": "gpt-4o-mini", "rates": {"input": 1}, "usage": {}}, "$.rates"),
        ({"usage": {"input_tokens": 1}}, "$.model"),
        ({"model": "gpt-4o-mini", "usage": {"input_tokens": "ten"}}, "$.usage.input_tokens"),
        ({"model": "gpt-4o-mini", "usage": {"input_tokens": 1.5}}, "$.usage.input_tokens"),
        ({"model": "gpt-4o-mini", "requests": 0, "usage": {}}, "$.requests"),
        ({"model": "gpt-4o-mini", "service_tier": "turbo", "usage": {}}, "$.service_tier"),
        # gpt-4o-mini has no audio price: never $0.
        (
            {"model": "gpt-4o-mini", "usage": {"input_tokens": 9, "input_audio_tokens": 9}},
            "$.usage.input_audio_tokens",
        ),
        ({"model": "gpt-4o-mini", "service_tier": "flex", "usage": {}}, "$.service_tier"),
        ({"model": "o3", "at": "2020-01-01T00:00:00Z", "usage": {}}, "$.at"),
    ],
)
def test_bad_input_is_422_naming_the_field(client: TestClient, body: dict, path: str) -> None:
    status, problem, content_type = post(client, body)
    assert status == 422, problem
    assert content_type.startswith("application/problem+json")
    assert problem["status"] == 422
    paths = [error["path"] for error in problem["errors"]]
    assert any(p.startswith(path) for p in paths), paths


@pytest.mark.parametrize(
    "raw", [b"", b"nope", b"[1,2]", b"null", b'{"model": ', b"\xff\xfe", b'"text"', b"1e999"]
)
def test_malformed_bodies_are_4xx_problems(client: TestClient, raw: bytes) -> None:
    response = client.post(USAGE, content=raw, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert json.loads(response.text)["status"] == response.status_code


def test_list_versions(client: TestClient) -> None:
    body = client.get("/v1/pricing").json()
    assert body["latest"] == "2026-12-04"
    versions = {v["version"]: v for v in body["versions"]}
    assert set(versions) >= {"2026-03-30", "2026-12-01", "2026-12-04"}
    assert versions["2026-03-30"]["model_count"] == 3
    assert len(versions["2026-12-01"]["content_hash"]) == 64


def test_table_etag_and_304(client: TestClient) -> None:
    first = client.get("/v1/pricing/2026-03-30")
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert "immutable" in first.headers["cache-control"]
    second = client.get("/v1/pricing/2026-03-30", headers={"if-none-match": etag})
    assert second.status_code == 304


def test_models_filter_and_model_lookup(client: TestClient) -> None:
    body = client.get("/v1/pricing/latest/models", params={"kind": "embedding"}).json()
    assert body["models"]
    assert all(m["kind"] == "embedding" for m in body["models"])
    detail = client.get("/v1/pricing/latest/models/openai/gpt-4o-mini").json()
    assert detail["match"]["matched_by"] == "provider_prefix"
    assert detail["model"]["id"] == "gpt-4o-mini"
    missing = client.get("/v1/pricing/latest/models/gpt-4o-mimi")
    assert missing.status_code == 404
    assert "gpt-4o-mini" in missing.json()["suggestions"]


def test_gpus_and_diff(client: TestClient) -> None:
    gpus = client.get("/v1/pricing/latest/gpus").json()["gpus"]
    assert {g["id"] for g in gpus} >= {"h100-sxm", "a100-80gb"}
    diff = client.get("/v1/pricing/diff", params={"from": "2026-03-30", "to": "2026-12-01"})
    assert diff.status_code == 200
    body = diff.json()
    assert "gpt-4o-mini" in body["added"]
    # ft:gpt-3.5-turbo went from a blended $12/1M to $3 in / $6 out.
    changes = {(c["id"], c["token_class"]): c for c in body["changed"]}
    assert changes[("ft:gpt-3.5-turbo", "input")]["from_rate"] == 12
    assert changes[("ft:gpt-3.5-turbo", "input")]["to_rate"] == 3


def test_unknown_version_is_404(client: TestClient) -> None:
    response = client.get("/v1/pricing/1999-01-01/models")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_health_routes(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["redis"] == "disabled"
    version = client.get("/version").json()
    assert version["latest_pricing_version"] == "2026-12-04"


def test_an_implausible_inline_rate_is_said_once_in_its_unit(client: TestClient) -> None:
    # Reported: "rate 3000.0 usd_per_1m_tokens is 3000.0 usd_per_1m_tokens, above the
    # plausible maximum of 1000": the conversion said nothing, and the maximum had no unit.
    status, body, _ = post(
        client, {"rates": {"input": 3000, "output": 15}, "usage": {"input_tokens": 1}}
    )
    assert status == 422
    assert body["errors"][0]["message"] == (
        "rate 3000 usd_per_1m_tokens, above the plausible maximum of 1000 usd_per_1m_tokens; "
        "check the unit"
    )


def test_an_implausible_rate_in_another_unit_is_converted(client: TestClient) -> None:
    # $3 per 1k tokens is $3,000 per 1M: a per-1M price pasted as per-1k.
    body = {"rates": {"input": 3, "output": 15, "unit": "usd_per_1k_tokens"}}
    status, answer, _ = post(client, body | {"usage": {"input_tokens": 1}})
    assert status == 422
    assert answer["errors"][0]["message"].startswith(
        "rate 3 usd_per_1k_tokens is 3000 usd_per_1m_tokens, above the plausible maximum of 1000"
    )
