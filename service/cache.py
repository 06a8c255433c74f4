"""Cache-aside for estimate responses: a bounded in-process LRU, then Redis shared by replicas.

What is cached is the encoded 200 response body (a hit skips the estimator and the encoder),
plus the estimate's monthly USD for the metrics. Errors are never cached.

Keys: ``spendcast:estimate-<kind>:v<layout>:<pricing_version>:<digest>``. ``latest`` is resolved
to the table version before keying. The digest covers the build, the table's content hash and the
canonical request (msgspec JSON with sorted keys). A request without ``at`` is priced at "now": its
digest also covers which effective window of the table "now" falls in (the span between two
consecutive ``effective_*`` boundaries of any row), so an answer cached before a price change is
never served after it. Such a cached answer reports, in its ``at`` assumption, the time it was
computed; the rows in force are the same.

In process, a request whose body bytes the caller has is keyed by those bytes, its kind and its
effective window instead: hashing the bytes costs a fraction of the canonical digest, and the
same request written differently (key order, spaces) only misses once more.

Redis is optional and never fatal: errors and timeouts fail open (compute, count, log at most once
per interval) and open a short circuit during which Redis is skipped.
"""

from __future__ import annotations

import asyncio
import bisect
import hashlib
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Literal, NamedTuple

import msgspec
from cachetools import LRUCache
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError

import service
from pricing.catalog import Catalog, PricingTable
from service.metrics import Recorder
from service.settings import Settings

#: Bump when the cached value's format or the response layout changes: old entries are ignored.
LAYOUT_VERSION = 2

KEY_PREFIX = "spendcast"

#: Which layers an estimate route uses: ``none`` (always compute), ``local`` (in-process LRU) or
#: ``redis`` (LRU, then Redis). Redis pays only for estimates that cost more to compute than a
#: Redis round trip costs the worker (``python -m loadtests.cache_policy``; figures in the
#: README's "Operations" section): compare does; rag and serving would only in a large fleet
#: seeing the same requests (SPENDCAST_CACHE_POLICY turns it on). Kinds not listed use ``local``.
CacheLayers = Literal["none", "local", "redis"]
DEFAULT_LAYERS: CacheLayers = "local"
CACHE_POLICY: dict[str, CacheLayers] = {
    "usage": "local",
    "inference": "local",
    "prompting": "local",
    "rag": "local",
    "agent": "local",
    "training": "local",
    "serving": "local",
    "compare": "redis",
}

#: An in-process key: the canonical key, or (kind, table version, window, body bytes).
LocalKey = str | tuple[str, str, int | None, bytes]

#: How a response was served, for the ``X-Cache`` header.
CacheStatus = Literal["hit-local", "hit-redis", "miss", "bypass"]

_REDIS_FAILURES = (RedisError, OSError, TimeoutError)
_TTL_JITTER = 0.1
# Roughly what a cache entry costs beyond its body (key, tuple, LRU bookkeeping), in bytes.
_ENTRY_OVERHEAD_BYTES = 300

_log = logging.getLogger("spendcast.cache")


class Entry(NamedTuple):
    """A cached response: its body and the monthly USD it reported (None if it has none)."""

    body: bytes
    monthly_usd: float | None


class _LocalEntry(NamedTuple):
    entry: Entry
    expires_at: float


def jittered_ttl(ttl_seconds: float) -> float:
    """A TTL within ±10% of ``ttl_seconds``, so entries written together expire apart."""
    return ttl_seconds * random.uniform(1 - _TTL_JITTER, 1 + _TTL_JITTER)


def encode_entry(entry: Entry) -> bytes:
    """The Redis value of an entry: the monthly USD (or nothing), a newline, the body."""
    head = b"" if entry.monthly_usd is None else repr(entry.monthly_usd).encode()
    return head + b"\n" + entry.body


def decode_entry(value: bytes) -> Entry | None:
    """An entry from its Redis value; None when the value is not one (treated as a miss)."""
    head, newline, body = value.partition(b"\n")
    if not newline or not body:
        return None
    try:
        return Entry(body, float(head) if head else None)
    except ValueError:
        return None


def effective_boundaries(table: PricingTable) -> tuple[float, ...]:
    """Every instant (POSIX seconds) at which some row of the table starts or stops applying.

    Any struct field whose name starts with ``effective`` and holds a date or datetime counts,
    so rows added by later estimators are covered without changes here.
    """
    found: set[float] = set()
    pending: list[Any] = [table]
    while pending:
        value = pending.pop()
        if isinstance(value, msgspec.Struct):
            for name in value.__struct_fields__:
                item = getattr(value, name)
                instant = _instant(item) if name.startswith("effective") else None
                if instant is not None:
                    found.add(instant)
                else:
                    pending.append(item)
        elif isinstance(value, list | tuple):
            pending.extend(value)
        elif isinstance(value, dict):
            pending.extend(value.values())
    return tuple(sorted(found))


def _instant(value: object) -> float | None:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.timestamp()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()
    return None


class KeyBuilder:
    """Cache keys for estimate requests, resolved against the catalog."""

    def __init__(
        self, catalog: Catalog, build_version: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.clock = clock
        self._catalog = catalog
        self._encoder = msgspec.json.Encoder(order="sorted")
        self._salt = f"{service.__version__}|{build_version}"
        self._boundaries = {
            version: effective_boundaries(table) for version, table in catalog.tables.items()
        }

    def key(self, kind: str, request: Any) -> str:
        """The key of an estimate request.

        Args:
            kind: The estimator kind.
            request: The decoded request Struct (with ``pricing_version`` and ``at``).

        Raises:
            NotFound: The requested table version does not exist.
        """
        table, window = self._table_and_window(request)
        canonical = self._encoder.encode((self._salt, table.content_hash, kind, window, request))
        digest = hashlib.blake2b(canonical, digest_size=16).hexdigest()
        return f"{KEY_PREFIX}:estimate-{kind}:v{LAYOUT_VERSION}:{table.version}:{digest}"

    def local_key(self, kind: str, request: Any, body: bytes | None) -> LocalKey:
        """The in-process key: the body's bytes when given (the catalog is fixed per process).

        Args:
            kind: The estimator kind.
            request: The decoded request Struct.
            body: The request body it was decoded from, or None for the canonical key.

        Raises:
            NotFound: The requested table version does not exist.
        """
        if body is None:
            return self.key(kind, request)
        table, window = self._table_and_window(request)
        return (kind, table.version, window, body)

    def _table_and_window(self, request: Any) -> tuple[PricingTable, int | None]:
        # The table asked for, and for a request priced "now", which effective window now is in.
        table = self._catalog.get(getattr(request, "pricing_version", None))
        if getattr(request, "at", None) is not None:
            return table, None
        return table, bisect.bisect_right(self._boundaries[table.version], self.clock())


class LocalCache:
    """A bounded in-process LRU with a TTL per entry; bounded by entries and by body bytes.

    An entry is admitted the second time it is stored while its key's hash is among the last
    ``2 × max_entries`` stored once (a "doorkeeper", as in TinyLFU). Requests that never repeat
    then cost a set lookup instead of an insert, an eviction and a body held until evicted: over
    HTTP that was about a fifth of such a request's CPU (README, "Load and robustness"). A
    repeated request, such as a dashboard's, is computed twice, then served from here.
    """

    def __init__(
        self, max_entries: int, max_bytes: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.clock = clock
        self._max_entries = max_entries
        self._max_body_bytes = max_bytes // 16
        self._lru: LRUCache[LocalKey, _LocalEntry] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda item: len(item.entry.body) + _ENTRY_OVERHEAD_BYTES
        )
        # Hashes only: the window of keys stored once holds no request bytes.
        self._stored_once: set[int] = set()

    def __len__(self) -> int:
        return len(self._lru)

    def get(self, key: LocalKey) -> Entry | None:
        """The live entry of ``key``, or None (an expired entry is dropped)."""
        item = self._lru.get(key)
        if item is None:
            return None
        if item.expires_at <= self.clock():
            self._lru.pop(key, None)
            return None
        return item.entry

    def put(self, key: LocalKey, entry: Entry, ttl_seconds: float) -> None:
        """Keep an entry for ``ttl_seconds``, evicting the least recently used ones."""
        if len(entry.body) > self._max_body_bytes or not self._admitted(key):
            return
        while len(self._lru) >= self._max_entries and key not in self._lru:
            self._lru.popitem()
        self._lru[key] = _LocalEntry(entry, self.clock() + ttl_seconds)

    def _admitted(self, key: LocalKey) -> bool:
        # A hash collision only admits an entry early; the entry itself is kept by its full key.
        fingerprint = hash(key)
        if fingerprint in self._stored_once:
            self._stored_once.discard(fingerprint)
            return True
        if len(self._stored_once) >= 2 * self._max_entries:
            self._stored_once.clear()  # a new window; older one-off keys are forgotten
        self._stored_once.add(fingerprint)
        return False


class RedisHealth:
    """Fail-open bookkeeping: the circuit, the status, and warnings at most once per interval."""

    def __init__(
        self, settings: Settings, recorder: Recorder, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.clock = clock
        self._circuit_seconds = settings.redis_circuit_seconds
        self._log_interval_seconds = settings.redis_log_interval_seconds
        self._recorder = recorder
        self._open_until = 0.0
        self._next_log = 0.0
        self._suppressed = 0
        self.status = "unknown"

    def available(self) -> bool:
        """Whether Redis may be called now (the circuit is closed)."""
        return self.clock() >= self._open_until

    def succeeded(self) -> None:
        """A call went through: report Redis as ok again."""
        if self.status != "ok":
            if self.status == "degraded":
                _log.info("redis_recovered")
            self.status = "ok"

    def failed(self, operation: str, error: BaseException) -> None:
        """A call failed: count it, open the circuit, warn if the interval allows."""
        now = self.clock()
        self._recorder.redis_error(operation)
        self._open_until = now + self._circuit_seconds
        self.status = "degraded"
        if now < self._next_log:
            self._suppressed += 1
            return
        _log.warning(
            "redis_unavailable",
            extra={
                "operation": operation,
                "error": type(error).__name__,
                "detail": str(error)[:200],
                "errors_not_logged": self._suppressed,
                "circuit_seconds": self._circuit_seconds,
            },
        )
        self._suppressed = 0
        self._next_log = now + self._log_interval_seconds


class EstimateCache:
    """Cache-aside for estimate responses, with per-process single-flight for Redis misses."""

    def __init__(self, settings: Settings, catalog: Catalog, recorder: Recorder) -> None:
        self.settings = settings
        self.keys = KeyBuilder(catalog, settings.build_version)
        self.local = (
            LocalCache(settings.local_cache_entries, settings.local_cache_max_bytes)
            if settings.local_cache_entries > 0
            else None
        )
        self.redis: Redis | None = None
        self.health = RedisHealth(settings, recorder)
        self._recorder = recorder
        self._ttl_seconds = float(settings.cache_ttl_seconds)
        self._inflight: dict[str, asyncio.Future[Entry]] = {}
        self.policy: dict[str, CacheLayers] = {
            **CACHE_POLICY,
            **settings.cache_overrides(),  # type: ignore[dict-item]
        }

    def layers(self, kind: str) -> CacheLayers:
        """The cache layers of an estimator kind: the policy's, else ``local``."""
        return self.policy.get(kind, DEFAULT_LAYERS)

    @property
    def redis_status(self) -> str:
        """``disabled`` without a Redis URL, else ``ok``, ``degraded`` or ``unknown``."""
        return "disabled" if self.settings.redis_url is None else self.health.status

    async def start(self) -> None:
        """Create the Redis pool and open one connection; a failure only degrades the cache."""
        url = self.settings.redis_url
        if url is None:
            return
        timeout = self.settings.redis_timeout_seconds
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=self.settings.redis_max_connections,
            timeout=timeout,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
        self.redis = Redis(connection_pool=pool)
        try:
            await self.redis.ping()
        except _REDIS_FAILURES as error:
            self.health.failed("ping", error)
        else:
            self.health.succeeded()
        _log.info("cache_started", extra={"redis": self.redis_status, "local": bool(self.local)})

    async def close(self) -> None:
        """Close the Redis pool (after readiness turned 503 and the drain)."""
        if self.redis is not None:
            await self.redis.aclose(close_connection_pool=True)
            self.redis = None

    async def serve(
        self,
        kind: str,
        request: Any,
        compute: Callable[[], Entry],
        layers: CacheLayers | None = None,
        body: bytes | None = None,
    ) -> tuple[Entry, CacheStatus]:
        """Answer an estimate request from the cache layers of its kind, else compute it.

        Args:
            kind: The estimator kind.
            request: The decoded request Struct.
            compute: Runs the estimator and encodes its response.
            layers: The route's own layers, over the policy (default: the policy's).
            body: The JSON body ``request`` was decoded from, when the caller has it: the
                in-process key is then those bytes (see the module's notes).

        Returns:
            The entry and how it was served.

        Raises:
            Exception: Whatever ``compute`` raises (errors are never cached).
        """
        layers = layers or self.layers(kind)
        use_redis = layers == "redis" and self.redis is not None
        if layers == "none" or (self.local is None and not use_redis):
            return compute(), "bypass"

        local_key = self.keys.local_key(kind, request, body)
        entry = self.lookup_local(local_key)
        if entry is not None:
            return entry, "hit-local"
        if use_redis:
            return await self.through_redis(self.keys.key(kind, request), compute, local_key)

        entry = compute()
        self.store_local(local_key, entry)
        return entry, "miss"

    def lookup_local(self, key: LocalKey) -> Entry | None:
        """The in-process entry of ``key``, counted as a local hit or miss."""
        if self.local is None:
            return None
        entry = self.local.get(key)
        self._recorder.cache_lookup("local", "miss" if entry is None else "hit")
        return entry

    def store_local(self, key: LocalKey, entry: Entry) -> None:
        """Keep an entry in process."""
        if self.local is not None:
            self.local.put(key, entry, jittered_ttl(self._ttl_seconds))

    async def through_redis(
        self, key: str, compute: Callable[[], Entry], local_key: LocalKey | None = None
    ) -> tuple[Entry, CacheStatus]:
        """After a local miss: Redis, else compute once per key in this process, then store.

        Args:
            key: The canonical (Redis) key.
            compute: Runs the estimator and encodes its response.
            local_key: The in-process key of the request (default: ``key``).

        Raises:
            Exception: Whatever ``compute`` raises (shared with concurrent callers of the key).
        """
        pending = self._inflight.get(key)
        if pending is not None:
            await asyncio.wait((pending,))
            if not pending.cancelled():
                return pending.result(), "hit-local"

        future: asyncio.Future[Entry] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            entry, status = await self._fetch_or_compute(key, compute, local_key or key)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as error:
            future.set_exception(error)
            future.exception()  # marks it retrieved when no one else was waiting
            raise
        else:
            future.set_result(entry)
            return entry, status
        finally:
            if self._inflight.get(key) is future:
                del self._inflight[key]

    async def _fetch_or_compute(
        self, key: str, compute: Callable[[], Entry], local_key: LocalKey
    ) -> tuple[Entry, CacheStatus]:
        found, usable = await self._redis_get(key)
        if found is not None:
            self.store_local(local_key, found)
            return found, "hit-redis"

        entry = compute()
        self.store_local(local_key, entry)
        if usable and await self._redis_set(key, entry):
            return entry, "miss"
        return entry, "bypass"

    async def _redis_get(self, key: str) -> tuple[Entry | None, bool]:
        if self.redis is None:
            return None, False
        if not self.health.available():
            self._recorder.cache_lookup("redis", "skipped")
            return None, False
        try:
            value = await self.redis.get(key)
        except _REDIS_FAILURES as error:
            self._recorder.cache_lookup("redis", "error")
            self.health.failed("get", error)
            return None, False

        self.health.succeeded()
        entry = None if value is None else decode_entry(value)
        self._recorder.cache_lookup("redis", "miss" if entry is None else "hit")
        return entry, True

    async def _redis_set(self, key: str, entry: Entry) -> bool:
        if self.redis is None:
            return False
        ttl_ms = int(jittered_ttl(self._ttl_seconds) * 1000)
        try:
            await self.redis.set(key, encode_entry(entry), px=ttl_ms)
        except _REDIS_FAILURES as error:
            self.health.failed("set", error)
            return False
        return True
