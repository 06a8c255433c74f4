"""validateChunks: the article's quick checks of RAG chunks, with the offending indexes."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from pricing.checks import MAX_LISTED, Capped, RunningStats, Stats

#: A chunk passes below this many characters (the article's check is `len(c) < 1000`).
MAX_CHUNK_CHARS = 1000
#: Fewer chunks than this give retrieval too little context.
MIN_CHUNKS = 100
#: Two chunks that share this many leading characters are duplicates.
PREFIX_CHARS = 50
#: Most chunks one request may carry.
MAX_CHUNKS = 1_000_000


class ChunkValidationRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The chunks of a RAG index, in order."""

    chunks: Annotated[
        list[str],
        Meta(
            max_length=MAX_CHUNKS,
            description="The chunk texts; positions in the report are 0-based indexes here.",
        ),
    ]


class OversizedChunks(msgspec.Struct, kw_only=True):
    """Chunks of 1,000 characters or more."""

    count: Annotated[int, Meta(description="How many chunks are too long.")]
    indexes: Annotated[
        list[int], Meta(description=f"0-based indexes of the first {MAX_LISTED} of them.")
    ]


class DuplicateChunk(msgspec.Struct, kw_only=True):
    """A chunk that starts like an earlier one."""

    index: Annotated[int, Meta(description="0-based index of the duplicate.")]
    duplicate_of: Annotated[
        int, Meta(description="0-based index of the first chunk with the same start.")
    ]


class DuplicateChunks(msgspec.Struct, kw_only=True):
    """Chunks whose first 50 characters equal an earlier chunk's."""

    count: Annotated[int, Meta(description="How many chunks repeat an earlier start.")]
    chunks: Annotated[
        list[DuplicateChunk], Meta(description=f"The first {MAX_LISTED} of them, in order.")
    ]


class ChunkReport(msgspec.Struct, kw_only=True):
    """Whether chunks pass the article's checks, and which do not."""

    ready: Annotated[bool, Meta(description="True when every check passes.")]
    chunk_count: Annotated[int, Meta(description="How many chunks were checked.")]
    enough_chunks: Annotated[
        bool, Meta(description=f"At least {MIN_CHUNKS} chunks (fewer give too little context).")
    ]
    max_chunk_chars: Annotated[
        int, Meta(description="A chunk passes below this many characters.")
    ] = MAX_CHUNK_CHARS
    oversized: Annotated[OversizedChunks, Meta(description="Chunks that are too long.")]
    duplicate_prefixes: Annotated[
        DuplicateChunks,
        Meta(description=f"Chunks sharing their first {PREFIX_CHARS} characters with another."),
    ]
    characters: Annotated[Stats, Meta(description="Characters (code points) per chunk.")]


def validate_chunks(request: ChunkValidationRequest) -> ChunkReport:
    """Check the chunks: each under 1,000 characters, at least 100, no repeated start.

    Args:
        request: The chunks.

    Returns:
        The report with the indexes of offending chunks.
    """
    oversized = Capped()
    duplicates = Capped()
    first_with_prefix: dict[str, int] = {}
    characters = RunningStats()

    for index, chunk in enumerate(request.chunks):
        characters.add(len(chunk))
        if len(chunk) >= MAX_CHUNK_CHARS:
            oversized.add(index)
        first = first_with_prefix.setdefault(chunk[:PREFIX_CHARS], index)
        if first != index:
            duplicates.add(DuplicateChunk(index=index, duplicate_of=first))

    enough = len(request.chunks) >= MIN_CHUNKS
    return ChunkReport(
        ready=enough and not oversized and not duplicates,
        chunk_count=len(request.chunks),
        enough_chunks=enough,
        oversized=OversizedChunks(count=oversized.count, indexes=oversized.items),
        duplicate_prefixes=DuplicateChunks(count=duplicates.count, chunks=duplicates.items),
        characters=characters.result(),
    )
