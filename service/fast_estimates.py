"""Estimate requests answered without Litestar's handler pipeline when nothing in them is unusual.

An estimate costs a few microseconds of arithmetic, while Litestar's pipeline for a POST handler
(request object, parameter model, body DTO, response object) costs several times that; on a
two-core machine the pipeline, not the estimate, decides how many estimates a second the service
answers (README, "Load and robustness"). :class:`FastEstimates` is route middleware on every
estimate route, so it runs after routing and inside Litestar's exception handling. It answers a
request itself when the body is sent as ``application/json`` with no ``Content-Encoding``, fits
:data:`MAX_BODY_BYTES`, and decodes strictly into the route's request Struct. Anything else
(another content type, a coding, a larger body, invalid JSON, a field the Struct refuses, an object
that repeats a key, a client gone before its body arrived) goes to
the route handler with the body replayed, so every refusal is the documented handler's own
problem response. An estimator's own error propagates as it would from the handler.

:class:`EstimateShortcut` goes one step further for the usual request, a POST to an estimate
route's exact path with no query string: it hands it to the same middleware before Litestar's
router and exception layers, and any request or error the middleware does not answer goes down
the full stack, which answers it as before.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

import msgspec
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

from pricing.jsonkeys import duplicate_key_path
from service.bodies import JSON_MEDIA_TYPE, UTF8_NAMES, strict_decoder, tiny_number_problem

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from service.cache import CacheStatus, Entry
    from service.state import ServiceState

#: Largest body this path reads; estimate bodies are a few hundred bytes, larger ones (and every
#: body over the app's upload limit) are read by the route handler, which enforces that limit.
MAX_BODY_BYTES = 64 * 1024

_CONTENT_TYPE = b"content-type"
_CONTENT_ENCODING = b"content-encoding"
_JSON = JSON_MEDIA_TYPE.encode()
_UTF8_PARAMS = frozenset(b"charset=" + name.encode() for name in UTF8_NAMES)
_DECODE_FAILURES = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)
#: Scope key set by :class:`EstimateShortcut`: the route middleware then passes straight on.
_SHORTCUT_TRIED = "spendcast.shortcut_tried"


class EstimateAnswer(Protocol):
    """What an estimate route does with a decoded request: the entry and how it was served."""

    async def __call__(
        self, current: ServiceState, data: Any, body: bytes | None = None
    ) -> tuple[Entry, CacheStatus]:
        """Answer one decoded request (``body``: the bytes it was decoded from, if known)."""
        ...


async def send_encoded(send: Send, body: bytes, cache_status: str) -> None:
    """Send a 200 with an already-encoded JSON body: status line and headers, then the body."""
    headers = [
        (b"content-type", _JSON),
        (b"content-length", str(len(body)).encode()),
        (b"x-cache", cache_status.encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def sends_plain_json(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether the body is plain JSON: one Content-Type, application/json, and no coding.

    ``charset=utf-8`` may be given. Other parameters, rarer JSON types (``+json``), any coding
    (even ``identity``) and every other case are left to the route handler, which accepts or
    refuses them.
    """
    found = [value for name, value in headers if name == _CONTENT_TYPE]
    if len(found) != 1 or any(name == _CONTENT_ENCODING for name, _ in headers):
        return False
    media_type, _, params = found[0].partition(b";")
    if media_type.strip().lower() != _JSON:
        return False
    # A parameter other than charset=utf-8 (charset=latin-1 is a 415) is the handler's to judge.
    return not params or params.strip().lower().replace(b'"', b"") in _UTF8_PARAMS


async def read_small_body(receive: Receive, limit_bytes: int) -> tuple[list[Message], bytes | None]:
    """Read a request body of at most ``limit_bytes``.

    Returns:
        Every message received, in order (to replay them), and the whole body; the body is None
        when it is larger than the limit or the client disconnected before it was complete.
    """
    messages: list[Message] = []
    chunks: list[bytes] = []
    size_bytes = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunk = message.get("body", b"")
        size_bytes += len(chunk)
        if size_bytes > limit_bytes:
            return messages, None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def replaying(messages: list[Message], receive: Receive) -> Receive:
    """A receive callable that returns ``messages`` first, then what ``receive`` returns."""
    pending = deque(messages)

    async def replayed() -> Message:
        if pending:
            return pending.popleft()
        return await receive()

    return replayed  # type: ignore[return-value]


class FastEstimates(ASGIMiddleware):
    """Route middleware of one estimate route: answers plain, valid requests itself."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, request_type: type, answer: EstimateAnswer) -> None:
        """Build the middleware of one route.

        Args:
            request_type: The route's request Struct, decoded as the route handler decodes it.
            answer: What the route handler does with a decoded request.
        """
        self._decoder = strict_decoder(request_type)
        self._answer = answer

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Answer the request, or hand it to the route handler with its body replayed."""
        if scope.get(_SHORTCUT_TRIED):
            # EstimateShortcut already decoded it (and ran the estimator, if it decoded).
            await next_app(scope, receive, send)
            return
        await self.answer_or_pass(scope, receive, send, next_app, errors_pass=False)

    async def answer_or_pass(
        self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp, *, errors_pass: bool
    ) -> None:
        """Answer a plain valid request; pass any other to ``next_app`` with its body replayed.

        Args:
            scope: The request's scope; ``litestar_app`` must be set.
            receive: The request's receive callable.
            send: The request's send callable.
            next_app: What answers the requests this path does not.
            errors_pass: Whether an estimator's error goes to ``next_app`` too (outside
                Litestar, where nothing would turn it into its problem response) instead of
                propagating to Litestar's exception handling.
        """
        current: ServiceState = scope["litestar_app"].state.service
        if not current.settings.fast_estimates or not sends_plain_json(scope["headers"]):
            await next_app(scope, receive, send)
            return

        limit_bytes = min(MAX_BODY_BYTES, current.settings.max_upload_bytes)
        messages, body = await read_small_body(receive, limit_bytes)
        data = self._decode(body)
        if data is None:
            await next_app(scope, replaying(messages, receive), send)
            return

        try:
            entry, cache_status = await self._answer(current, data, body)
        except Exception:
            if not errors_pass:
                raise
            # The route handler meets the same error and answers its documented problem.
            await next_app(scope, replaying(messages, receive), send)
            return
        await send_encoded(send, entry.body, cache_status)

    def _decode(self, body: bytes | None) -> Any:
        # None when the route handler must see the request (request Structs never decode to None).
        if body is None:
            return None
        try:
            data = self._decoder.decode(body)
            # A repeated key, or a number read as 0 that is not 0, is refused by the route
            # handler, which names it.
            if duplicate_key_path(body) is not None or tiny_number_problem(body) is not None:
                return None
        except _DECODE_FAILURES:
            return None
        return data


class EstimateShortcut:
    """ASGI wrapper that sends estimate POSTs to their route's :class:`FastEstimates` directly.

    Route middleware runs only after Litestar's own layers (router, exception handling, the
    query check) and the app's wrappers; for a computed estimate these cost about as much as the
    estimate itself, 20 of 50 µs in process. This wrapper sits inside the metrics middleware and
    takes a POST whose path is exactly an estimate route's and whose query string is empty (so
    there is nothing for those layers to refuse). Whatever the shortcut does not answer itself,
    an error of the estimator included, goes through the full stack with its body replayed.
    """

    def __init__(self, app: ASGIApp, litestar_app: Any, routes: dict[str, FastEstimates]) -> None:
        """Wrap ``app``.

        Args:
            app: The full stack below this wrapper.
            litestar_app: The Litestar application (its state holds the service).
            routes: Each estimate route's path and its middleware.
        """
        self.app = app
        self._litestar_app = litestar_app
        self._routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer an estimate through its shortcut, or pass the request on."""
        fast = None
        if scope["type"] == "http" and scope["method"] == "POST" and not scope["query_string"]:
            fast = self._routes.get(scope["path"])
        if fast is None:
            await self.app(scope, receive, send)
            return
        # What Litestar would set: the app for the service state, the template for the metrics.
        scope["litestar_app"] = self._litestar_app
        scope["path_template"] = scope["path"]
        scope[_SHORTCUT_TRIED] = True
        await fast.answer_or_pass(scope, receive, send, self.app, errors_pass=True)


def shortcut_routes(handlers: Iterable[Any]) -> dict[str, FastEstimates]:
    """Each path of the route handlers that carry :class:`FastEstimates`, with that middleware."""
    return {
        path: middleware
        for handler in handlers
        for middleware in handler.middleware
        if isinstance(middleware, FastEstimates)
        for path in handler.paths
    }
