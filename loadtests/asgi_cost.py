"""CPU time per request of the app itself, called as an ASGI app in this process (no network).

Run: ``python -m loadtests.asgi_cost [--rounds 9]``. It complements ``loadtests.ops_bench``:
without a server, a load generator and a kernel in the loop, what metrics and the cache add to
one request shows up even on a busy machine. Configurations alternate round by round; figures are
medians of CPU time (``time.process_time``) per request, in µs; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import Any

import msgspec
from litestar import Litestar

from loadtests.cache_policy import SAMPLES, priced_samples
from pricing.catalog import Catalog
from pricing.loader import load_catalog
from service.app import create_app
from service.settings import Settings

ESTIMATE_PATH = "/v1/estimates/usage"
CALLS = 2000

#: (name, settings, path, bodies): bodies "repeat" cycles 100 requests, "unique" never repeats.
MEASUREMENTS = (
    ("healthz", {}, "/healthz", None),
    ("estimate_hits", {}, ESTIMATE_PATH, "repeat"),
    ("estimate_hits_metrics_off", {"metrics_enabled": False}, ESTIMATE_PATH, "repeat"),
    ("estimate_cache_off", {"local_cache_entries": 0}, ESTIMATE_PATH, "repeat"),
    ("estimate_misses", {}, ESTIMATE_PATH, "unique"),
    ("estimate_misses_cache_off", {"local_cache_entries": 0}, ESTIMATE_PATH, "unique"),
)


def _scope(method: str, path: str, body: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }


async def call(app: Litestar, method: str, path: str, body: bytes) -> int:
    """One request through the ASGI app; its status."""
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = []

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(_scope(method, path, body), receive, send)  # type: ignore[arg-type]
    return status[0]


def hot_body(catalog: Catalog) -> dict[str, Any]:
    """The first usage sample the shipped tables price."""
    for body in SAMPLES["usage"]:
        if priced_samples(catalog, "usage", [body]):
            return body
    raise RuntimeError("no usage sample of loadtests/cache_policy.py prices on these tables")


def bodies(template: dict[str, Any], mode: str | None) -> Iterator[bytes]:
    """Request bodies: none (GET), 100 cycled (hits once warm) or every one new (misses)."""
    count = 0
    while True:
        count += 1
        if mode is None:
            yield b""
            continue
        tokens = 1000 + (count if mode == "unique" else count % 100)
        yield msgspec.json.encode(
            {**template, "usage": {**template["usage"], "input_tokens": tokens}}
        )


async def cpu_us_per_request(app: Litestar, path: str, source: Iterator[bytes]) -> float:
    """Mean CPU µs per request over CALLS requests."""
    method = "GET" if path == "/healthz" else "POST"
    started = time.process_time()
    for _ in range(CALLS):
        status = await call(app, method, path, next(source))
        if status != 200:
            raise RuntimeError(f"{method} {path} answered {status}")
    return (time.process_time() - started) / CALLS * 1e6


async def measure(rounds: int) -> dict[str, float]:
    """Median CPU µs per request of every measurement, alternating their order by round."""
    catalog = load_catalog()
    template = hot_body(catalog)
    async with AsyncExitStack() as stack:
        runs = []
        for name, fields, path, mode in MEASUREMENTS:
            app = create_app(Settings(log_level="WARNING", **fields), catalog)
            await stack.enter_async_context(app.lifespan())
            runs.append((name, app, path, bodies(template, mode)))
        samples: dict[str, list[float]] = {name: [] for name, *_ in runs}
        for index in range(rounds):
            for name, app, path, source in runs if index % 2 == 0 else runs[::-1]:
                samples[name].append(await cpu_us_per_request(app, path, source))
    return {name: round(statistics.median(values), 1) for name, values in samples.items()}


def with_ratios(costs: dict[str, float]) -> dict[str, Any]:
    """The costs and what metrics and the cache add or save per request."""
    return {
        "cpu_us_per_request": costs,
        "metrics_cost_us": round(costs["estimate_hits"] - costs["estimate_hits_metrics_off"], 1),
        "hit_saves_us": round(costs["estimate_cache_off"] - costs["estimate_hits"], 1),
        "miss_costs_us": round(costs["estimate_misses"] - costs["estimate_misses_cache_off"], 1),
    }


def main() -> None:
    """Measure and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    print(json.dumps(with_ratios(asyncio.run(measure(args.rounds)))))


if __name__ == "__main__":
    main()
