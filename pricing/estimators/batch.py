"""estimateBatch: many tagged estimate requests of any kind, each answered on its own, in order.

An item that cannot be answered (unknown kind, a body that does not match its kind's schema, an
unknown model, a broken rule) gets its own problem with the JSON path inside the batch, e.g.
``$.items[3].request.usage.input_tokens``; the other items are still estimated.
"""

from __future__ import annotations

import difflib
import gc
from typing import Annotated, Any, Union

import msgspec
from msgspec import Meta

from pricing.catalog import Catalog
from pricing.errors import InvalidInput, PricingError
from pricing.estimators.registry import ESTIMATORS
from pricing.problems import FieldProblem, Problem, make_problem, problem_from_error
from pricing.strict import convert_strictly

#: Default of the most items one batch may hold (the service setting SPENDCAST_BATCH_MAX_ITEMS).
DEFAULT_MAX_ITEMS = 1000
#: The highest value that setting may take.
MAX_ITEMS_CEILING = 100_000


class BatchItem(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One tagged estimate request."""

    tag: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=200,
            description="Your label for the item, echoed in its answer.",
            examples=["team-a/chatbot"],
        ),
    ]
    kind: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=40,
            description=f"The estimate kind: {', '.join(ESTIMATORS)} (the route's last segment).",
            examples=["usage"],
        ),
    ]
    request: Annotated[
        dict[str, Any],
        Meta(
            description="The request body of that kind's estimate route, e.g. /v1/estimates/usage."
        ),
    ]


class BatchRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Tagged estimate requests, answered in order."""

    items: Annotated[
        list[BatchItem],
        Meta(
            min_length=1,
            max_length=MAX_ITEMS_CEILING,
            # Documented at the setting's default, which the service enforces unless raised.
            extra_json_schema={"maxItems": DEFAULT_MAX_ITEMS},
            description=(
                f"The requests, at most SPENDCAST_BATCH_MAX_ITEMS (default {DEFAULT_MAX_ITEMS}, "
                f"settable up to {MAX_ITEMS_CEILING:,}); more is a 422 on `$.items`."
            ),
        ),
    ]


class BatchProblem(msgspec.Struct, kw_only=True, tag_field="result", tag="problem"):
    """An item that was refused; the other items are not affected."""

    tag: Annotated[str, Meta(description="The item's tag.")]
    kind: Annotated[str, Meta(description="The item's kind, as sent.")]
    status: Annotated[int, Meta(description="The status its own request would get (404, 422).")]
    problem: Annotated[Problem, Meta(description="Why, with JSON paths inside the batch.")]
    pricing_version: Annotated[
        str | None,
        Meta(
            description=(
                "The table the item was checked against (its `pricing_version`, `latest` "
                "resolved); null when that is not a table."
            )
        ),
    ] = None


def _estimate_answer(kind: str, response_type: type) -> type:
    """The answer Struct of one kind, tagged `<kind>_estimate` so clients can tell them apart."""
    name = "".join(part.title() for part in kind.split("_")) + "BatchEstimate"
    return msgspec.defstruct(
        name,
        [
            ("tag", Annotated[str, Meta(description="The item's tag.")]),
            ("kind", Annotated[str, Meta(description="The item's kind.")]),
            ("status", Annotated[int, Meta(description="200: estimated.")]),
            ("estimate", Annotated[response_type, Meta(description=f"The `{kind}` estimate.")]),
        ],
        kw_only=True,
        tag_field="result",
        tag=f"{kind}_estimate",
        module=__name__,
    )


#: The answer Struct of each estimate kind.
ANSWERS: dict[str, type] = {
    kind: _estimate_answer(kind, estimator.response_type) for kind, estimator in ESTIMATORS.items()
}
BatchAnswer = Union[(*ANSWERS.values(), BatchProblem)]


class BatchResult(msgspec.Struct, kw_only=True):
    """Every item's answer, in the order sent."""

    pricing_versions: Annotated[
        list[str],
        Meta(
            description=(
                "Every table the items were estimated or checked against, sorted (items may "
                "name different tables; each answer names its own)."
            )
        ),
    ]
    estimated: Annotated[int, Meta(description="How many items were estimated.")]
    refused: Annotated[int, Meta(description="How many items got a problem.")]
    items: Annotated[
        list[BatchAnswer],  # type: ignore[valid-type]
        Meta(
            description="One answer per item, in order: `result` is `<kind>_estimate` or `problem`."
        ),
    ]


def estimate_batch(catalog: Catalog, request: BatchRequest, max_items: int) -> BatchResult:
    """Estimate every item; a refused item gets its problem and the others carry on.

    Args:
        catalog: The pricing tables.
        request: The items.
        max_items: The most items allowed.

    Returns:
        One answer per item, in order.

    Raises:
        InvalidInput: More items than allowed.
    """
    if len(request.items) > max_items:
        raise InvalidInput(
            "$.items",
            f"{len(request.items)} items, more than the {max_items} one batch may hold; split it",
        )

    answers = _answers_without_cycle_collection(catalog, request.items)
    refused = sum(1 for answer in answers if isinstance(answer, BatchProblem))
    return BatchResult(
        pricing_versions=_versions(answers),
        estimated=len(answers) - refused,
        refused=refused,
        items=answers,
    )


def _versions(answers: list[Any]) -> list[str]:
    named = (
        answer.pricing_version
        if isinstance(answer, BatchProblem)
        else answer.estimate.pricing_version
        for answer in answers
    )
    return sorted({version for version in named if version is not None})


def _answers_without_cycle_collection(catalog: Catalog, items: list[BatchItem]) -> list[Any]:
    # A batch allocates thousands of small acyclic objects that stay alive until it ends; the
    # cycle collector would rescan them again and again, making time per item grow with the
    # batch. Reference counting still frees garbage meanwhile; the collector resumes after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return [_answer(catalog, item, index) for index, item in enumerate(items)]
    finally:
        if collecting:
            gc.enable()


def _answer(catalog: Catalog, item: BatchItem, index: int) -> Any:
    estimator = ESTIMATORS.get(item.kind)
    if estimator is None:
        return BatchProblem(
            tag=item.tag,
            kind=item.kind,
            status=422,
            problem=_unknown_kind(item.kind, index),
            pricing_version=_checked_version(catalog, item.request.get("pricing_version")),
        )

    prefix = f"$.items[{index}].request"
    try:
        # The same strict rules as the kind's own route: "5" is not a number, 5.0 is an integer.
        body = convert_strictly(item.request, estimator.request_type)
        estimate = estimator.compute(catalog, body)
    except (PricingError, msgspec.ValidationError) as error:
        problem = problem_from_error(error, prefix)
        return BatchProblem(
            tag=item.tag,
            kind=item.kind,
            status=problem.status,
            problem=problem,
            pricing_version=_checked_version(catalog, item.request.get("pricing_version")),
        )
    return ANSWERS[item.kind](tag=item.tag, kind=item.kind, status=200, estimate=estimate)


def _checked_version(catalog: Catalog, requested: Any) -> str | None:
    """The version of the table a refused item names, or None when it names none that exists."""
    if requested is not None and not isinstance(requested, str):
        return None
    try:
        return catalog.get(requested).version
    except PricingError:
        return None


def _unknown_kind(kind: str, index: int) -> Problem:
    path = f"$.items[{index}].kind"
    known = list(ESTIMATORS)
    message = f"unknown estimate kind {kind!r}; known kinds: {', '.join(known)}"
    suggestions = difflib.get_close_matches(kind, known, 3, 0.5) or known
    return make_problem(422, message, [FieldProblem(path=path, message=message)], suggestions)
