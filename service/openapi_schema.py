"""How money types appear in the OpenAPI document."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar.openapi.spec import Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition


class DecimalAsNumberPlugin(OpenAPISchemaPlugin):
    """Document Decimals as JSON numbers, which is how the service writes them.

    Litestar documents ``Decimal`` as a string by default; generated clients would then reject
    every amount the service returns.
    """

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        """Whether ``value`` is the Decimal type."""
        return value is Decimal

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        """A number schema (amounts are rounded to 10 decimal places)."""
        return Schema(type=OpenAPIType.NUMBER)
