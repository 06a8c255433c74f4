"""JSON output: money as exact JSON numbers, rounded once, here, at serialization."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
from litestar import Response
from litestar.serialization import default_serializer

from pricing.money import plain_number

_ENCODER = msgspec.json.Encoder()


def _rounded(value: Any) -> Any:
    # JSON numbers in plain notation: clients parse 0.00000005 more reliably than 5E-8.
    if isinstance(value, Decimal):
        return msgspec.Raw(plain_number(value).encode())
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def encode_money_json(content: Any, enc_hook: Any = default_serializer) -> bytes:
    """Encode a response body with every Decimal rounded to 10 places, as a plain JSON number.

    Args:
        content: Structs, dicts, lists and scalars.
        enc_hook: Fallback for types msgspec does not know.

    Returns:
        The JSON bytes.
    """
    builtins = msgspec.to_builtins(content, builtin_types=(Decimal,), enc_hook=enc_hook)
    return _ENCODER.encode(_rounded(builtins))


class MoneyResponse(Response):
    """The app's response class: JSON bodies go through :func:`encode_money_json`."""

    def render(self, content: Any, media_type: str, enc_hook: Any = default_serializer) -> bytes:
        """Serialize ``content``; JSON media types use the money encoder."""
        if isinstance(content, bytes | str) or "json" not in media_type:
            return super().render(content, media_type, enc_hook)
        return encode_money_json(content, enc_hook)
