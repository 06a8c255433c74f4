"""Every refusal is application/problem+json, whichever layer refuses.

Reported: GET /schema/nope answered Litestar's HTML 404 page; an unknown method, a control
character in a header or an over-long URL got uvicorn's text/plain 400 (or no limit at all); the
404 and 405 details only repeated the status ("Not Found"); an exception in ASGI middleware
outside the router would have been the server's text/plain 500.
"""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar.testing import TestClient

from loadtests.processes import Service
from service.server import MAX_HEADER_BYTES, MAX_TARGET_BYTES

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is a problem document of ``status`` with the four RFC 9457 members."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    "path",
    ["/schema/nope", "/schema/nope/deeper", "/nope", "/v1", "/v1/nope/a/b/c", "/v1/estimates"],
)
def test_unknown_paths_are_problems_naming_the_path(client: TestClient, path: str) -> None:
    body = assert_problem(client.get(path), 404)
    assert path in body["detail"]


@pytest.mark.parametrize("path", ["/schema/nope", "/nope"])
def test_head_of_an_unknown_path_has_problem_headers_and_no_content(
    client: TestClient, path: str
) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == 404
    assert head.headers["content-type"] == "application/problem+json"
    assert head.headers["content-length"] == got.headers["content-length"]
    assert head.content == b""


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/v1/pricing", "GET"),
        ("POST", "/v1/pricing/latest", "GET"),
        ("GET", "/v1/estimates/usage", "POST"),
        ("PUT", "/v1/datasets/validate", "POST"),
        ("POST", "/schema/nope", "GET"),
        ("DELETE", "/schema", "GET"),
    ],
)
def test_wrong_method_is_405_with_allow(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    body = assert_problem(client.request(method, path), 405)
    assert allowed in client.request(method, path).headers["allow"]
    assert method in body["detail"] and allowed in body["detail"]


def test_an_exception_outside_the_router_is_a_problem(client: TestClient) -> None:
    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("a middleware bug")

    # The guard is the outermost ASGI layer; what it wraps (metrics, HEAD) fails here.
    client.app.asgi_handler.app = broken  # type: ignore[attr-defined]
    body = assert_problem(client.get("/v1/pricing"), 500)
    assert "a middleware bug" not in body["detail"]


def test_an_exception_in_the_fast_path_is_a_problem(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.fast_estimates import FastEstimates

    def broken(self: Any, body: Any) -> Any:
        raise RuntimeError("a fast-path bug")

    monkeypatch.setattr(FastEstimates, "_decode", broken)
    usage = {"model": "gpt-4o", "usage": {"input_tokens": 10, "output_tokens": 1}}
    assert_problem(client.post("/v1/estimates/usage", json=usage), 500)


def _raw(server: Service, request: bytes) -> tuple[str, dict[str, str], bytes]:
    address = urlsplit(server.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return lines[0], headers, body


@pytest.mark.parametrize(
    ("request_bytes", "status", "words"),
    [
        (b"FOO /v1/pricing HTTP/1.1\r\nHost: x\r\n\r\n", 400, "method"),
        (b"GET /v1/pricing HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", 400, "header"),
        (b"GET /v1/pricing HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n", 400, "header"),
        (b"GET /v1/\xff HTTP/1.1\r\nHost: x\r\n\r\n", 400, "HTTP/1.1"),
        (b"GET /" + b"a" * MAX_TARGET_BYTES + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "target"),
        (
            b"GET /v1/pricing HTTP/1.1\r\nHost: x\r\nX-Big: "
            + b"a" * MAX_HEADER_BYTES
            + b"\r\n\r\n",
            431,
            "header",
        ),
    ],
)
def test_the_server_refuses_unreadable_requests_as_problems(
    live_server: Service, request_bytes: bytes, status: int, words: str
) -> None:
    status_line, headers, body = _raw(live_server, request_bytes)
    assert status_line.startswith(f"HTTP/1.1 {status} ")
    assert headers["content-type"] == "application/problem+json"
    assert int(headers["content-length"]) == len(body)
    problem = json.loads(body)
    assert problem.keys() >= PROBLEM_KEYS
    assert problem["status"] == status
    assert words in problem["detail"]


def test_the_server_still_reads_headers_below_the_limit(live_server: Service) -> None:
    request = (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: "
        + b"a" * (MAX_HEADER_BYTES // 2)
        + b"\r\n\r\n"
    )
    status_line, _, _ = _raw(live_server, request)
    assert status_line.startswith("HTTP/1.1 200 ")


@pytest.mark.parametrize("path", ["/v1/pricing", "/v1/pricing/latest/models", "/healthz"])
def test_allow_names_head_where_get_is_allowed(client: TestClient, path: str) -> None:
    refused = client.delete(path)
    assert refused.headers["allow"].split(", ")[:2] == ["GET", "HEAD"]
    assert "GET, HEAD" in refused.json()["detail"]
    assert "HEAD" in client.options(path).headers["allow"].split(", ")


def test_allow_of_a_post_route_has_no_head(client: TestClient) -> None:
    assert "HEAD" not in client.get("/v1/estimates/usage").headers["allow"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_readiness_keeps_its_status_document_when_draining(client: TestClient, method: str) -> None:
    client.app.state.service.draining = True  # type: ignore[attr-defined]
    response = client.request(method, "/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    if method == "GET":
        assert response.json()["status"] == "draining"
