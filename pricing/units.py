"""Rate units: what each unit string in a table file means and how large a rate may be.

Table files may state rates in the unit their source uses; the loader converts each rate to the
canonical unit of its dimension (token rates to USD per 1M tokens) and refuses magnitudes outside
the plausible band of the unit, which is how a per-token price pasted as per-1M is caught.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from enum import StrEnum

import msgspec

from pricing.money import plain_decimal


class Dimension(StrEnum):
    """What a rate is charged for."""

    TOKENS = "tokens"
    TRAINED_TOKENS = "trained_tokens"
    EXAMPLES = "examples"
    HOURS = "hours"
    GB_MONTHS = "gb_months"
    SEARCHES = "searches"
    READ_UNITS = "read_units"
    WRITE_UNITS = "write_units"
    MONTHS = "months"


class Unit(msgspec.Struct, frozen=True):
    """One unit a table may use.

    Attributes:
        name: The unit string as written in table files.
        dimension: What the rate is charged for.
        to_canonical: Multiplier from this unit to the canonical unit of the dimension.
        canonical: The canonical unit's name.
        max_canonical_rate: The largest plausible rate, in the canonical unit.
    """

    name: str
    dimension: Dimension
    to_canonical: Decimal
    canonical: str
    max_canonical_rate: Decimal


def _unit(name: str, dimension: Dimension, factor: int, canonical: str, ceiling: str) -> Unit:
    return Unit(name, dimension, Decimal(factor), canonical, Decimal(ceiling))


_UNITS = (
    _unit("usd_per_1m_tokens", Dimension.TOKENS, 1, "usd_per_1m_tokens", "1000"),
    _unit("usd_per_1k_tokens", Dimension.TOKENS, 1000, "usd_per_1m_tokens", "1000"),
    _unit(
        "usd_per_1m_trained_tokens",
        Dimension.TRAINED_TOKENS,
        1,
        "usd_per_1m_trained_tokens",
        "1000",
    ),
    _unit("usd_per_1k_examples", Dimension.EXAMPLES, 1, "usd_per_1k_examples", "1000"),
    _unit("usd_per_hour", Dimension.HOURS, 1, "usd_per_hour", "500"),
    _unit("usd_per_gb_month", Dimension.GB_MONTHS, 1, "usd_per_gb_month", "100"),
    _unit("usd_per_1k_searches", Dimension.SEARCHES, 1, "usd_per_1k_searches", "100"),
    _unit("usd_per_1m_read_units", Dimension.READ_UNITS, 1, "usd_per_1m_read_units", "1000"),
    _unit("usd_per_1m_write_units", Dimension.WRITE_UNITS, 1, "usd_per_1m_write_units", "1000"),
    _unit("usd_per_month", Dimension.MONTHS, 1, "usd_per_month", "100000"),
)

UNITS: dict[str, Unit] = {unit.name: unit for unit in _UNITS}

_FINEST_RATE = Decimal("1e-10")
_WIDE = decimal.Context(prec=200)


def check_unit(unit_name: str, dimension: Dimension) -> None:
    """Refuse a unit that is unknown or prices another dimension.

    Raises:
        ValueError: With a message naming the known units or the unit's dimension.
    """
    unit = UNITS.get(unit_name)
    if unit is None:
        known = ", ".join(sorted(UNITS))
        raise ValueError(f"unknown unit {unit_name!r}; known units: {known}")
    if unit.dimension is not dimension:
        raise ValueError(
            f"unit {unit_name!r} prices {unit.dimension.value}, this rate prices {dimension.value}"
        )


def to_canonical(rate: Decimal, unit_name: str, dimension: Dimension) -> Decimal:
    """Convert a rate to its dimension's canonical unit, checking unit and magnitude.

    Args:
        rate: The rate as written.
        unit_name: The unit it was written in.
        dimension: The dimension the field requires.

    Returns:
        The rate in the canonical unit.

    Raises:
        ValueError: If the unit is unknown or of another dimension, or the rate is negative,
            not finite, or above the unit's plausible band.
    """
    check_unit(unit_name, dimension)
    unit = UNITS[unit_name]
    if not rate.is_finite() or rate < 0:
        raise ValueError(f"rate {rate} must be a finite number >= 0")

    canonical = rate * unit.to_canonical
    # The band first: quantizing 1e308 to 10 places needs more digits than any context holds.
    if canonical > unit.max_canonical_rate:
        # "3000.0 usd_per_1m_tokens is 3000.0 usd_per_1m_tokens" says nothing: convert only
        # a rate written in another unit.
        written = f"rate {plain_decimal(rate)} {unit_name}"
        if unit_name != unit.canonical:
            written += f" is {plain_decimal(canonical)} {unit.canonical}"
        raise ValueError(
            f"{written}, above the plausible maximum of {unit.max_canonical_rate} "
            f"{unit.canonical}; check the unit"
        )
    if canonical != canonical.quantize(_FINEST_RATE, context=_WIDE):
        raise ValueError(
            f"rate {rate} {unit_name} has more than 10 decimal places in {unit.canonical}; "
            "amounts are written with 10"
        )
    return plain_decimal(canonical)
