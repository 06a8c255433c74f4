"""Measure what each estimator costs against what a cache lookup costs, and derive the policy.

Run: ``python -m loadtests.cache_policy`` (starts its own redis-server on a free port; pass
``--redis-url`` to use another). Prints one row per estimator kind and a JSON line.

What a cache hit saves is the estimator plus the encoding of its response (decoding happens in
either case). What it costs: building the key, and a local LRU lookup or a Redis round trip. The
Redis figure is client CPU per call (``time.process_time``), which is what a busy worker loses.

Every figure is CPU time of this process, the median of several rounds (compute and Redis are
measured in each round, and each kind is judged by the median of its per-round ratio), which
keeps the advice steady on a busy machine.

With a share p of the local misses hitting Redis, Redis saves ``p × compute`` and costs
``GET + (1 - p) × SET``; it breaks even at ``p = (GET + SET) / (compute + SET)``, printed per
kind. The more replicas see the same request, the higher p (a request repeated across R replicas
misses Redis once and hits it R - 1 times).

Rule for the default policy: Redis when it pays at p = 0.5 (compute at least ``2 × GET + SET``),
otherwise the in-process layer alone. A kind is judged by its cheapest sample: Redis must pay for
every request of that kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
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
from service.routes.estimates import EXAMPLES_DIR, ROUTES

#: Sample bodies for the kinds whose route has no worked example in service/routes/examples/
#: (the examples are measured too). Add one for each new estimator kind without an example.
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
    "training": [
        {"mode": "api", "model": "gpt-4.1-mini", "examples": 2000, "tokens_per_example": 800},
        {
            "mode": "self_hosted",
            "architecture": "llama-3.1-8b",
            "method": "lora",
            "gpu": "h100-sxm",
            "trained_tokens": 10**9,
            "tokens_per_example": 2048,
        },
    ],
    "compare": [
        {
            "task_type": "qa",
            "requests_per_month": 50_000,
            "instruction_tokens": 1200,
            "input_tokens": 250,
            "output_tokens": 200,
            "corpus_tokens": 5_000_000,
            "flowchart": {"needs_persistent_change": True, "data_fits_in_context": False},
            "evaluation_metrics": ["human_eval"],
        },
    ],
    "serving": [
        {
            "architecture": "llama-3.1-8b",
            "gpu": "h100-sxm",
            "workload": {"requests_per_second": 20, "prompt_tokens": 1000, "output_tokens": 300},
        },
    ],
}


def all_samples() -> dict[str, list[dict[str, Any]]]:
    """SAMPLES plus the request of every route's worked example, by estimator kind."""
    kinds = {path: route.opt["estimate_kind"] for route in ROUTES for path in route.paths}
    samples = {kind: list(bodies) for kind, bodies in SAMPLES.items()}
    for path in sorted(EXAMPLES_DIR.glob("*.json")):
        example = json.loads(path.read_text())
        kind = kinds.get(example.get("path", ""))
        if kind is not None:
            samples.setdefault(kind, []).append(example["request"])
    return samples


def per_call_us(function: Callable[[], Any], budget_seconds: float = 0.3) -> float:
    """Median over 5 rounds of the mean CPU time per call (this process), in microseconds."""
    calls = 1
    while True:
        started = time.process_time()
        for _ in range(calls):
            function()
        elapsed = time.process_time() - started
        if elapsed > budget_seconds / 5:
            break
        calls *= 2
    rounds = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(calls):
            function()
        rounds.append((time.process_time() - started) / calls * 1e6)
    return sorted(rounds)[2]


def priced_samples(catalog: Catalog, kind: str, bodies: list[dict[str, Any]]) -> list[Any]:
    """The samples of ``kind`` that decode and price on these tables, as request Structs."""
    estimator = ESTIMATORS[kind]
    requests = []
    for body in bodies:
        try:
            request = msgspec.convert(body, estimator.request_type)
            estimator.compute(catalog, request)
        except (msgspec.ValidationError, PricingError):
            continue
        requests.append(request)
    return requests


def entry_of(catalog: Catalog, kind: str, request: Any) -> Entry:
    """What the route caches for a request: the encoded body (and monthly USD)."""
    result = ESTIMATORS[kind].compute(catalog, request)
    monthly_usd = getattr(result, "monthly_usd", None)
    return Entry(encode_money_json(result), None if monthly_usd is None else float(monthly_usd))


def measure_estimators(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Compute + encode (per sample), key building and a local lookup, per kind, in µs."""
    keys = KeyBuilder(catalog, "bench")
    local = LocalCache(1000, 64 * 1024**2)
    samples = all_samples()
    figures: dict[str, dict[str, Any]] = {}
    for kind in sorted(ESTIMATORS):
        requests = priced_samples(catalog, kind, samples.get(kind, []))
        if not requests:
            figures[kind] = {"sample": False}
            continue
        costs = [
            per_call_us(lambda r=request, k=kind: entry_of(catalog, k, r)) for request in requests
        ]
        request = requests[0]
        key = keys.key(kind, request)
        local.put(key, entry_of(catalog, kind, request), 3600)
        figures[kind] = {
            "sample": True,
            "compute_encode_us": min(costs),
            "compute_encode_us_per_sample": [round(cost, 1) for cost in costs],
            "key_us": per_call_us(lambda r=request, k=kind: keys.key(k, r)),
            "local_get_us": per_call_us(lambda k=key: local.get(k)),
            "body_bytes": max(len(entry_of(catalog, kind, r).body) for r in requests),
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


def threshold_us(redis: dict[str, float]) -> float:
    """Compute time above which Redis pays (the rule of this module's docstring)."""
    return 2 * redis["get_cpu_us"] + redis["set_cpu_us"]


def summarize(rounds: list[tuple[dict[str, float], dict[str, dict[str, Any]]]]) -> dict[str, Any]:
    """Medians over rounds; each kind's advice from its median compute ÷ threshold."""
    redis = {
        name: statistics.median(measured[name] for measured, _ in rounds) for name in rounds[0][0]
    }
    estimators: dict[str, dict[str, Any]] = {}
    for kind, first in rounds[0][1].items():
        configured = CACHE_POLICY.get(kind, DEFAULT_LAYERS)
        if not first["sample"]:
            estimators[kind] = {"sample": False, "policy": configured}
            continue
        rows = [figures[kind] for _, figures in rounds]
        pairs = list(zip(rows, (measured for measured, _ in rounds), strict=True))
        ratio = statistics.median(
            row["compute_encode_us"] / threshold_us(measured) for row, measured in pairs
        )
        break_even = statistics.median(
            (measured["get_cpu_us"] + measured["set_cpu_us"])
            / (row["compute_encode_us"] + measured["set_cpu_us"])
            for row, measured in pairs
        )
        estimators[kind] = {
            "sample": True,
            **{
                name: statistics.median(row[name] for row in rows)
                for name in ("compute_encode_us", "key_us", "local_get_us")
            },
            "compute_encode_us_per_sample": first["compute_encode_us_per_sample"],
            "compute_over_threshold": round(ratio, 2),
            "break_even_redis_hit_share": round(break_even, 2),
            "policy": configured,
            "advice": "redis" if ratio >= 1 else "local",
        }
    return {"redis": redis, "threshold_us": threshold_us(redis), "estimators": estimators}


def report(summary: dict[str, Any], rounds: int) -> dict[str, Any]:
    """Print a table and return the whole measurement."""
    redis = summary["redis"]
    print(
        f"medians of {rounds} rounds. redis (hiredis, loopback): GET {redis['get_cpu_us']:.0f} µs "
        f"CPU / {redis['get_wall_us']:.0f} µs wall, SET {redis['set_cpu_us']:.0f} µs CPU / "
        f"{redis['set_wall_us']:.0f} µs wall; Redis pays above {summary['threshold_us']:.0f} µs"
    )
    print(
        f"{'kind':12} {'compute+encode':>15} {'÷ threshold':>12} {'break-even p':>13} "
        f"{'key':>7} {'policy':>7} advice"
    )
    for kind, row in summary["estimators"].items():
        if not row["sample"]:
            print(f"{kind:12} {'(no sample: add one to SAMPLES)':>36} {row['policy']:>7}")
            continue
        print(
            f"{kind:12} {row['compute_encode_us']:13.1f}µs {row['compute_over_threshold']:12.2f} "
            f"{row['break_even_redis_hit_share']:13.2f} {row['key_us']:5.1f}µs "
            f"{row['policy']:>7} {row['advice']:6} (first round, per sample: "
            f"{', '.join(map(str, row['compute_encode_us_per_sample']))} µs)"
        )
    return {"cpus": os.cpu_count(), "python": platform.python_version(), **summary}


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", help="use this Redis instead of starting one")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every measurement")
    args = parser.parse_args()

    catalog = load_catalog()
    with ExitStack() as stack:
        url = args.redis_url or stack.enter_context(redis_server()).url
        rounds = []
        for _ in range(args.rounds):
            figures = measure_estimators(catalog)
            largest = max(row.get("body_bytes", 0) for row in figures.values())
            value = encode_entry(Entry(b"x" * largest, None))
            rounds.append((run_on_uvloop(measure_redis(url, value)), figures))
    print(json.dumps(report(summarize(rounds), args.rounds)))


if __name__ == "__main__":
    main()
