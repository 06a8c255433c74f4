"""POST /v1/recommendations over HTTP: the boundaries of the brief, the path, 422s."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

URL = "/v1/recommendations"


@pytest.mark.parametrize(
    ("body", "approach", "extension"),
    [
        (
            {
                "needs_persistent_change": True,
                "data_fits_in_context": True,
                "example_count": 99_999,
            },
            "prompt_engineering",
            False,
        ),
        (
            {
                "needs_persistent_change": True,
                "data_fits_in_context": True,
                "example_count": 100_000,
            },
            "fine_tuning",
            True,
        ),
        (
            {
                "needs_persistent_change": False,
                "labeled_example_count": 10_000,
                "needs_multistep_reasoning": False,
            },
            "prompt_engineering",
            False,
        ),
        ({"needs_persistent_change": False, "labeled_example_count": 10_001}, "fine_tuning", False),
    ],
)
def test_boundaries(client: TestClient, body: dict, approach: str, extension: bool) -> None:
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["approach"], answer["extension"]) == (approach, extension)


def test_path_carries_the_values(client: TestClient) -> None:
    answer = client.post(
        URL,
        json={
            "needs_persistent_change": False,
            "labeled_example_count": 250,
            "needs_multistep_reasoning": True,
            "agent_step_limit": False,
        },
    ).json()
    assert answer["approach"] == "agents"
    assert answer["approach_name"] == "Agents"
    assert [(s["input"], s["value"], s["answer"]) for s in answer["path"]] == [
        ("needs_persistent_change", False, False),
        ("labeled_example_count", 250, False),
        ("needs_multistep_reasoning", True, True),
    ]
    assert [f["code"] for f in answer["red_flags"]] == ["agent_without_step_limit"]


def test_missing_answer_on_the_path_is_422(client: TestClient) -> None:
    response = client.post(URL, json={"needs_persistent_change": True})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.data_fits_in_context"


def test_unknown_field_and_negative_count_are_422(client: TestClient) -> None:
    unknown = client.post(URL, json={"needs_persistent_change": True, "fits": True})
    assert unknown.status_code == 422
    negative = client.post(
        URL, json={"needs_persistent_change": False, "labeled_example_count": -1}
    )
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["path"] == "$.labeled_example_count"


def test_rag_and_agent_flags_stand_when_prompting_is_picked(client: TestClient) -> None:
    body = {
        "needs_persistent_change": False,
        "labeled_example_count": 10,
        "needs_multistep_reasoning": False,
        "documents_preprocessed": False,
        "agent_step_limit": False,
        "agent_retry_policy": False,
    }
    answer = client.post("/v1/recommendations", json=body).json()

    assert answer["approach"] == "prompt_engineering"
    assert [f["code"] for f in answer["red_flags"]] == [
        "rag_documents_not_preprocessed",
        "agent_without_step_limit",
        "agent_without_retry_policy",
    ]


# The tables served: latest is 2026-12-04; 2026-03-30 is the article's own table. Every one of
# them names the article's reference of 2026-03-30.
@pytest.mark.parametrize(
    ("query", "version"),
    [({}, "2026-12-04"), ({"pricing_version": "2026-03-30"}, "2026-03-30")],
)
def test_answer_names_its_pricing_version(client: TestClient, query: dict, version: str) -> None:
    body = {"needs_persistent_change": False, "labeled_example_count": 10_001, **query}
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["pricing_version"], answer["reference_version"]) == (version, "2026-03-30")


def test_unknown_pricing_version_is_a_404_at_its_field(client: TestClient) -> None:
    body = {"needs_persistent_change": False, "labeled_example_count": 1, "pricing_version": "x"}
    response = client.post(URL, json=body)
    assert response.status_code == 404, response.text
    assert response.json()["errors"][0]["path"] == "$.pricing_version"


def test_compare_recommendation_names_the_compared_table(client: TestClient) -> None:
    body = {
        "pricing_version": "2026-12-01",
        "task_type": "classification",
        "requests_per_month": 1000,
        "instruction_tokens": 100,
        "input_tokens": 100,
        "output_tokens": 10,
        "corpus_tokens": 10_000,
        "flowchart": {"needs_persistent_change": False, "labeled_example_count": 10_001},
    }
    response = client.post("/v1/estimates/compare", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["recommendation"]["pricing_version"] == "2026-12-01"
