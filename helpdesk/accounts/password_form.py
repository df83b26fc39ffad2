"""The password sign-in form shared by staff and citizens: throttling, validation, delays."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from helpdesk.accounts import signin, throttle
from helpdesk.accounts.forms import parse_signin
from helpdesk.audit.service import Actor
from helpdesk.core import links
from helpdesk.core.errors import TooManyRequests
from helpdesk.core.i18n import format_duration
from helpdesk.core.i18n import gettext as _
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import client_ip, safe_next, settings


async def check_rate(request: Request, scope: str) -> None:
    """Per-address throttling of sign-ins and lookups, shared by every worker process."""
    allowed = await throttle.hit(
        request.app.state.engine,
        f"{scope}:{client_ip(request)}",
        settings(request).login_rate_per_minute,
        timedelta(minutes=1),
    )
    if not allowed:
        raise TooManyRequests(scope)


def backoff_policy(request: Request) -> signin.BackoffPolicy:
    s = settings(request)
    return signin.BackoffPolicy(
        free_failures=s.login_max_failures,
        address_free_failures=s.login_address_max_failures,
        max_delay=timedelta(seconds=s.login_max_delay_seconds),
    )


def wait_message(retry_after: timedelta) -> str:
    """When to try again, in the page's language: seconds under a minute, else minutes."""
    seconds = math.ceil(retry_after.total_seconds())
    rounded = timedelta(seconds=seconds if seconds < 60 else 60 * math.ceil(seconds / 60))
    wait = format_duration(rounded)
    return _("Demasiados intentos fallidos. Intente de nuevo en %(wait)s.", wait=wait)


@dataclass(frozen=True)
class PasswordSignIn:
    template: str
    default_next: str  # the route name to go to when the form brings no ``next``
    rate_scope: str
    find_account: Callable[[AsyncSession, str], Awaitable[signin.Account | None]]


@dataclass
class Outcome:
    """Either a response to send as is, or a verified account and where to go next."""

    response: Response | None = None
    account: Any = None
    next_path: str = ""
    context: dict[str, Any] | None = None


async def handle(request: Request, form_spec: PasswordSignIn) -> Outcome:
    default_next = links.url_path(form_spec.default_next)
    next_path = safe_next(request.query_params.get("next"), default_next)
    context: dict[str, Any] = {"errors": {}, "email": "", "next": next_path}
    if request.method == "GET":
        return Outcome(render(request, form_spec.template, context))
    await check_rate(request, form_spec.rate_scope)
    async with request.form() as form:
        (email, password), errors = parse_signin(form)
        next_path = safe_next(str(form.get("next") or ""), default_next)
    context.update(errors=errors, email=email, next=next_path)
    if errors:
        return Outcome(render(request, form_spec.template, context, 422))
    account = await form_spec.find_account(db(request), email)
    result = await signin.check_password(
        request.app.state.sessionmaker,
        form_spec.rate_scope,
        email,
        account,
        password,
        Actor("anonymous", None, client_ip(request)),
        backoff_policy(request),
    )
    if result.retry_after:
        errors["form"] = wait_message(result.retry_after)
        response = render(request, form_spec.template, context, 429)
        response.headers["Retry-After"] = str(math.ceil(result.retry_after.total_seconds()))
        return Outcome(response)
    if not result.ok or account is None:
        errors["form"] = _("El correo o la contraseña no son correctos.")
        return Outcome(render(request, form_spec.template, context, 401))
    return Outcome(account=account, next_path=next_path, context=context)
