"""GET /v1/reference/{topic}: the article's knowledge by topic, tagged, versioned."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

TOPICS = {
    "approaches": "approaches",
    "dataset-requirements": "dataset_requirements",
    "evaluation-metrics": "evaluation_metrics",
    "failure-modes": "failure_modes",
    "red-flags": "red_flags",
}


@pytest.mark.parametrize(("topic", "field"), TOPICS.items())
def test_every_topic(client: TestClient, topic: str, field: str) -> None:
    response = client.get(f"/v1/reference/{topic}", params={"pricing_version": "2026-03-30"})
    assert response.status_code == 200
    body = response.json()
    assert body["topic"] == topic
    assert body["reference_version"] == "2026-03-30"
    assert body["pricing_version"] == "2026-03-30"
    assert len(body[field]) >= 4


def test_approach_band_as_numbers(client: TestClient) -> None:
    body = client.get("/v1/reference/approaches").json()
    fine_tuning = next(a for a in body["approaches"] if a["id"] == "fine_tuning")
    assert fine_tuning["cost_band"]["low_usd"] == 2000
    assert fine_tuning["cost_band"]["high_usd"] == 30000
    assert fine_tuning["cost_band"]["recurrence"] == "one_time"


def test_unknown_topic_is_404_with_suggestions(client: TestClient) -> None:
    response = client.get("/v1/reference/failure-mode")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["suggestions"][0] == "failure-modes"


def test_unknown_pricing_version_is_404(client: TestClient) -> None:
    response = client.get("/v1/reference/red-flags", params={"pricing_version": "1999-01-01"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["path"] == "$.pricing_version"
