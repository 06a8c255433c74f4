"""Readiness checks of training data and RAG chunks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import anyio
from litestar import Request, post
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import JSONBody, QueryParameter

from pricing.chunks import ChunkReport, ChunkValidationRequest, validate_chunks
from pricing.datasets import DatasetReport, DatasetValidator, attach_training_estimate
from pricing.estimators.training import training_context
from pricing.framing import MAX_EXAMPLE_BYTES, ArrayFramer, LineFramer
from pricing.knowledge import TaskType, shipped_library
from pricing.results import Assumption
from pricing.tokens import counter, encoding_for_model
from service.bodies import require_utf8
from service.codings import GZIP_NAMES, IDENTITY, GzipInflater, content_codings, refuse_coding
from service.problems import problem_responses

DATASETS_TAG = "datasets"
NDJSON = "application/x-ndjson"
JSON = "application/json"


@post(
    "/v1/chunks/validate",
    operation_id="validateChunks",
    tags=[DATASETS_TAG],
    summary="Check RAG chunks with the article's quick checks",
    status_code=200,
    sync_to_thread=False,
    responses=problem_responses(400, 413, 415, 422),
)
def validate_chunks_route(data: JSONBody[ChunkValidationRequest]) -> ChunkReport:
    """Every chunk under 1,000 characters, at least 100 chunks, no two sharing their first 50.

    Offending chunks are listed by 0-based index (the first 100 of each problem, with the full
    count); a duplicate names the index of the first chunk with the same start.
    """
    return validate_chunks(data)


@dataclass
class _DatasetUpload(Operation):
    """The operation of validateDataset, whose body is read as a stream, not decoded up front."""

    def __post_init__(self) -> None:
        # No type: the route checks a dataset, so an item that is not an object (null, a
        # number) is a finding of the report (`malformed_json` at its item number), as a bad
        # JSONL line is, not a refusal of the whole upload. A schema saying `object` would call
        # the 200 that reports it an invalid request accepted.
        example = Schema(
            description=(
                "One example, an object: classification {input, label}; generation "
                "{prompt, completion} or {messages: [...]}; style_transfer {source, target}; "
                "qa {question, answer}. An optional `split` of train, validation or test. Any "
                "other value is reported as `malformed_json`, not refused."
            ),
        )
        self.request_body = RequestBody(
            required=True,
            description=(
                f"The dataset, at most SPENDCAST_MAX_UPLOAD_BYTES (default 100 MB; above: 413), "
                "sent as it is or with `Content-Encoding: gzip` (the limit also holds once "
                f"decompressed). Each example at most {MAX_EXAMPLE_BYTES} bytes."
            ),
            content={
                NDJSON: OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.STRING,
                        description="JSON Lines: one example object per line, read as a stream.",
                    )
                ),
                JSON: OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.ARRAY,
                        items=example,
                        description="A JSON array of examples, read as a stream.",
                    )
                ),
            },
        )


@post(
    "/v1/datasets/validate",
    operation_id="validateDataset",
    tags=[DATASETS_TAG],
    summary="Check a fine-tuning dataset against the article's requirements",
    status_code=200,
    operation_class=_DatasetUpload,
    responses=problem_responses(400, 404, 413, 415, 422),
)
async def validate_dataset(
    request: Request,
    state: State,
    task_type: Annotated[
        TaskType, QueryParameter(description="classification, generation, style_transfer or qa.")
    ],
    model: Annotated[
        str | None,
        QueryParameter(
            description=(
                "Base model to fine-tune: picks the tokenizer (default o200k_base) and adds "
                "the training estimate for this dataset."
            ),
            min_length=1,
            max_length=200,
        ),
    ] = None,
    pricing_version: Annotated[
        str | None,
        QueryParameter(
            description="Table (and its reference) to check against; default `latest`.",
            min_length=1,
            max_length=40,
        ),
    ] = None,
) -> DatasetReport:
    """Readiness of a fine-tuning dataset, with the line numbers of offending examples.

    Checks counts (per class for classification), at least two classes, required keys, malformed
    JSON, examples of 4,000 tokens or more, exact duplicates and a held-out split, and gives
    token statistics; each problem lists its first 100 line numbers and its full count.

    Send JSON Lines as `application/x-ndjson` (lines end at LF, CRLF or CR) or a JSON array as
    `application/json`, either as it is or gzip-compressed (`Content-Encoding: gzip`; the
    upload limit applies to the bytes sent and to the decompressed bytes; any other coding is a
    415); a body without any example is a 422. The body is read as a stream and
    no example text is kept: the report holds counts, line numbers and digests only. With a
    model, each training example is billed up to the model's training context and the capped
    tokens are summed exactly.
    """
    table = state.service.catalog.get(pricing_version, "$.pricing_version")
    reference = shipped_library().for_table(table)
    fine_tune = None if model is None else table.resolve_fine_tune(model, "$.model")
    base = None if fine_tune is None else fine_tune.base
    # The first use loads the vocabulary (about a second): not on the event loop.
    encoding, known = await anyio.to_thread.run_sync(encoding_for_model, base)
    tokens = await anyio.to_thread.run_sync(counter, encoding)

    media_type, params = request.content_type
    framer = _framer(media_type)
    require_utf8(params)
    limit = state.service.settings.max_upload_bytes
    inflater = _inflater(content_codings(request.headers), limit)
    validator = DatasetValidator(
        reference.requirement(task_type),
        tokens,
        "jsonl" if media_type == NDJSON else "json_array",
        None if fine_tune is None else training_context(fine_tune),
    )
    await _read(request, limit, framer, validator, inflater)

    report = validator.report(framer.blank_lines, reference.version, table.version)
    if model is not None:
        catalog = state.service.catalog
        attach_training_estimate(report, validator, catalog, table.version, model)
    if not known:
        report.assumptions.append(
            Assumption(name="tokenizer", value=encoding, note=f"no known encoding for {base}")
        )
    return report


def _framer(media_type: str) -> LineFramer | ArrayFramer:
    if media_type == NDJSON:
        return LineFramer()
    if media_type == JSON:
        return ArrayFramer()
    sent = f"not {media_type}" if media_type else "the request has no Content-Type"
    raise HTTPException(
        status_code=415, detail=f"send {NDJSON} (JSON Lines) or {JSON} (an array), {sent}"
    )


def _inflater(codings: list[str], limit: int) -> GzipInflater | None:
    """What undoes the body's Content-Encoding: nothing, or gzip (any other coding is a 415)."""
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in GZIP_NAMES:
        return GzipInflater(limit)
    raise refuse_coding(codings, accepted=f"gzip, {IDENTITY}")


async def _read(
    request: Request,
    limit: int,
    framer: LineFramer | ArrayFramer,
    validator: DatasetValidator,
    inflater: GzipInflater | None,
) -> None:
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise RequestEntityTooLarge
            # Tokenizing (and inflating) is CPU work: keep it off the event loop.
            await anyio.to_thread.run_sync(_consume, framer, validator, inflater, chunk)
    except RequestEntityTooLarge:
        raise HTTPException(
            status_code=413,
            detail=f"the upload is larger than {limit} bytes (SPENDCAST_MAX_UPLOAD_BYTES)",
        ) from None
    if inflater is not None:
        inflater.close()
    for record in framer.close():
        validator.add(record)


def _consume(
    framer: LineFramer | ArrayFramer,
    validator: DatasetValidator,
    inflater: GzipInflater | None,
    chunk: bytes,
) -> None:
    pieces = [chunk] if inflater is None else inflater.feed(chunk)
    for piece in pieces:
        for record in framer.feed(piece):
            validator.add(record)


ROUTES = [validate_chunks_route, validate_dataset]
