"""Duplicate keys in a JSON object: found, and named by their JSON path.

RFC 8259 says the names of an object SHOULD be unique and leaves a repeated name to the parser;
msgspec, like most parsers, keeps the last value. A budget computed from
``{"input_tokens": 10, "input_tokens": 20}`` is then computed from one of two numbers the client
sent, silently, so spendcast refuses such a body and names the key.

The check runs on every request body, so it is built to cost a few microseconds: one
regular-expression pass collects the object keys of the whole document, and when no key text
occurs twice anywhere (the usual estimate body) no object can repeat one. When some key text
recurs (``low`` and ``high`` of both uncertainty ranges, the same fields in every batch item),
the document is decoded by msgspec into plain dicts, which keep one entry per key, and encoded
again: it holds as many keys as the original exactly when no object repeated one (two spellings
of one key, plain and with a unicode escape, count as the repeat they are). Only then, rarely,
the standard library parses it again with an ``object_pairs_hook`` to name the path.
"""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

# A JSON string followed by a colon: an object key. On valid JSON a scan that starts inside a
# string value cannot match (it would end at an unescaped quote followed by a colon, which only
# a key has), so it finds exactly the keys. Possessive quantifiers: a string's content matches
# one way only, so backtracking would be waste.
_KEY = re.compile(rb'"((?:[^"\\]++|\\.)*+)"\s*:')


class _Repeats(dict):  # type: ignore[type-arg]
    """An object that repeats a key: the key, for the path."""

    repeated: str


def _ignore(_: str) -> int:
    # Numbers and constants do not matter for keys; parsing them as Python numbers would only
    # cost time (and fail on integers of more than 4,300 digits).
    return 0


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            repeats = _Repeats(pairs)
            repeats.repeated = key
            return repeats
        obj[key] = value
    return obj


_GENERIC = msgspec.json.Decoder()
_EXACT = json.JSONDecoder(
    object_pairs_hook=_pairs, parse_float=_ignore, parse_int=_ignore, parse_constant=_ignore
)


def duplicate_key_path(document: bytes) -> str | None:
    """The JSON path of the first repeated key of an object in ``document``, if any.

    Args:
        document: A JSON text already known to be valid (it parsed).

    Returns:
        The path of the repeated key, e.g. ``$.usage.input_tokens`` or
        ``$.items[3].request.model``; None when every object's keys are distinct.

    Raises:
        RecursionError: The document is nested too deeply for the exact check.
    """
    keys = _KEY.findall(document)
    if len(keys) == len(set(keys)) and (b"\\" not in document or b"\\" not in b"".join(keys)):
        return None
    if not _fewer_keys_once_decoded(document, len(keys)):
        return None
    return _exact_path(document)


def _fewer_keys_once_decoded(document: bytes, keys: int) -> bool:
    """Whether decoding the document drops a key, that is, whether an object repeats one."""
    try:
        decoded = msgspec.json.encode(_GENERIC.decode(document))
    except (msgspec.DecodeError, msgspec.EncodeError, RecursionError):
        # Numbers msgspec reads only into typed fields (out of a float's range): decide exactly.
        return _exact_path(document) is not None
    return len(_KEY.findall(decoded)) < keys


def _exact_path(document: bytes) -> str | None:
    try:
        parsed = _EXACT.decode(document.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        # Not reached for a document msgspec parsed; if it were, the decoder's refusal stands.
        return None
    pending: list[tuple[str, Any]] = [("$", parsed)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, _Repeats):
            return f"{path}.{value.repeated}"
        if isinstance(value, dict):
            pending.extend((f"{path}.{key}", child) for key, child in reversed(value.items()))
        elif isinstance(value, list):
            pending.extend((f"{path}[{i}]", item) for i, item in reversed(list(enumerate(value))))
    return None
