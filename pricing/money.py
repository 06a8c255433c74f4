"""Decimal money: one context, one rounding rule, applied once at the edge."""

from __future__ import annotations

import decimal
from decimal import Decimal

from pricing.errors import InvalidInput

#: Arithmetic precision of every money computation (significant digits).
MONEY_PRECISION_DIGITS = 50

#: Amounts are written with at most this many decimal places.
OUTPUT_DECIMAL_PLACES = 10

_OUTPUT_QUANTUM = Decimal(1).scaleb(-OUTPUT_DECIMAL_PLACES)
_ONE_MILLION = Decimal(1_000_000)

# Every new decimal context (each thread and asyncio task gets its own) starts from the default.
decimal.DefaultContext.prec = MONEY_PRECISION_DIGITS
decimal.getcontext().prec = MONEY_PRECISION_DIGITS

#: No amount at or above this is written: most JSON readers hold numbers in IEEE doubles
#: (largest about 1.8E+308) and would read it as Infinity, which no response may contain.
LARGEST_OUTPUT = Decimal("1e300")

# Rounding must never fail for lack of digits: below LARGEST_OUTPUT an amount rounded to 10
# places has at most 311 digits.
_OUTPUT_CONTEXT = decimal.Context(prec=320, rounding=decimal.ROUND_HALF_EVEN)


def per_million(tokens: Decimal | int, usd_per_1m: Decimal) -> Decimal:
    """Cost in USD of ``tokens`` at a rate given in USD per 1M tokens.

    Args:
        tokens: The token count (may be fractional when it is an average).
        usd_per_1m: The rate in USD per 1,000,000 tokens.

    Returns:
        The exact cost in USD.
    """
    if type(tokens) is not Decimal:  # a Decimal is used as it is (the copy costs as much)
        tokens = Decimal(tokens)
    return tokens * usd_per_1m / _ONE_MILLION


def round_output(amount: Decimal) -> Decimal:
    """Round an amount for output: 10 places, half-even, trailing zeros dropped.

    Args:
        amount: A finite Decimal.

    Returns:
        The rounded amount in plain (non-exponent) form.

    Raises:
        ValueError: If the amount is NaN or infinite, which no response may contain.
        InvalidInput: If the amount is too large for clients to read (see LARGEST_OUTPUT);
            only absurd inputs (an efficiency of 1e-300) lead there.
    """
    if not amount.is_finite():
        raise ValueError(f"non-finite amount {amount!r}")
    if abs(amount) >= LARGEST_OUTPUT:
        raise InvalidInput(
            "$",
            f"the inputs give a figure of about {amount:.2E}, too large for a JSON number "
            "that clients can read; check their units, rates and efficiencies",
        )

    rounded = amount.quantize(_OUTPUT_QUANTUM, context=_OUTPUT_CONTEXT)
    if rounded.is_zero():
        return Decimal(0)

    normalized = rounded.normalize(_OUTPUT_CONTEXT)
    # normalize() writes 1200 as 1.2E+3; keep integers in plain form.
    if normalized.as_tuple().exponent > 0:  # type: ignore[operator]
        return normalized.quantize(Decimal(1), context=_OUTPUT_CONTEXT)
    return normalized


def plain_number(amount: Decimal) -> str:
    """An output-rounded amount written without exponent (``5E-8`` becomes ``0.00000005``)."""
    return format(round_output(amount), "f")


def without_trailing_zeros(amount: Decimal) -> Decimal:
    """The same amount with no trailing zeros after the point: 0.0016000 is 0.0016.

    A sum of exact costs often ends in zeros (0.0013375 + 0.0002625); written so, it would send
    its whole response down the encoder's exact path (see ``service.encoding``), which costs
    ten times the plain one. The value is unchanged, so the one output rounding is unchanged.
    """
    text = str(amount)
    if text[-1] != "0" or "." not in text:
        return amount
    return plain_decimal(amount)


def plain_decimal(value: Decimal) -> Decimal:
    """The same value written without trailing zeros or exponent: 10.00 is 10, 2.50 is 2.5.

    Rates are kept in this form so that most responses are already in output form and take
    the encoder's one-pass path (see ``service.encoding``).
    """
    normalized = value.normalize(_OUTPUT_CONTEXT)
    if normalized.as_tuple().exponent > 0:  # type: ignore[operator]
        return normalized.quantize(Decimal(1), context=_OUTPUT_CONTEXT)
    return normalized
