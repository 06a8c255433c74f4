"""A JSON body that opens with a UTF-8 BOM is read as JSON on every JSON route.

Windows editors save UTF-8 with a BOM, and ``curl --data-binary @request.json`` sends it as it
is. RFC 8259 §8.1 lets a parser ignore it and the dataset route did; the other routes answered
400 "the body is not valid JSON: JSON is malformed: invalid character (byte 0)".
"""

from __future__ import annotations

import json

import pytest
from litestar.testing import TestClient

from tests.workloads import COMPARE

BOM = b"\xef\xbb\xbf"
USAGE = {"model": "gpt-4o-mini", "usage": {"input_tokens": 1200, "output_tokens": 300}}
AT_USAGE = USAGE | {"at": "2026-12-02T00:00:00Z"}


def post(client: TestClient, path: str, body: object, bom: bool = True):
    raw = json.dumps(body).encode()
    return client.post(
        path,
        content=(BOM + raw) if bom else raw,
        headers={"content-type": "application/json"},
    )


def test_a_usage_estimate_with_a_bom_is_priced(client: TestClient) -> None:
    response = post(client, "/v1/estimates/usage", USAGE)
    assert response.status_code == 200, response.text
    # gpt-4o-mini, $0.15 in and $0.60 out per 1M: 1,200 × 0.15 + 300 × 0.60 = 360 per 1M.
    assert response.json()["total_usd"] == 0.00036
    assert response.json()["pricing_version"] == "2026-12-04"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        # `at` fixed, so that both answers price the same instant.
        ("/v1/estimates/batch", {"items": [{"tag": "a", "kind": "usage", "request": AT_USAGE}]}),
        ("/v1/estimates/compare", COMPARE | {"at": "2026-12-02T00:00:00Z"}),
        (
            "/v1/recommendations",
            {"needs_persistent_change": False, "labeled_example_count": 10_001},
        ),
        ("/v1/chunks/validate", {"chunks": ["short chunk"]}),
    ],
)
def test_other_json_routes_read_a_bom_body_as_without_it(
    client: TestClient, path: str, body: object
) -> None:
    with_bom = post(client, path, body)
    without = post(client, path, body, bom=False)
    assert with_bom.status_code == without.status_code == 200, with_bom.text
    assert with_bom.json() == without.json()


def test_a_bom_is_not_a_licence_for_other_bytes(client: TestClient) -> None:
    # Only the three BOM bytes are dropped: a body that is not JSON after them is still a 400.
    response = client.post(
        "/v1/estimates/usage",
        content=BOM + b"not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
