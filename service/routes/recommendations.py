"""POST /v1/recommendations: the article's flowchart with the path taken and the red flags."""

from __future__ import annotations

from litestar import post
from litestar.datastructures import State
from litestar.params import JSONBody

from pricing.flowchart import Recommendation, RecommendationRequest, recommend
from pricing.knowledge import shipped_library
from service.problems import problem_responses

RECOMMENDATIONS_TAG = "recommendations"


@post(
    "/v1/recommendations",
    operation_id="recommendApproach",
    tags=[RECOMMENDATIONS_TAG],
    summary="Pick an approach with the article's flowchart",
    status_code=200,
    sync_to_thread=False,
    # 404: an unknown pricing_version.
    responses=problem_responses(400, 404, 413, 415, 422),
)
def recommend_approach(data: JSONBody[RecommendationRequest], state: State) -> Recommendation:
    """Walks the flowchart: persistent change → fits in context → fewer than 100,000 examples.

    Without a persistent change: more than 10,000 labeled examples → fine-tuning, else multi-step
    reasoning → agents, else prompt engineering. Thresholds are strict as drawn. Persistent,
    fitting data with 100,000 examples or more is not covered by the drawing: the answer is
    fine-tuning with `extension: true`. Only the questions on the path taken are required; every
    decision comes back in `path` with the value that drove it.
    """
    # The answer names its table like every other answer; a version may be asked for, so that
    # an old plan can be replayed against the reference its table named.
    table = state.service.catalog.get(data.pricing_version, "$.pricing_version")
    return recommend(data, shipped_library().for_table(table), table.version)


ROUTES = [recommend_approach]
