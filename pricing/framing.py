"""Cut a byte stream into examples without holding the whole body: JSONL lines or array items.

Both framers take the body chunk by chunk and hand out ``(position, bytes | None)``: the
1-based line number (JSONL) or item number (JSON array) and the example's bytes, or None when
the example is longer than the per-example cap (its bytes are dropped as they arrive, so memory
stays bounded whatever the line length).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pricing.errors import InvalidInput

#: One example may be at most this many bytes; longer ones are reported, not parsed.
MAX_EXAMPLE_BYTES = 1_000_000

_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"

Record = tuple[int, bytes | None]


class _Buffer:
    """The bytes of the example being read, dropped once they pass the cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.size = 0

    def keep(self, piece: bytes | memoryview) -> None:
        self.size += len(piece)
        if self.size <= self.limit:
            self.data += piece
        elif self.data:
            self.data = bytearray()  # over the cap: release what was kept

    def take(self) -> bytes | None:
        """The example's bytes (None when over the cap), and start the next one."""
        data = bytes(self.data) if self.size <= self.limit else None
        self.data = bytearray()
        self.size = 0
        return data

    def blank(self) -> bool:
        return self.size <= self.limit and not self.data.strip(_WHITESPACE)


class _Framer:
    """What both framers share: the buffer of the example being read."""

    def __init__(self, limit: int) -> None:
        self._buffer = _Buffer(limit)
        self.blank_lines = 0
        # The body's first bytes, held while they may still be the start of a BOM: a stream
        # may cut the body anywhere, even inside its three BOM bytes.
        self._head = b""
        self._head_done = False

    def _without_bom(self, chunk: bytes) -> bytes:
        """The chunk without the UTF-8 BOM that may open the body, however the body is cut."""
        if self._head_done:
            return chunk
        head = self._head + chunk
        if len(head) < len(_BOM) and _BOM.startswith(head):
            self._head = head
            return b""
        self._head, self._head_done = b"", True
        return head.removeprefix(_BOM)

    def _held_head(self) -> bytes:
        """At the end of the body: the bytes held as a possible BOM start (they were not one)."""
        head, self._head, self._head_done = self._head, b"", True
        return head

    @property
    def buffered_bytes(self) -> int:
        """Bytes held right now (never more than the per-example cap)."""
        return len(self._buffer.data)


# A line ends at LF, CRLF or a lone CR (old Mac files): never inside a JSON string, where both
# must be escaped.
_LINE_BREAK = re.compile(rb"[\r\n]")
_CR, _LF = ord("\r"), ord("\n")


class LineFramer(_Framer):
    """JSONL: one example per line; blank lines are counted and skipped.

    Lines end at LF, CRLF or a lone CR; a CRLF split between two chunks is still one line
    break.
    """

    def __init__(self, limit: int = MAX_EXAMPLE_BYTES) -> None:
        super().__init__(limit)
        self._line = 0
        self._after_cr = False

    def feed(self, chunk: bytes) -> Iterator[Record]:
        """The lines that this chunk completes."""
        chunk = self._without_bom(chunk)
        start = 0
        if self._after_cr and chunk[:1] == b"\n":
            start = 1  # the LF of a CRLF whose CR ended the previous chunk
        if chunk:
            self._after_cr = False
        while (found := _LINE_BREAK.search(chunk, start)) is not None:
            end = found.start()
            self._buffer.keep(memoryview(chunk)[start:end])
            record = self._finish()
            if record is not None:
                yield record
            start = end + 1
            if chunk[end] == _CR:
                if start == len(chunk):
                    self._after_cr = True
                elif chunk[start] == _LF:
                    start += 1
        self._buffer.keep(memoryview(chunk)[start:])

    def close(self) -> Iterator[Record]:
        """The last line, when the body does not end with a newline."""
        self._buffer.keep(self._held_head())
        if self._buffer.size:
            record = self._finish()
            if record is not None:
                yield record

    def _finish(self) -> Record | None:
        self._line += 1
        if self._buffer.blank():
            self._buffer.take()
            self.blank_lines += 1
            return None
        return self._line, self._buffer.take()


# Inside an array, only these bytes change the state of the scan.
_STRUCTURAL = re.compile(rb'[\[\]{},"\\]')
_OPEN, _CLOSE = frozenset(b"[{"), frozenset(b"]}")


class ArrayFramer(_Framer):
    """A JSON array of examples, cut at its top-level commas while the bytes arrive."""

    def __init__(self, limit: int = MAX_EXAMPLE_BYTES) -> None:
        super().__init__(limit)
        self._state = "before"  # before the "[", inside the array, after its "]"
        self._depth = 0
        self._in_string = False
        self._escaped = False
        self._item = 0

    def feed(self, chunk: bytes) -> Iterator[Record]:
        """The items that this chunk completes.

        Raises:
            InvalidInput: The body is not one JSON array.
        """
        chunk = self._without_bom(chunk)
        position = 0
        if self._state == "before":
            position = self._open(chunk)
        while self._state == "inside" and position < len(chunk):
            position, record = self._scan(chunk, position)
            if record is not None:
                yield record
        if self._state == "after" and chunk[position:].strip(_WHITESPACE):
            raise InvalidInput("$", "the body holds more than one JSON array")

    def close(self) -> Iterator[Record]:
        """Nothing more to hand out; checks that the array was closed.

        A body of nothing but whitespace hands out no example (the dataset is empty, as an
        empty JSONL body is).

        Raises:
            InvalidInput: The body ended inside the array, or is no array.
        """
        head = self._held_head()
        if head:
            list(self.feed(head))  # one or two bytes that began like a BOM: never an array
        if self._state == "inside":
            raise InvalidInput("$", "the body ended before the JSON array was closed with ']'")
        return iter(())

    def _open(self, chunk: bytes) -> int:
        text = chunk.lstrip(_WHITESPACE)
        if not text:
            return len(chunk)
        if text[:1] != b"[":
            # A JSONL file sent with curl's usual `-H content-type: application/json` lands
            # here: say which content type reads it as it is.
            hint = (
                "; one example object per line is JSON Lines: send it as application/x-ndjson"
                if text[:1] == b"{"
                else ""
            )
            raise InvalidInput(
                "$", f"an application/json body must be a JSON array of examples{hint}"
            )
        self._state = "inside"
        return len(chunk) - len(text) + 1

    def _scan(self, chunk: bytes, position: int) -> tuple[int, Record | None]:
        if self._escaped:  # a backslash ended the previous chunk: this byte is escaped
            self._escaped = False
            self._buffer.keep(chunk[position : position + 1])
            return position + 1, None

        found = _STRUCTURAL.search(chunk, position)
        if found is None:
            self._buffer.keep(memoryview(chunk)[position:])
            return len(chunk), None

        at = found.start()
        byte = chunk[at]
        if self._in_string:
            return self._in_string_byte(chunk, position, at, byte), None
        if self._depth == 0 and byte in b",]":
            self._buffer.keep(memoryview(chunk)[position:at])
            return at + 1, self._end_item(closing=byte == ord("]"))

        if byte == ord('"'):
            self._in_string = True
        elif byte in _OPEN:
            self._depth += 1
        elif byte in _CLOSE:
            self._depth = max(0, self._depth - 1)
        self._buffer.keep(memoryview(chunk)[position : at + 1])
        return at + 1, None

    def _in_string_byte(self, chunk: bytes, position: int, at: int, byte: int) -> int:
        end = at + 1
        if byte == ord('"'):
            self._in_string = False
        elif byte == ord("\\"):
            if end < len(chunk):
                end += 1  # keep the escaped byte with its backslash
            else:
                self._escaped = True
        self._buffer.keep(memoryview(chunk)[position:end])
        return end

    def _end_item(self, closing: bool) -> Record | None:
        if closing:
            self._state = "after"
            if self._item == 0 and self._buffer.blank():
                return None  # "[]": an empty array
        self._item += 1
        return self._item, self._buffer.take()
