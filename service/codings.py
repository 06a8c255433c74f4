"""Content-Encoding of request bodies: uncompressed everywhere, gzip for dataset uploads.

A body sent with a coding the server does not undo would be read as its compressed bytes: a JSON
route would call it "not valid JSON" and, worse, a dataset check would answer 200 with a report
on garbage. So a coding is either undone (gzip, on the dataset upload, where training files are
large and often kept compressed) or refused with 415 and ``Accept-Encoding`` naming what is
accepted (RFC 9110 §15.5.16).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from litestar.datastructures import Headers
from litestar.exceptions import HTTPException

IDENTITY = "identity"
GZIP_NAMES = frozenset({"gzip", "x-gzip"})

# 16 + MAX_WBITS: zlib reads a gzip header and trailer (CRC and length checked).
_GZIP_WBITS = 16 + zlib.MAX_WBITS
# Inflate at most this much per step, so one small chunk cannot expand into gigabytes at once.
_STEP_BYTES = 1 << 20


def content_codings(headers: Headers) -> list[str]:
    """The codings applied to the body, in the order they were applied (identity left out)."""
    codings = []
    for value in headers.getall("content-encoding", []):
        codings += [c.strip().lower() for c in value.split(",")]
    return [c for c in codings if c and c != IDENTITY]


def refuse_coding(codings: list[str], accepted: str = IDENTITY) -> HTTPException:
    """The 415 for a body whose coding this route does not undo."""
    return HTTPException(
        status_code=415,
        detail=(
            f"Content-Encoding {', '.join(codings)} is not accepted here; accepted: {accepted} "
            "(send the body uncompressed, or without that header)"
        ),
        headers={"Accept-Encoding": accepted},
    )


def require_identity(headers: Headers) -> None:
    """Refuse a compressed body on a route that reads it as it is.

    Raises:
        HTTPException: 415 when the body carries a Content-Encoding other than identity.
    """
    codings = content_codings(headers)
    if codings:
        raise refuse_coding(codings)


class GzipInflater:
    """Undoes gzip chunk by chunk, concatenated members included, with a limit on the output."""

    def __init__(self, limit: int) -> None:
        """Start before the first member.

        Args:
            limit: The most bytes the decompressed body may hold (above it: 413).
        """
        self.limit = limit
        self.produced = 0
        self._inflater = zlib.decompressobj(_GZIP_WBITS)
        self._inside_member = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decompressed bytes that ``data`` completes.

        Raises:
            HTTPException: 400 when the bytes are not gzip, 413 when the output passes the limit.
        """
        pending = data
        while pending:
            try:
                out = self._inflater.decompress(pending, _STEP_BYTES)
            except zlib.error as exc:
                raise HTTPException(
                    status_code=400, detail=f"the body is not valid gzip: {exc}"
                ) from None
            if self._inflater.eof:
                # One member ended; what follows is the next member (gzip allows several).
                pending = self._inflater.unused_data
                self._inflater = zlib.decompressobj(_GZIP_WBITS)
                self._inside_member = False
            else:
                pending = self._inflater.unconsumed_tail
                self._inside_member = True
            self.produced += len(out)
            if self.produced > self.limit:
                raise HTTPException(
                    status_code=413,
                    detail=(
                        f"the upload is larger than {self.limit} bytes once decompressed "
                        "(SPENDCAST_MAX_UPLOAD_BYTES)"
                    ),
                )
            if out:
                yield out

    def close(self) -> None:
        """Check that the body did not stop inside a member.

        Raises:
            HTTPException: 400 when the gzip stream is cut short.
        """
        if self._inside_member:
            raise HTTPException(
                status_code=400, detail="the gzip body ends before its last member is complete"
            )
