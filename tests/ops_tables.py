"""A small table whose one model changes price at 2031-01-01 00:00 UTC, for cache-key tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pricing.catalog import Catalog
from pricing.loader import load_catalog

PRICE_CHANGE = datetime(2031, 1, 1, tzinfo=UTC)

#: acme-1: input $2 / output $8 per 1M tokens until 2031-01-01, then $1 / $4.
TABLE = """
[table]
version = "2030-01-01"
published = 2030-01-01
source = "test"
description = "test"

[[providers]]
id = "acme"
name = "Acme"

[[models]]
id = "acme-1"
provider = "acme"
source = "test"
verified = 2030-01-01
  [[models.prices]]
  unit = "usd_per_1m_tokens"
  input = 2.0
  output = 8.0
  effective_to = 2031-01-01
  [[models.prices]]
  unit = "usd_per_1m_tokens"
  input = 1.0
  output = 4.0
  effective_from = 2031-01-01
"""


def effective_catalog(directory: Path) -> Catalog:
    """Write the table above into ``directory`` and load it."""
    (directory / "2030-01-01.toml").write_text(TABLE)
    return load_catalog(directory)
