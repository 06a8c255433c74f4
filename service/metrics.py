"""Prometheus metrics: the only module that declares them (catalog: deploy/metrics-catalog.yaml).

Metrics are module-level objects created once per process, so building several apps in one
process (tests) never registers a series twice. Under several server workers the start path sets
``PROMETHEUS_MULTIPROC_DIR`` before the workers start; each worker then writes its values to files
there and a scrape aggregates every worker's files with a ``MultiProcessCollector``.

Every label is bounded: route templates (never raw paths), methods folded to a closed set, status
classes, cache layers and results, Redis operations, estimator kinds and table versions.
"""

from __future__ import annotations

import asyncio
import bisect
import os
import time
from typing import Any

from litestar import Response, get
from litestar.datastructures import State
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

import service
from pricing.catalog import Catalog
from service.settings import Settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: Latency buckets in seconds: an estimate takes well under a millisecond in process, so the
#: buckets are dense below 10 ms and reach 10 s for queueing under overload.
LATENCY_BUCKETS_SECONDS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    10.0,
)

#: Monthly spend buckets in USD, roughly ×3 apart from $1 to $10M.
MONTHLY_USD_BUCKETS = (
    1.0,
    3.0,
    10.0,
    30.0,
    100.0,
    300.0,
    1_000.0,
    3_000.0,
    10_000.0,
    30_000.0,
    100_000.0,
    300_000.0,
    1_000_000.0,
    3_000_000.0,
    10_000_000.0,
)

# The ``*_created`` series double the exposition and no panel or alert reads them.
disable_created_metrics()

HTTP_REQUESTS = Counter(
    "spendcast_http_requests",
    "HTTP requests answered, by route template, method and status class.",
    ["route", "method", "status_class"],
)
HTTP_DURATION = Histogram(
    "spendcast_http_request_duration_seconds",
    "Time from the request reaching the app to the end of its response, in seconds.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS_SECONDS,
)
CACHE_LOOKUPS = Counter(
    "spendcast_cache_lookups",
    "Estimate cache lookups by layer (local, redis) and result (hit, miss, error, skipped).",
    ["layer", "result"],
)
REDIS_ERRORS = Counter(
    "spendcast_redis_errors",
    "Redis calls that failed or timed out (the request was served without Redis).",
    ["operation"],
)
ESTIMATES = Counter(
    "spendcast_estimates",
    "Estimates answered with 200 (cache hits and batch items included), by estimator kind.",
    ["kind"],
)
ESTIMATED_MONTHLY_USD = Histogram(
    "spendcast_estimated_monthly_usd",
    "Monthly spend of the workload estimates answered, in USD.",
    ["kind"],
    buckets=MONTHLY_USD_BUCKETS,
)
PRICING_INFO = Gauge(
    "spendcast_pricing_info",
    "Pricing tables loaded (value 1), by version and content hash.",
    ["version", "content_hash"],
    multiprocess_mode="livemax",
)
BUILD_INFO = Gauge(
    "spendcast_build_info",
    "The running build (value 1): build version and service package version.",
    ["version", "service_version"],
    multiprocess_mode="livemax",
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_STATUS_CLASSES = {1: "1xx", 2: "2xx", 3: "3xx", 4: "4xx", 5: "5xx"}
UNMATCHED_ROUTE = "unmatched"


def multiprocess_dir() -> str | None:
    """The multiprocess directory, when the start path set one."""
    return os.environ.get(MULTIPROC_ENV) or None


class Recorder:
    """Gathers the service's measurements in process and adds them to the metrics on flush.

    A request costs a few dictionary updates instead of several metric updates (each one takes a
    lock, and in multiprocess mode writes a memory-mapped file). :meth:`flush` runs every
    ``metrics_flush_seconds`` and before every scrape, so a scrape of this process is exact and
    one of another worker lags by at most that interval. Everything runs on the event loop's
    thread, so swapping the buffers needs no lock.
    """

    def __init__(self) -> None:
        self._requests: dict[tuple[str, str, int], int] = {}
        self._durations: dict[tuple[str, str], list[float]] = {}
        self._lookups: dict[tuple[str, str], int] = {}
        self._estimates: dict[str, int] = {}
        self._monthly_usd: dict[str, list[float]] = {}

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        """One HTTP request answered."""
        if method not in _METHODS:
            method = "other"
        key = (route, method, status // 100)
        self._requests[key] = self._requests.get(key, 0) + 1
        _buffer_observation(self._durations, key[:2], LATENCY_BUCKETS_SECONDS, seconds)

    def cache_lookup(self, layer: str, result: str) -> None:
        """One lookup in a cache layer (local or redis): hit, miss, error or skipped."""
        key = (layer, result)
        self._lookups[key] = self._lookups.get(key, 0) + 1

    def redis_error(self, operation: str) -> None:
        """One failed or timed-out Redis call (get, set, ping); rare, so counted at once."""
        REDIS_ERRORS.labels(operation).inc()

    def estimate(self, kind: str, monthly_usd: float | None) -> None:
        """One estimate answered, with its monthly spend when the estimate has one."""
        self._estimates[kind] = self._estimates.get(kind, 0) + 1
        if monthly_usd is not None:
            _buffer_observation(self._monthly_usd, kind, MONTHLY_USD_BUCKETS, monthly_usd)

    def flush(self) -> None:
        """Add everything gathered since the last flush to the metrics."""
        requests, self._requests = self._requests, {}
        durations, self._durations = self._durations, {}
        lookups, self._lookups = self._lookups, {}
        estimates, self._estimates = self._estimates, {}
        monthly_usd, self._monthly_usd = self._monthly_usd, {}

        for (route, method, status_group), count in requests.items():
            status_class = _STATUS_CLASSES.get(status_group, "5xx")
            HTTP_REQUESTS.labels(route, method, status_class).inc(count)
        for (route, method), counts in durations.items():
            _add_observations(HTTP_DURATION.labels(route, method), counts)
        for (layer, result), count in lookups.items():
            CACHE_LOOKUPS.labels(layer, result).inc(count)
        for kind, count in estimates.items():
            ESTIMATES.labels(kind).inc(count)
        for kind, counts in monthly_usd.items():
            _add_observations(ESTIMATED_MONTHLY_USD.labels(kind), counts)

    async def flush_every(self, interval_seconds: float) -> None:
        """Flush forever, every ``interval_seconds`` (a lifespan task; cancel it to stop)."""
        while True:
            await asyncio.sleep(interval_seconds)
            self.flush()


def _buffer_observation(
    table: dict[Any, list[float]], key: Any, bounds: tuple[float, ...], value: float
) -> None:
    # counts[i] for the first bound >= value (Prometheus' "le"), counts[-2] for +Inf, then the sum.
    counts = table.get(key)
    if counts is None:
        counts = table[key] = [0.0] * (len(bounds) + 2)
    counts[bisect.bisect_left(bounds, value)] += 1
    counts[-1] += value


def _add_observations(histogram: Any, counts: list[float]) -> None:
    # prometheus-client keeps one non-cumulative value per bucket (``_buckets``, +Inf last) and
    # ``_sum``; adding to them equals observing each value (see test_metrics_and_settings.py).
    for bucket, count in zip(histogram._buckets, counts[:-1], strict=True):
        if count:
            bucket.inc(count)
    histogram._sum.inc(counts[-1])


class NullRecorder(Recorder):
    """Records nothing: the service runs with metrics disabled."""

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Ignore."""

    def cache_lookup(self, layer: str, result: str) -> None:
        """Ignore."""

    def redis_error(self, operation: str) -> None:
        """Ignore."""

    def estimate(self, kind: str, monthly_usd: float | None) -> None:
        """Ignore."""


def recorder_for(settings: Settings) -> Recorder:
    """The recorder the settings ask for."""
    return Recorder() if settings.metrics_enabled else NullRecorder()


def publish_info(settings: Settings, catalog: Catalog) -> None:
    """Set the info gauges: one series per loaded table, one for the build."""
    for table in catalog.tables.values():
        PRICING_INFO.labels(table.version, table.content_hash).set(1)
    BUILD_INFO.labels(settings.build_version, service.__version__).set(1)


def process_exit() -> None:
    """Release this worker's live gauges (multiprocess mode only); call at shutdown."""
    directory = multiprocess_dir()
    if directory is not None:
        multiprocess.mark_process_dead(os.getpid(), directory)


class HttpMetricsMiddleware:
    """Counts and times every HTTP request by route template; wraps the whole Litestar handler.

    It sits outside the router, so unmatched paths (404) are seen too; they are labelled
    ``unmatched``, never with the raw path.
    """

    def __init__(self, app: ASGIApp, recorder: Recorder) -> None:
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request and record it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            route = scope.get("path_template") or UNMATCHED_ROUTE
            self.recorder.request(route, scope["method"], status, time.perf_counter() - started)


def _registry() -> CollectorRegistry:
    directory = multiprocess_dir()
    if directory is None:
        return REGISTRY
    # A fresh registry per scrape: MultiProcessCollector reads every worker's files each time.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return registry


@get("/metrics", include_in_schema=False, sync_to_thread=False)
def metrics_endpoint(state: State) -> Response[bytes]:
    """Prometheus exposition of every metric of this process, or of every worker."""
    state.service.recorder.flush()
    # The content type goes in as a header: given as media_type, Litestar appends a second
    # "; charset=utf-8" to it, a duplicate parameter that Go's mime parser (Prometheus 3)
    # rejects, failing the scrape unless a fallback protocol is configured.
    return Response(
        generate_latest(_registry()),
        media_type=CONTENT_TYPE_LATEST,
        headers={"content-type": CONTENT_TYPE_LATEST},
    )


__all__ = (
    "HttpMetricsMiddleware",
    "NullRecorder",
    "Recorder",
    "metrics_endpoint",
    "process_exit",
    "publish_info",
    "recorder_for",
)
