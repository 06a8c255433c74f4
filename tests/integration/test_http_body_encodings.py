"""Bodies at the edges of JSON: the same answer on every JSON route, never a 500.

Reported: a number such as ``1e4000000`` in a compare request was a 500 (the range check
overflowed the decimal context); a 5,000-digit integer was a 400 "not valid JSON" on compare but
a 422 at its field elsewhere; ``Content-Type: application/json; charset=latin-1`` was read as
UTF-8 without a word; a UTF-8 byte order mark was accepted by the dataset upload but "invalid
character (byte 0)" on the other routes; a UTF-16 body, a blank body and NaN got msgspec's words
only. An inline rate of ``1e308`` was a 500 (quantizing it overflowed the decimal context) and
one of ``1e-400`` was priced as free (msgspec reads it as 0.0).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.integration.test_http_error_surface import assert_problem
from tests.workloads import COMPARE

USAGE = {"model": "gpt-4o", "usage": {"input_tokens": 1000, "output_tokens": 200}}
VALID: dict[str, Any] = {
    "/v1/estimates/usage": USAGE,
    "/v1/estimates/compare": COMPARE,
    "/v1/estimates/batch": {"items": [{"tag": "a", "kind": "usage", "request": USAGE}]},
    "/v1/recommendations": {
        "needs_persistent_change": False,
        "labeled_example_count": 5,
        "needs_multistep_reasoning": False,
    },
    "/v1/chunks/validate": {"chunks": ["a", "b"]},
}
JSON = {"content-type": "application/json"}


def _without_time(body: Any) -> Any:
    # Estimates name `at` (now) among their assumptions; two calls differ by it only.
    if isinstance(body, dict):
        return {k: _without_time(v) for k, v in body.items() if k != "assumptions"}
    if isinstance(body, list):
        return [_without_time(v) for v in body]
    return body


@pytest.mark.parametrize("path", sorted(VALID))
def test_a_utf8_byte_order_mark_is_ignored(client: TestClient, path: str) -> None:
    body = json.dumps(VALID[path]).encode()
    plain = client.post(path, content=body, headers=JSON)
    marked = client.post(path, content=b"\xef\xbb\xbf" + body, headers=JSON)
    assert plain.status_code == marked.status_code == 200, marked.text
    assert _without_time(marked.json()) == _without_time(plain.json())


@pytest.mark.parametrize("path", sorted(VALID))
@pytest.mark.parametrize("charset", ["latin-1", "utf-16", '"iso-8859-1"'])
def test_a_charset_other_than_utf8_is_415(client: TestClient, path: str, charset: str) -> None:
    headers = {"content-type": f"application/json; charset={charset}"}
    response = client.post(path, content=json.dumps(VALID[path]), headers=headers)
    assert "UTF-8" in assert_problem(response, 415)["detail"]


@pytest.mark.parametrize("path", sorted(VALID))
@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", '"utf-8"', "utf8"])
def test_utf8_may_be_named(client: TestClient, path: str, charset: str) -> None:
    headers = {"content-type": f"application/json; charset={charset}"}
    assert client.post(path, content=json.dumps(VALID[path]), headers=headers).status_code == 200


def test_a_dataset_in_another_charset_is_415(client: TestClient) -> None:
    response = client.post(
        "/v1/datasets/validate",
        params={"task_type": "qa"},
        content=b'{"question": "q", "answer": "a"}\n',
        headers={"content-type": "application/x-ndjson; charset=latin-1"},
    )
    assert_problem(response, 415)


@pytest.mark.parametrize("path", sorted(VALID))
@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b" \n\t ", "empty"),
        (json.dumps(USAGE).encode("utf-16"), "UTF-8"),
        (json.dumps(USAGE).encode("utf-16-be"), "UTF-8"),
        (b"NaN", "NaN and Infinity"),
        (b" -Infinity", "NaN and Infinity"),
    ],
)
def test_unreadable_bodies_say_why(client: TestClient, path: str, body: bytes, words: str) -> None:
    assert words in assert_problem(client.post(path, content=body, headers=JSON), 400)["detail"]


@pytest.mark.parametrize(
    "number", ["1e4000000", "-1e4000000", "1e400", "1" * 5000, "1" * 5000 + ".5"]
)
def test_a_number_beyond_every_type_is_422_at_its_field(client: TestClient, number: str) -> None:
    body = json.dumps({**COMPARE, "requests_per_month": "N"}).replace('"N"', number)
    response = client.post("/v1/estimates/compare", content=body, headers=JSON)
    assert assert_problem(response, 422)["errors"][0]["path"] == "$.requests_per_month"


@pytest.mark.parametrize("content_type", ["application/json", "application/x+json"])
def test_nan_inside_a_body_is_named(client: TestClient, content_type: str) -> None:
    body = b'{"model": "gpt-4o", "usage": {"input_tokens": NaN, "output_tokens": 1}}'
    response = client.post(
        "/v1/estimates/usage", content=body, headers={"content-type": content_type}
    )
    assert "NaN and Infinity are not JSON" in assert_problem(response, 400)["detail"]


INLINE = '{"rates": {"input": %s, "output": 1}, "usage": {"input_tokens": 1000}}'


@pytest.mark.parametrize("content_type", ["application/json", "application/x+json"])
@pytest.mark.parametrize(
    ("rate", "status"),
    [
        ("1e308", 422),
        ("1e-400", 422),
        ("-1e-400", 422),
        ("1E-400", 422),
        ("7.5e-400", 422),
        ("0." + "0" * 330 + "1", 422),
        ("1e-4000000", 422),
        ("1.5e-7", 200),  # a negative exponent a float holds: read exactly
        ("1.5e-11", 422),  # more than the 10 decimal places amounts are written with
        ("1.5e-4", 200),
        ("0e-400", 200),
    ],
)
def test_an_inline_rate_is_never_priced_as_zero_by_accident(
    client: TestClient, rate: str, status: int, content_type: str
) -> None:
    response = client.post(
        "/v1/estimates/usage",
        content=INLINE % rate,
        headers={"content-type": content_type},
    )
    assert response.status_code == status, response.text
    if status == 422:
        assert assert_problem(response, 422)["errors"][0]["path"] == "$.rates.input"


def test_a_tiny_number_in_a_batch_item_is_named(client: TestClient) -> None:
    body = '{"items": [{"tag": "a", "kind": "usage", "request": %s}]}' % (INLINE % "1e-400")
    response = client.post("/v1/estimates/batch", content=body, headers=JSON)
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["path"] == "$.items[0].request.rates.input"
