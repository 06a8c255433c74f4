"""Make the OpenAPI document say what the service really does.

Litestar's defaults describe two things differently from how spendcast behaves:

- a msgspec Struct with ``forbid_unknown_fields`` refuses unknown keys, but the schema does not
  say ``additionalProperties: false``, so clients and fuzzers believe extra keys are fine;
- ``Decimal`` is documented as a string, while :mod:`service.encoding` writes money and rates
  as exact JSON numbers.

The two schema plugins below correct both; :data:`SCHEMA_PLUGINS` is registered on the app.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

# Litestar keeps its Struct schema plugin in a private module; the project pins litestar 2.x.
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.plugins import OpenAPISchemaPlugin

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition


def forbids_unknown_fields(struct_type: Any) -> bool:
    """Whether a msgspec Struct type refuses keys it does not declare."""
    config = getattr(struct_type, "__struct_config__", None)
    return bool(config and config.forbid_unknown_fields)


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """Struct schemas with ``additionalProperties: false`` where the Struct forbids them."""

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        """The Struct's component schema, closed when the Struct forbids unknown fields."""
        schema = super().to_openapi_schema(field_definition, schema_creator)
        if forbids_unknown_fields(field_definition.type_):
            schema.additional_properties = False
        return schema


class DecimalNumberSchemaPlugin(OpenAPISchemaPlugin):
    """``Decimal`` as a JSON number: amounts and rates are written as exact numbers."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        """Only ``Decimal`` itself."""
        return value is Decimal

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        """A number schema."""
        return Schema(type=OpenAPIType.NUMBER)


SCHEMA_PLUGINS = (ClosedStructSchemaPlugin(), DecimalNumberSchemaPlugin())

__all__ = ("SCHEMA_PLUGINS", "forbids_unknown_fields")
