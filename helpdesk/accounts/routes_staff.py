"""Staff sign-in and sign-out (password or the staff OpenID Connect provider)."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import oidc, password_form, session, staff
from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect, redirect_to, settings

log = logging.getLogger(__name__)


async def active_staff(db: AsyncSession, email: str) -> StaffAccount | None:
    account = await staff.find_by_email(db, email)
    return account if account is not None and account.active else None


STAFF_SIGNIN = password_form.PasswordSignIn(
    "accounts/staff_signin.html", "staff_home", "staff-login", active_staff
)


async def signin_page(request: Request) -> Response:
    outcome = await password_form.handle(request, STAFF_SIGNIN)
    if outcome.response is not None:
        return outcome.response
    account = outcome.account
    viewer = Viewer("staff", account.id, account.full_name, role=account.role)
    session.sign_in(request, viewer, account.session_epoch)
    return redirect(outcome.next_path)


async def signout(request: Request) -> Response:
    await session.sign_out(request)
    return redirect_to("home")


async def signout_everywhere(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    await staff.sign_out_everywhere(db(request), viewer.id)
    await session.sign_out(request)
    return redirect_to("staff_signin")


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
    return redirect_to("staff_home")


routes = [
    Route("/staff/ingresar", signin_page, methods=["GET", "POST"], name="staff_signin"),
    Route("/staff/salir", signout, methods=["POST"], name="staff_signout"),
    Route(
        "/staff/salir-todas", signout_everywhere, methods=["POST"], name="staff_signout_everywhere"
    ),
    Route("/staff/oidc", oidc_start, name="staff_oidc_start"),
    Route("/staff/oidc/callback", oidc_callback, name="staff_oidc_callback"),
]
