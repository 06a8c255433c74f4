"""HEAD on the GET routes, and the media type of /metrics.

Reported by a tester: HEAD /v1/pricing/latest (a cache revalidating the table) and HEAD /healthz
were 405, though RFC 9110 §9.1 asks every general-purpose server to support GET and HEAD and
§9.3.2 defines HEAD as GET without content; /metrics announced `charset=utf-8` twice.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from litestar.testing import TestClient
from prometheus_client import CONTENT_TYPE_LATEST

from loadtests.processes import Service
from pricing.catalog import Catalog
from service.app import create_app
from service.settings import Settings

GET_ROUTES = [
    "/healthz",
    "/readyz",
    "/version",
    "/metrics",
    "/v1/pricing",
    "/v1/pricing/latest",
    "/v1/pricing/2026-03-30",
    "/v1/pricing/latest/models?provider=openai",
    "/v1/pricing/latest/models/gpt-4o-mini-2024-07-18",
    "/v1/pricing/latest/models/gpt-9",
    "/v1/pricing/latest/gpus",
    "/v1/pricing/diff?from=2026-03-30&to=latest",
    "/v1/reference/approaches",
    "/v1/reference/nope",
    "/nope",
]


@pytest.fixture(name="metered")
def fixture_metered(catalog: Catalog) -> Iterator[TestClient]:
    """An app with /metrics, which the shared client fixture turns off."""
    app = create_app(Settings(log_level="WARNING", metrics_enabled=True), catalog)
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("path", GET_ROUTES)
def test_head_answers_as_get_without_content(metered: TestClient, path: str) -> None:
    got = metered.get(path)
    head = metered.head(path)

    assert head.status_code == got.status_code
    assert head.content == b""
    # /metrics grows between two scrapes (the first request is counted), so not its length.
    names = ["content-type", "etag", "cache-control"]
    if path != "/metrics":
        names.append("content-length")
    for name in names:
        assert head.headers.get(name) == got.headers.get(name), name


def test_head_revalidates_a_table_like_get(client: TestClient) -> None:
    etag = client.get("/v1/pricing/2026-12-01").headers["etag"]
    head = client.head("/v1/pricing/2026-12-01", headers={"if-none-match": etag})
    assert head.status_code == 304
    assert head.headers["etag"] == etag


@pytest.mark.parametrize("path", ["/v1/estimates/usage", "/v1/recommendations"])
def test_head_on_a_post_route_is_405_with_allow(client: TestClient, path: str) -> None:
    head = client.head(path)
    assert head.status_code == 405
    assert "POST" in head.headers["allow"]
    assert head.content == b""


def test_metrics_media_type_has_one_charset(metered: TestClient) -> None:
    # Go's mime.ParseMediaType (Prometheus 3 scrapes through it) refuses a duplicate parameter.
    response = metered.get("/metrics")
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    assert response.headers["content-type"].count("charset=") == 1


def test_head_over_the_real_server_keeps_the_connection_usable(live_server: Service) -> None:
    # uvicorn sends no content for HEAD while Content-Length is the GET answer's; a body on the
    # wire would corrupt the next response on the same keep-alive connection.
    address = urlsplit(live_server.base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request("GET", "/v1/pricing/latest")
        got = connection.getresponse()
        got_length = got.getheader("content-length")
        got.read()

        connection.request("HEAD", "/v1/pricing/latest")
        head = connection.getresponse()
        assert head.status == 200
        assert head.getheader("content-length") == got_length
        assert head.read() == b""

        connection.request("GET", "/healthz")
        after = connection.getresponse()
        assert (after.status, after.read()) == (200, b'{"status":"ok"}')
    finally:
        connection.close()
