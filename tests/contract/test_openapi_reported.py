"""What a tester found undocumented or documented wrongly in openapi.yaml, checked both ways."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import yaml
from litestar.testing import TestClient

from pricing.estimators.batch import DEFAULT_MAX_ITEMS
from service.__main__ import openapi_yaml
from service.settings import Settings


@cache
def document() -> dict[str, Any]:
    return yaml.safe_load(openapi_yaml())


def schema_property(schema: str, field: str) -> dict[str, Any]:
    return document()["components"]["schemas"][schema]["properties"][field]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/reference/" + "x" * 61, {}),
        ("/v1/reference/approaches", {"pricing_version": "v" * 41}),
        ("/v1/reference/approaches", {"pricing_version": ""}),
    ],
)
def test_get_reference_422_is_documented(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    response = client.get(path, params=params)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    documented = document()["paths"]["/v1/reference/{topic}"]["get"]["responses"]
    assert "application/problem+json" in documented["422"]["content"]
    assert "application/problem+json" in documented["400"]["content"]


@pytest.mark.parametrize("field", ["example_count", "labeled_example_count", "prompt_tokens"])
def test_counts_document_their_minimum(client: TestClient, field: str) -> None:
    branches = [schema_property("RecommendationRequest", field)]
    branches += branches[0].get("oneOf", [])
    assert 0 in [branch.get("minimum") for branch in branches]

    body = {"needs_persistent_change": False, "labeled_example_count": 5, field: -1}
    response = client.post("/v1/recommendations", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == f"$.{field}"


def test_batch_limit_is_the_configured_default_in_schema_and_runtime(client: TestClient) -> None:
    # Reported: the schema said 100,000 items while 1,000 were enforced.
    assert Settings().batch_max_items == DEFAULT_MAX_ITEMS == 1000
    assert schema_property("BatchRequest", "items")["maxItems"] == DEFAULT_MAX_ITEMS

    item = {"tag": "t", "kind": "usage", "request": {"model": "gpt-4o-mini", "usage": {}}}
    at_limit = client.post("/v1/estimates/batch", json={"items": [item] * DEFAULT_MAX_ITEMS})
    beyond = client.post("/v1/estimates/batch", json={"items": [item] * (DEFAULT_MAX_ITEMS + 1)})

    assert at_limit.status_code == 200
    assert at_limit.json()["estimated"] == DEFAULT_MAX_ITEMS
    assert beyond.status_code == 422
    assert beyond.json()["errors"][0]["path"] == "$.items"
