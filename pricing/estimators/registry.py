"""Every estimator by kind: what it takes, what it returns, and the function that computes it.

The HTTP routes and the batch endpoint are both built from this one list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from pricing.catalog import Catalog
from pricing.estimators import (
    agent,
    compare,
    inference,
    prompting,
    rag,
    serving,
    training,
    usage,
)


class Estimator(msgspec.Struct, frozen=True, kw_only=True):
    """One kind of estimate."""

    kind: str
    request_type: type
    response_type: type
    compute: Callable[[Catalog, Any], Any]


ESTIMATORS: dict[str, Estimator] = {
    estimator.kind: estimator
    for estimator in (
        Estimator(
            kind="usage",
            request_type=usage.UsageRequest,
            response_type=usage.UsageEstimate,
            compute=usage.estimate_usage,
        ),
        Estimator(
            kind="inference",
            request_type=inference.InferenceRequest,
            response_type=inference.InferenceEstimate,
            compute=inference.estimate_inference,
        ),
        Estimator(
            kind="prompting",
            request_type=prompting.PromptingRequest,
            response_type=prompting.PromptingEstimate,
            compute=prompting.estimate_prompting,
        ),
        Estimator(
            kind="rag",
            request_type=rag.RagRequest,
            response_type=rag.RagEstimate,
            compute=rag.estimate_rag,
        ),
        Estimator(
            kind="agent",
            request_type=agent.AgentRequest,
            response_type=agent.AgentEstimate,
            compute=agent.estimate_agent,
        ),
        Estimator(
            kind="training",
            request_type=training.TrainingRequest,  # type: ignore[arg-type]
            response_type=training.TrainingEstimate,
            compute=training.estimate_training,
        ),
        Estimator(
            kind="serving",
            request_type=serving.ServingRequest,
            response_type=serving.ServingEstimate,
            compute=serving.estimate_serving,
        ),
        Estimator(
            kind="compare",
            request_type=compare.CompareRequest,
            response_type=compare.ComparisonEstimate,
            compute=compare.estimate_comparison,
        ),
    )
}
