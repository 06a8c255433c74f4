"""Decimal money: one context, one rounding rule, applied once at the edge."""

from __future__ import annotations

import decimal
from decimal import Decimal

#: Arithmetic precision of every money computation (significant digits).
MONEY_PRECISION_DIGITS = 34

#: Amounts are written with at most this many decimal places.
OUTPUT_DECIMAL_PLACES = 10

_OUTPUT_QUANTUM = Decimal(1).scaleb(-OUTPUT_DECIMAL_PLACES)
_ONE_MILLION = Decimal(1_000_000)

decimal.getcontext().prec = MONEY_PRECISION_DIGITS


def per_million(tokens: Decimal | int, usd_per_1m: Decimal) -> Decimal:
    """Cost in USD of ``tokens`` at a rate given in USD per 1M tokens.

    Args:
        tokens: The token count (may be fractional when it is an average).
        usd_per_1m: The rate in USD per 1,000,000 tokens.

    Returns:
        The exact cost in USD.
    """
    return Decimal(tokens) * usd_per_1m / _ONE_MILLION


def round_output(amount: Decimal) -> Decimal:
    """Round an amount for output: 10 places, half-even, trailing zeros dropped.

    Args:
        amount: A finite Decimal.

    Returns:
        The rounded amount in plain (non-exponent) form.

    Raises:
        ValueError: If the amount is NaN or infinite, which no response may contain.
    """
    if not amount.is_finite():
        raise ValueError(f"non-finite amount {amount!r}")

    # Room for every integer digit plus the decimal places: quantize fails on amounts whose
    # rounded form has more digits than the working precision (1e24 and up at 34 digits).
    digits = max(amount.adjusted() + 1, 1) + OUTPUT_DECIMAL_PLACES
    context = decimal.Context(prec=max(MONEY_PRECISION_DIGITS, digits))
    rounded = amount.quantize(_OUTPUT_QUANTUM, rounding=decimal.ROUND_HALF_EVEN, context=context)
    if rounded.is_zero():
        return Decimal(0)

    normalized = rounded.normalize(context)
    # normalize() writes 1200 as 1.2E+3; keep integers in plain form.
    if normalized.as_tuple().exponent > 0:
        return normalized.quantize(Decimal(1), context=context)
    return normalized
