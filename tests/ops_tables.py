"""A small table whose one model changes price at 2031-01-01 00:00 UTC, for cache-key tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pricing.catalog import Catalog
from pricing.loader import load_catalog
from tests.unit.test_table_loading import GOOD

PRICE_CHANGE = datetime(2031, 1, 1, tzinfo=UTC)

_FIRST_ROW = "  input = 1.0\n  output = 2.0\n"
assert _FIRST_ROW in GOOD

#: acme-1: input $2 / output $8 per 1M tokens until 2031-01-01, then $1 / $4.
TABLE = GOOD.replace(
    _FIRST_ROW,
    "  input = 2.0\n  output = 8.0\n  effective_to = 2031-01-01\n"
    '  [[models.prices]]\n  unit = "usd_per_1m_tokens"\n'
    "  input = 1.0\n  output = 4.0\n  effective_from = 2031-01-01\n",
)


def effective_catalog(directory: Path) -> Catalog:
    """Write the table above as version 2030-01-01 into ``directory`` and load it."""
    (directory / "2030-01-01.toml").write_text(TABLE)
    return load_catalog(directory)
