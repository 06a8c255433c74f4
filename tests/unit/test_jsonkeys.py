"""Duplicate keys in JSON objects: found wherever they are, named by their path, and cheap."""

from __future__ import annotations

import json

import pytest

from pricing.jsonkeys import duplicate_key_path


@pytest.mark.parametrize(
    ("document", "path"),
    [
        (b'{"a": 1, "a": 2}', "$.a"),
        (b'{"usage": {"input_tokens": 10, "input_tokens": 20}}', "$.usage.input_tokens"),
        (b'{"items": [{"k": 1}, {"k": 1, "r": {"m": 1, "m": 2}}]}', "$.items[1].r.m"),
        (b'[{"x": 1}, {"y": {"z": 1}, "y": 2}]', "$[1].y"),
        # Two spellings of one key are one key repeated.
        (b'{"model": "a", "\\u006dodel": "b"}', "$.model"),
        (b'{"a" : 1 ,\n "a"\t: 2}', "$.a"),
        (b'{"": 1, "": 2}', "$."),
        # Outermost first, in document order.
        (b'{"o": {"p": 1, "p": 2}, "o": 3}', "$.o"),
        (b'{"n": 1' + b"0" * 5000 + b', "n": 1e400}', "$.n"),
    ],
)
def test_a_repeated_key_is_named_by_its_path(document: bytes, path: str) -> None:
    assert duplicate_key_path(document) == path


@pytest.mark.parametrize(
    "document",
    [
        b'{"a": 1, "b": 2}',
        # The same key in two objects is no duplicate.
        b'{"volume": {"low": 1, "high": 2}, "tokens": {"low": 1, "high": 2}}',
        b'[{"k": 1}, {"k": 2}]',
        # Key-like text inside strings is no key.
        b'{"a": "\\"a\\": 1", "b": "x\\":"}',
        b'{"a": "{\\"a\\": 1, \\"a\\": 2}"}',
        b'{"a": "\\\\", "b": {"a": 1}}',
        b'{"a\\"": 1, "a": 2}',
        b"[]",
        b"1",
        b'"a"',
    ],
)
def test_distinct_keys_pass(document: bytes) -> None:
    json.loads(document)  # the cases are valid JSON
    assert duplicate_key_path(document) is None
