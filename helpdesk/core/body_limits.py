"""Request bodies: how large, how many fields and files, and the answer to one that is not.

The limits come from Settings, in one place. ``BodyLimitMiddleware`` refuses a body over its
size with 413 before reading it when Content-Length says so, and while reading it otherwise
(a chunked body, or one longer than announced). It also answers the 400 of a body that a
middleware inside it could not parse (the CSRF check reads forms before any route does):
Starlette's exception handlers only cover the routes, so such an error would otherwise end
as a 500 with a traceback; so would a client that leaves halfway through its body, which
gets no answer. Route handlers parse forms again with their own limits (Starlette's
defaults where they name none: 1000 fields and files, 1 MiB a field); their parse errors
reach the usual exception handlers, and their reads still stop at the body's size.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helpdesk.core.settings import Settings

MULTIPART = "multipart/form-data"
# The statuses of a body refused for its shape or size; other errors are not ours to answer.
REFUSALS = frozenset({400, 413})
RefusalRenderer = Callable[[Scope, Receive, Send, int], Awaitable[None]]


@dataclass(frozen=True)
class BodyLimits:
    upload_body_bytes: int  # a multipart form, which may carry files
    body_bytes: int  # every other body
    form_fields: int
    form_files: int
    field_bytes: int  # one text field, or one file part's headers

    @classmethod
    def from_settings(cls, settings: Settings) -> BodyLimits:
        return cls(
            upload_body_bytes=settings.max_upload_body_bytes,
            body_bytes=settings.max_body_bytes,
            form_fields=settings.max_form_fields,
            form_files=settings.max_form_files,
            field_bytes=settings.max_form_field_bytes,
        )

    def for_content_type(self, content_type: str) -> int:
        if content_type.lower().startswith(MULTIPART):
            return self.upload_body_bytes
        return self.body_bytes


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes its limit; answered with 413."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits, on_refusal: RefusalRenderer) -> None:
        self.app = app
        self.limits = limits
        self.on_refusal = on_refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.limits.for_content_type(headers.get("content-type", ""))
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdecimal():
                await self.on_refusal(scope, receive, send, 400)
                return
            if int(declared) > limit:
                await self.on_refusal(scope, receive, send, 413)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except HTTPException as refusal:
            if started or refusal.status_code not in REFUSALS:
                raise
            await self.on_refusal(scope, receive, send, refusal.status_code)
        except ClientDisconnect:
            # Gone while sending its body: nobody to answer, and nothing went wrong here.
            if started:
                raise
