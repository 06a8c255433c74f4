"""Measure what each estimator costs against what a cache lookup costs, and derive the policy.

Run: ``python -m loadtests.cache_policy`` (starts its own redis-server on a free port; pass
``--redis-url`` to use another). Prints one row per estimator kind and a JSON line.

What a cache hit saves is the estimator plus the encoding of its response (decoding happens in
either case). What it costs: building the key, and a local LRU lookup or a Redis round trip. The
Redis figure is client CPU per call (``time.process_time``), which is what a busy worker loses.

Rule: an estimator uses Redis when its compute time is at least ``2 × GET + SET`` client CPU,
that is when Redis still pays off with half of the local misses hitting Redis (a hit saves the
compute and costs a GET; a miss costs a GET and a SET); otherwise the in-process layer alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import msgspec
import uvloop
from redis.asyncio import Redis

from loadtests.processes import redis_server
from pricing.catalog import Catalog
from pricing.errors import PricingError
from pricing.estimators.registry import ESTIMATORS
from pricing.loader import load_catalog
from service.cache import CACHE_POLICY, DEFAULT_LAYERS, Entry, KeyBuilder, LocalCache, encode_entry
from service.encoding import encode_money_json

#: Candidate request bodies per kind; the first one the shipped tables can price is measured.
#: Add one for each new estimator kind.
SAMPLES: dict[str, list[dict[str, Any]]] = {
    "usage": [
        {
            "model": "gpt-4o-mini",
            "usage": {"input_tokens": 1200, "output_tokens": 300, "cache_read_tokens": 200},
        },
        {
            "model": "ft:gpt-3.5-turbo",
            "pricing_version": "2026-03-30",
            "usage": {"input_tokens": 1200, "output_tokens": 300},
        },
    ],
}


def per_call_us(function: Callable[[], Any], budget_seconds: float = 0.3) -> float:
    """Median over 5 rounds of the mean wall time per call, in microseconds."""
    calls = 1
    while True:
        started = time.perf_counter()
        for _ in range(calls):
            function()
        elapsed = time.perf_counter() - started
        if elapsed > budget_seconds / 5:
            break
        calls *= 2
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls):
            function()
        rounds.append((time.perf_counter() - started) / calls * 1e6)
    return sorted(rounds)[2]


def sample_request(catalog: Catalog, kind: str) -> Any | None:
    """The first sample of ``kind`` that decodes and prices, as a request Struct."""
    estimator = ESTIMATORS[kind]
    for body in SAMPLES.get(kind, []):
        try:
            request = msgspec.convert(body, estimator.request_type)
            estimator.compute(catalog, request)
        except (msgspec.ValidationError, PricingError):
            continue
        return request
    return None


def entry_of(catalog: Catalog, kind: str, request: Any) -> Entry:
    """What the route caches for a request: the encoded body (and monthly USD)."""
    result = ESTIMATORS[kind].compute(catalog, request)
    monthly_usd = getattr(result, "monthly_usd", None)
    return Entry(encode_money_json(result), None if monthly_usd is None else float(monthly_usd))


def measure_estimators(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Compute + encode, key building and a local lookup, per kind, in microseconds."""
    keys = KeyBuilder(catalog, "bench")
    local = LocalCache(1000, 64 * 1024**2)
    figures: dict[str, dict[str, Any]] = {}
    for kind in sorted(ESTIMATORS):
        request = sample_request(catalog, kind)
        if request is None:
            figures[kind] = {"sample": False}
            continue
        entry = entry_of(catalog, kind, request)
        key = keys.key(kind, request)
        local.put(key, entry, 3600)
        figures[kind] = {
            "sample": True,
            "compute_encode_us": per_call_us(lambda r=request, k=kind: entry_of(catalog, k, r)),
            "key_us": per_call_us(lambda r=request, k=kind: keys.key(k, r)),
            "local_get_us": per_call_us(lambda k=key: local.get(k)),
            "body_bytes": len(entry.body),
        }
    return figures


async def measure_redis(url: str, value: bytes, calls: int = 3000) -> dict[str, float]:
    """Client CPU and wall time per GET (hit) and per SET of ``value``, in microseconds."""
    client = Redis.from_url(url)
    try:
        await client.set("spendcast:bench:probe", value)
        figures = {}
        for name, call in (
            ("get", lambda: client.get("spendcast:bench:probe")),
            ("set", lambda: client.set("spendcast:bench:probe", value, px=60_000)),
        ):
            for _ in range(200):  # warm the connection and the parser
                await call()
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(calls):
                await call()
            figures[f"{name}_cpu_us"] = (time.process_time() - cpu) / calls * 1e6
            figures[f"{name}_wall_us"] = (time.perf_counter() - wall) / calls * 1e6
        return figures
    finally:
        await client.aclose()


def run_on_uvloop(coroutine: Any) -> Any:
    """Run a coroutine on uvloop, the event loop the production server uses."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


def recommend(compute_us: float, redis: dict[str, float]) -> str:
    """The layers the rule in this module's docstring gives."""
    threshold_us = 2 * redis["get_cpu_us"] + redis["set_cpu_us"]
    return "redis" if compute_us >= threshold_us else "local"


def report(figures: dict[str, dict[str, Any]], redis: dict[str, float]) -> dict[str, Any]:
    """Print a table and return the whole measurement."""
    print(
        f"redis (hiredis, loopback): GET {redis['get_cpu_us']:.0f} µs CPU / "
        f"{redis['get_wall_us']:.0f} µs wall, SET {redis['set_cpu_us']:.0f} µs CPU / "
        f"{redis['set_wall_us']:.0f} µs wall; Redis pays above "
        f"{2 * redis['get_cpu_us'] + redis['set_cpu_us']:.0f} µs of compute"
    )
    print(f"{'kind':12} {'compute+encode':>15} {'key':>8} {'local get':>10} {'policy':>8}  advice")
    for kind, row in figures.items():
        configured = CACHE_POLICY.get(kind, DEFAULT_LAYERS)
        if not row["sample"]:
            print(f"{kind:12} {'(no sample in loadtests/cache_policy.py)':>35} {configured:>8}")
            continue
        row["policy"] = configured
        row["advice"] = recommend(row["compute_encode_us"], redis)
        print(
            f"{kind:12} {row['compute_encode_us']:13.1f}µs {row['key_us']:6.1f}µs "
            f"{row['local_get_us']:8.2f}µs {configured:>8}  {row['advice']}"
        )
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "redis": redis,
        "estimators": figures,
    }


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", help="use this Redis instead of starting one")
    args = parser.parse_args()

    catalog = load_catalog()
    figures = measure_estimators(catalog)
    largest = max(
        (row for row in figures.values() if row["sample"]), key=lambda row: row["body_bytes"]
    )
    value = encode_entry(Entry(b"x" * largest["body_bytes"], None))
    if args.redis_url:
        redis = run_on_uvloop(measure_redis(args.redis_url, value))
    else:
        with redis_server() as server:
            redis = run_on_uvloop(measure_redis(server.url, value))
    print(json.dumps(report(figures, redis)))


if __name__ == "__main__":
    main()
