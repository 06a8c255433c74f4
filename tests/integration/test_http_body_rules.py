"""Body rules shared by every JSON route: JSON content type, strict values, paths in errors.

Reported by a tester: text/plain and XML bodies were read as JSON, batch items took "5" for an
integer, a missing query parameter and 1e400 were answered without a path.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from typing import Any

import pytest
import yaml
from litestar.testing import TestClient

from pricing.catalog import Catalog
from service.__main__ import openapi_yaml
from service.app import create_app
from service.settings import Settings

RECOMMENDATIONS = "/v1/recommendations"
BATCH = "/v1/estimates/batch"
DATASETS = "/v1/datasets/validate"
FLOWCHART = {"needs_persistent_change": False, "labeled_example_count": 10001}


@cache
def document() -> dict[str, Any]:
    return yaml.safe_load(openapi_yaml())


def json_body_operations() -> list[str]:
    """Every POST path of the document whose body is JSON."""
    return [
        path
        for path, methods in document()["paths"].items()
        if "application/json" in methods.get("post", {}).get("requestBody", {}).get("content", {})
    ]


def query_of(path: str) -> dict[str, str]:
    """The required query of a path: the dataset check's task type; other routes take none."""
    return {"task_type": "qa"} if path == DATASETS else {}


def test_every_json_route_is_listed() -> None:
    paths = json_body_operations()
    assert {RECOMMENDATIONS, BATCH, DATASETS, "/v1/estimates/compare"} <= set(paths)
    assert len(paths) == 12  # 8 estimates, batch, recommendations, chunks, datasets


@pytest.mark.parametrize("path", json_body_operations())
@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None])
def test_a_body_not_sent_as_json_is_415(
    client: TestClient, path: str, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(
        path, params=query_of(path), content=json.dumps(FLOWCHART), headers=headers
    )

    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    documented = document()["paths"][path]["post"]["responses"]
    assert "application/problem+json" in documented["415"]["content"]


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/x+json"])
def test_json_and_json_suffix_types_are_read(client: TestClient, content_type: str) -> None:
    response = client.post(
        RECOMMENDATIONS, content=json.dumps(FLOWCHART), headers={"content-type": content_type}
    )

    assert response.status_code == 200, response.text
    assert response.json()["approach"] == "fine_tuning"


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({**FLOWCHART, "needs_persistent_change": "false"}, "$.needs_persistent_change"),
        ({**FLOWCHART, "labeled_example_count": "10001"}, "$.labeled_example_count"),
    ],
)
def test_strings_are_not_booleans_or_numbers(client: TestClient, body: dict, path: str) -> None:
    response = client.post(RECOMMENDATIONS, json=body)

    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == [path]


def usage_item(input_tokens: object) -> dict:
    usage = {"input_tokens": input_tokens, "output_tokens": 1}
    request = {"model": "gpt-4o-mini", "pricing_version": "2026-12-01", "usage": usage}
    return {"tag": "a", "kind": "usage", "request": request}


def test_batch_item_string_is_not_a_number(client: TestClient) -> None:
    response = client.post(BATCH, json={"items": [usage_item("5")]})

    assert response.status_code == 200
    answer = response.json()["items"][0]
    assert (answer["result"], answer["status"]) == ("problem", 422)
    assert answer["problem"]["errors"] == [
        {"path": "$.items[0].request.usage.input_tokens", "message": "Expected `int`, got `str`"}
    ]


def test_batch_item_integral_float_is_an_integer(client: TestClient) -> None:
    # As on the item's own route: JSON Schema counts 1200.0 as an integer; 1200.5 is not one.
    response = client.post(BATCH, json={"items": [usage_item(1200.0), usage_item(1200.5)]})

    first, second = response.json()["items"]
    # gpt-4o-mini: 1,200 × $0.15/1M + 1 × $0.60/1M = $0.0001806
    assert first["estimate"]["total_usd"] == 0.0001806
    assert second["problem"]["errors"][0]["message"] == "Expected `int`, got `float`"


def test_missing_query_parameter_is_422_at_its_name(client: TestClient) -> None:
    response = client.post(
        DATASETS, content=b"{}\n", headers={"content-type": "application/x-ndjson"}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"path": "$.task_type", "message": "the required parameter 'task_type' is missing"}
    ]


@pytest.mark.parametrize(
    ("url", "body", "path"),
    [
        (
            RECOMMENDATIONS,
            b'{"needs_persistent_change":false,"labeled_example_count":1e400}',
            "$.labeled_example_count",
        ),
        # The integral-float path (2.0 first) reads numbers again: still a 422 at the number.
        (
            "/v1/estimates/usage",
            b'{"model":"gpt-4o-mini","requests":2.0,"usage":{"input_tokens":1},'
            b'"rates":{"input":-1e400}}',
            "$.rates.input",
        ),
        # Inside a free-form object msgspec says `$[...]`; the path is found all the same.
        (
            BATCH,
            b'{"items":[{"tag":"a","kind":"usage","request":{"usage":{"input_tokens":1e400}}}]}',
            "$.items[0].request.usage.input_tokens",
        ),
    ],
)
def test_number_out_of_range_is_422_at_its_path(
    client: TestClient, url: str, body: bytes, path: str
) -> None:
    response = client.post(url, content=body, headers={"content-type": "application/json"})

    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["path"] == path
    assert error["message"].startswith("Number out of range")


@pytest.mark.parametrize("path", [p for p in json_body_operations() if p != DATASETS])
@pytest.mark.parametrize("coding", ["gzip", "br", "deflate, gzip"])
def test_a_compressed_json_body_is_415_naming_the_coding(
    client: TestClient, path: str, coding: str
) -> None:
    # Reported: a gzip body was answered 400 "not valid JSON"; the coding is what is refused,
    # and RFC 9110 asks the 415 to say in Accept-Encoding what is accepted.
    body = gzip.compress(json.dumps(FLOWCHART).encode())
    headers = {"content-type": "application/json", "content-encoding": coding}
    response = client.post(path, content=body, headers=headers)

    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["accept-encoding"] == "identity"
    assert f"Content-Encoding {coding} is not accepted here" in response.json()["detail"]


def test_identity_coding_is_read_as_it_is(client: TestClient) -> None:
    headers = {"content-type": "application/json", "content-encoding": "identity"}
    response = client.post(RECOMMENDATIONS, content=json.dumps(FLOWCHART), headers=headers)

    assert response.status_code == 200, response.text
    assert response.json()["approach"] == "fine_tuning"


@pytest.mark.parametrize("path", json_body_operations())
def test_a_body_above_the_limit_is_a_documented_413_naming_the_limit(
    catalog: Catalog, path: str
) -> None:
    # Reported: batch and recommendations answered an undocumented 413, and every JSON route
    # said only "Request Entity Too Large", without the limit a client must stay under.
    settings = Settings(log_level="WARNING", metrics_enabled=False, max_upload_bytes=1024)
    body = json.dumps([{"question": "q" * 2000, "answer": "a"}])
    with TestClient(create_app(settings, catalog)) as small:
        response = small.post(
            path,
            params=query_of(path),
            content=body,
            headers={"content-type": "application/json"},
        )

    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "larger than 1024 bytes (SPENDCAST_MAX_UPLOAD_BYTES)" in response.json()["detail"]
    assert "413" in document()["paths"][path]["post"]["responses"]
