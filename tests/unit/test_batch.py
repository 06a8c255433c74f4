"""estimateBatch: every item answered in order, a bad item gets its own problem."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from pricing.catalog import Catalog
from pricing.errors import InvalidInput
from pricing.estimators.batch import (
    ANSWERS,
    BatchItem,
    BatchProblem,
    BatchRequest,
    estimate_batch,
)

AT = "2026-12-02T00:00:00Z"


def usage(input_tokens: Any, output_tokens: int = 0) -> dict[str, Any]:
    return {
        "model": "gpt-4.1",
        "pricing_version": "2026-12-01",
        "at": AT,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
    }


def run(catalog: Catalog, *items: tuple[str, str, dict[str, Any]], limit: int = 1000):
    request = BatchRequest(items=[BatchItem(tag=t, kind=k, request=r) for t, k, r in items])
    return estimate_batch(catalog, request, limit)


def test_five_items_one_invalid(catalog: Catalog) -> None:
    # gpt-4.1 at $2 in / $8 out per 1M (spend-models §5.4): 3,200 in + 150 out = $0.0076.
    result = run(
        catalog,
        ("a", "usage", usage(3200, 150)),
        ("b", "usage", usage(1_000_000)),
        ("c", "usage", usage("many")),
        ("d", "usage", usage(0, 1_000_000)),
        ("e", "usage", usage(500_000)),
    )
    assert (result.estimated, result.refused) == (4, 1)
    assert [item.tag for item in result.items] == ["a", "b", "c", "d", "e"]
    assert [type(item) for item in result.items] == [
        ANSWERS["usage"],
        ANSWERS["usage"],
        BatchProblem,
        ANSWERS["usage"],
        ANSWERS["usage"],
    ]
    totals = [
        item.estimate.total_usd for item in result.items if not isinstance(item, BatchProblem)
    ]
    assert totals == [Decimal("0.0076"), Decimal(2), Decimal(8), Decimal(1)]
    problem = result.items[2]
    assert isinstance(problem, BatchProblem)
    assert problem.status == 422
    assert problem.problem.errors[0].path == "$.items[2].request.usage.input_tokens"


def test_rule_and_lookup_problems_carry_the_item_path(catalog: Catalog) -> None:
    broken_rule = usage(100)
    broken_rule["usage"]["cache_read_tokens"] = 200  # a part larger than its total
    unknown_model = {**usage(100), "model": "gpt-99"}
    unknown_field = {**usage(100), "colour": "blue"}
    result = run(
        catalog,
        ("rule", "usage", broken_rule),
        ("model", "usage", unknown_model),
        ("field", "usage", unknown_field),
    )
    statuses = [(item.status, item.problem.errors[0].path) for item in result.items]
    assert statuses == [
        (422, "$.items[0].request.usage.input_tokens"),  # the total its parts exceed
        (404, "$.items[1].request.model"),
        (422, "$.items[2].request.colour"),
    ]
    assert result.items[1].problem.suggestions  # type: ignore[union-attr]


def test_unknown_kind_is_that_items_problem(catalog: Catalog) -> None:
    result = run(catalog, ("x", "usgae", usage(10)), ("y", "usage", usage(10)))
    first = result.items[0]
    assert isinstance(first, BatchProblem)
    assert first.problem.errors[0].path == "$.items[0].kind"
    assert first.problem.suggestions == ["usage"]
    assert isinstance(result.items[1], ANSWERS["usage"])


def test_over_the_limit(catalog: Catalog) -> None:
    with pytest.raises(InvalidInput) as caught:
        run(catalog, *[(str(n), "usage", usage(1)) for n in range(3)], limit=2)
    assert caught.value.path == "$.items"


def test_any_kind(catalog: Catalog) -> None:
    # spend-models §5.4 FT-1: 2,000 × 800 tokens × 3 epochs on gpt-4.1-mini ($5 per 1M) = $24.
    training = {
        "mode": "api",
        "model": "gpt-4.1-mini",
        "examples": 2000,
        "tokens_per_example": 800,
        "pricing_version": "2026-12-01",
    }
    result = run(catalog, ("ft", "training", training), ("chat", "usage", usage(3200, 150)))
    assert [type(item) for item in result.items] == [ANSWERS["training"], ANSWERS["usage"]]
    assert result.items[0].estimate.one_time_usd == Decimal(24)  # type: ignore[union-attr]
