"""The encoder's one-pass path writes exactly what the rounding walk writes (DESIGN §3.2)."""

from __future__ import annotations

from decimal import Decimal

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.money import plain_decimal
from service.encoding import encode_money_json, exact_money_json


class Line(msgspec.Struct):
    name: str
    cost_usd: Decimal
    quantity: Decimal | int
    share: float


amounts = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**30), max_value=10**30)
lines = st.builds(
    Line,
    name=st.text(max_size=12),
    cost_usd=amounts,
    quantity=st.one_of(amounts, st.integers(0, 10**12)),
    share=st.floats(allow_nan=False, allow_infinity=False),
)
bodies = st.dictionaries(st.text(max_size=4), st.lists(lines, max_size=3), max_size=2)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(bodies)
def test_fast_path_equals_the_rounding_walk(body: dict[str, list[Line]]) -> None:
    assert encode_money_json(body) == exact_money_json(body)


def test_amounts_in_output_form_take_the_fast_path_and_the_rest_are_rounded() -> None:
    body = {"a": Decimal("0.0022875"), "b": Decimal("1830"), "c": Decimal("10.00")}
    assert encode_money_json(body) == b'{"a":0.0022875,"b":1830,"c":10}'
    body = {"tiny": Decimal("5E-8"), "long": Decimal("0.123456789012345"), "neg": Decimal("-0")}
    assert encode_money_json(body) == b'{"tiny":0.00000005,"long":0.123456789,"neg":0}'


def test_plain_decimal_keeps_the_value_and_drops_zeros_and_exponents() -> None:
    for written, plain in [("10.00", "10"), ("2.50", "2.5"), ("1.2E+3", "1200"), ("0.000", "0")]:
        result = plain_decimal(Decimal(written))
        assert result == Decimal(written)
        assert str(result) == plain
