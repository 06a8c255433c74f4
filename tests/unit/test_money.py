"""Rounding at the edge: any finite amount rounds, however large (DESIGN §3.2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.money import round_output, without_trailing_zeros


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        ("0.0016150", "0.001615"),
        ("1200", "1200"),
        ("0.00000000005", "0"),
        ("0.00000000015", "0.0000000002"),
        # 1e24 and up: the rounded form has more digits than the 34-digit working precision.
        ("6e27", "6000000000000000000000000000"),
        ("1e40", "1" + "0" * 40),
        ("123456789012345678901234567.123456789049", "123456789012345678901234567.123456789"),
    ],
)
def test_round_output(amount: str, written: str) -> None:
    assert round_output(Decimal(amount)) == Decimal(written)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        # 0.0013375 + 0.0002625 = 0.0016000 exactly: the zeros go, the value stays.
        (Decimal("0.0013375") + Decimal("0.0002625"), "0.0016"),
        (Decimal("0.0559350"), "0.055935"),
        (Decimal("2.50") + Decimal("0.50"), "3"),
        (Decimal("1830"), "1830"),  # an integer keeps its zeros
        (Decimal("0.00"), "0"),
        (Decimal("0.02772425"), "0.02772425"),  # nothing to drop
        # More than 10 places are left for the one output rounding, not rounded here.
        (Decimal("0.123456789012340"), "0.12345678901234"),
    ],
)
def test_without_trailing_zeros_keeps_the_value(amount: Decimal, text: str) -> None:
    tidy = without_trailing_zeros(amount)
    assert tidy == amount
    assert str(tidy) == text
