"""Staff sign-in and sign-out (password or the staff OpenID Connect provider)."""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import oidc, session, signin, staff, throttle
from helpdesk.accounts.forms import parse_signin
from helpdesk.accounts.permissions import Viewer
from helpdesk.core.db import utcnow
from helpdesk.core.errors import TooManyRequests
from helpdesk.core.i18n import gettext as _
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import client_ip, redirect, safe_next, settings

log = logging.getLogger(__name__)


def lockout_policy(request: Request) -> signin.LockoutPolicy:
    s = settings(request)
    return signin.LockoutPolicy(s.login_max_failures, timedelta(minutes=s.login_lock_minutes))


async def check_rate(request: Request, scope: str) -> None:
    allowed = await throttle.hit(
        request.app.state.sessionmaker,
        f"{scope}:{client_ip(request)}",
        settings(request).login_rate_per_minute,
        timedelta(minutes=1),
    )
    if not allowed:
        raise TooManyRequests("login rate")


def locked_message(locked_until: datetime) -> str:
    minutes = max(1, math.ceil((locked_until - utcnow()).total_seconds() / 60))
    return _(
        "Por seguridad, la cuenta quedó bloqueada tras varios intentos fallidos. "
        "Intente de nuevo en %(minutes)s minutos o restablezca su contraseña.",
        minutes=minutes,
    )


async def signin_page(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"), "/staff")
    if request.method == "GET":
        return render(
            request, "accounts/staff_signin.html", {"errors": {}, "email": "", "next": next_path}
        )
    await check_rate(request, "staff-login")
    async with request.form() as form:
        (email, password), errors = parse_signin(form)
        next_path = safe_next(str(form.get("next") or ""), "/staff")
    context = {"errors": errors, "email": email, "next": next_path}
    if errors:
        return render(request, "accounts/staff_signin.html", context, 422)
    account = await staff.find_by_email(db(request), email)
    if account is not None and not account.active:
        account = None
    result = await signin.check_password(
        request.app.state.sessionmaker, account, password, lockout_policy(request)
    )
    if not result.ok:
        if result.locked_until is not None:
            errors["form"] = locked_message(result.locked_until)
        else:
            errors["form"] = _("El correo o la contraseña no son correctos.")
        return render(request, "accounts/staff_signin.html", context, 401)
    assert account is not None
    viewer = Viewer("staff", account.id, account.full_name, role=account.role)
    session.sign_in(request, viewer, account.session_epoch)
    return redirect(next_path)


async def signout(request: Request) -> Response:
    session.sign_out(request)
    return redirect("/")


async def signout_everywhere(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    await staff.sign_out_everywhere(db(request), viewer.id)
    session.sign_out(request)
    return redirect("/staff/ingresar")


async def oidc_start(request: Request) -> Response:
    if not settings(request).staff_oidc_enabled:
        return render(request, "errors/error.html", {"status": 404}, 404)
    try:
        return await oidc.start_login(
            request, oidc.STAFF, str(request.url_for("staff_oidc_callback"))
        )
    except oidc.OIDCFailure as failure:
        log.warning("staff OIDC provider unavailable: %s", failure.reason)
        return render(request, "accounts/oidc_failed.html", {"staff": True, "down": True}, 503)


async def oidc_callback(request: Request) -> Response:
    try:
        claims = await oidc.finish_login(request, oidc.STAFF, userinfo_by_post=False)
    except oidc.OIDCFailure as failure:
        log.warning("staff OIDC sign-in refused: %s", failure.reason)
        cancelled = isinstance(failure, oidc.OIDCCancelled)
        context = {"staff": True, "cancelled": cancelled}
        return render(request, "accounts/oidc_failed.html", context, 200 if cancelled else 400)
    account = await staff.account_for_oidc_claims(db(request), claims)
    if account is None:
        return render(request, "accounts/oidc_failed.html", {"staff": True, "unknown": True}, 403)
    viewer = Viewer("staff", account.id, account.full_name, role=account.role)
    session.sign_in(request, viewer, account.session_epoch)
    return redirect("/staff")


routes = [
    Route("/staff/ingresar", signin_page, methods=["GET", "POST"], name="staff_signin"),
    Route("/staff/salir", signout, methods=["POST"], name="staff_signout"),
    Route(
        "/staff/salir-todas", signout_everywhere, methods=["POST"], name="staff_signout_everywhere"
    ),
    Route("/staff/oidc", oidc_start, name="staff_oidc_start"),
    Route("/staff/oidc/callback", oidc_callback, name="staff_oidc_callback"),
]
