"""Settings from ``SPENDCAST_*`` environment variables, validated once at startup."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from typing import Annotated, Literal

import msgspec
import msgspec.inspect as mi
from msgspec import Meta

PREFIX = "SPENDCAST_"
_CACHE_LAYERS = ("none", "local", "redis")
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class SettingsError(Exception):
    """The environment holds an invalid setting; the service must not start."""


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every setting of the service. Each field is read from ``SPENDCAST_<FIELD>``."""

    host: Annotated[str, Meta(min_length=1, description="Address to bind.")] = "127.0.0.1"
    """Address the server binds (SPENDCAST_HOST)."""

    port: Annotated[int, Meta(ge=1, le=65535, description="TCP port.")] = 8000
    """TCP port (SPENDCAST_PORT)."""

    workers: Annotated[int, Meta(ge=1, le=64, description="Server worker processes.")] = 1
    """Worker processes of the production server (SPENDCAST_WORKERS); one per core is best."""

    redis_url: Annotated[str | None, Meta(description="Redis URL; unset = in-process only.")] = None
    """Shared cache (SPENDCAST_REDIS_URL), e.g. redis://127.0.0.1:6379/0. Unset: local only."""

    redis_timeout_seconds: Annotated[float, Meta(gt=0, le=10)] = 0.05
    """Socket and connect timeout of Redis calls (SPENDCAST_REDIS_TIMEOUT_SECONDS)."""

    redis_max_connections: Annotated[int, Meta(ge=1, le=1000)] = 32
    """Size of the Redis connection pool per worker (SPENDCAST_REDIS_MAX_CONNECTIONS)."""

    cache_ttl_seconds: Annotated[int, Meta(ge=1, le=30 * 86400)] = 3600
    """Lifetime of a cached estimate before jitter (SPENDCAST_CACHE_TTL_SECONDS)."""

    local_cache_entries: Annotated[int, Meta(ge=0, le=1_000_000)] = 10_000
    """Bound of the in-process LRU (SPENDCAST_LOCAL_CACHE_ENTRIES); 0 disables it."""

    local_cache_max_bytes: Annotated[int, Meta(ge=64 * 1024, le=64 * 1024**3)] = 64 * 1024**2
    """Bound of the bodies held by the in-process LRU per worker (SPENDCAST_LOCAL_CACHE_MAX_BYTES).

    A body larger than 1/16 of it is not kept locally.
    """

    redis_circuit_seconds: Annotated[float, Meta(ge=0, le=300)] = 2.0
    """After a Redis error, skip Redis for this long (SPENDCAST_REDIS_CIRCUIT_SECONDS)."""

    redis_log_interval_seconds: Annotated[float, Meta(gt=0, le=3600)] = 30.0
    """Log at most one Redis warning per interval (SPENDCAST_REDIS_LOG_INTERVAL_SECONDS)."""

    cache_policy: str = ""
    """Cache layers per estimator kind over the measured defaults (SPENDCAST_CACHE_POLICY).

    Comma-separated ``kind=layers`` pairs, layers one of ``none``, ``local``, ``redis``; for
    example ``usage=redis,training=none``. Empty: the policy of ``service.cache.CACHE_POLICY``.
    """

    tables_dir: Annotated[str | None, Meta(description="Folder of table files.")] = None
    """Folder of pricing tables (SPENDCAST_TABLES_DIR); unset = the tables shipped."""

    max_upload_bytes: Annotated[int, Meta(ge=1024, le=10 * 1024**3)] = 100 * 1000**2
    """Largest dataset upload accepted (SPENDCAST_MAX_UPLOAD_BYTES); above it: 413."""

    batch_max_items: Annotated[int, Meta(ge=1, le=100_000)] = 1000
    """Most items one batch request may hold (SPENDCAST_BATCH_MAX_ITEMS)."""

    drain_seconds: Annotated[float, Meta(ge=0, le=300)] = 0.0
    """How long readiness reports draining before shutdown proceeds (SPENDCAST_DRAIN_SECONDS)."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Log level (SPENDCAST_LOG_LEVEL)."""

    log_format: Literal["auto", "json", "console"] = "auto"
    """Log format (SPENDCAST_LOG_FORMAT); auto = JSON unless stderr is a terminal."""

    fast_estimates: bool = True
    """Whether estimate routes answer plain valid requests without Litestar's handler pipeline.

    (SPENDCAST_FAST_ESTIMATES) Same answers either way; off, every request takes the route
    handler's path, which costs more CPU per request (README, "Load and robustness").
    """

    metrics_enabled: bool = True
    """Whether requests are measured and /metrics is served (SPENDCAST_METRICS_ENABLED)."""

    metrics_flush_seconds: Annotated[float, Meta(gt=0, le=60)] = 1.0
    """How often a worker adds its gathered measurements to the metrics.

    (SPENDCAST_METRICS_FLUSH_SECONDS) A scrape of another worker lags by at most this much.
    """

    build_version: str = "dev"
    """Build identifier reported by /version and the build-info metric (SPENDCAST_BUILD_VERSION)."""

    def __post_init__(self) -> None:
        self.cache_overrides()
        if self.redis_url is not None and not self.redis_url.startswith(_REDIS_SCHEMES):
            raise ValueError(
                f"{PREFIX}REDIS_URL must start with one of {', '.join(_REDIS_SCHEMES)}"
            )

    def cache_overrides(self) -> dict[str, str]:
        """The parsed ``cache_policy``: estimator kind to cache layers.

        Raises:
            ValueError: A pair is malformed, names an unknown kind or unknown layers.
        """
        from pricing.estimators.registry import ESTIMATORS

        overrides = {}
        for pair in filter(None, (part.strip() for part in self.cache_policy.split(","))):
            kind, _, layers = (item.strip() for item in pair.partition("="))
            if kind not in ESTIMATORS or layers not in _CACHE_LAYERS:
                raise ValueError(
                    f"{PREFIX}CACHE_POLICY: {pair!r} is not <kind>=<layers> with a kind among "
                    f"{', '.join(sorted(ESTIMATORS))} and layers among {', '.join(_CACHE_LAYERS)}"
                )
            overrides[kind] = layers
        return overrides

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``SPENDCAST_*`` variables.

        Args:
            environ: The environment to read (default ``os.environ``).

        Returns:
            The validated settings.

        Raises:
            SettingsError: A variable is unknown to the service or has an invalid value.
        """
        environ = os.environ if environ is None else environ
        fields = set(cls.__struct_fields__)
        values: dict[str, str] = {}
        for key, value in environ.items():
            if not key.startswith(PREFIX):
                continue
            name = key[len(PREFIX) :].lower()
            if name not in fields:
                close = difflib.get_close_matches(name, fields, 1, 0.6)
                hint = f" (did you mean {PREFIX}{close[0].upper()}?)" if close else ""
                raise SettingsError(f"{key} is not a setting of spendcast{hint}")
            values[name] = value
        try:
            return msgspec.convert(values, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise SettingsError(f"invalid setting: {_env_name(str(exc))}") from None


def _choices(field: str) -> tuple[str, ...]:
    """The values an enumerated setting takes (empty for any other setting)."""
    for info in mi.type_info(Settings).fields:  # type: ignore[union-attr]
        if info.name == field and isinstance(info.type, mi.LiteralType):
            return tuple(str(value) for value in info.type.values)
    return ()


def _env_name(message: str) -> str:
    marker = "at `$."
    if marker in message:
        head, field = message.rsplit(marker, 1)
        field = field.rstrip("`")
        choices = _choices(field)
        # "Invalid enum value 'text'" alone leaves the operator guessing the spelling.
        hint = f"; one of: {', '.join(choices)}" if choices else ""
        return f"{PREFIX}{field.upper()}: {head.rstrip(' -')}{hint}"
    return message
