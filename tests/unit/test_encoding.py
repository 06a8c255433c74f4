"""The encoder's shortcut for amounts already in output form writes what rounding writes."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.money import plain_decimal, plain_number
from service.encoding import encode_money_json, money_number

amounts = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**30), max_value=10**30)


@settings(max_examples=500, derandomize=True, deadline=None)
@given(amounts)
def test_money_number_equals_rounding(amount: Decimal) -> None:
    assert bytes(money_number(amount)) == plain_number(amount).encode()


def test_amounts_are_plain_rounded_numbers() -> None:
    body = {"a": Decimal("0.0022875"), "b": Decimal("1830"), "c": Decimal("10.00")}
    assert encode_money_json(body) == b'{"a":0.0022875,"b":1830,"c":10}'
    body = {"tiny": Decimal("5E-8"), "long": Decimal("0.123456789012345"), "neg": Decimal("-0")}
    assert encode_money_json(body) == b'{"tiny":0.00000005,"long":0.123456789,"neg":0}'


def test_plain_decimal_keeps_the_value_and_drops_zeros_and_exponents() -> None:
    for written, plain in [("10.00", "10"), ("2.50", "2.5"), ("1.2E+3", "1200"), ("0.000", "0")]:
        result = plain_decimal(Decimal(written))
        assert result == Decimal(written)
        assert str(result) == plain
