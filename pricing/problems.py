"""RFC 9457 problem details as domain data, so a batch can answer one item with a problem.

The HTTP shell serves these same Structs as its ``application/problem+json`` bodies.
"""

from __future__ import annotations

import re
from typing import Annotated

import msgspec
from msgspec import Meta

from pricing.errors import InvalidInput, NotFound, PricingError

TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Content too large",
    414: "URI too long",
    415: "Unsupported media type",
    422: "Invalid input",
    431: "Request header fields too large",
    500: "Internal error",
    503: "Service unavailable",
}


class FieldProblem(msgspec.Struct, frozen=True, kw_only=True):
    """What is wrong with one field."""

    path: Annotated[str, Meta(description="JSON path of the field, e.g. `$.usage.input_tokens`.")]
    message: Annotated[str, Meta(description="What is wrong and how to fix it.")]


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An RFC 9457 problem: why a request was refused."""

    type: Annotated[str, Meta(description="URI reference naming the kind of problem.")]
    title: Annotated[str, Meta(description="Short summary of the kind of problem.")]
    status: Annotated[int, Meta(description="The HTTP status code.")]
    detail: Annotated[str, Meta(description="What went wrong in this request.")]
    errors: Annotated[
        list[FieldProblem], Meta(description="Each offending field with its JSON path.")
    ] = []
    suggestions: Annotated[
        list[str], Meta(description="Closest known ids, for an unknown id.")
    ] = []


def make_problem(
    status: int,
    detail: str,
    errors: list[FieldProblem] | None = None,
    suggestions: list[str] | None = None,
) -> Problem:
    """A problem with the standard type and title of its status."""
    slug = TITLES.get(status, "error").lower().replace(" ", "-")
    return Problem(
        type=f"/problems/{slug}",
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        errors=errors or [],
        suggestions=suggestions or [],
    )


_AT_PATH = re.compile(r" - at `(?P<path>\$[^`]*)`$")
_NAMED_FIELD = re.compile(r"(?:unknown|missing required) field `(?P<field>[^`]+)`")


def nest(prefix: str, path: str | None) -> str:
    """A nested document's JSON path moved under ``prefix``: ``$.a`` under ``$.x`` is ``$.x.a``."""
    if not path or path == "$":
        return prefix
    return prefix + path.removeprefix("$")


def with_named_field(path: str, message: str) -> str:
    """The path of the field itself when a message names an unknown or missing field."""
    named = _NAMED_FIELD.search(message)
    return path if named is None else f"{path}.{named.group('field')}"


def problem_from_error(error: PricingError | msgspec.ValidationError, prefix: str) -> Problem:
    """The problem that a refused request (or batch item) answers with.

    Args:
        error: A domain refusal or a schema mismatch of the item's body.
        prefix: Where the refused document sits, e.g. ``$.items[3].request``.

    Returns:
        A 404 problem for an unknown id, otherwise a 422 with the field's full JSON path.
    """
    if isinstance(error, NotFound):
        path = nest(prefix, error.path)
        return make_problem(
            404, str(error), [FieldProblem(path=path, message=str(error))], error.suggestions
        )
    if isinstance(error, InvalidInput):
        path = nest(prefix, error.path)
        return make_problem(
            422, f"{path}: {error.reason}", [FieldProblem(path=path, message=error.reason)]
        )
    message = str(error)
    found = _AT_PATH.search(message)
    reason = message[: found.start()] if found else message
    path = with_named_field(nest(prefix, found.group("path") if found else None), reason)
    return make_problem(
        422,
        f"the request does not match its schema: {path}: {reason}",
        [FieldProblem(path=path, message=reason)],
    )
