"""Reading estimate responses: exact numbers, rounding-aware comparison, echoed assumptions."""

from __future__ import annotations

from decimal import Decimal


def num(value: object) -> Decimal:
    """A JSON number as the Decimal it was written as."""
    return Decimal(str(value))


def close(actual: object, expected: Decimal) -> bool:
    """Equal up to the 10 decimal places responses are rounded to (relative for large values)."""
    return abs(num(actual) - expected) <= Decimal("1e-9") * max(1, abs(expected))


def assumed(body: dict, name: str) -> str:
    """The value of an assumption the estimate echoed."""
    return next(a["value"] for a in body["assumptions"] if a["name"] == name)
