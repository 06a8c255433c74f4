"""The last line of the error contract: every refusal leaves the app as problem+json.

Most refusals are exceptions that :data:`service.problems.EXCEPTION_HANDLERS` turn into problem
documents. A few answers never pass through those handlers: Litestar's OpenAPI router answers an
unknown ``/schema/...`` page with an HTML 404 of its own, and an exception raised by ASGI
middleware outside Litestar's router (HEAD handling, request metrics) would reach the server,
which answers a ``text/plain`` 500. :class:`ProblemGuard` wraps the whole app, so whatever path
a non-2xx answer takes, the client gets ``application/problem+json`` with ``type``, ``title``,
``status`` and ``detail``, and the status and headers (``Allow``, ``Accept-Encoding``) it had.

One answer is left as it is, by its route's option :data:`OWN_ERROR_BODY`: the 503 of
``/readyz``, an operational status document (``{"status": "draining", ...}``) that probes and
operators read, outside the API contract. Every ``Allow`` header of a route with GET also names
HEAD, which :class:`service.head.HeadAsGet` answers.
"""

from __future__ import annotations

import logging

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from pricing.problems import make_problem
from service.encoding import encode_money_json

PROBLEM_JSON = b"application/problem+json"
#: Route option (``opt``) of a route whose error answers are its own documents, not problems.
OWN_ERROR_BODY = "own_error_body"

_log = logging.getLogger("spendcast.errors")

# Headers of the original answer that describe its body, which is replaced.
_BODY_HEADERS = frozenset({b"content-type", b"content-length", b"content-encoding", b"etag"})


def unrouted_detail(status: int, method: str, path: str, allowed: str | None = None) -> str:
    """What a person can act on when no route answers a request (404) or not this method (405).

    Args:
        status: 404 or 405 (anything else gets a generic sentence).
        method: The request method.
        path: The request path, as decoded by the server.
        allowed: The ``Allow`` header of a 405.
    """
    if status == 404:
        return f"nothing is served at {path}; the API is under /v1 and described at /schema"
    if status == 405:
        methods = allowed_with_head(allowed or "")
        also = f"; allowed: {', '.join(methods)}" if methods else ""
        return f"{method} is not allowed on {path}{also}"
    return f"the request to {path} was refused"


def allowed_with_head(allowed: str) -> list[str]:
    """The methods of an ``Allow`` header, with HEAD after GET (HeadAsGet answers it)."""
    methods = [method.strip() for method in allowed.split(",") if method.strip()]
    if "GET" in methods and "HEAD" not in methods:
        methods.insert(methods.index("GET") + 1, "HEAD")
    return methods


def problem_body(status: int, detail: str) -> bytes:
    """The encoded problem document of a status."""
    return encode_money_json(make_problem(status, detail))


class ProblemGuard:
    """ASGI middleware that rewrites any non-problem error answer into a problem document."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request; replace an error answer that is not problem+json."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        held: Message | None = None
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal held, started
            if held is not None:
                # The original body of a rewritten answer: dropped, its end sends the problem.
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    await self._send_problem(scope, send, held)
                return
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                if status == 405 or status == 204:
                    message = _allow_head(message)
                if status >= 400 and not _is_problem(message) and not _own_body(scope):
                    held = message
                    return
            await send(message)

        try:
            await self.app(scope, receive, guarded_send)
        except Exception:
            if started:
                # Half an answer is on the wire: nothing better to do than let the server close.
                raise
            _log.exception("unhandled_error", extra={"route": scope.get("path_template")})
            start = {"type": "http.response.start", "status": 500, "headers": []}
            await self._send_problem(scope, send, start)

    @staticmethod
    async def _send_problem(scope: Scope, send: Send, start: Message) -> None:
        status = start["status"]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in _BODY_HEADERS]
        allowed = next((v.decode("latin-1") for k, v in headers if k.lower() == b"allow"), None)
        if status >= 500:
            detail = "an internal error occurred; it has been logged"
        else:
            detail = unrouted_detail(status, scope["method"], scope["path"], allowed)
        body = problem_body(status, detail)
        headers += [(b"content-type", PROBLEM_JSON), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        # HEAD: the headers of the GET answer, no content (RFC 9110 §9.3.2).
        content = b"" if scope["method"] == "HEAD" else body
        await send({"type": "http.response.body", "body": content, "more_body": False})


def _is_problem(start: Message) -> bool:
    for name, value in start.get("headers", []):
        if name.lower() == b"content-type":
            return value.split(b";", 1)[0].strip().lower() == PROBLEM_JSON
    return False


def _own_body(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    return handler is not None and bool(handler.opt.get(OWN_ERROR_BODY))


def _allow_head(start: Message) -> Message:
    """The answer with HEAD added to an ``Allow`` that names GET (Litestar leaves it out)."""
    headers = [
        (name, ", ".join(allowed_with_head(value.decode("latin-1"))).encode("latin-1"))
        if name.lower() == b"allow"
        else (name, value)
        for name, value in start.get("headers", [])
    ]
    return {**start, "headers": headers}
