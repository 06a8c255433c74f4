"""What the routes share: the catalog, the settings and the readiness flags."""

from __future__ import annotations

import msgspec

from pricing.catalog import Catalog
from service.settings import Settings


class ServiceState(msgspec.Struct, kw_only=True):
    """Mutable process state, kept on ``app.state.service``."""

    settings: Settings
    catalog: Catalog
    ready: bool = False
    draining: bool = False
    redis_status: str = "disabled"
