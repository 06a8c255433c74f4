"""Operational routes, outside the OpenAPI document: liveness, readiness, version."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.datastructures import State

import service
from service.guard import OWN_ERROR_BODY


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    """Liveness: the process answers. Checks no dependency."""
    return {"status": "ok"}


# Its 503 is a status document that probes and operators read, not a problem.
@get("/readyz", include_in_schema=False, sync_to_thread=False, opt={OWN_ERROR_BODY: True})
def readyz(state: State) -> Response[dict[str, Any]]:
    """Readiness: tables loaded and not draining. Redis is reported, never gating."""
    current = state.service
    ready = current.ready and not current.draining
    body = {
        "status": "ready" if ready else ("draining" if current.draining else "starting"),
        "tables": sorted(current.catalog.tables),
        "redis": current.redis_status,
    }
    return Response(body, status_code=200 if ready else 503)


@get("/version", include_in_schema=False, sync_to_thread=False)
def version(state: State) -> dict[str, Any]:
    """Build and table versions."""
    current = state.service
    return {
        "service": service.__version__,
        "build": current.settings.build_version,
        "latest_pricing_version": current.catalog.latest_version,
        "pricing_tables": [
            {"version": t.version, "content_hash": t.content_hash}
            for t in current.catalog.tables.values()
        ],
    }


ROUTES = [healthz, readyz, version]
