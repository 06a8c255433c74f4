"""Query strings: a parameter a route does not declare, or one given twice, is a 422 naming it.

Reported: ``?kind=chat&kind=embedding`` listed embeddings only (the last value won), and so did
``?version=`` style repeats of ``from``, ``to`` and ``pricing_version``; an unknown parameter (a
misspelt ``pricing_versoin``) was ignored, so the answer came from the latest table.
"""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from tests.integration.test_http_error_surface import assert_problem

USAGE = {"model": "gpt-4o", "usage": {"input_tokens": 10, "output_tokens": 1}}
QA = b'{"question": "q", "answer": "a"}\n'


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/pricing/latest/models?kind=chat&kind=embedding", "kind"),
        ("/v1/pricing/latest/models?provider=openai&kind=chat&provider=google", "provider"),
        ("/v1/pricing/diff?from=2026-03-30&to=latest&to=2026-03-30", "to"),
        ("/v1/pricing/diff?from=2026-03-30&from=2026-03-30&to=latest", "from"),
        ("/v1/reference/approaches?pricing_version=latest&pricing_version=2026-03-30", None),
    ],
)
def test_a_repeated_query_parameter_is_422_naming_it(
    client: TestClient, path: str, name: str | None
) -> None:
    name = name or "pricing_version"
    body = assert_problem(client.get(path), 422)
    assert body["errors"][0]["path"] == f"$.{name}"
    assert "2 times" in body["errors"][0]["message"]


def test_a_repeated_dataset_parameter_is_422_naming_it(client: TestClient) -> None:
    response = client.post(
        "/v1/datasets/validate?task_type=qa&task_type=generation",
        content=QA,
        headers={"content-type": "application/x-ndjson"},
    )
    assert assert_problem(response, 422)["errors"][0]["path"] == "$.task_type"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/pricing?x=1", "x"),
        ("/v1/pricing/latest?pricing_version=2026-03-30", "pricing_version"),
        ("/v1/pricing/latest/models?kinds=chat", "kinds"),
        ("/v1/pricing/latest/gpus?provider=aws", "provider"),
        ("/v1/reference/approaches?pricing_versoin=2026-03-30", "pricing_versoin"),
        ("/v1/pricing/latest/models/gpt-4o?at=2026-01-01T00:00:00Z", "at"),
    ],
)
def test_an_unknown_query_parameter_is_422_naming_it(
    client: TestClient, path: str, name: str
) -> None:
    body = assert_problem(client.get(path), 422)
    assert body["errors"][0]["path"] == f"$.{name}"
    assert "unknown query parameter" in body["errors"][0]["message"]


@pytest.mark.parametrize("fast", [True, False])
def test_an_estimate_route_takes_no_query_parameter_on_either_path(
    client: TestClient, fast: bool
) -> None:
    # The fast path answers application/json; a +json type goes to the route handler.
    content_type = "application/json" if fast else "application/vnd.api+json"
    response = client.post(
        "/v1/estimates/usage?pricing_version=2026-03-30",
        json=USAGE,
        headers={"content-type": content_type},
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["path"] == "$.pricing_version"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/pricing/latest/models?kind=chat&provider=openai",
        "/v1/pricing/latest/models?",
        "/v1/pricing/latest/models?&&",
        "/healthz?probe=1&probe=2",
        "/readyz?x=1",
        "/schema/openapi.json?x=1",
    ],
)
def test_declared_parameters_and_operational_routes_still_answer(
    client: TestClient, path: str
) -> None:
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    ("path", "part"),
    [
        ("/v1/pricing/%ff", "path"),
        ("/v1/pricing/latest/models/%c0%af", "path"),
        ("/v1/reference/%e2%82", "path"),
        ("/v1/pricing/latest/models?provider=%e2%82", "query string"),
        ("/v1/pricing/latest/models?k%ffind=chat", "query string"),
    ],
)
def test_percent_encoded_bytes_that_are_not_utf8_are_400(
    client: TestClient, path: str, part: str
) -> None:
    body = assert_problem(client.get(path), 400)
    assert f"the {part} is not UTF-8" in body["detail"]


def test_percent_encoded_utf8_is_read(client: TestClient) -> None:
    # %e2%82%ac is "€": an unknown topic, named as sent.
    body = assert_problem(client.get("/v1/reference/%e2%82%ac"), 404)
    assert "€" in body["detail"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("from=&to=2026-12-04", "from"),
        ("from=2026-12-01&to=", "to"),
        (f"from={'9' * 41}&to=2026-12-04", "from"),
        (f"from=2026-12-01&to={'9' * 41}", "to"),
    ],
)
def test_a_bad_renamed_parameter_is_named_as_sent(
    client: TestClient, query: str, name: str
) -> None:
    # Reported: `?to=` (empty) was a 422 at `$.to_version`, the handler's argument, a name no
    # client sends; a missing `to` was already named `$.to`.
    response = client.get(f"/v1/pricing/diff?{query}")
    assert response.status_code == 422, response.text
    assert [e["path"] for e in response.json()["errors"]] == [f"$.{name}"]
    assert "_version" not in response.json()["detail"]
