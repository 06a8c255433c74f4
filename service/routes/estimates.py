"""Estimate routes: each one decodes a request Struct, runs a pure estimator, returns its Struct.

Every estimate route is built by :func:`estimate_route`, so validation, error documentation,
caching (``X-Cache``) and measurement are the same for all of them.
"""

from typing import Any

from litestar import MediaType, Response, post
from litestar.datastructures import ResponseHeader, State
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody

from pricing.estimators.registry import ESTIMATORS
from service.cache import CacheLayers, Entry
from service.encoding import encode_money_json
from service.problems import problem_responses

ESTIMATES_TAG = "estimates"

X_CACHE_HEADER = ResponseHeader(
    name="X-Cache",
    description=(
        "How the estimate was served: hit-local (this process's cache), hit-redis (the shared "
        "cache), miss (computed and stored) or bypass (computed without a cache)."
    ),
    value="miss",  # documentation only: gives the header its string schema
    required=True,
    documentation_only=True,
)


def estimate_route(
    path: str,
    operation_id: str,
    kind: str,
    summary: str,
    description: str,
    tag: str = ESTIMATES_TAG,
    cache: CacheLayers | None = None,
) -> HTTPRouteHandler:
    """Build a POST route that answers the registered estimator of ``kind``.

    Args:
        path: The route path.
        operation_id: The lowerCamel OpenAPI operationId.
        kind: The estimator's key in :data:`pricing.estimators.registry.ESTIMATORS`.
        summary: One line for the OpenAPI document.
        description: What the route does, for the OpenAPI document.
        tag: The route's one OpenAPI tag.
        cache: Cache layers fixed for this route (default: the measured policy of the kind,
            ``service.cache.CACHE_POLICY``, which SPENDCAST_CACHE_POLICY may override).

    Returns:
        The Litestar route handler.
    """
    estimator = ESTIMATORS[kind]
    compute = estimator.compute

    async def handler(data: Any, state: State) -> Response[bytes]:
        current = state.service

        def run() -> Entry:
            result = compute(current.catalog, data)
            monthly_usd = getattr(result, "monthly_usd", None)
            return Entry(
                encode_money_json(result), None if monthly_usd is None else float(monthly_usd)
            )

        entry, status = await current.cache.serve(kind, data, run, cache)
        current.recorder.estimate(kind, entry.monthly_usd)
        return Response(entry.body, media_type=MediaType.JSON, headers={"X-Cache": status})

    handler.__annotations__ = {
        "data": JSONBody[estimator.request_type],  # type: ignore[name-defined]
        "state": State,
        "return": Response[estimator.response_type],  # type: ignore[name-defined]
    }
    handler.__name__ = operation_id
    handler.__doc__ = description
    return post(
        path,
        operation_id=operation_id,
        tags=[tag],
        summary=summary,
        description=description,
        status_code=200,
        responses=problem_responses(400, 404, 422),
        response_headers=[X_CACHE_HEADER],
    )(handler)


ROUTES = [
    estimate_route(
        "/v1/estimates/usage",
        "estimateUsageCost",
        "usage",
        "Price one request's usage (times `requests`)",
        "Prices a usage on a table model or inline rates at a service tier and time. "
        "input_tokens is the total input INCLUDING cache reads, cache writes and audio; "
        "output_tokens INCLUDES reasoning and audio output. A class the model does not price "
        "is a 422, never $0.",
    ),
]
