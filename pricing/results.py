"""Parts every estimate is made of: line items, assumptions, warnings and red flags."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from pricing.money import OUTPUT_DECIMAL_PLACES, plain_number, without_trailing_zeros

Recurrence = Literal["one_time", "monthly"]


class LineItem(msgspec.Struct, frozen=True, kw_only=True):
    """One priced quantity of an estimate."""

    name: Annotated[str, Meta(description="What is priced, e.g. `input`, `vector_storage`.")]
    quantity: Annotated[Decimal, Meta(description="How much of it, in `unit`.")]
    unit: Annotated[str, Meta(description="Unit of `quantity`, e.g. `tokens`, `gb_months`.")]
    rate: Annotated[Decimal, Meta(description="Price per `rate_unit`, in USD.")]
    rate_unit: Annotated[str, Meta(description="Unit of `rate`, e.g. `usd_per_1m_tokens`.")]
    cost_usd: Annotated[Decimal, Meta(description="quantity × rate, in USD.")]
    recurrence: Annotated[
        Recurrence, Meta(description="one_time, or monthly (recurs every month).")
    ] = "one_time"


class Assumption(msgspec.Struct, frozen=True, kw_only=True):
    """A default or convention the estimate applied."""

    name: Annotated[str, Meta(description="The input or convention, e.g. `hours_per_month`.")]
    value: Annotated[str, Meta(description="The value used, as text.")]
    note: Annotated[str | None, Meta(description="Why, or where it comes from.")] = None


def assumption_text(value: object) -> str:
    """An assumption's value as text, a Decimal rounded as amounts are.

    A volume derived from a daily one (10,000 × 365/12) is a 50-digit Decimal; written in full
    it would carry 40 digits of noise that no amount in the same answer has.

    Args:
        value: The value the estimate used.

    Returns:
        ``str(value)``, except that a Decimal with more than 10 decimal places or written with
        an exponent (a multiplier of ``1E-7``) is written as amounts are: 10 places at most
        (half-even), no exponent. Shorter ones keep their spelling (``0.40``).
    """
    if isinstance(value, Decimal) and value.is_finite():
        exponent = value.as_tuple().exponent
        too_long = isinstance(exponent, int) and exponent < -OUTPUT_DECIMAL_PLACES
        if too_long or "E" in str(value):
            return plain_number(value)
    return str(value)


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    """A warning or a red flag: a code a program can match and a message a person reads."""

    code: Annotated[str, Meta(description="Stable machine-readable code.")]
    message: Annotated[str, Meta(description="What it means and what to do.")]


def total(items: list[LineItem], recurrence: Recurrence) -> Decimal:
    """Sum of the items of one recurrence, in USD."""
    summed = sum((item.cost_usd for item in items if item.recurrence == recurrence), Decimal(0))
    return without_trailing_zeros(summed)
