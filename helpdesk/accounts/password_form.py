"""The password sign-in form shared by staff and citizens: throttling, validation, lockout."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from helpdesk.accounts import signin, throttle
from helpdesk.accounts.forms import parse_signin
from helpdesk.core import links
from helpdesk.core.db import utcnow
from helpdesk.core.errors import TooManyRequests
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


def lockout_policy(request: Request) -> signin.LockoutPolicy:
    s = settings(request)
    return signin.LockoutPolicy(s.login_max_failures, timedelta(minutes=s.login_lock_minutes))


def locked_message(locked_until: datetime) -> str:
    minutes = max(1, math.ceil((locked_until - utcnow()).total_seconds() / 60))
    return _(
        "Por seguridad, la cuenta quedó bloqueada tras varios intentos fallidos. "
        "Intente de nuevo en %(minutes)s minutos o restablezca su contraseña.",
        minutes=minutes,
    )


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
        request.app.state.sessionmaker, account, password, lockout_policy(request)
    )
    if not result.ok or account is None:
        errors["form"] = (
            locked_message(result.locked_until)
            if result.locked_until
            else _("El correo o la contraseña no son correctos.")
        )
        return Outcome(render(request, form_spec.template, context, 401))
    return Outcome(account=account, next_path=next_path, context=context)
