"""Estimate routes: each one decodes a request Struct, runs a pure estimator, returns its Struct.

Every estimate route is built by :func:`estimate_route`, so validation, error documentation and
(later) caching and measurement are the same for all of them.
"""

from typing import Any

from litestar import post
from litestar.datastructures import State
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody

from pricing.estimators.registry import ESTIMATORS
from service.problems import problem_responses

ESTIMATES_TAG = "estimates"


def estimate_route(
    path: str,
    operation_id: str,
    kind: str,
    summary: str,
    description: str,
    tag: str = ESTIMATES_TAG,
) -> HTTPRouteHandler:
    """Build a POST route that answers the registered estimator of ``kind``.

    Args:
        path: The route path.
        operation_id: The lowerCamel OpenAPI operationId.
        kind: The estimator's key in :data:`pricing.estimators.registry.ESTIMATORS`.
        summary: One line for the OpenAPI document.
        description: What the route does, for the OpenAPI document.
        tag: The route's one OpenAPI tag.

    Returns:
        The Litestar route handler.
    """
    estimator = ESTIMATORS[kind]
    compute = estimator.compute

    def handler(data: Any, state: State) -> Any:
        return compute(state.service.catalog, data)

    handler.__annotations__ = {
        "data": JSONBody[estimator.request_type],  # type: ignore[name-defined]
        "state": State,
        "return": estimator.response_type,
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
        sync_to_thread=False,
        responses=problem_responses(400, 404, 413, 422),
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
    estimate_route(
        "/v1/estimates/training",
        "estimateTraining",
        "training",
        "Fine-tuning cost: on a provider's API or on self-hosted GPUs",
        "mode api: trained tokens = examples × min(tokens per example, training context) × "
        "epochs, billed per 1M trained tokens or per 1k examples, with hosting per hour, "
        "retraining per year and the fine-tuned model's inference as monthly lines. "
        "mode self_hosted: executed FLOPs (k × N × tokens), GPU-hours at a share of the dense "
        "BF16 peak, memory by part in GB (1e9) and GiB (2^30), the smallest GPU count that fits "
        "(≤ 64, states sharded), and the cost; a run that fits on none is a 422.",
    ),
    estimate_route(
        "/v1/estimates/serving",
        "estimateServing",
        "serving",
        "Self-hosted serving: GPUs, replicas, KV cache and cost",
        "Weights and KV cache per replica (GB and GiB), decode and prefill time bounds, the "
        "batch that fits, replicas for a request rate by Little's law and the GPU-time balance, "
        "cost per hour, per month (730 h) and per 1M output tokens; with `model` or `rates`, "
        "the same workload's API cost beside it.",
    ),
]
