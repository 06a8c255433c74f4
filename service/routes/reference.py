"""The article's reference knowledge, served by topic from the reference a pricing table names."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.datastructures import State
from litestar.params import PathParameter, QueryParameter

from pricing.knowledge import ReferenceTopic, reference_topic, shipped_library
from service.problems import problem_responses

REFERENCE_TAG = "reference"

PricingVersionQuery = Annotated[
    str | None,
    QueryParameter(
        description="Pricing table whose reference is served (default `latest`).",
        min_length=1,
        max_length=40,
    ),
]


@get(
    "/v1/reference/{topic:str}",
    operation_id="getReference",
    tags=[REFERENCE_TAG],
    summary="Get one topic of the article's reference knowledge",
    sync_to_thread=False,
    responses=problem_responses(400, 404, 422),
)
def get_reference(
    state: State,
    topic: Annotated[
        str,
        PathParameter(
            description=(
                "approaches, dataset-requirements, evaluation-metrics, failure-modes or red-flags."
            ),
            min_length=1,
            max_length=60,
        ),
    ],
    pricing_version: PricingVersionQuery = None,
) -> ReferenceTopic:
    """Approaches with cost bands, dataset requirements, metrics, failure modes or red flags.

    The answer is tagged by `topic` and names the reference version and the pricing table that
    chose it; an unknown topic is a 404 that lists the topics.
    """
    table = state.service.catalog.get(pricing_version, "$.pricing_version")
    return reference_topic(shipped_library(), table, topic)


ROUTES = [get_reference]
