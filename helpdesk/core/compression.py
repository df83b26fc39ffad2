"""Responses gzipped for clients that accept it: Starlette's ``GZipMiddleware``, skipped
entirely for requests that do not ask for gzip.

For those, Starlette's identity responder only adds ``Vary: Accept-Encoding``, at about a
fifth of the cost of a kept page. Every compressed response still says ``Vary:
Accept-Encoding`` (so no cache hands it to a client that cannot read it); an uncompressed one
without it can at worst be served from a shared cache, uncompressed, to a client that could
have taken gzip (and pages, which set cookies, are not kept by shared caches).
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Receive, Scope, Send


class GZipWhenAccepted(GZipMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not any(
            name == b"accept-encoding" and b"gzip" in value
            for name, value in scope["headers"]
        ):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
