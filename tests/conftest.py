"""Shared fixtures: the shipped catalog, an app and a client over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from loadtests.processes import Service, running_service
from pricing.catalog import Catalog
from pricing.loader import load_catalog
from service.app import create_app
from service.settings import Settings


@pytest.fixture(name="catalog", scope="session")
def fixture_catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(name="client")
def fixture_client(catalog: Catalog) -> Iterator[TestClient]:
    app = create_app(Settings(log_level="WARNING", metrics_enabled=False), catalog)
    with TestClient(app) as client:
        yield client


@pytest.fixture(name="live_server", scope="session")
def fixture_live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The real server (``python -m service``, one worker) on a free loopback port."""
    log_path = tmp_path_factory.mktemp("live_server") / "server.log"
    with running_service({"SPENDCAST_LOG_LEVEL": "WARNING"}, log_path) as service:
        yield service
