"""The article's chunk checks: under 1,000 characters, at least 100, no repeated first 50."""

from __future__ import annotations

from pricing.checks import MAX_LISTED
from pricing.chunks import ChunkValidationRequest, validate_chunks


def distinct(count: int, length: int = 80) -> list[str]:
    # Each chunk starts with its own number, so no two share their first 50 characters.
    return [f"{index:06d} ".ljust(length, "x") for index in range(count)]


def test_120_chunks_one_too_long_two_sharing_their_start() -> None:
    chunks = distinct(120)
    chunks[7] = "a" * 1200
    chunks[90] = chunks[30][:50] + " but a different ending"
    report = validate_chunks(ChunkValidationRequest(chunks=chunks))

    assert not report.ready
    assert report.chunk_count == 120
    assert report.enough_chunks
    assert (report.oversized.count, report.oversized.indexes) == (1, [7])
    assert report.duplicate_prefixes.count == 1
    assert [(d.index, d.duplicate_of) for d in report.duplicate_prefixes.chunks] == [(90, 30)]
    assert report.characters.max == 1200


def test_boundaries_999_passes_1000_fails() -> None:
    chunks = distinct(100)
    chunks[0] = "0" * 999
    chunks[1] = "1" * 1000
    report = validate_chunks(ChunkValidationRequest(chunks=chunks))
    assert report.oversized.indexes == [1]


def test_100_clean_chunks_are_ready_99_are_not() -> None:
    assert validate_chunks(ChunkValidationRequest(chunks=distinct(100))).ready
    few = validate_chunks(ChunkValidationRequest(chunks=distinct(99)))
    assert not few.ready
    assert not few.enough_chunks


def test_third_copy_points_at_the_first() -> None:
    chunks = distinct(100)
    chunks[5] = chunks[2]
    chunks[9] = chunks[2]
    report = validate_chunks(ChunkValidationRequest(chunks=chunks))
    assert [(d.index, d.duplicate_of) for d in report.duplicate_prefixes.chunks] == [(5, 2), (9, 2)]


def test_listing_is_capped_but_counted() -> None:
    report = validate_chunks(ChunkValidationRequest(chunks=["y" * 1000] * 150))
    assert report.oversized.count == 150
    assert report.oversized.indexes == list(range(MAX_LISTED))
    assert report.duplicate_prefixes.count == 149
    assert len(report.duplicate_prefixes.chunks) == MAX_LISTED


def test_empty_list() -> None:
    report = validate_chunks(ChunkValidationRequest(chunks=[]))
    assert not report.ready
    assert report.characters.total == 0
