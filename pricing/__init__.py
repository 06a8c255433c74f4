"""spendcast's domain core: versioned pricing tables and pure cost and capacity estimators.

Usable as a library without a server::

    from pricing import load_catalog
    catalog = load_catalog()
"""

from pricing.catalog import Catalog, ModelMatch, PricingTable
from pricing.errors import InvalidInput, NotFound, PricingError, TableLoadError
from pricing.loader import load_catalog, load_table

__all__ = (
    "Catalog",
    "InvalidInput",
    "ModelMatch",
    "NotFound",
    "PricingError",
    "PricingTable",
    "TableLoadError",
    "load_catalog",
    "load_table",
)
