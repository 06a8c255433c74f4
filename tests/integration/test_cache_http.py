"""The in-process cache over HTTP: X-Cache, correctness across a price change, shutdown order."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from prometheus_client import REGISTRY

import pricing.estimators.common as estimators_common
from pricing.catalog import Catalog
from service.app import create_app
from service.settings import Settings
from tests.ops_tables import PRICE_CHANGE, effective_catalog

USAGE = "/v1/estimates/usage"
# The article's table: ft:gpt-3.5-turbo is one blended $0.012 per 1k tokens = $12 per 1M, so
# 1,000 input + 500 output tokens cost 1,500 × 12 / 1e6 = $0.018 (DESIGN §2).
BODY = {
    "model": "ft:gpt-3.5-turbo",
    "pricing_version": "2026-03-30",
    "usage": {"input_tokens": 1000, "output_tokens": 500},
}


def settings(**fields: Any) -> Settings:
    return Settings(log_level="WARNING", **fields)


def test_a_repeated_request_is_kept_the_second_time_then_served_locally(
    catalog: Catalog,
) -> None:
    with TestClient(create_app(settings(), catalog)) as client:
        answers = [client.post(USAGE, json=BODY) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert [answer.headers["x-cache"] for answer in answers] == ["miss", "miss", "hit-local"]
    assert answers[1].content == answers[2].content
    assert [answer.json()["total_usd"] for answer in answers] == [0.018] * 3


def test_without_local_cache_every_answer_bypasses(catalog: Catalog) -> None:
    with TestClient(create_app(settings(local_cache_entries=0), catalog)) as client:
        statuses = [client.post(USAGE, json=BODY).headers["x-cache"] for _ in range(2)]
    assert statuses == ["bypass", "bypass"]


def test_errors_are_not_cached(catalog: Catalog) -> None:
    unknown = {**BODY, "model": "ft:no-such-model"}
    with TestClient(create_app(settings(), catalog)) as client:
        answers = [client.post(USAGE, json=unknown) for _ in range(2)]
    assert [a.status_code for a in answers] == [404, 404]
    assert all("x-cache" not in a.headers for a in answers)


class FrozenClock:
    """Stands in for "now" in the estimators and in the cache keys."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        clock = self

        class FrozenDatetime(datetime):
            @classmethod
            def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
                return clock.now.astimezone(tz)

        self.datetime = FrozenDatetime

    def timestamp(self) -> float:
        return self.now.timestamp()


def test_answer_cached_before_a_price_change_is_not_served_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # acme-1 costs $2 per 1M input tokens until 2031-01-01 and $1 from then on (ops_tables).
    app = create_app(settings(metrics_enabled=False), effective_catalog(tmp_path))
    clock = FrozenClock(PRICE_CHANGE - timedelta(seconds=1))
    monkeypatch.setattr(estimators_common, "datetime", clock.datetime)
    app.state.service.cache.keys.clock = clock.timestamp
    body = {"model": "acme-1", "usage": {"input_tokens": 1_000_000}}

    def ask() -> tuple[float, str]:
        answer = client.post(USAGE, json=body)
        assert answer.status_code == 200
        return answer.json()["total_usd"], answer.headers["x-cache"]

    with TestClient(app) as client:
        assert [ask() for _ in range(3)] == [(2, "miss"), (2, "miss"), (2, "hit-local")]
        clock.now = PRICE_CHANGE + timedelta(seconds=1)
        assert [ask() for _ in range(3)] == [(1, "miss"), (1, "miss"), (1, "hit-local")]


def test_metrics_count_lookups_and_estimates(catalog: Catalog) -> None:
    def value(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    hits = value("spendcast_cache_lookups_total", layer="local", result="hit")
    estimates = value("spendcast_estimates_total", kind="usage")
    with TestClient(create_app(settings(), catalog)) as client:
        for _ in range(4):  # miss, miss (kept), hit, hit
            client.post(USAGE, json=BODY)
        client.get("/no/such/path/12345")
        text = client.get("/metrics").text
    assert value("spendcast_cache_lookups_total", layer="local", result="hit") - hits == 2
    assert value("spendcast_estimates_total", kind="usage") - estimates == 4
    assert 'route="unmatched"' in text
    assert "/no/such/path" not in text


def test_measurements_reach_the_metrics_without_a_scrape(catalog: Catalog) -> None:
    # Each worker adds what it gathered every metrics_flush_seconds, so a scrape served by
    # another worker sees it too.
    def estimates() -> float:
        return REGISTRY.get_sample_value("spendcast_estimates_total", {"kind": "usage"}) or 0.0

    before = estimates()
    with TestClient(create_app(settings(metrics_flush_seconds=0.05), catalog)) as client:
        client.post(USAGE, json=BODY)
        deadline = time.monotonic() + 2
        while estimates() == before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert estimates() - before == 1


def test_metrics_off_serves_no_metrics(catalog: Catalog) -> None:
    with TestClient(create_app(settings(metrics_enabled=False), catalog)) as client:
        assert client.get("/metrics").status_code == 404
        assert client.post(USAGE, json=BODY).status_code == 200


def test_shutdown_turns_readiness_off_then_drains_then_closes_the_cache(
    catalog: Catalog,
) -> None:
    app = create_app(settings(drain_seconds=0.3), catalog)
    current = app.state.service
    seen: dict[str, Any] = {}
    close = current.cache.close

    async def recording_close() -> None:
        seen["draining"] = current.draining
        seen["at"] = time.monotonic()
        await close()

    current.cache.close = recording_close
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        leaving = time.monotonic()
    assert seen["draining"] is True
    assert seen["at"] - leaving >= 0.3


def test_draining_readiness_is_503_and_liveness_stays_200(catalog: Catalog) -> None:
    app = create_app(settings(), catalog)
    with TestClient(app) as client:
        app.state.service.draining = True
        ready = client.get("/readyz")
        assert client.get("/healthz").status_code == 200
    assert ready.status_code == 503
    assert ready.json()["status"] == "draining"
