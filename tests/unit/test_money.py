"""Rounding at the edge: any finite amount rounds, however large (DESIGN §3.2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.money import round_output


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
