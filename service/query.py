"""Strict query strings on the API: each parameter a route declares, at most once.

Litestar reads a repeated query parameter that is not a list as its last value, and ignores a
parameter the route does not declare. For a budgeting client both hide a bug: with
``?kind=chat&kind=embedding`` the answer silently lists embeddings only, and a misspelt
``?pricing_versoin=2026-03-30`` silently prices on the latest table. Request bodies already
refuse unknown fields (``forbid_unknown_fields``), so the query string follows the same rule:
on every documented route an unknown or repeated parameter is a 422 naming it at ``$.<name>``,
like any other bad parameter; a path or query string whose percent-encoded bytes are not UTF-8
is a 400 rather than a value holding U+FFFD that nobody sent. Operational routes (``/metrics``,
whose scrapers may send ``name[]`` filters, probes, ``/schema``) keep Litestar's lenient reading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote_to_bytes

from litestar.exceptions import ClientException, ValidationException
from litestar.handlers import HTTPRouteHandler

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.types import ASGIApp, Receive, Scope, Send


_NOT_UTF8 = "the {part} is not UTF-8 once percent-decoded: send UTF-8 bytes, percent-encoded"


def path_problem(raw_path: bytes) -> ClientException | None:
    """The 400 for a path whose percent-encoded bytes are not UTF-8 (``/v1/pricing/%ff``)."""
    if b"%" not in raw_path:
        return None
    # Some ASGI clients (httpx's test transport) leave the query string in raw_path.
    path = raw_path.partition(b"?")[0]
    try:
        unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        return ClientException(detail=_NOT_UTF8.format(part="path"))
    return None


def query_problem(
    query_string: bytes, declared: frozenset[str]
) -> ValidationException | ClientException | None:
    """The problem of a query string with an unknown or repeated parameter, if it has one.

    Args:
        query_string: The raw query string of the request.
        declared: The names of the query parameters the route declares.

    Returns:
        A ValidationException (422) whose ``extra`` names each offending parameter, a
        ClientException (400) when the query string is not UTF-8 once decoded, or None.
    """
    try:
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        # Decoded leniently, %ff would reach the route as U+FFFD, a value nobody sent.
        return ClientException(detail=_NOT_UTF8.format(part="query string"))
    counts: dict[str, int] = {}
    for name, _ in pairs:
        counts[name] = counts.get(name, 0) + 1
    items = []
    for name, count in counts.items():
        if name not in declared:
            takes = ", ".join(sorted(declared)) if declared else "none"
            message = f"unknown query parameter {name!r}; this route takes: {takes}"
            items.append({"key": name, "message": message})
        elif count > 1:
            message = f"the query parameter {name!r} is given {count} times; give it once"
            items.append({"key": name, "message": message})
    if not items:
        return None
    return ValidationException(detail="invalid query string", extra=items)


class StrictQuery:
    """App-level middleware: refuses unknown and repeated query parameters on the API routes.

    Litestar wraps each route in it after routing, outside route middleware, so the estimate
    fast path and the route handlers see only query strings that passed. It is a plain ASGI
    factory rather than an ``ASGIMiddleware``, whose per-request checks would cost more than
    this one when the query string is empty, as on every estimate.
    """

    def __init__(self) -> None:
        """Start with no routes known; :meth:`learn_routes` fills them in."""
        self._declared: dict[HTTPRouteHandler, frozenset[str]] = {}

    def learn_routes(self, app: Litestar) -> None:
        """Record the query parameters of every route handler in the OpenAPI document."""
        for route in app.routes:
            for handler in getattr(route, "route_handlers", ()):
                if not isinstance(handler, HTTPRouteHandler):
                    continue
                if not handler.resolve_include_in_schema():
                    continue
                model = handler.create_kwargs_model(route.path_parameters)
                names = frozenset(p.field_alias for p in model.expected_query_params)
                self._declared[handler] = names

    def __call__(self, app: ASGIApp) -> ASGIApp:
        """Wrap one route's ASGI app."""
        declared = self._declared

        async def strict_query(scope: Scope, receive: Receive, send: Send) -> None:
            query_string = scope.get("query_string")
            names = declared.get(scope["route_handler"])  # type: ignore[typeddict-item]
            if names is not None:
                problem = path_problem(scope.get("raw_path") or b"")
                if problem is None and query_string:
                    problem = query_problem(query_string, names)
                if problem is not None:
                    raise problem
            await app(scope, receive, send)

        return strict_query
