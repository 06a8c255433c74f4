"""Strict conversion of parsed JSON into request Structs, with JSON Schema's idea of an integer.

A budgeting client that sends ``"10"`` where the contract says integer has a bug, so request
values are converted with msgspec's strict rules: no string is read as a number or a boolean.
One exception: JSON Schema counts ``1200.0`` as an integer, so a value whose only fault is an
integral float for an integer field is converted again with those numbers as ints. The HTTP
bodies (``service/bodies.py``) and the items of a batch follow these same rules.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

# "Expected `int`, got `float`", also for `int | null` and other unions with int.
INTEGRAL_FLOAT = re.compile(r"Expected `[^`]*\bint\b[^`]*`, got `float`")
# Larger integral numbers stay as they are (and are refused for integers), never expanded.
_LARGEST_INT = 2**64
_LARGEST_FLOAT = Decimal(str(float.fromhex("0x1.fffffffffffffp+1023")))


def _integral(value: Decimal | float) -> bool:
    if isinstance(value, float):
        return math.isfinite(value) and abs(value) < _LARGEST_INT and value.is_integer()
    # copy_abs, not abs(): abs() rounds in the context and overflows on 1e4000000.
    return (
        value.is_finite() and value.copy_abs() < _LARGEST_INT and value == value.to_integral_value()
    )


def integral_numbers_as_ints(value: Any) -> Any:
    """Replace every integral number (``1200.0``, ``1e3``) by the int it equals, recursively.

    Floats and Decimals with a fractional part stay as they are, so the strict conversion that
    follows still refuses them for integer fields (and keeps a Decimal's exact digits).
    """
    if isinstance(value, Decimal | float):
        return int(value) if _integral(value) else value
    if isinstance(value, dict):
        return {key: integral_numbers_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [integral_numbers_as_ints(item) for item in value]
    return value


def out_of_range_path(value: Any, path: str = "$") -> str | None:
    """The JSON path of the first number no 64-bit float can hold, if any.

    Too large (``1e400``, which would read as infinite), or not 0 yet so small that it would read
    as 0 (``1e-400``: a rate of 1e-400 priced as free).

    Args:
        value: JSON parsed with numbers as Decimals.
        path: The path of ``value`` itself.
    """
    pending = [(path, value)]
    while pending:
        where, item = pending.pop()
        # copy_abs, not abs(): abs() rounds in the context, and 1e4000000 overflows it.
        if isinstance(item, Decimal) and (
            item.copy_abs() > _LARGEST_FLOAT or (item and float(item) == 0.0)
        ):
            return where
        if isinstance(item, dict):
            pending.extend((f"{where}.{key}", child) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            pending.extend((f"{where}[{i}]", child) for i, child in reversed(list(enumerate(item))))
    return None


def convert_strictly(value: Any, type_: type[T]) -> T:
    """Convert parsed JSON into ``type_`` strictly; integral floats count as integers.

    Raises:
        msgspec.ValidationError: The value does not match the type (with the JSON path).
    """
    try:
        return msgspec.convert(value, type_, strict=True, str_keys=True)
    except msgspec.ValidationError as error:
        if not INTEGRAL_FLOAT.search(str(error)):
            raise
    return msgspec.convert(integral_numbers_as_ints(value), type_, strict=True, str_keys=True)
