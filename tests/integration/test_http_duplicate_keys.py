"""A JSON object that repeats a key is refused with a 422 naming it, never read as its last value.

Reported: ``{"input_tokens": 10, "input_tokens": 20}`` priced 20 tokens (msgspec keeps the last
value), so a budget was silently computed from one of two numbers the client sent.
"""

from __future__ import annotations

import gzip

import pytest
from litestar.testing import TestClient

from tests.integration.test_http_error_surface import assert_problem

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        (
            "/v1/estimates/usage",
            b'{"model":"gpt-4o","usage":{"input_tokens":10,"input_tokens":20,"output_tokens":1}}',
            "$.usage.input_tokens",
        ),
        (
            "/v1/estimates/usage",
            b'{"model":"gpt-4o","usage":{"input_tokens":10,"output_tokens":1},"model":"gpt-4o"}',
            "$.model",
        ),
        (
            "/v1/estimates/inference",
            b'{"model":"gpt-4o","usage":{"input_tokens":10,"output_tokens":1},'
            b'"requests_per_month":1000,"uncertainty":{"volume":{"low":0.5,"high":2},'
            b'"tokens":{"low":0.5,"high":2,"low":0.9}}}',
            "$.uncertainty.tokens.low",
        ),
        (
            "/v1/estimates/batch",
            b'{"items":[{"tag":"a","kind":"usage","request":{"model":"gpt-4o",'
            b'"usage":{"input_tokens":1,"output_tokens":1}}},{"tag":"b","kind":"usage",'
            b'"request":{"model":"gpt-4o","usage":{"input_tokens":1,"output_tokens":1,'
            b'"output_tokens":2}}}]}',
            "$.items[1].request.usage.output_tokens",
        ),
        (
            "/v1/recommendations",
            b'{"needs_persistent_change":true,"needs_persistent_change":false}',
            "$.needs_persistent_change",
        ),
        (
            "/v1/chunks/validate",
            b'{"chunks":["a"],"chunks":["b"]}',
            "$.chunks",
        ),
    ],
)
@pytest.mark.parametrize("content_type", ["application/json", "application/vnd.x+json"])
def test_a_repeated_key_is_422_at_its_path(
    client: TestClient, path: str, body: bytes, where: str, content_type: str
) -> None:
    # application/json takes the estimate fast path; a +json type goes to the route handler.
    response = client.post(path, content=body, headers={"content-type": content_type})
    problem = assert_problem(response, 422)
    assert problem["errors"] == [
        {"path": where, "message": problem["errors"][0]["message"]},
    ]
    assert repr(where.rsplit(".", 1)[-1]) in problem["errors"][0]["message"]


def test_the_same_key_in_two_objects_is_no_duplicate(client: TestClient) -> None:
    body = (
        b'{"model":"gpt-4o","usage":{"input_tokens":10,"output_tokens":1},'
        b'"requests_per_month":1000,"uncertainty":{"volume":{"low":0.5,"high":2},'
        b'"tokens":{"low":0.5,"high":2}}}'
    )
    assert client.post("/v1/estimates/inference", content=body, headers=JSON).status_code == 200


def test_a_key_spelt_two_ways_is_a_repeat(client: TestClient) -> None:
    body = b'{"model":"gpt-4o","\\u006dodel":"gpt-4o-mini","usage":{"input_tokens":1}}'
    problem = assert_problem(client.post("/v1/estimates/usage", content=body, headers=JSON), 422)
    assert problem["errors"][0]["path"] == "$.model"


QA = b'{"question": "q", "answer": "a"}'
REPEATED = b'{"question": "q", "answer": "a", "answer": "b"}'


@pytest.mark.parametrize(
    ("content_type", "body", "gzipped"),
    [
        ("application/x-ndjson", b"\n".join([QA, REPEATED, QA]), False),
        ("application/json", b"[" + b",".join([QA, REPEATED, QA]) + b"]", False),
        ("application/x-ndjson", b"\n".join([QA, REPEATED, QA]), True),
    ],
)
def test_a_dataset_example_that_repeats_a_key_is_reported_by_line(
    client: TestClient, content_type: str, body: bytes, gzipped: bool
) -> None:
    headers = {"content-type": content_type}
    if gzipped:
        body = gzip.compress(body)
        headers["content-encoding"] = "gzip"
    response = client.post(
        "/v1/datasets/validate", params={"task_type": "qa"}, content=body, headers=headers
    )
    assert response.status_code == 200, response.text
    report = response.json()
    problems = {p["code"]: p for p in report["problems"]}
    assert problems["duplicate_keys"]["lines"] == [2]
    assert report["valid_examples"] == 2
