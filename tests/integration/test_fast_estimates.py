"""The estimate routes' shortcut (service/fast_estimates.py) answers exactly as the route handler.

Every request is sent to two apps, one with the shortcut and one without it
(SPENDCAST_FAST_ESTIMATES=false), and the two answers must be the same bytes: for a valid request
of every estimate kind, and for each kind of request the shortcut hands to the handler.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from prometheus_client import REGISTRY

from loadtests.cache_policy import all_samples
from pricing.catalog import Catalog
from pricing.estimators.registry import ESTIMATORS
from service.app import create_app
from service.fast_estimates import MAX_BODY_BYTES, FastEstimates, read_small_body, replaying
from service.routes.estimates import ROUTES, estimate_answer
from service.settings import Settings

USAGE = "/v1/estimates/usage"
# gpt-4o-mini lists $0.15 per 1M input and $0.60 per 1M output tokens (2026-12-01 table), so
# 1,200 in and 300 out cost 1,200 × 0.15 / 1e6 + 300 × 0.60 / 1e6 = 0.00018 + 0.00018 = 0.00036.
#: Fixed, so the two apps' answers do not differ by the time they were computed at.
AT = "2026-12-02T12:00:00Z"
GPT_4O_MINI = {
    "model": "gpt-4o-mini",
    "usage": {"input_tokens": 1200, "output_tokens": 300},
    "at": AT,
}
PATHS = {route.opt["estimate_kind"]: path for route in ROUTES for path in route.paths}


@pytest.fixture(name="clients", scope="module")
def fixture_clients(catalog: Catalog) -> Iterator[tuple[TestClient, TestClient]]:
    def app(fast: bool) -> Any:
        # No local cache: the two apps would key the same request differently (body bytes or
        # canonical digest), so their X-Cache would depend on which requests came before.
        settings = Settings(
            log_level="WARNING", metrics_enabled=False, fast_estimates=fast, local_cache_entries=0
        )
        return create_app(settings, catalog)

    with TestClient(app(True)) as fast, TestClient(app(False)) as handler:
        yield fast, handler


def both(
    clients: tuple[TestClient, TestClient], path: str, content: bytes, headers: dict[str, str]
) -> tuple[Any, Any]:
    fast, handler = clients
    return (
        fast.post(path, content=content, headers=headers),
        handler.post(path, content=content, headers=headers),
    )


def assert_same(fast: Any, handler: Any) -> None:
    assert fast.status_code == handler.status_code, (fast.text, handler.text)
    assert fast.headers["content-type"] == handler.headers["content-type"]
    assert fast.headers.get("x-cache") == handler.headers.get("x-cache")
    assert fast.content == handler.content


def valid_requests() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for kind, bodies in sorted(all_samples().items()):
        for body in bodies:
            found.append((kind, {**body, "at": AT}))
    return found


def test_every_estimate_kind_has_a_valid_request() -> None:
    assert {kind for kind, _ in valid_requests()} == set(PATHS)


@pytest.mark.parametrize(("kind", "body"), valid_requests())
def test_valid_requests_get_the_same_bytes(
    clients: tuple[TestClient, TestClient], kind: str, body: dict[str, Any]
) -> None:
    content = json.dumps(body).encode()
    fast, handler = both(clients, PATHS[kind], content, {"content-type": "application/json"})

    assert fast.status_code == 200, fast.text
    assert_same(fast, handler)


def test_the_shortcut_prices_by_hand() -> None:
    settings = Settings(log_level="WARNING", metrics_enabled=False, local_cache_entries=0)
    with TestClient(create_app(settings)) as client:
        answer = client.post(USAGE, json=GPT_4O_MINI)
    assert answer.status_code == 200
    assert answer.json()["total_usd"] == 0.00036
    assert answer.headers["x-cache"] == "bypass"


LARGE = {**GPT_4O_MINI, "model": "x" * (MAX_BODY_BYTES + 1)}
JSON = "application/json"

#: (what the shortcut leaves to the handler, body, content type or None for no header)
HANDED_OVER = [
    ("JSON with a charset", GPT_4O_MINI, "application/json; charset=utf-8"),
    ("a +json type", GPT_4O_MINI, "application/vnd.spendcast+json"),
    ("text/plain", GPT_4O_MINI, "text/plain"),
    ("no content type", GPT_4O_MINI, None),
    ("invalid JSON", b'{"model": "gpt-4o-mini",', JSON),
    ("a string for an integer", {**GPT_4O_MINI, "usage": {"input_tokens": "1200"}}, JSON),
    ("an integral float", {**GPT_4O_MINI, "usage": {"input_tokens": 1200.0}}, JSON),
    ("a number out of range", b'{"model":"gpt-4o-mini","usage":{"input_tokens":1e400}}', JSON),
    ("an unknown field", {**GPT_4O_MINI, "discount": 0.5}, JSON),
    ("an unknown model", {**GPT_4O_MINI, "model": "gpt-0"}, JSON),
    ("an unknown table", {**GPT_4O_MINI, "pricing_version": "1999-01-01"}, JSON),
    ("a body over the shortcut's size", LARGE, JSON),
    ("an array", [GPT_4O_MINI], JSON),
    ("an empty body", b"", JSON),
    (
        "a repeated key",
        b'{"model":"gpt-4o-mini","usage":{"input_tokens":10,"input_tokens":1200,'
        b'"output_tokens":300}}',
        JSON,
    ),
    (
        "a rate that would read as 0",
        b'{"rates":{"input":1e-400,"output":1},"usage":{"input_tokens":1000}}',
        JSON,
    ),
    (
        "a tiny rate a float holds",
        b'{"rates":{"input":1.5e-7,"output":1},"usage":{"input_tokens":1000},'
        b'"at":"2026-12-02T12:00:00Z"}',
        JSON,
    ),
    ("a byte order mark", b"\xef\xbb\xbf" + json.dumps(GPT_4O_MINI).encode(), JSON),
    ("JSON in latin-1", GPT_4O_MINI, "application/json; charset=latin-1"),
    ("another parameter", GPT_4O_MINI, "application/json; profile=x"),
    ("NaN", b'{"model":"gpt-4o-mini","usage":{"input_tokens":NaN}}', JSON),
    ("a repeated top-level key", b'{"model":"gpt-4o","model":"gpt-4o-mini","usage":{}}', JSON),
]


@pytest.mark.parametrize(
    ("case", "body", "content_type"), HANDED_OVER, ids=[case for case, *_ in HANDED_OVER]
)
def test_every_other_request_gets_the_handlers_answer(
    clients: tuple[TestClient, TestClient], case: str, body: Any, content_type: str | None
) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": content_type} if content_type else {}

    fast, handler = both(clients, USAGE, content, headers)

    assert_same(fast, handler)


@pytest.mark.parametrize(
    "headers",
    [
        [("content-type", "application/json"), ("content-type", "text/plain")],
        [("content-type", "application/json"), ("content-encoding", "gzip")],
        [("content-type", "application/json"), ("content-encoding", "identity")],
    ],
    ids=["two content types", "a coding on plain JSON", "identity coding"],
)
def test_unusual_headers_go_to_the_handler(
    clients: tuple[TestClient, TestClient], headers: list[tuple[str, str]]
) -> None:
    fast, handler = (
        client.post(USAGE, content=json.dumps(GPT_4O_MINI).encode(), headers=headers)
        for client in clients
    )
    assert_same(fast, handler)


# The middleware on its own: what it answers itself and what it hands over, byte for byte.


class Recorded:
    """A stand-in for the route handler: records what it was given and answers 204."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        _, body = await read_small_body(receive, 10**9)
        self.bodies.append(body if body is not None else b"<incomplete>")
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def run_middleware(
    app_state: Any, chunks: list[bytes], content_type: bytes = b"application/json"
) -> tuple[Recorded, list[dict[str, Any]]]:
    handler = Recorded()
    request_type = ESTIMATORS["usage"].request_type
    middleware = FastEstimates(request_type, estimate_answer("usage", "none"))(handler)
    incoming = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": USAGE,
        "headers": [(b"content-type", content_type)],
        "litestar_app": app_state,
    }
    asyncio.run(middleware(scope, receive, send))  # type: ignore[arg-type]
    return handler, sent


@pytest.fixture(name="app", scope="module")
def fixture_app(catalog: Catalog) -> Any:
    return create_app(Settings(log_level="WARNING", metrics_enabled=False), catalog)


def test_a_body_in_several_chunks_is_answered_by_the_shortcut(app: Any) -> None:
    content = json.dumps(GPT_4O_MINI).encode()
    handler, sent = run_middleware(app, [content[:10], content[10:40], content[40:]])

    assert handler.bodies == []
    assert sent[0]["status"] == 200
    assert json.loads(sent[1]["body"])["total_usd"] == 0.00036


def test_a_refused_body_reaches_the_handler_whole(app: Any) -> None:
    content = json.dumps({**GPT_4O_MINI, "usage": {"input_tokens": "1200"}}).encode()
    handler, sent = run_middleware(app, [content[:10], content[10:]])

    assert handler.bodies == [content]
    assert sent[0]["status"] == 204


def test_a_large_body_reaches_the_handler_whole(app: Any) -> None:
    content = json.dumps(LARGE).encode()
    chunk = 16 * 1024
    handler, _ = run_middleware(
        app, [content[i : i + chunk] for i in range(0, len(content), chunk)]
    )

    assert handler.bodies == [content]


def test_replaying_returns_the_read_messages_then_the_rest() -> None:
    later = {"type": "http.disconnect"}

    async def receive() -> dict[str, Any]:
        return later

    first = {"type": "http.request", "body": b"a", "more_body": True}
    replayed = replaying([first], receive)  # type: ignore[arg-type]

    async def read() -> list[Any]:
        return [await replayed(), await replayed()]

    assert asyncio.run(read()) == [first, later]


def _counted(route: str, status_class: str) -> float:
    labels = {"route": route, "method": "POST", "status_class": status_class}
    return REGISTRY.get_sample_value("spendcast_http_requests_total", labels) or 0.0


def test_the_shortcut_is_counted_under_its_route(catalog: Catalog) -> None:
    # The shortcut runs inside the metrics middleware but before Litestar's router, which
    # otherwise names the route: an answer it sends, and an error it hands on, must each be
    # counted once under the route template (never as "unmatched").
    settings = Settings(log_level="WARNING", local_cache_entries=0)
    with TestClient(create_app(settings, catalog)) as client:
        client.get("/metrics")  # flushes what earlier tests recorded
        before = {status: _counted(USAGE, status) for status in ("2xx", "4xx")}
        estimates_before = REGISTRY.get_sample_value("spendcast_estimates_total", {"kind": "usage"})

        assert client.post(USAGE, json=GPT_4O_MINI).json()["total_usd"] == 0.00036
        assert client.post(USAGE, json={**GPT_4O_MINI, "model": "gpt-0"}).status_code == 404
        client.get("/metrics")

        assert _counted(USAGE, "2xx") - before["2xx"] == 1
        assert _counted(USAGE, "4xx") - before["4xx"] == 1
        estimates = REGISTRY.get_sample_value("spendcast_estimates_total", {"kind": "usage"})
        assert (estimates or 0) - (estimates_before or 0) == 1


def test_a_query_string_is_left_to_the_routes_checks(catalog: Catalog) -> None:
    # With a query string the request goes through Litestar, whose query check refuses a
    # parameter the route does not declare (the shortcut would have priced it).
    settings = Settings(log_level="WARNING", metrics_enabled=False)
    with TestClient(create_app(settings, catalog)) as client:
        response = client.post(f"{USAGE}?pricing_versoin=2026-03-30", json=GPT_4O_MINI)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.pricing_versoin"


def test_the_route_middleware_does_not_retry_what_the_shortcut_tried(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An estimator's error leaves the shortcut for the full stack, whose route handler answers
    # the problem. The route's own middleware (the same instance) must not run the estimator a
    # third time on the way.
    [fast] = [m for route in ROUTES if USAGE in route.paths for m in route.middleware]
    calls = []
    original = fast._answer

    async def counted(*args: Any) -> Any:
        calls.append(args)
        return await original(*args)

    monkeypatch.setattr(fast, "_answer", counted)
    settings = Settings(log_level="WARNING", metrics_enabled=False)
    with TestClient(create_app(settings, catalog)) as client:
        assert client.post(USAGE, json={**GPT_4O_MINI, "model": "gpt-0"}).status_code == 404
    assert len(calls) == 1
