"""Strict query strings on the API: each parameter a route declares, at most once.

Litestar reads a repeated query parameter that is not a list as its last value, and ignores a
parameter the route does not declare. For a budgeting client both hide a bug: with
``?kind=chat&kind=embedding`` the answer silently lists embeddings only, and a misspelt
``?pricing_versoin=2026-03-30`` silently prices on the latest table. Request bodies already
refuse unknown fields (``forbid_unknown_fields``), so the query string follows the same rule:
on every documented route an unknown or repeated parameter is a 422 naming it at ``$.<name>``,
like any other bad parameter. Operational routes (``/metrics``, whose scrapers may send
``name[]`` filters, probes, ``/schema``) keep Litestar's lenient reading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.types import ASGIApp, Receive, Scope, Send


def query_problem(query_string: bytes, declared: frozenset[str]) -> ValidationException | None:
    """The 422 for a query string with an unknown or repeated parameter, if it has one.

    Args:
        query_string: The raw query string of the request.
        declared: The names of the query parameters the route declares.

    Returns:
        A ValidationException whose ``extra`` names each offending parameter, or None.
    """
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
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
            if query_string:
                names = declared.get(scope["route_handler"])  # type: ignore[typeddict-item]
                if names is not None:
                    problem = query_problem(query_string, names)
                    if problem is not None:
                        raise problem
            await app(scope, receive, send)

        return strict_query
