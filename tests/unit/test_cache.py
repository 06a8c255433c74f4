"""Cache keys, the local LRU, TTL jitter, the Redis value format and single-flight (DESIGN §6)."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import msgspec
import pytest

from pricing.catalog import Catalog
from pricing.errors import NotFound
from pricing.estimators.usage import UsageRequest
from service.cache import (
    Entry,
    EstimateCache,
    KeyBuilder,
    LocalCache,
    RedisHealth,
    decode_entry,
    effective_boundaries,
    encode_entry,
    jittered_ttl,
)
from service.metrics import NullRecorder
from service.settings import Settings
from tests.ops_tables import PRICE_CHANGE, effective_catalog

ARTICLE = "2026-03-30"


def usage_request(**fields: object) -> UsageRequest:
    body = {
        "model": "ft:gpt-3.5-turbo",
        "pricing_version": ARTICLE,
        "usage": {"input_tokens": 1000, "output_tokens": 500},
        **fields,
    }
    return msgspec.convert(body, UsageRequest)


@pytest.fixture(name="keys")
def fixture_keys(catalog: Catalog) -> KeyBuilder:
    return KeyBuilder(catalog, "test-build")


@pytest.fixture(name="effective")
def fixture_effective(tmp_path: Path) -> Catalog:
    return effective_catalog(tmp_path)


def test_key_layout_names_purpose_layout_version_and_table(keys: KeyBuilder) -> None:
    key = keys.key("usage", usage_request())
    assert re.fullmatch(r"spendcast:estimate-usage:v2:2026-03-30:[0-9a-f]{32}", key)


def test_latest_is_resolved_to_the_table_version(catalog: Catalog, keys: KeyBuilder) -> None:
    latest = catalog.latest_version
    for version in (None, "latest"):
        key = keys.key("usage", usage_request(pricing_version=version))
        assert key.split(":")[3] == latest


def test_unknown_version_is_not_found(keys: KeyBuilder) -> None:
    with pytest.raises(NotFound):
        keys.key("usage", usage_request(pricing_version="1999-01-01"))


def test_key_is_canonical_over_field_order(keys: KeyBuilder) -> None:
    one = b'{"model":"ft:gpt-3.5-turbo","pricing_version":"2026-03-30",'
    one += b'"usage":{"input_tokens":1000,"output_tokens":500}}'
    two = b'{"usage":{"output_tokens":500,"input_tokens":1000},'
    two += b'"pricing_version":"2026-03-30","model":"ft:gpt-3.5-turbo"}'
    first = keys.key("usage", msgspec.json.decode(one, type=UsageRequest))
    second = keys.key("usage", msgspec.json.decode(two, type=UsageRequest))
    assert first == second


def test_key_changes_with_every_input(catalog: Catalog, keys: KeyBuilder) -> None:
    base = keys.key("usage", usage_request())
    variants = [
        keys.key("usage", usage_request(usage={"input_tokens": 1001, "output_tokens": 500})),
        keys.key("usage", usage_request(requests=2)),
        keys.key("usage", usage_request(at="2026-05-01T00:00:00Z")),
        keys.key("other", usage_request()),
        KeyBuilder(catalog, "another-build").key("usage", usage_request()),
    ]
    assert len({base, *variants}) == len(variants) + 1


def test_effective_boundaries_are_every_row_start_and_end(effective: Catalog) -> None:
    assert effective_boundaries(effective.latest) == (PRICE_CHANGE.timestamp(),)


def test_request_without_at_is_keyed_by_the_rows_in_force(effective: Catalog) -> None:
    # Before and after the price change the same request must not share a key; two instants
    # inside one effective window must (so "now" requests stay cacheable).
    keys = KeyBuilder(effective, "test-build")
    request = msgspec.convert({"model": "acme-1", "usage": {"input_tokens": 10}}, UsageRequest)
    change = PRICE_CHANGE.timestamp()
    by_time = {}
    for offset in (-86_400, -1, 0, 1, 86_400):
        keys.clock = lambda offset=offset: change + offset
        by_time[offset] = keys.key("usage", request)
    assert by_time[-86_400] == by_time[-1]
    assert by_time[0] == by_time[1] == by_time[86_400]
    assert by_time[-1] != by_time[0]


def test_request_with_at_ignores_the_clock(effective: Catalog) -> None:
    keys = KeyBuilder(effective, "test-build")
    request = msgspec.convert(
        {"model": "acme-1", "at": "2030-06-01T00:00:00Z", "usage": {"input_tokens": 10}},
        UsageRequest,
    )
    keys.clock = lambda: PRICE_CHANGE.timestamp() - 1
    before = keys.key("usage", request)
    keys.clock = lambda: PRICE_CHANGE.timestamp() + 1
    assert keys.key("usage", request) == before


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def entry(size: int = 10) -> Entry:
    return Entry(b"x" * size, None)


def admit(local: LocalCache, key: str, stored: Entry, ttl_seconds: float) -> None:
    """Store an entry as a repeated request does: the second store is kept."""
    local.put(key, stored, ttl_seconds)
    local.put(key, stored, ttl_seconds)


def test_local_cache_keeps_an_entry_the_second_time_it_is_stored() -> None:
    local = LocalCache(max_entries=2, max_bytes=1024**2)
    local.put("once", entry(), 60)
    assert local.get("once") is None
    assert len(local) == 0
    local.put("once", entry(), 60)
    assert local.get("once") is not None


def test_one_off_keys_are_forgotten_after_a_window_of_twice_the_entries() -> None:
    local = LocalCache(max_entries=2, max_bytes=1024**2)
    local.put("early", entry(), 60)
    for key in ("k1", "k2", "k3", "k4"):  # the window holds 4 one-off keys; k4 starts a new one
        local.put(key, entry(), 60)
    local.put("early", entry(), 60)
    assert local.get("early") is None
    local.put("k4", entry(), 60)  # stored once in the new window: kept
    assert local.get("k4") is not None


def test_local_cache_evicts_the_least_recently_used_entry() -> None:
    local = LocalCache(max_entries=2, max_bytes=1024**2)
    admit(local, "a", entry(), 60)
    admit(local, "b", entry(), 60)
    assert local.get("a") is not None  # a is now more recent than b
    admit(local, "c", entry(), 60)
    assert len(local) == 2
    assert local.get("b") is None
    assert local.get("a") is not None
    assert local.get("c") is not None


def test_local_cache_is_bounded_by_bytes() -> None:
    # 64 KiB budget: an entry holds its body + 300 bytes of overhead; bodies above 4 KiB
    # (1/16 of the budget) are not kept at all.
    local = LocalCache(max_entries=1000, max_bytes=64 * 1024)
    admit(local, "too-big", entry(4 * 1024 + 1), 60)
    assert local.get("too-big") is None
    for index in range(40):
        admit(local, str(index), entry(4 * 1024 - 300), 60)
    assert len(local) == 16
    assert local.get("39") is not None
    assert local.get("0") is None


def test_local_entries_expire() -> None:
    clock = FakeClock()
    local = LocalCache(max_entries=10, max_bytes=1024**2, clock=clock)
    admit(local, "a", entry(), 5)
    clock.now += 4.9
    assert local.get("a") is not None
    clock.now += 0.2
    assert local.get("a") is None
    assert len(local) == 0


def test_ttl_jitter_stays_within_ten_percent_and_varies() -> None:
    ttls = [jittered_ttl(1000) for _ in range(2000)]
    assert all(900 <= ttl <= 1100 for ttl in ttls)
    assert max(ttls) - min(ttls) > 100  # spread, not a constant


def test_redis_value_round_trips() -> None:
    body = b'{"monthly_usd":1234.5}'
    assert decode_entry(encode_entry(Entry(body, 1234.5))) == Entry(body, 1234.5)
    assert decode_entry(encode_entry(Entry(body, None))) == Entry(body, None)


@pytest.mark.parametrize("value", [b"", b"no newline", b"abc\n{}", b"1.0\n"])
def test_foreign_redis_values_are_misses(value: bytes) -> None:
    assert decode_entry(value) is None


class SlowRedis:
    """Answers GET with a miss after a delay, so concurrent misses overlap."""

    def __init__(self) -> None:
        self.gets = 0
        self.sets = 0

    async def get(self, key: str) -> bytes | None:
        self.gets += 1
        await asyncio.sleep(0.01)
        return None

    async def set(self, key: str, value: bytes, px: int) -> None:
        self.sets += 1


def redis_cache(catalog: Catalog) -> EstimateCache:
    settings = Settings(redis_url="redis://unused", cache_policy="usage=redis")
    cache = EstimateCache(settings, catalog, NullRecorder())
    cache.redis = SlowRedis()  # type: ignore[assignment]
    return cache


def test_concurrent_misses_compute_once(catalog: Catalog) -> None:
    cache = redis_cache(catalog)
    computed = []

    def compute() -> Entry:
        computed.append(1)
        return Entry(b"{}", None)

    async def many() -> list[str]:
        results = await asyncio.gather(
            *(cache.serve("usage", usage_request(), compute) for _ in range(10))
        )
        return [status for _, status in results]

    statuses = asyncio.run(many())
    assert len(computed) == 1
    assert sorted(statuses) == ["hit-local"] * 9 + ["miss"]
    assert cache.redis.gets == 1  # type: ignore[union-attr]
    assert cache.redis.sets == 1  # type: ignore[union-attr]


def test_a_failed_computation_is_shared_and_not_cached(catalog: Catalog) -> None:
    cache = redis_cache(catalog)

    def compute() -> Entry:
        raise NotFound("model", "x", [], "$.model")

    async def many() -> list[BaseException | tuple[Entry, str]]:
        return await asyncio.gather(
            *(cache.serve("usage", usage_request(), compute) for _ in range(3)),
            return_exceptions=True,
        )

    assert all(isinstance(result, NotFound) for result in asyncio.run(many()))
    assert len(cache.local or []) == 0
    assert cache.redis.sets == 0  # type: ignore[union-attr]


def test_policy_none_and_no_layers_bypass(catalog: Catalog) -> None:
    def compute() -> Entry:
        return Entry(b"{}", None)

    without_local = EstimateCache(Settings(local_cache_entries=0), catalog, NullRecorder())
    policy_none = EstimateCache(Settings(cache_policy="usage=none"), catalog, NullRecorder())
    for cache in (without_local, policy_none):
        for _ in range(2):
            _, status = asyncio.run(cache.serve("usage", usage_request(), compute))
            assert status == "bypass"


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_redis_errors_open_the_circuit_and_warn_once_per_interval() -> None:
    clock = FakeClock()
    settings = Settings(redis_circuit_seconds=2, redis_log_interval_seconds=30)
    health = RedisHealth(settings, NullRecorder(), clock=clock)
    handler = Records()
    logger = logging.getLogger("spendcast.cache")
    logger.addHandler(handler)
    try:
        for _ in range(3):
            health.failed("get", ConnectionError("refused"))
        assert not health.available()
        clock.now += 2
        assert health.available()
        clock.now += 28
        health.failed("set", TimeoutError())
    finally:
        logger.removeHandler(handler)

    warnings = [r for r in handler.records if r.getMessage() == "redis_unavailable"]
    assert [w.operation for w in warnings] == ["get", "set"]  # type: ignore[attr-defined]
    assert warnings[1].errors_not_logged == 2  # type: ignore[attr-defined]
    assert health.status == "degraded"
    health.succeeded()
    assert health.status == "ok"
