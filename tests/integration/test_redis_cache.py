"""The shared Redis layer against a real redis-server that each test starts on a free port.

Sharing across instances, expiry, single-flight, and fail-open: a Redis killed or frozen in the
middle of a test costs no request (DESIGN §6, §7).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis as redis_sync
from litestar.testing import AsyncTestClient, TestClient
from prometheus_client import REGISTRY

from loadtests.cache_policy import SAMPLES
from loadtests.processes import RedisServer, free_port, redis_available, start_redis
from pricing.catalog import Catalog
from service.app import create_app
from service.settings import Settings

pytestmark = pytest.mark.integration

USAGE = "/v1/estimates/usage"


def body(input_tokens: int = 1000) -> dict[str, Any]:
    return {
        "model": "ft:gpt-3.5-turbo",
        "pricing_version": "2026-03-30",
        "usage": {"input_tokens": input_tokens, "output_tokens": 500},
    }


@pytest.fixture(name="redis_server")
def fixture_redis_server() -> Iterator[RedisServer]:
    if not redis_available():
        pytest.fail("redis-server is not installed (.ci/run installs it)")
    server = start_redis()
    try:
        yield server
    finally:
        server.kill()


def redis_app(catalog: Catalog, url: str, **fields: Any) -> Any:
    # The usage estimate is local-only by policy (too cheap for Redis); force it through Redis.
    fields = {"cache_policy": "usage=redis", "log_level": "WARNING", **fields}
    return create_app(Settings(redis_url=url, **fields), catalog)


def errors(operation: str) -> float:
    return REGISTRY.get_sample_value("spendcast_redis_errors_total", {"operation": operation}) or 0


def test_miss_then_hit_across_two_instances(catalog: Catalog, redis_server: RedisServer) -> None:
    first_app = redis_app(catalog, redis_server.url)
    second_app = redis_app(catalog, redis_server.url)
    with TestClient(first_app) as first, TestClient(second_app) as second:
        computed = first.post(USAGE, json=body())
        # The second instance finds it in Redis twice, and keeps it in process the second time.
        shared = [second.post(USAGE, json=body()) for _ in range(2)]
        local = second.post(USAGE, json=body())
        ready = second.get("/readyz").json()

    statuses = [answer.headers["x-cache"] for answer in (computed, *shared, local)]
    assert statuses == ["miss", "hit-redis", "hit-redis", "hit-local"]
    assert computed.content == shared[0].content == shared[1].content == local.content
    assert ready["redis"] == "ok"
    keys = redis_sync.Redis.from_url(redis_server.url).keys("*")
    assert [key.decode().rsplit(":", 1)[0] for key in keys] == [
        "spendcast:estimate-usage:v2:2026-03-30"
    ]


def test_entries_expire(catalog: Catalog, redis_server: RedisServer) -> None:
    client_redis = redis_sync.Redis.from_url(redis_server.url)
    with TestClient(redis_app(catalog, redis_server.url, cache_ttl_seconds=1)) as client:
        assert client.post(USAGE, json=body()).headers["x-cache"] == "miss"
        stored = time.monotonic()
        (key,) = client_redis.keys("*")
        assert 0 < client_redis.pttl(key) <= 1100  # 1 s ± 10% jitter

        while client_redis.exists(key) and time.monotonic() - stored < 3:
            time.sleep(0.05)
        assert not client_redis.exists(key)
        time.sleep(max(0.0, stored + 1.15 - time.monotonic()))  # the local copy too
        assert client.post(USAGE, json=body()).headers["x-cache"] == "miss"


def test_concurrent_misses_compute_once_per_process(
    catalog: Catalog, redis_server: RedisServer
) -> None:
    async def burst() -> list[str]:
        app = redis_app(catalog, redis_server.url)
        async with AsyncTestClient(app) as client:
            answers = await asyncio.gather(*(client.post(USAGE, json=body()) for _ in range(20)))
        assert {answer.status_code for answer in answers} == {200}
        return sorted(answer.headers["x-cache"] for answer in answers)

    # One computation; the others wait for it, or come after it and find it in Redis.
    statuses = asyncio.run(burst())
    assert statuses.count("miss") == 1
    assert set(statuses) <= {"miss", "hit-local", "hit-redis"}


def test_redis_killed_mid_test_costs_no_request(
    catalog: Catalog, redis_server: RedisServer
) -> None:
    app = redis_app(catalog, redis_server.url, redis_circuit_seconds=0.2)
    with TestClient(app) as client:
        # Asked twice: kept in process the second time (see service.cache.LocalCache).
        first, second = (client.post(USAGE, json=body(1000)) for _ in range(2))
        assert [first.headers["x-cache"], second.headers["x-cache"]] == ["miss", "hit-redis"]
        before = errors("get") + errors("set")

        redis_server.kill()
        answers = [client.post(USAGE, json=body(2000 + index)) for index in range(20)]
        kept = client.post(USAGE, json=body(1000))
        ready = client.get("/readyz")

    assert [answer.status_code for answer in answers] == [200] * 20
    assert {answer.headers["x-cache"] for answer in answers} == {"bypass"}
    assert errors("get") + errors("set") - before >= 1
    assert kept.headers["x-cache"] == "hit-local"
    assert ready.status_code == 200
    assert ready.json()["redis"] == "degraded"


def test_frozen_redis_times_out_fails_open_and_recovers(
    catalog: Catalog, redis_server: RedisServer
) -> None:
    app = redis_app(
        catalog, redis_server.url, redis_timeout_seconds=0.05, redis_circuit_seconds=0.2
    )
    with TestClient(app) as client:
        assert client.post(USAGE, json=body(1000)).headers["x-cache"] == "miss"

        redis_server.process.send_signal(signal.SIGSTOP)
        try:
            started = time.monotonic()
            frozen = [client.post(USAGE, json=body(3000 + index)) for index in range(5)]
            elapsed = time.monotonic() - started
        finally:
            redis_server.process.send_signal(signal.SIGCONT)
        degraded = client.get("/readyz").json()["redis"]

        time.sleep(0.25)  # past the circuit
        recovered = client.post(USAGE, json=body(4000))
        ready = client.get("/readyz").json()["redis"]

    assert [answer.status_code for answer in frozen] == [200] * 5
    assert {answer.headers["x-cache"] for answer in frozen} == {"bypass"}
    assert elapsed < 1.0  # one 50 ms timeout, then the open circuit skips Redis
    assert degraded == "degraded"
    assert recovered.headers["x-cache"] == "miss"
    assert ready == "ok"


def test_start_without_redis_still_serves(catalog: Catalog) -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    with TestClient(redis_app(catalog, nowhere)) as client:
        ready = client.get("/readyz")
        answer = client.post(USAGE, json=body())
    assert ready.status_code == 200
    assert ready.json()["redis"] == "degraded"
    assert answer.status_code == 200
    assert answer.headers["x-cache"] == "bypass"


def test_shutdown_closes_the_pool(catalog: Catalog, redis_server: RedisServer) -> None:
    app = redis_app(catalog, redis_server.url)
    with TestClient(app) as client:
        client.post(USAGE, json=body())
        assert app.state.service.cache.redis is not None
    assert app.state.service.cache.redis is None
    clients = redis_sync.Redis.from_url(redis_server.url).client_list()
    assert len(clients) == 1  # only the one asking


def test_default_policy_shares_compare_and_keeps_usage_local(
    catalog: Catalog, redis_server: RedisServer
) -> None:
    # The measured policy (README, Operations): compare costs more than a Redis round trip and
    # goes through Redis; usage costs less and stays in each process.
    compare = SAMPLES["compare"][0]
    settings = Settings(redis_url=redis_server.url, log_level="WARNING")
    with (
        TestClient(create_app(settings, catalog)) as first,
        TestClient(create_app(settings, catalog)) as second,
    ):
        shared = [c.post("/v1/estimates/compare", json=compare) for c in (first, second)]
        local = [c.post(USAGE, json=body()) for c in (first, second)]
    assert [answer.status_code for answer in shared + local] == [200] * 4
    assert [answer.headers["x-cache"] for answer in shared] == ["miss", "hit-redis"]
    assert [answer.headers["x-cache"] for answer in local] == ["miss", "miss"]
