"""Strict request bodies: JSON decoded by msgspec straight into the request Struct.

Litestar parses a JSON body into Python objects and then converts them with ``strict=False``,
which lets ``"10"`` through for an integer and ``1.0`` for a count. A budgeting client that
sends a string where a number belongs has a bug, and the contract (``openapi.yaml``) says
integer, so spendcast refuses it. Every route whose ``data`` is a msgspec Struct gets this
decoder through :class:`StrictBodyPlugin`, registered on the app; the OpenAPI request body is
still the Struct's schema. Decoding bytes in one step is also faster than the two-step path.

One exception to msgspec's rules: JSON Schema counts ``1200.0`` as an integer, so a body whose
only fault is an integral float for an integer field is decoded again with those numbers as ints
(the rules of :mod:`pricing.strict`, which batch items follow too). An object that repeats a key
is refused (:mod:`pricing.jsonkeys`), never read as its last value. A body must be sent as JSON
(``application/json`` or a ``+json`` type): any other content type is a 415, and so is a
compressed body (a ``Content-Encoding`` other than identity).
"""

from __future__ import annotations

import re
from collections.abc import Generator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import msgspec
from litestar.dto import AbstractDTO, DTOConfig
from litestar.exceptions import ClientException, HTTPException, ValidationException
from litestar.plugins import SerializationPlugin
from litestar.typing import FieldDefinition

from pricing.jsonkeys import duplicate_key_path
from pricing.strict import INTEGRAL_FLOAT, integral_numbers_as_ints, out_of_range_path
from service.codings import require_identity

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.dto.data_structures import DTOFieldDefinition
    from litestar.openapi.spec import Reference, Schema

T = TypeVar("T")

_PATH_MARKER = " - at `"
_OUT_OF_RANGE = "Number out of range"
_EXACT_NUMBERS = msgspec.json.Decoder(float_hook=Decimal)
JSON_MEDIA_TYPE = "application/json"
#: How a Content-Type may name UTF-8.
UTF8_NAMES = frozenset({"utf-8", "utf8"})


def strict_decoder(model_type: Any) -> msgspec.json.Decoder[Any]:
    """The decoder of a request body: msgspec's strict rules, straight into ``model_type``."""
    return msgspec.json.Decoder(model_type)


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


def require_json(media_type: str, params: dict[str, str] | None = None) -> None:
    """Refuse a body that is not sent as JSON, or declared in a charset other than UTF-8.

    Raises:
        HTTPException: 415 for any media type other than application/json or ``*/*+json``
            (a missing Content-Type included: the body's format is then unknown), and for a
            ``charset`` other than UTF-8, the only encoding of JSON (RFC 8259 §8.1).
    """
    media_type = media_type.strip().lower()
    if media_type == JSON_MEDIA_TYPE or media_type.endswith("+json"):
        require_utf8(params or {})
        return
    sent = f"not {media_type}" if media_type else "the request has no Content-Type"
    raise HTTPException(status_code=415, detail=f"send the body as {JSON_MEDIA_TYPE} ({sent})")


def require_utf8(params: dict[str, str]) -> None:
    """Refuse a Content-Type whose ``charset`` is not UTF-8 (the body would be misread).

    Raises:
        HTTPException: 415 naming the charset sent.
    """
    charset = params.get("charset")
    if charset is None or charset.strip().strip('"').lower() in UTF8_NAMES:
        return
    raise HTTPException(
        status_code=415,
        detail=f"JSON is read as UTF-8 (RFC 8259): send it so, not as charset={charset}",
    )


_BOM = b"\xef\xbb\xbf"
_NOT_UTF8 = (b"\xff\xfe", b"\xfe\xff")
_OFFSET = re.compile(r"\(byte (\d+)\)")
_NOT_JSON_NUMBERS = (b"NaN", b"Infinity", b"-Infinity")


def not_json_problem(body: bytes, exc: msgspec.DecodeError) -> ClientException:
    """The 400 for a body that is not JSON, saying why in words a person can act on."""
    if not body.strip():
        return ClientException(detail="the request body is empty: send a JSON object")
    if body.startswith(_NOT_UTF8) or b"\x00" in body[:4]:
        return ClientException(
            detail="the body is not UTF-8 (it looks like UTF-16 or UTF-32); send JSON as UTF-8"
        )
    detail = f"the body is not valid JSON: {exc}"
    offset = _OFFSET.search(str(exc))
    if offset is not None and body[int(offset.group(1)) :].startswith(_NOT_JSON_NUMBERS):
        detail += ": NaN and Infinity are not JSON numbers; send a finite number"
    return ClientException(detail=detail)


def without_bom(body: bytes) -> bytes | None:
    """The body without a leading UTF-8 byte order mark, or None when it has none.

    RFC 8259 §8.1 lets a parser ignore it, and the dataset upload does; so do the JSON routes.
    """
    return body[len(_BOM) :] if body.startswith(_BOM) else None


def duplicate_key_problem(body: bytes) -> ValidationException | None:
    """A 422 at the first key an object of the JSON ``body`` repeats, if there is one.

    msgspec keeps the last of two values of one key; an estimate computed from one of two numbers
    the client sent would be a wrong number, so the body is refused and the key named.
    """
    path = duplicate_key_path(body)
    if path is None:
        return None
    key = path.rsplit(".", 1)[-1]
    message = f"the key {key!r} appears more than once in this object; send it once"
    return ValidationException(detail=message, extra=[{"key": path, "message": message}])


# Text of a number that may be too small for a float (a negative exponent, or 300 zeros after
# the point): msgspec reads 1e-400 as 0.0 without a word, so such bodies are read exactly too.
# The exponent pattern starts at its minus sign, a literal the engine scans for in C, and only
# there looks back for a digit and an e (five times cheaper than starting at the digit).
_TINY_EXPONENT = re.compile(rb"-(?<=\d[eE]-)\d")
_POINT_AND_ZEROS = b"." + b"0" * 300


def tiny_number_problem(body: bytes) -> ValidationException | None:
    """A 422 at the first number of a JSON body that is not 0 but would be read as 0, if any."""
    if _TINY_EXPONENT.search(body) is None and _POINT_AND_ZEROS not in body:
        return None
    try:
        parsed = _EXACT_NUMBERS.decode(body)
    except msgspec.DecodeError:  # an integer beyond reading: not a tiny number
        return None
    return out_of_range_problem(parsed)


def out_of_range_problem(body: Any) -> ValidationException | None:
    """A 422 at the first number of a parsed body that no 64-bit float holds, if there is one."""
    path = out_of_range_path(body)
    if path is None:
        return None
    message = "Number out of range: no 64-bit float holds it (too large, or not 0 yet read as 0)"
    return ValidationException(detail=message, extra=[{"key": path, "message": message}])


class StrictBody(AbstractDTO[T], Generic[T]):
    """Decodes a JSON body into ``model_type`` with msgspec's strict rules, in one step."""

    _decoder: ClassVar[msgspec.json.Decoder[Any]]

    @classmethod
    def create_for_field_definition(
        cls, field_definition: FieldDefinition, handler_id: str, backend_cls: Any = None
    ) -> None:
        """Build the decoder once per request type (there is no transfer model to build)."""
        if "_decoder" not in cls.__dict__:
            cls._decoder = strict_decoder(cls.model_type)

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
            HTTPException: The body is not sent as JSON, or is compressed (415).
            ClientException: The body is not JSON (400).
            ValidationException: The JSON does not match the Struct (422 with the JSON path),
                or holds a number out of a float's range (422 at that number).
        """
        require_json(*self.asgi_connection.content_type)
        require_identity(self.asgi_connection.headers)
        try:
            decoded = self._decoder.decode(value)
        except msgspec.ValidationError as exc:
            retry = INTEGRAL_FLOAT.search(str(exc)) or str(exc).startswith(_OUT_OF_RANGE)
            if not retry:
                raise validation_problem(exc) from None
            first_error = exc
        except msgspec.DecodeError as exc:
            stripped = without_bom(value)
            if stripped is None:
                raise not_json_problem(value, exc) from None
            return self.decode_bytes(stripped)
        else:
            return self._without_duplicate_keys(value, decoded)
        # Rare path: JSON Schema counts 1200.0 as an integer, msgspec does not; and msgspec
        # names a number out of range without the keys of free-form objects (`$[...]`).
        return self._without_duplicate_keys(value, self._decode_exactly(value, first_error))

    @staticmethod
    def _without_duplicate_keys(value: bytes, decoded: Any) -> Any:
        # After decoding: a body that is not JSON, or does not fit the Struct, says so first.
        problem = duplicate_key_problem(value) or tiny_number_problem(value)
        if problem is not None:
            raise problem
        return decoded

    def _decode_exactly(self, value: bytes, first_error: msgspec.ValidationError) -> Any:
        try:
            parsed = _EXACT_NUMBERS.decode(value)
        except msgspec.DecodeError as exc:
            if "out of range" in str(exc):
                # An integer too long for any number type: the typed decoder named its field.
                raise validation_problem(first_error) from None
            raise not_json_problem(value, exc) from None
        # The same range rule as the strict path: 1e400 is refused, never read as infinite.
        problem = out_of_range_problem(parsed)
        if problem is not None:
            raise problem
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


__all__ = (
    "StrictBody",
    "StrictBodyPlugin",
    "duplicate_key_problem",
    "not_json_problem",
    "require_json",
    "require_utf8",
    "strict_decoder",
    "tiny_number_problem",
    "validation_problem",
    "without_bom",
)
