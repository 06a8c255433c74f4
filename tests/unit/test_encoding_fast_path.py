"""The one-pass encoder writes exactly what the exact walk writes, for every kind of amount."""

from __future__ import annotations

import random
from decimal import Decimal

import msgspec
import pytest

from service.encoding import _ENCODER, _rounded, encode_money_json


def walked(content: object) -> bytes:
    return _ENCODER.encode(_rounded(msgspec.to_builtins(content, builtin_types=(Decimal,))))


@pytest.mark.parametrize(
    "amount",
    [
        "0.00036",
        "1200",
        "0.150",
        "5E-8",
        "1.2E+3",
        "0.12345678905",
        "-0",
        "-0.50",
        "2500000000000000000",
        "0.00000000005",
        "12.0000000000",
        "1E+1",
        "4.5E-7",
    ],
)
def test_every_amount_form_matches_the_walk(amount: str) -> None:
    body = {"total_usd": Decimal(amount), "note": "at 2026-12-03T18:55:32.000+00:00"}
    assert encode_money_json(body) == walked(body)


@pytest.mark.parametrize(
    "note",
    ["Infinity", "NaN", "E-mail", "1E+3 tokens", "Notes In English", "no capitals", "x-0"],
)
@pytest.mark.parametrize("amount", ["0.0016", "0.00160", "5E-8", "-0"])
def test_capital_letters_and_signs_in_strings_change_nothing(note: str, amount: str) -> None:
    # The encoder's first test looks for a single E, N or I anywhere; a string holding one only
    # makes it look closer, and the bytes must still be the walk's.
    body = {"note": note, "total_usd": Decimal(amount)}
    assert encode_money_json(body) == walked(body)


def test_random_amounts_match_the_walk() -> None:
    rng = random.Random(20261203)
    for _ in range(2000):
        digits = rng.randint(1, 30)
        exponent = rng.randint(-20, 10)
        amount = Decimal(rng.randrange(10**digits)).scaleb(exponent)
        if rng.random() < 0.3:
            amount = -amount
        body = [{"cost_usd": amount, "quantity": Decimal(rng.randint(0, 10**6))}]
        assert encode_money_json(body) == walked(body), amount


def test_amounts_are_plain_rounded_numbers() -> None:
    assert encode_money_json({"a": Decimal("5E-8")}) == b'{"a":0.00000005}'
    assert encode_money_json({"a": Decimal("0.12345678905")}) == b'{"a":0.123456789}'
    assert encode_money_json({"a": Decimal("0.150")}) == b'{"a":0.15}'


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (Decimal("0.50"), b"0.5"),  # a number that ends the body
        ([Decimal("1.10"), Decimal("2.0")], b"[1.1,2]"),  # numbers that end an array
        (
            {"id": "gemini-2.0-flash", "rate": Decimal("0.10")},
            b'{"id":"gemini-2.0-flash","rate":0.1}',
        ),
    ],
)
def test_a_trailing_zero_is_dropped_wherever_the_number_ends(
    content: object, expected: bytes
) -> None:
    assert encode_money_json(content) == expected
