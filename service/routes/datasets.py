"""Readiness checks of training data and RAG chunks."""

from __future__ import annotations

from litestar import post
from litestar.params import JSONBody

from pricing.chunks import ChunkReport, ChunkValidationRequest, validate_chunks
from service.problems import problem_responses

DATASETS_TAG = "datasets"


@post(
    "/v1/chunks/validate",
    operation_id="validateChunks",
    tags=[DATASETS_TAG],
    summary="Check RAG chunks with the article's quick checks",
    status_code=200,
    sync_to_thread=False,
    responses=problem_responses(400, 413, 422),
)
def validate_chunks_route(data: JSONBody[ChunkValidationRequest]) -> ChunkReport:
    """Every chunk under 1,000 characters, at least 100 chunks, no two sharing their first 50.

    Offending chunks are listed by 0-based index (the first 100 of each problem, with the full
    count); a duplicate names the index of the first chunk with the same start.
    """
    return validate_chunks(data)


ROUTES = [validate_chunks_route]
