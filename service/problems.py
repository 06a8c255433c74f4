"""RFC 9457 problem details: one named schema, one mapping from errors to responses."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

from pricing.errors import InvalidInput, NotFound
from pricing.problems import TITLES as _TITLES
from pricing.problems import FieldProblem, Problem, make_problem, with_named_field
from service.encoding import MoneyResponse
from service.guard import unrouted_detail

PROBLEM_JSON = "application/problem+json"

_log = logging.getLogger("spendcast.errors")


def problem_response(
    status: int, detail: str, errors: list[FieldProblem] | None = None, **extra: Any
) -> Response:
    """A problem+json response."""
    problem = make_problem(status, detail, errors, **extra)
    return MoneyResponse(problem, status_code=status, media_type=PROBLEM_JSON)


def _json_path(key: str | None) -> str:
    # Litestar names the whole body "data".
    if not key or key == "data":
        return "$"
    key = re.sub(r"\.?\[(\d+)\]", r"[\1]", key)
    return f"$.{key}" if not key.startswith("$") else key


def field_problem(key: str | None, message: str) -> FieldProblem:
    """A field error whose path names the field itself, also for unknown and missing fields."""
    return FieldProblem(path=with_named_field(_json_path(key), message), message=message)


# Litestar's detail when a body passes `request_max_body_size`.
_LITESTAR_TOO_LARGE = "Request Entity Too Large"
# Litestar's details when no route matches the path, or none the method.
_LITESTAR_UNROUTED = {404: "Not Found", 405: "Method Not Allowed"}
# Litestar's words for a required parameter that was not sent.
_MISSING_PARAMETER = re.compile(r"^Missing required \w+ parameter '(?P<name>[^']+)'")


def _wire_names(request: Request) -> dict[str | None, str]:
    """Each renamed parameter's Python name → the name a client sends (`to_version` → `to`)."""
    # Litestar reports a bad value (`?to=`) under the handler's argument name, which no client
    # knows; a missing one it names by the wire name already.
    handler = request.scope.get("route_handler")
    if handler is None:  # no route matched: nothing to rename
        return {}
    parameters = handler.parsed_fn_signature.parameters
    names: dict[str | None, str] = {}
    for argument, parameter in parameters.items():
        wire = getattr(parameter.kwarg_definition, "name", None)
        if isinstance(wire, str) and wire != argument:
            names[argument] = wire
    return names


def _on_validation(request: Request, exc: ValidationException) -> Response:
    extra = exc.extra if isinstance(exc.extra, list) else []
    items = [item for item in extra if isinstance(item, dict)]
    missing = _MISSING_PARAMETER.match(str(exc.detail))
    if missing and not items:
        # Named like a bad value of the same parameter: 422 at `$.<name>`.
        name = missing.group("name")
        items = [{"key": name, "message": f"the required parameter {name!r} is missing"}]
    # Litestar reports a missing body as a KeyError on its "data" argument.
    if any(item.get("message") == "'data'" for item in items):
        return problem_response(400, "the request body is empty: send a JSON object")
    names = _wire_names(request)
    errors = [
        field_problem(names.get(key, key), str(item.get("message")))
        for item in items
        for key in (item.get("key"),)
    ]
    if not errors:
        # A body that is not JSON at all, or not an object: nothing to point at.
        return problem_response(400, _clean(exc.detail))
    summary = "; ".join(f"{e.path}: {e.message}" for e in errors)
    return problem_response(422, f"the request does not match its schema: {summary}", errors)


def _clean(detail: str) -> str:
    return detail or "the request body could not be read as JSON"


def _on_invalid_input(_: Request, exc: InvalidInput) -> Response:
    return problem_response(422, str(exc), [FieldProblem(path=exc.path, message=exc.reason)])


def _on_not_found(_: Request, exc: NotFound) -> Response:
    errors = [FieldProblem(path=exc.path, message=str(exc))] if exc.path else []
    return problem_response(404, str(exc), errors, suggestions=exc.suggestions)


def _on_http(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status >= 500:
        _log.error("http_error", extra={"status": status})
    detail = str(exc.detail)
    if status == 413 and detail == _LITESTAR_TOO_LARGE:
        # Litestar's own words name no limit; a client needs the figure to split its body.
        limit = request.app.state.service.settings.max_upload_bytes
        detail = f"the body is larger than {limit} bytes (SPENDCAST_MAX_UPLOAD_BYTES)"
    elif _LITESTAR_UNROUTED.get(status) == detail:
        # Litestar's words repeat the status; say what was asked and what the server offers.
        headers = {name.lower(): value for name, value in (exc.headers or {}).items()}
        allowed = headers.get("allow")
        detail = unrouted_detail(status, request.method, request.url.path, allowed)
    response = problem_response(status, detail)
    # 405 must say which methods are allowed (RFC 9110); keep any header the error carries.
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def _on_too_deep(_: Request, exc: RecursionError) -> Response:
    return problem_response(400, "the request body is nested too deeply to read")


def _on_unexpected(request: Request, exc: Exception) -> Response:
    _log.exception(
        "unhandled_error", extra={"route": request.scope.get("path_template", "unknown")}
    )
    return problem_response(500, "an internal error occurred; it has been logged")


EXCEPTION_HANDLERS = {
    ValidationException: _on_validation,
    InvalidInput: _on_invalid_input,
    NotFound: _on_not_found,
    HTTPException: _on_http,
    RecursionError: _on_too_deep,
    Exception: _on_unexpected,
}

_DESCRIPTIONS = {
    400: "The request cannot be read: the body is empty or not JSON.",
    404: "An id (model, GPU, architecture, version) is unknown; closest ids are suggested.",
    413: "The upload is larger than the configured limit.",
    415: "The body's media type, charset (JSON is UTF-8) or Content-Encoding is not one this "
    "route reads.",
    422: (
        "A field or query parameter is invalid, unknown or repeated; `errors` lists each one "
        "with its JSON path."
    ),
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI response entries for the problems a route can answer with."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS.get(status, _TITLES.get(status, "Error")),
            media_type=PROBLEM_JSON,
            generate_examples=False,
            examples=[
                Example(
                    summary=_TITLES.get(status, "Error"),
                    value={"type": "/problems/x", "title": "x", "status": status, "detail": "x"},
                )
            ],
        )
        for status in statuses
    }


__all__ = ("EXCEPTION_HANDLERS", "PROBLEM_JSON", "MediaType", "Problem", "problem_responses")
