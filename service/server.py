"""The HTTP/1.1 protocol of the production server: its own refusals are problem+json too.

uvicorn answers a request it cannot parse (an unknown method, a space or control character in
a header, a non-ASCII request target) with a ``text/plain`` 400 before the app sees it, and
puts no limit on the size of the request line or the headers. This protocol answers those
refusals as the app does, ``application/problem+json`` with the parser's reason, and refuses a
request target above :data:`MAX_TARGET_BYTES` (414) or header fields above
:data:`MAX_HEADER_BYTES` in all (431, RFC 6585), before buffering more of them.
"""

from __future__ import annotations

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.guard import PROBLEM_JSON, problem_body

#: The longest request target (path and query) read; spendcast's URLs are a few hundred bytes.
MAX_TARGET_BYTES = 16 * 1024
#: The most header bytes (names and values) read per request; browsers send a few KiB.
MAX_HEADER_BYTES = 64 * 1024

_REASONS = {400: b"Bad Request", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


class _TooLarge(Exception):
    """Raised from a parser callback to stop reading a request that passed a limit."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class ProblemHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with problem+json refusals and size limits."""

    _target_bytes = 0
    _header_bytes = 0
    _refusal: _TooLarge | None = None

    def on_message_begin(self) -> None:
        """Start a request: its sizes count from zero."""
        super().on_message_begin()
        self._target_bytes = 0
        self._header_bytes = 0
        self._refusal = None

    def on_url(self, url: bytes) -> None:
        """Collect the request target, up to :data:`MAX_TARGET_BYTES` (uvicorn's, inlined)."""
        self._target_bytes += len(url)
        if self._target_bytes > MAX_TARGET_BYTES:
            detail = f"the request target is longer than {MAX_TARGET_BYTES} bytes"
            self._refusal = _TooLarge(414, detail)
            raise self._refusal
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        """Collect one header field, up to :data:`MAX_HEADER_BYTES` for all of them."""
        self._header_bytes += len(name) + len(value)
        if self._header_bytes > MAX_HEADER_BYTES:
            detail = f"the header fields are larger than {MAX_HEADER_BYTES} bytes in all"
            self._refusal = _TooLarge(431, detail)
            raise self._refusal
        # uvicorn's own on_header, inlined: this runs for every header of every request.
        name = name.lower()
        value = value.rstrip(b" \t")  # RFC 9110 §5.5: trailing whitespace is not the value
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        self.headers.append((name, value))

    def data_received(self, data: bytes) -> None:
        """Feed the parser; a request it refuses is answered with a problem and the end."""
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError as exc:
            refusal = self._refusal
            if refusal is not None:
                self._send_problem(refusal.status, refusal.detail)
                return
            self.logger.warning("Invalid HTTP request received: %s", exc)
            self._send_problem(400, f"the request is not valid HTTP/1.1: {_reason(exc)}")

    def send_400_response(self, msg: str) -> None:
        """The 400 uvicorn sends for an invalid request, as a problem."""
        self._send_problem(400, f"the request is not valid HTTP/1.1: {msg}")

    def _send_problem(self, status: int, detail: str) -> None:
        body = problem_body(status, detail)
        head = [f"HTTP/1.1 {status} ".encode() + _REASONS.get(status, b"Error") + b"\r\n"]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head += [
            b"content-type: " + PROBLEM_JSON + b"\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def _reason(exc: Exception) -> str:
    # A callback's own error (a non-ASCII target) arrives wrapped; its cause says more.
    cause = exc.__cause__ or exc.__context__
    text = str(cause or exc) or type(cause or exc).__name__
    return text.rstrip(".")
