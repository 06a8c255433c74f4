"""The app factory: settings and catalog in, a configured Litestar app out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Tag

import service
from pricing.catalog import Catalog
from pricing.knowledge import shipped_library
from pricing.loader import TABLES_DIR, load_catalog
from service import metrics
from service.bodies import StrictBodyPlugin
from service.cache import EstimateCache
from service.encoding import MoneyResponse
from service.fast_estimates import EstimateShortcut, shortcut_routes
from service.guard import ProblemGuard
from service.head import HeadAsGet
from service.logs import configure_logging
from service.openapi_schema import DecimalAsNumberPlugin, StrictStructSchemaPlugin
from service.problems import EXCEPTION_HANDLERS
from service.query import StrictQuery
from service.routes import (
    batch,
    datasets,
    estimates,
    health,
    pricing,
    recommendations,
    reference,
)
from service.settings import Settings
from service.state import ServiceState

_log = logging.getLogger("spendcast.app")

TAGS = [
    Tag(name="pricing", description="Versioned pricing tables, models, GPUs and diffs."),
    Tag(name="estimates", description="Cost and capacity estimators."),
    Tag(name="reference", description="The article's reference knowledge, versioned as data."),
    Tag(name="recommendations", description="The article's decision flowchart."),
    Tag(name="datasets", description="Readiness checks of training data and RAG chunks."),
]


def openapi_config() -> OpenAPIConfig:
    """The OpenAPI document's metadata."""
    return OpenAPIConfig(
        title="spendcast",
        version=service.__version__,
        description=(
            "What LLM work will cost and how much capacity it needs: versioned pricing tables "
            "and estimators. Money is USD, computed in Decimal and written as JSON numbers "
            "rounded to 10 decimal places; every estimate names its pricing_version."
        ),
        tags=TAGS,
        path="/schema",
        create_examples=False,
    )


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    current: ServiceState = app.state.service
    await current.cache.start()
    flusher = asyncio.create_task(
        current.recorder.flush_every(current.settings.metrics_flush_seconds)
    )
    current.ready = True
    _log.info("started", extra={"tables": sorted(current.catalog.tables)})
    try:
        yield
    finally:
        # Readiness turns 503 first, then the drain, and only then the shared pool closes.
        current.draining = True
        _log.info("stopping", extra={"drain_seconds": current.settings.drain_seconds})
        await asyncio.sleep(current.settings.drain_seconds)
        await current.cache.close()
        flusher.cancel()
        current.recorder.flush()
        metrics.process_exit()
        _log.info("stopped")


def create_app(settings: Settings | None = None, catalog: Catalog | None = None) -> Litestar:
    """Build the app.

    Args:
        settings: The settings (default: from ``SPENDCAST_*`` environment variables).
        catalog: The pricing catalog (default: load the tables of ``settings.tables_dir``).

    Returns:
        The Litestar application.
    """
    settings = settings or Settings.from_env()
    configure_logging(settings)
    if catalog is None:
        directory = Path(settings.tables_dir) if settings.tables_dir else TABLES_DIR
        catalog = load_catalog(directory)
    shipped_library().check_catalog(catalog)
    for table in catalog.tables.values():
        _log.info(
            "pricing_table_loaded",
            extra={"version": table.version, "content_hash": table.content_hash},
        )

    recorder = metrics.recorder_for(settings)
    state = ServiceState(
        settings=settings,
        catalog=catalog,
        cache=EstimateCache(settings, catalog, recorder),
        recorder=recorder,
    )
    operational = [metrics.metrics_endpoint] if settings.metrics_enabled else []
    strict_query = StrictQuery()
    app = Litestar(
        route_handlers=[
            *health.ROUTES,
            *operational,
            *pricing.ROUTES,
            *estimates.ROUTES,
            *reference.ROUTES,
            *recommendations.ROUTES,
            *datasets.ROUTES,
            *batch.ROUTES,
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        response_class=MoneyResponse,
        openapi_config=openapi_config(),
        lifespan=[_lifespan],
        state=State({"service": state}),
        request_max_body_size=settings.max_upload_bytes,
        plugins=[DecimalAsNumberPlugin(), StrictStructSchemaPlugin(), StrictBodyPlugin()],
        middleware=[strict_query],
    )
    strict_query.learn_routes(app)
    app.asgi_handler = HeadAsGet(app.asgi_handler)
    app.asgi_handler = EstimateShortcut(app.asgi_handler, app, shortcut_routes(estimates.ROUTES))
    if settings.metrics_enabled:
        metrics.publish_info(settings, catalog)
        # Outside the router, so 404s of unknown paths are counted too (as "unmatched").
        app.asgi_handler = metrics.HttpMetricsMiddleware(app.asgi_handler, recorder)
    # Outermost: an error answer that bypassed the exception handlers leaves as problem+json.
    app.asgi_handler = ProblemGuard(app.asgi_handler)
    return app
