"""Estimate routes: each one decodes a request Struct, runs a pure estimator, returns its Struct.

Every estimate route is built by :func:`estimate_route`, so validation, error documentation,
caching (``X-Cache``) and measurement are the same for all of them. Each carries the
:class:`~service.fast_estimates.FastEstimates` middleware, which answers plain valid requests
through the same :func:`estimate_answer` without Litestar's handler pipeline.
"""

import inspect
import json
from pathlib import Path
from typing import Annotated, Any

from litestar import Response, post
from litestar.datastructures import ResponseHeader, State
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Example
from litestar.params import Body, KwargDefinition

from pricing.estimators.registry import ESTIMATORS
from service.cache import CacheLayers, CacheStatus, Entry
from service.encoding import encode_money_json
from service.fast_estimates import EstimateAnswer, FastEstimates, send_encoded
from service.problems import problem_responses
from service.state import ServiceState

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

#: ``<operationId>.json`` files: a worked request and the answer it gets, for the OpenAPI document.
EXAMPLES_DIR = Path(__file__).parent / "examples"


def load_example(operation_id: str) -> dict[str, Any] | None:
    """The worked example of an operation (``summary``, ``request``, ``response``), if any."""
    path = EXAMPLES_DIR / f"{operation_id}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def _schema_doc(
    schema: type, example: dict[str, Any] | None, part: str
) -> tuple[str | None, list[Example] | None]:
    # The Struct's docstring describes its schema; the example shows a whole body.
    description = inspect.getdoc(schema)
    if example is None:
        return description, None
    return description, [Example(summary=example["summary"], value=example[part])]


class EncodedJsonResponse(Response):
    """A 200 whose JSON body is already encoded (and maybe cached): sent as it is.

    Litestar's generic response builds header and cookie structures on every request; on the
    hot estimate path that cost more than the estimate itself, so this one writes its two ASGI
    messages directly.
    """

    def __init__(self, body: bytes, cache_status: str) -> None:
        self._body = body
        self._cache_status = cache_status

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:
        """This response is its own ASGI app."""
        return self

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Send the status line, the headers and the body."""
        await send_encoded(send, self._body, self._cache_status)


def estimate_answer(kind: str, layers: CacheLayers | None) -> EstimateAnswer:
    """How a route answers a decoded request of ``kind``: from its cache layers, else computed.

    The route handler and its :class:`FastEstimates` middleware both answer through this one
    function, so the two paths cannot differ in what they send.

    Args:
        kind: The estimator's key in :data:`pricing.estimators.registry.ESTIMATORS`.
        layers: Cache layers fixed for the route (None: the policy of the kind).
    """
    compute = ESTIMATORS[kind].compute

    async def answer(
        current: ServiceState, data: Any, body: bytes | None = None
    ) -> tuple[Entry, CacheStatus]:
        def run() -> Entry:
            result = compute(current.catalog, data)
            monthly_usd = getattr(result, "monthly_usd", None)
            return Entry(
                encode_money_json(result), None if monthly_usd is None else float(monthly_usd)
            )

        entry, cache_status = await current.cache.serve(kind, data, run, layers, body)
        current.recorder.estimate(kind, entry.monthly_usd)
        return entry, cache_status

    return answer


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
    answer = estimate_answer(kind, cache)
    example = load_example(operation_id)
    request_doc, request_examples = _schema_doc(estimator.request_type, example, "request")
    response_doc, response_examples = _schema_doc(estimator.response_type, example, "response")

    async def handler(data: Any, state: State) -> Any:
        entry, cache_status = await answer(state.service, data)
        return EncodedJsonResponse(entry.body, cache_status)

    handler.__annotations__ = {
        "data": Annotated[
            estimator.request_type,  # type: ignore[name-defined]
            Body(
                media_type=RequestEncodingType.JSON,
                description=request_doc,
                examples=request_examples,
            ),
        ],
        "state": State,
        # The schema of the body; the handler returns it already encoded, in a Response.
        "return": Annotated[
            estimator.response_type,  # type: ignore[name-defined]
            KwargDefinition(description=response_doc, examples=response_examples),
        ],
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
        responses=problem_responses(400, 404, 413, 415, 422),
        response_headers=[X_CACHE_HEADER],
        opt={"estimate_kind": kind},
        middleware=[FastEstimates(estimator.request_type, answer)],
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
        "/v1/estimates/inference",
        "estimateInference",
        "inference",
        "Monthly API inference spend and peak capacity",
        "Prices requests_per_month (or requests_per_day × 365/12) requests of one usage shape "
        "and reports average and peak requests per second and tokens per minute over a "
        "730-hour month, with a warning when a given rate limit is exceeded at peak. Usage "
        "convention: input_tokens INCLUDES cache reads and writes; output_tokens INCLUDES "
        "reasoning.",
    ),
    estimate_route(
        "/v1/estimates/prompting",
        "estimatePrompting",
        "prompting",
        "Monthly prompt-only spend with prompt caching",
        "Static prefix (system prompt, few-shot examples, tool schemas) plus a variable part "
        "per request. Caching follows the model's rules in the table: automatic prefix caching "
        "counts the cached prefix from a minimum in increments and bills a miss's write only "
        "where the table lists a write price (GPT-6); explicit "
        "caching reads the prefix on a hit and writes it on a miss. Below the minimum nothing "
        "is cached.",
    ),
    estimate_route(
        "/v1/estimates/rag",
        "estimateRag",
        "rag",
        "One-time indexing and monthly RAG spend",
        "Chunks the corpus (n = 1 if L <= C else ceil((L - O)/(C - O))), prices its embedding "
        "and initial vector writes once, then per month: re-embedding of changed documents, "
        "vector storage, reads and update writes with the store's monthly minimum as a "
        "top-up line, query embeddings, generation over system + history + question + k "
        "chunks, and reranking. A response-cache hit rate skips generation, reranking and "
        "query embedding.",
    ),
    estimate_route(
        "/v1/estimates/agent",
        "estimateAgent",
        "agent",
        "Monthly agent spend with step growth, caching and retries",
        "Each step resends the growing context: input per attempt = S·P1 + Δ·S(S−1)/2, or with "
        "prefix caching P1 + (S−1)Δ written and the rest read. Steps are capped by max_steps "
        "and the worst case at the cap is reported; retries give expected attempts "
        "(1 − p^(r+1))/(1 − p) and $ per successful task.",
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
    estimate_route(
        "/v1/estimates/compare",
        "compareApproaches",
        "compare",
        "One workload, the article's four approaches side by side",
        "Prompt engineering, RAG and agents on the large model (default gpt-4.1), fine-tuning "
        "of the small one (default gpt-4.1-mini), each priced by its own estimator with one-time, "
        "monthly and first-year cost, the article's columns, where it sits against the article's "
        "cost band (fine-tuning's is one-time, the others monthly) and its failure modes; the "
        "flowchart's pick with its path (as POST /v1/recommendations answers it); and the "
        "break-even volume = training cost ÷ (prompted large model − fine-tuned small model per "
        "request), none when fine-tuning saves nothing. No prompt caching unless asked.",
    ),
]
