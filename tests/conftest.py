"""Shared fixtures: the shipped catalog, an app and a client over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

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
