"""HEAD on every GET route: the GET answer's status and headers, without its content.

RFC 9110 §9.1 asks every general-purpose server to support GET and HEAD, and §9.3.2 defines HEAD
as GET without content. Litestar routes only the methods a handler declares, so without this a
HEAD (a cache revalidating a pricing table, a load balancer's probe) was a 405.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware that answers HEAD as GET and drops the body.

    A route without GET still answers 405, with the GET answer's ``Allow`` header.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass every request on; a HEAD goes on as a GET whose body is not sent."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        # A copy: the server still sees HEAD in its own scope (uvicorn then expects no body
        # even though Content-Length is the GET answer's, as HEAD requires).
        as_get = dict(scope)
        as_get["method"] = "GET"

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.start" and "route_handler" in as_get:
                # The problem guard outside reads the route's options (see service.guard).
                scope["route_handler"] = as_get["route_handler"]
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        try:
            await self.app(as_get, receive, send_without_body)  # type: ignore[arg-type]
        finally:
            # The metrics middleware outside labels the request by the route it matched.
            if "path_template" in as_get:
                scope["path_template"] = as_get["path_template"]
