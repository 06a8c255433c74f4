"""What the routes share: the catalog, the settings, the cache, metrics and readiness flags."""

from __future__ import annotations

import msgspec

from pricing.catalog import Catalog
from service.cache import EstimateCache
from service.metrics import Recorder
from service.settings import Settings


class ServiceState(msgspec.Struct, kw_only=True):
    """Mutable process state, kept on ``app.state.service``."""

    settings: Settings
    catalog: Catalog
    cache: EstimateCache
    recorder: Recorder
    ready: bool = False
    draining: bool = False

    @property
    def redis_status(self) -> str:
        """``disabled``, ``ok``, ``degraded`` or ``unknown`` (before the first call)."""
        return self.cache.redis_status
