"""Streams cut into examples at any chunk boundary, with bounded memory."""

from __future__ import annotations

import json

import pytest

from pricing.errors import InvalidInput
from pricing.framing import ArrayFramer, LineFramer, Record


def run(framer: LineFramer | ArrayFramer, body: bytes, step: int) -> list[Record]:
    records = []
    for start in range(0, len(body), step):
        records += framer.feed(body[start : start + step])
    return records + list(framer.close())


JSONL = b'\xef\xbb\xbf{"a": 1}\n\n{"b": "x\\ny"}\r\n   \n{"c": [1, 2]}'


@pytest.mark.parametrize("step", [1, 2, 3, 7, 1000])
def test_lines_at_any_boundary(step: int) -> None:
    framer = LineFramer()
    records = run(framer, JSONL, step)
    assert [(line, json.loads(raw)) for line, raw in records] == [
        (1, {"a": 1}),
        (3, {"b": "x\ny"}),
        (5, {"c": [1, 2]}),
    ]
    assert framer.blank_lines == 2


CR_ONLY = b'{"a": 1}\r{"b": 2}\r\r{"c": 3}\r\n{"d": 4}\r'


@pytest.mark.parametrize("step", [1, 2, 3, 4, 1000])
def test_a_lone_cr_ends_a_line_too(step: int) -> None:
    # Reported: CR-only files (old Mac line endings) were read as one line. A CRLF is one break,
    # also when its CR ends one chunk and its LF starts the next (steps 1, 2 and 4 split the
    # CRLF at bytes 27-28).
    framer = LineFramer()
    records = run(framer, CR_ONLY, step)
    assert [(line, json.loads(raw)) for line, raw in records] == [
        (1, {"a": 1}),
        (2, {"b": 2}),
        (4, {"c": 3}),
        (5, {"d": 4}),
    ]
    assert framer.blank_lines == 1


def test_oversized_line_is_dropped_as_it_arrives() -> None:
    framer = LineFramer(limit=100)
    body = b'{"ok": 1}\n' + b"x" * 10_000 + b'\n{"ok": 2}\n'
    records = []
    for start in range(0, len(body), 64):
        records += framer.feed(body[start : start + 64])
        assert framer.buffered_bytes <= 100
    assert records == [(1, b'{"ok": 1}'), (2, None), (3, b'{"ok": 2}')]


ARRAY = (
    b' [ {"t": "a, b ] } [ {", "n": {"x": [1, {"y": 2}]}},'
    b'{"q": "say \\"hi\\", \\\\"}, "tail" ,[]] \n'
)


@pytest.mark.parametrize("step", [1, 2, 3, 5, 1000])
def test_array_items_at_any_boundary(step: int) -> None:
    records = run(ArrayFramer(), ARRAY, step)
    assert [(item, json.loads(raw)) for item, raw in records] == [
        (1, {"t": "a, b ] } [ {", "n": {"x": [1, {"y": 2}]}}),
        (2, {"q": 'say "hi", \\'}),
        (3, "tail"),
        (4, []),
    ]


def test_empty_array() -> None:
    assert run(ArrayFramer(), b"[ ]", 1) == []


@pytest.mark.parametrize("body", [b"", b" \n\t", b"\xef\xbb\xbf"])
def test_no_array_at_all_is_no_example(body: bytes) -> None:
    # As an empty JSONL body: no example (the validator then says the dataset is empty).
    assert run(ArrayFramer(), body, 1000) == []


def test_trailing_comma_is_a_malformed_item() -> None:
    assert run(ArrayFramer(), b"[1,]", 1) == [(1, b"1"), (2, b"")]


def test_oversized_item() -> None:
    framer = ArrayFramer(limit=10)
    records = run(framer, b'["' + b"z" * 50 + b'", 1]', 4)
    assert records == [(1, None), (2, b" 1")]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"a": 1}', "must be a JSON array"),
        (b"[1, 2", "before the JSON array was closed"),
        (b"[1] [2]", "more than one JSON array"),
    ],
)
def test_not_one_array(body: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        run(ArrayFramer(), body, 3)
    assert reason in caught.value.reason
