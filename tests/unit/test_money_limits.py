"""Amounts too large for clients to read are refused, never written as Infinity to them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.errors import InvalidInput
from pricing.money import LARGEST_OUTPUT, round_output


def test_largest_writable_amount_rounds_exactly() -> None:
    below = Decimal("9.99e299") + Decimal("0.123456789012")

    assert round_output(below) == Decimal("9.99e299") + Decimal("0.123456789")


@pytest.mark.parametrize("amount", ["1e300", "-1e300", "7.02e323", "1e999"])
def test_amount_beyond_what_a_double_holds_is_invalid_input(amount: str) -> None:
    # IEEE doubles end near 1.8e308: a client would read such a number as Infinity.
    with pytest.raises(InvalidInput) as raised:
        round_output(Decimal(amount))

    assert raised.value.path == "$"
    assert Decimal(amount).copy_abs() >= LARGEST_OUTPUT
