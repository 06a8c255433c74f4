"""How money types and closed request objects appear in the OpenAPI document."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec.inspect as mi

# Litestar keeps its Struct schema plugin in a private module; the project pins litestar 2.x.
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import Reference, Schema
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


def forbids_unknown_fields(struct_type: Any) -> bool:
    """Whether a msgspec Struct type refuses keys it does not declare."""
    config = getattr(struct_type, "__struct_config__", None)
    return bool(config and config.forbid_unknown_fields)


_NUMERIC_BOUNDS = {
    "gt": "exclusive_minimum",
    "ge": "minimum",
    "lt": "exclusive_maximum",
    "le": "maximum",
    "multiple_of": "multiple_of",
}
_STRING_BOUNDS = {"min_length": "min_length", "max_length": "max_length", "pattern": "pattern"}
_ARRAY_BOUNDS = {"min_length": "min_items", "max_length": "max_items"}
_SCHEMA_TYPE = {
    mi.IntType: OpenAPIType.INTEGER,
    mi.FloatType: OpenAPIType.NUMBER,
    mi.StrType: OpenAPIType.STRING,
    mi.ListType: OpenAPIType.ARRAY,
}


def _unwrapped(info: Any) -> Any:
    while isinstance(info, mi.Metadata):
        info = info.type
    return info


#: JSON Schema keywords a field may document differently from what msgspec enforces, through
#: ``Meta(extra_json_schema=...)``: a limit a setting lowers at run time is documented at its
#: default (the decoder keeps the setting's ceiling).
_DOCUMENTED = {"maxItems": "max_items", "maximum": "maximum", "maxLength": "max_length"}


def _documented_overrides(info: Any) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    while isinstance(info, mi.Metadata):
        extra = info.extra_json_schema or {}
        overrides.update({_DOCUMENTED[k]: v for k, v in extra.items() if k in _DOCUMENTED})
        info = info.type
    return overrides


def _bounds(info: Any) -> dict[str, Any]:
    """The JSON Schema keywords (as Schema attributes) of a msgspec type's constraints."""
    if isinstance(info, mi.IntType | mi.FloatType):
        names = _NUMERIC_BOUNDS
    elif isinstance(info, mi.StrType):
        names = _STRING_BOUNDS
    elif isinstance(info, mi.ListType):
        names = _ARRAY_BOUNDS
    else:
        return {}
    return {
        attr: getattr(info, name) for name, attr in names.items() if getattr(info, name) is not None
    }


def _has_type(schema: Schema, wanted: OpenAPIType) -> bool:
    declared = schema.type if isinstance(schema.type, list) else [schema.type]
    return wanted in declared


def apply_constraints(schema: Schema | Reference, info: Any) -> None:
    """Write msgspec's constraints of a field into its schema, also inside ``X | None``.

    Litestar drops the bounds of an optional field whose constraints sit inside the union
    (litestar#4650) and a bound equal to 0, so a schema would accept values the decoder refuses.
    """
    overrides = _documented_overrides(info)
    info = _unwrapped(info)
    if isinstance(schema, Reference):
        return
    if isinstance(info, mi.UnionType):
        for member in (_unwrapped(t) for t in info.types):
            wanted = _SCHEMA_TYPE.get(type(member))
            branches = [b for b in schema.one_of or [schema] if isinstance(b, Schema)]
            for branch in branches:
                if wanted is not None and _has_type(branch, wanted):
                    apply_constraints(branch, member)
        return
    for attr, value in {**_bounds(info), **overrides}.items():
        setattr(schema, attr, value)
    if isinstance(info, mi.ListType) and isinstance(schema.items, Schema):
        apply_constraints(schema.items, info.item_type)


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """Struct schemas as msgspec decodes them: every field constraint, closed when strict.

    Litestar does not emit ``additionalProperties: false`` for a Struct that forbids unknown
    fields, so clients and fuzzers would believe extra keys are accepted; and it loses some
    field bounds (see :func:`apply_constraints`).
    """

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        """The Struct's component schema with its constraints, closed when it is strict."""
        schema = super().to_openapi_schema(field_definition, schema_creator)
        struct_type = field_definition.type_
        if forbids_unknown_fields(struct_type):
            schema.additional_properties = False
        properties = schema.properties or {}
        for field in mi.type_info(struct_type).fields:  # type: ignore[union-attr]
            if field.encode_name in properties:
                apply_constraints(properties[field.encode_name], field.type)
        return schema
