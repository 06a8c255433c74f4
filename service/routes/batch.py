"""POST /v1/estimates/batch: many tagged estimate requests of any kind in one call."""

from __future__ import annotations

from litestar import post
from litestar.datastructures import State
from litestar.params import JSONBody

from pricing.estimators.batch import BatchProblem, BatchRequest, BatchResult, estimate_batch
from service.metrics import Recorder
from service.problems import problem_responses
from service.routes.estimates import ESTIMATES_TAG


@post(
    "/v1/estimates/batch",
    operation_id="estimateBatch",
    tags=[ESTIMATES_TAG],
    summary="Run many tagged estimate requests of any kind",
    status_code=200,
    sync_to_thread=False,
    responses=problem_responses(400, 413, 415, 422),
)
def estimate_batch_route(data: JSONBody[BatchRequest], state: State) -> BatchResult:
    """Each item names a `kind` (usage, inference, ...) and carries that route's request body.

    Items are answered in order, each with its estimate or its own problem (status 404 or 422,
    JSON paths such as `$.items[3].request.usage.input_tokens`), so one bad item never sinks
    the rest. A batch holds at most SPENDCAST_BATCH_MAX_ITEMS items (default 1000); more is a
    422 on `$.items`.
    """
    settings = state.service.settings
    result = estimate_batch(state.service.catalog, data, settings.batch_max_items)
    record_estimates(state.service.recorder, result)
    return result


def record_estimates(recorder: Recorder, result: BatchResult) -> None:
    """Count each estimated item as the estimate it is, so dashboards see batch traffic too."""
    for answer in result.items:
        if isinstance(answer, BatchProblem):
            continue
        monthly_usd = getattr(answer.estimate, "monthly_usd", None)
        recorder.estimate(answer.kind, None if monthly_usd is None else float(monthly_usd))


ROUTES = [estimate_batch_route]
