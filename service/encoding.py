"""JSON output: money as exact JSON numbers, rounded once, here, at serialization."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import msgspec
from litestar import Response
from litestar.serialization import default_serializer

from pricing.money import OUTPUT_DECIMAL_PLACES, plain_number

_ENCODER = msgspec.json.Encoder()
_NUMBERS_ENCODER = msgspec.json.Encoder(enc_hook=default_serializer, decimal_format="number")


def money_number(value: Decimal) -> msgspec.Raw:
    """A Decimal as a plain JSON number, rounded to the output places, trailing zeros dropped.

    Most amounts are already in that form (``0.0022875``, ``1830``): their text is taken as it
    is, which is ten times cheaper than rounding; anything else goes through ``plain_number``.
    """
    text = str(value)
    if "E" not in text and not text.startswith("-0"):
        _, dot, fraction = text.partition(".")
        if not dot or (len(fraction) <= OUTPUT_DECIMAL_PLACES and fraction[-1] != "0"):
            return msgspec.Raw(text.encode())
    # JSON numbers in plain notation: clients parse 0.00000005 more reliably than 5E-8.
    return msgspec.Raw(plain_number(value).encode())


_CONTAINERS = (dict, list, tuple)


def _rounded(value: Any) -> Any:
    # Type checks inline: this walk runs over every response body.
    kind = type(value)
    if kind is dict:
        return {key: _leaf_or_walk(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_leaf_or_walk(item) for item in value]
    return _leaf_or_walk(value)


def _leaf_or_walk(value: Any) -> Any:
    kind = type(value)
    if kind is Decimal:
        return money_number(value)
    if kind in _CONTAINERS:
        return _rounded(value)
    return value


# A number msgspec may have written from a Decimal that is not in output form: an exponent (str()
# of a Decimal writes E and a sign; floats are never rewritten, so their e does not matter), more
# than 10 places, a trailing zero, a negative zero, or no number at all. A match inside a string
# only sends the body down the exact path, so the tests may err on that side, never the other.
# A trailing zero must end a number (msgspec writes no spaces), so "gemini-2.0-flash" does not
# send a body down the exact path. Each pattern starts with a literal, which the regex engine
# scans for in C; one pattern of alternatives would be tried at every byte (twice the cost).
_LONG_OR_TRAILING_ZERO = re.compile(rb"\.(?:\d{11}|\d*0(?=[,}\]]|\Z))")
_NEGATIVE_ZERO = re.compile(rb"-0(?![.\d])")


def in_output_form(body: bytes) -> bool:
    """Whether every number msgspec wrote into ``body`` is already in output form (see above)."""
    # One byte is found with memchr, four times faster than a two-byte needle; E, N and I
    # (exponents, NaN, Infinity) are rare enough in answers that a hit may cost the full test.
    rare = b"E" in body or b"N" in body or b"I" in body
    if rare and (b"E+" in body or b"E-" in body or b"NaN" in body or b"Infinity" in body):
        return False
    return _LONG_OR_TRAILING_ZERO.search(body) is None and _NEGATIVE_ZERO.search(body) is None


def encode_money_json(content: Any, enc_hook: Any = default_serializer) -> bytes:
    """Encode a response body with every Decimal rounded to 10 places, as a plain JSON number.

    Most bodies hold only amounts already in output form, which msgspec writes as they are in one
    C pass; a body with any other number is rebuilt by walking it (about ten times slower).

    Args:
        content: Structs, dicts, lists and scalars.
        enc_hook: Fallback for types msgspec does not know.

    Returns:
        The JSON bytes.
    """
    encoder = _NUMBERS_ENCODER
    if enc_hook is not default_serializer:
        encoder = msgspec.json.Encoder(enc_hook=enc_hook, decimal_format="number")
    body = encoder.encode(content)
    if in_output_form(body):
        return body
    builtins = msgspec.to_builtins(content, builtin_types=(Decimal,), enc_hook=enc_hook)
    return _ENCODER.encode(_rounded(builtins))


class MoneyResponse(Response):
    """The app's response class: JSON bodies go through :func:`encode_money_json`."""

    def render(self, content: Any, media_type: str, enc_hook: Any = default_serializer) -> bytes:
        """Serialize ``content``; JSON media types use the money encoder."""
        if isinstance(content, bytes | str) or "json" not in media_type:
            return super().render(content, media_type, enc_hook)
        return encode_money_json(content, enc_hook)
