"""Pricing-table routes: versions, whole tables, models, GPUs and diffs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.params import PathParameter, QueryParameter

from pricing.catalog import PricingTable, names_latest
from pricing.views import (
    EntryKind,
    GpuList,
    ModelDetail,
    ModelList,
    PricingDiff,
    PricingVersionList,
    TableDocument,
    diff_tables,
    model_detail,
    model_list,
    table_document,
    version_list,
)
from service.encoding import MoneyResponse
from service.problems import problem_responses

PRICING_TAG = "pricing"

# A published version never changes, so clients may keep it; `latest` moves, so briefly.
_IMMUTABLE = "public, max-age=86400, immutable"
_MOVING = "public, max-age=300"

VersionParam = Annotated[
    str,
    PathParameter(
        description="Table version (publication date) or `latest`.",
        min_length=1,
        max_length=40,
    ),
]


def _table(state: State, version: str) -> PricingTable:
    return state.service.catalog.get(version, "$.version")


def _etag_matches(if_none_match: str | None, content_hash: str) -> bool:
    """RFC 9110 If-None-Match: ``*``, or any listed tag, weak or strong, with this hash."""
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return any(tag == "*" or tag.removeprefix("W/").strip('"') == content_hash for tag in tags)


@get(
    "/v1/pricing",
    operation_id="listPricingVersions",
    tags=[PRICING_TAG],
    summary="List the published pricing tables",
    sync_to_thread=False,
    # A query parameter (this route takes none) is refused like on every API route, and a
    # query string that is not UTF-8 once percent-decoded is unreadable.
    responses=problem_responses(400, 422),
)
def list_pricing_versions(state: State) -> PricingVersionList:
    """Every table with its effective date, source, model count and content hash."""
    return version_list(state.service.catalog)


@get(
    "/v1/pricing/{version:str}",
    operation_id="getPricingTable",
    tags=[PRICING_TAG],
    summary="Get a whole pricing table",
    sync_to_thread=False,
    responses=problem_responses(400, 404, 422),
)
def get_pricing_table(
    request: Request, state: State, version: VersionParam
) -> Response[TableDocument]:
    """A whole table; answers 304 when `If-None-Match` carries its ETag."""
    table = _table(state, version)
    etag = f'"{table.content_hash}"'
    headers = {"ETag": etag, "Cache-Control": _MOVING if names_latest(version) else _IMMUTABLE}
    if _etag_matches(request.headers.get("if-none-match"), table.content_hash):
        return MoneyResponse(content=b"", status_code=304, headers=headers)
    return MoneyResponse(content=table_document(table), headers=headers)


@get(
    "/v1/pricing/{version:str}/models",
    operation_id="listModels",
    tags=[PRICING_TAG],
    summary="List a table's models",
    sync_to_thread=False,
    responses=problem_responses(400, 404, 422),
)
def list_models(
    state: State,
    version: VersionParam,
    provider: Annotated[
        str | None, QueryParameter(description="Only this provider's entries.", max_length=60)
    ] = None,
    kind: Annotated[
        EntryKind | None, QueryParameter(description="Only entries of this kind.")
    ] = None,
) -> ModelList:
    """Chat, embedding, fine-tuned, reranker and vector-store entries, filtered."""
    return model_list(_table(state, version), provider, kind)


@get(
    "/v1/pricing/{version:str}/models/{model_id:path}",
    operation_id="getModel",
    tags=[PRICING_TAG],
    summary="Get one model with all its price rows",
    sync_to_thread=False,
    responses=problem_responses(400, 404, 422),
)
def get_model(
    state: State,
    version: VersionParam,
    model_id: Annotated[
        Path,
        PathParameter(
            description="Model id, alias, `provider/id` or `ft:` id.",
            # The `path` converter only lets the id hold slashes; it is no URI.
            schema_extra={"format": None},
        ),
    ],
) -> ModelDetail:
    """Resolves ids, aliases, `provider/` prefixes and `ft:` ids; 404 lists the closest ids."""
    return model_detail(_table(state, version), str(model_id).lstrip("/"))


@get(
    "/v1/pricing/{version:str}/gpus",
    operation_id="listGpus",
    tags=[PRICING_TAG],
    summary="List the GPU catalog with hourly prices",
    sync_to_thread=False,
    responses=problem_responses(400, 404, 422),
)
def list_gpus(state: State, version: VersionParam) -> GpuList:
    """GPUs with memory (decimal GB), bandwidth, dense BF16 TFLOP/s and dated hourly offers."""
    table = _table(state, version)
    return GpuList(pricing_version=table.version, gpus=list(table.gpus))


@get(
    "/v1/pricing/diff",
    operation_id="diffPricingTables",
    tags=[PRICING_TAG],
    summary="Compare two pricing tables",
    sync_to_thread=False,
    responses=problem_responses(400, 404, 422),
)
def diff_pricing_tables(
    state: State,
    from_version: Annotated[
        str,
        QueryParameter(name="from", description="The older version.", min_length=1, max_length=40),
    ],
    to_version: Annotated[
        str,
        QueryParameter(name="to", description="The newer version.", min_length=1, max_length=40),
    ],
) -> PricingDiff:
    """Models added and removed, and every token rate that changed, by service tier."""
    return diff_tables(state.service.catalog, from_version, to_version)


ROUTES = [
    list_pricing_versions,
    diff_pricing_tables,
    get_pricing_table,
    list_models,
    get_model,
    list_gpus,
]
