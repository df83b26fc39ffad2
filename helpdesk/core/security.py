"""Passwords, one-time tokens and CSRF protection."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helpdesk.core.body_limits import BodyLimits

# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile (t=3, 64 MiB).
_hasher = PasswordHasher()
# Verified against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def configure_password_hashing(time_cost: int, memory_kib: int) -> None:
    """Set once at start-up from Settings; tests use a cheaper (still argon2id) profile."""
    global _hasher, _DUMMY_HASH
    if (_hasher.time_cost, _hasher.memory_cost) == (time_cost, memory_kib):
        return
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


CSRF_SESSION_KEY = "csrf"
CSRF_FORM_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token() -> str:
    """A URL-safe secret for links sent by email and API tokens."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a token: a leak of the table gives no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(conn: HTTPConnection) -> str:
    session = conn.session
    token = session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return str(token)


API_PREFIX = "/api/"
FailureRenderer = Callable[[Scope, Receive, Send], Awaitable[None]]


class CSRFMiddleware:
    """Refuses state-changing requests without the session's token in a header or form field.

    Requests that carry a bearer API token are exempt: a browser cannot be tricked into
    sending an Authorization header, and with one the caller is the token's owner, whatever
    cookie comes along (``session.current_viewer`` never falls back to the cookie). So are JSON
    API calls with no cookie at all (e.g. a message added with a request's private token):
    forged requests ride on the victim's cookies, and these carry none. Pages outside the API
    stay guarded even without a cookie, against login forgery.

    A form is read within ``limits``; a body it cannot parse raises Starlette's
    ``HTTPException(400)``, which ``core.body_limits.BodyLimitMiddleware`` (outside) answers.
    """

    def __init__(self, app: ASGIApp, on_failure: FailureRenderer, limits: BodyLimits) -> None:
        self.app = app
        self.on_failure = on_failure
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if headers.get("authorization", "").lower().startswith("bearer ") or (
            not headers.get("cookie") and scope["path"].startswith(API_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        expected = scope.get("session", {}).get(CSRF_SESSION_KEY)
        given = headers.get(CSRF_HEADER)
        body_messages: list[Message] = []
        if not given:
            given, body_messages = await self._token_from_body(scope, headers, receive)
        if not (expected and given and hmac.compare_digest(str(expected), str(given))):
            await self.on_failure(scope, receive, send)
            return
        if body_messages:
            receive = _replay(body_messages, receive)
        await self.app(scope, receive, send)

    async def _token_from_body(
        self, scope: Scope, headers: Headers, receive: Receive
    ) -> tuple[str | None, list[Message]]:
        content_type = headers.get("content-type", "")
        if not content_type.startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            return None, []
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            if not message.get("more_body", False):
                break
        # Starlette's own parser reads the buffered copy; the app then gets the same bytes.
        request = Request(scope, _replay(list(messages), _no_more_body))
        limits = self.limits
        async with request.form(
            max_files=limits.form_files,
            max_fields=limits.form_fields,
            max_part_size=limits.field_bytes,
        ) as form:
            value = form.get(CSRF_FORM_FIELD)
        return (value if isinstance(value, str) else None), messages


async def _no_more_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
