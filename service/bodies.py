"""Strict request bodies: JSON decoded by msgspec straight into the request Struct.

Litestar parses a JSON body into Python objects and then converts them with ``strict=False``,
which lets ``"10"`` through for an integer and ``1.0`` for a count. A budgeting client that
sends a string where a number belongs has a bug, and the contract (``openapi.yaml``) says
integer, so spendcast refuses it. Every route whose ``data`` is a msgspec Struct gets this
decoder through :class:`StrictBodyPlugin`, registered on the app; the OpenAPI request body is
still the Struct's schema. Decoding bytes in one step is also faster than the two-step path.

One exception to msgspec's rules: JSON Schema counts ``1200.0`` as an integer, so a body whose
only fault is an integral float for an integer field is decoded again with those numbers as ints.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import msgspec
from litestar.dto import AbstractDTO, DTOConfig
from litestar.exceptions import ClientException, ValidationException
from litestar.plugins import SerializationPlugin
from litestar.typing import FieldDefinition

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.dto.data_structures import DTOFieldDefinition
    from litestar.openapi.spec import Reference, Schema

T = TypeVar("T")

_PATH_MARKER = " - at `"
# "Expected `int`, got `float`", also for `int | null` and other unions with int.
_INTEGRAL_FLOAT = re.compile(r"Expected `[^`]*\bint\b[^`]*`, got `float`")
# Larger integral numbers stay Decimals (and are refused for integers) rather than being expanded.
_LARGEST_INT = Decimal(2) ** 64
_EXACT_NUMBERS = msgspec.json.Decoder(float_hook=Decimal)


def validation_problem(exc: msgspec.ValidationError) -> ValidationException:
    """A msgspec validation error as the exception the problem handler maps to a 422.

    Args:
        exc: msgspec's error; its message ends with `` - at `$.path` `` when a field is at fault.

    Returns:
        A ValidationException whose ``extra`` names the JSON path and what is wrong.
    """
    # After the integral-float retry a fractional count shows as a decimal; say float as before.
    message = str(exc).replace("got `decimal`", "got `float`")
    path = "$"
    if _PATH_MARKER in message:
        message, path = message.rsplit(_PATH_MARKER, 1)
        path = path.rstrip("`")
    return ValidationException(detail=message, extra=[{"key": path, "message": message}])


def integral_numbers_as_ints(value: Any) -> Any:
    """Replace every integral Decimal (``1200.0``, ``1e3``) by the int it equals, recursively.

    Non-integral Decimals stay Decimals, so the strict conversion that follows still refuses
    them for integer fields and keeps their exact digits for Decimal fields.
    """
    if isinstance(value, Decimal):
        if value.is_finite() and abs(value) < _LARGEST_INT and value == value.to_integral_value():
            return int(value)
        return value
    if isinstance(value, dict):
        return {key: integral_numbers_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [integral_numbers_as_ints(item) for item in value]
    return value


class StrictBody(AbstractDTO[T], Generic[T]):
    """Decodes a JSON body into ``model_type`` with msgspec's strict rules, in one step."""

    _decoder: ClassVar[msgspec.json.Decoder[Any]]

    @classmethod
    def create_for_field_definition(
        cls, field_definition: FieldDefinition, handler_id: str, backend_cls: Any = None
    ) -> None:
        """Build the decoder once per request type (there is no transfer model to build)."""
        if "_decoder" not in cls.__dict__:
            cls._decoder = msgspec.json.Decoder(cls.model_type)

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: SchemaCreator
    ) -> Reference | Schema:
        """The request body is documented as the Struct itself."""
        return schema_creator.for_field_definition(
            FieldDefinition.from_annotation(
                cls.model_type, kwarg_definition=field_definition.kwarg_definition
            )
        )

    @classmethod
    def generate_field_definitions(
        cls, model_type: type[Any]
    ) -> Generator[DTOFieldDefinition, None, None]:
        """Not used: the Struct is decoded as it is, with no transfer model."""
        yield from ()

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        """Not used: the Struct is decoded as it is, with no transfer model."""
        return False

    def decode_bytes(self, value: bytes) -> Any:
        """Decode a JSON body strictly.

        Raises:
            ClientException: The body is not JSON (400).
            ValidationException: The JSON does not match the Struct (422 with the JSON path).
        """
        try:
            return self._decoder.decode(value)
        except msgspec.ValidationError as exc:
            if not _INTEGRAL_FLOAT.search(str(exc)):
                raise validation_problem(exc) from None
        except msgspec.DecodeError as exc:
            raise ClientException(detail=f"the body is not valid JSON: {exc}") from None
        # Rare path: JSON Schema counts 1200.0 as an integer, msgspec does not.
        return self._decode_with_integral_floats(value)

    def _decode_with_integral_floats(self, value: bytes) -> Any:
        try:
            # The same range rules as the strict path (1e400 is refused, never infinite).
            msgspec.json.decode(value)
        except msgspec.DecodeError as exc:
            raise ClientException(detail=f"the body is not valid JSON: {exc}") from None
        parsed = _EXACT_NUMBERS.decode(value)
        return self.decode_builtins(integral_numbers_as_ints(parsed))

    def decode_builtins(self, value: dict[str, Any]) -> Any:
        """Convert already-parsed values with strict rules (JSON bodies come as bytes)."""
        try:
            return msgspec.convert(value, self.model_type, strict=True)
        except msgspec.ValidationError as exc:
            raise validation_problem(exc) from None

    def data_to_encodable_type(self, data: Any) -> Any:
        """Responses are not this DTO's business: return them unchanged."""
        return data


class StrictBodyPlugin(SerializationPlugin):
    """Gives every route whose ``data`` is a msgspec Struct the strict decoder."""

    def supports_type(self, field_definition: FieldDefinition) -> bool:
        """Only a handler's ``data`` that is a Struct or a union of them (never a return type)."""
        return field_definition.name == "data" and field_definition.is_subclass_of(msgspec.Struct)

    def create_dto_for_type(self, field_definition: FieldDefinition) -> type[AbstractDTO]:
        """A :class:`StrictBody` bound to the Struct type, or to a (tagged) union of Structs.

        ``AbstractDTO[...]`` refuses unions, which msgspec decodes fine, so the subclass is
        built directly.
        """
        annotation = field_definition.annotation
        name = getattr(annotation, "__name__", None) or str(annotation)
        namespace = {"model_type": annotation, "config": DTOConfig()}
        return type(f"StrictBody[{name}]", (StrictBody,), namespace)


__all__ = ("StrictBody", "StrictBodyPlugin", "validation_problem")
