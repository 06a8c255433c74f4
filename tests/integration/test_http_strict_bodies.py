"""Request bodies decode by the contract: no lax coercion, integral numbers count as integers.

What schemathesis found before these rules: "10" accepted for an integer, a 405 without
`Allow`, an empty body answered with a message naming Litestar's internals.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from litestar.testing import TestClient

USAGE = "/v1/estimates/usage"
MINI = {"model": "gpt-4o-mini", "pricing_version": "2026-12-01"}


def test_numeric_string_is_refused_for_an_integer(client: TestClient) -> None:
    response = client.post(USAGE, json={**MINI, "usage": {"input_tokens": "1200"}})

    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"] == [
        {"path": "$.usage.input_tokens", "message": "Expected `int`, got `str`"}
    ]


@pytest.mark.parametrize("count", ["1200.0", "1.2e3", "12E2"])
def test_integral_number_counts_as_an_integer(client: TestClient, count: str) -> None:
    # JSON Schema: an integer is a number without a fractional part, however it is written.
    body = '{"model":"gpt-4o-mini","pricing_version":"2026-12-01","usage":{"input_tokens":%s,'
    body += '"output_tokens":300}}'
    response = client.post(
        USAGE, content=body % count, headers={"content-type": "application/json"}
    )

    assert response.status_code == 200, response.text
    # gpt-4o-mini: 1,200 × $0.15/1M + 300 × $0.60/1M (pricing-anchors; README example)
    assert Decimal(str(response.json()["total_usd"])) == Decimal("0.00036")


def test_fractional_count_is_refused_with_its_path(client: TestClient) -> None:
    response = client.post(USAGE, json={**MINI, "usage": {"input_tokens": 1200.5}})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"path": "$.usage.input_tokens", "message": "Expected `int`, got `float`"}
    ]


def test_fractional_count_after_an_integral_one_keeps_the_float_message(
    client: TestClient,
) -> None:
    body = {**MINI, "requests": 2.0, "usage": {"input_tokens": 1200.5}}
    response = client.post(USAGE, json=body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "Expected `int`, got `float`"


def test_out_of_range_number_is_refused_at_its_path_even_on_the_retry_path(
    client: TestClient,
) -> None:
    body = '{"model":"gpt-4o-mini","requests":2.0,"usage":{"input_tokens":1},'
    body += '"rates":{"input":1e400}}'
    response = client.post(USAGE, content=body, headers={"content-type": "application/json"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.rates.input"
    assert "out of range" in response.json()["detail"]


def test_unknown_field_is_refused_with_its_path(client: TestClient) -> None:
    response = client.post(USAGE, json={**MINI, "usage": {"input_tokens": 1, "tokens": 2}})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"path": "$.usage.tokens", "message": "Object contains unknown field `tokens`"}
    ]


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"", "the request body is empty: send a JSON object"),
        (
            b"{nope",
            "the body is not valid JSON: JSON is malformed: object keys must be strings (byte 1)",
        ),
    ],
)
def test_unreadable_body_is_a_bad_request(client: TestClient, content: bytes, detail: str) -> None:
    response = client.post(USAGE, content=content, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == detail


def test_body_that_is_not_an_object_is_refused_at_the_root(client: TestClient) -> None:
    response = client.post(USAGE, json=[1, 2])

    assert response.status_code == 422
    assert response.json()["errors"] == [{"path": "$", "message": "Expected `object`, got `array`"}]


def test_method_not_allowed_names_the_allowed_methods(client: TestClient) -> None:
    response = client.request("TRACE", USAGE)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST, OPTIONS"
    assert response.headers["content-type"] == "application/problem+json"
