"""Citizen sign-in: ClaveÚnica, portal accounts, email links, and proof of email without account."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import citizens, email_tokens, oidc, password_form, session
from helpdesk.accounts.forms import (
    check_email,
    check_new_password,
    parse_registration,
    text,
)
from helpdesk.accounts.models import CitizenAccount
from helpdesk.accounts.password_form import check_rate
from helpdesk.core import language, links
from helpdesk.core.countries import COMMON, country_names
from helpdesk.core.i18n import get_locale
from helpdesk.core.i18n import gettext as _
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect, redirect_to, remember_locale, safe_next, settings
from helpdesk.people.models import DOCUMENT_TYPES

log = logging.getLogger(__name__)


def email_form(
    request: Request, kind: str, errors: dict[str, str], email: str = "", **extra: str
) -> Response:
    """The one-field email forms: password recovery, ClaveÚnica's missing email, proof of email."""
    texts = {
        "recover": (
            _("Recuperar contraseña"),
            _(
                "Escriba el correo de su cuenta. Le enviaremos un enlace para crear "
                "una contraseña nueva."
            ),
            "citizen_recover",
        ),
        "ask_email": (
            _("Su correo electrónico"),
            _(
                "ClaveÚnica no nos entrega su correo. Escríbalo para recibir las respuestas y "
                "avisos; le enviaremos un enlace para confirmarlo."
            ),
            "citizen_ask_email",
        ),
        "prove_email": (
            _("Confirmar mi correo"),
            _("Sin cuenta, cada consulta se confirma con un enlace enviado a su correo."),
            "prove_email",
        ),
    }
    heading, intro, action = texts[kind]
    context = {
        "heading": heading,
        "intro": intro,
        "action": links.url_path(action),
        "errors": errors,
        "email": email,
    }
    return render(request, "accounts/email_form.html", {**context, **extra}, 422 if errors else 200)


def _with_profile_language(
    request: Request, response: Response, account: CitizenAccount
) -> Response:
    """After signing in, the interface speaks the person's profile language until they
    switch (``core.language.after_sign_in``; switching writes the profile too)."""
    locale = language.after_sign_in(profile=account.person.preferred_locale, current=get_locale())
    remember_locale(response, locale, settings(request).session_https_only)
    return response


CITIZEN_SIGNIN = password_form.PasswordSignIn(
    "accounts/signin.html", "citizen_profile", "citizen-login", citizens.find_portal_account
)


async def signin_page(request: Request) -> Response:
    outcome = await password_form.handle(request, CITIZEN_SIGNIN)
    if outcome.response is not None:
        return outcome.response
    account = outcome.account
    if account.person.email_verified_at is None:
        context = {**(outcome.context or {})}
        context["errors"]["form"] = _(
            "Primero confirme su correo: le enviamos un enlace al registrarse."
        )
        return render(request, "accounts/signin.html", context, 403)
    session.sign_in(request, citizens.viewer_for(account), account.session_epoch)
    return _with_profile_language(request, redirect(outcome.next_path), account)


async def register_page(request: Request) -> Response:
    context = {
        "errors": {},
        "values": {},
        "countries": country_names(get_locale()),
        "common_countries": len(COMMON),
        "document_types": DOCUMENT_TYPES,
    }
    if request.method == "GET":
        return render(request, "accounts/register.html", context)
    await check_rate(request, "register")
    async with request.form() as form:
        data, errors = parse_registration(form)
        values = {
            k: text(form, k)
            for k in form
            if k not in ("password", "password_confirm", "csrf_token")
        }
    context.update(errors=errors, values=values)
    if errors:
        return render(request, "accounts/register.html", context, 422)
    registration = citizens.Registration(
        data["identity"], data["email"], data["password"], get_locale()
    )
    await citizens.register_portal_account(
        db(request), registration, settings(request).base_url, session.actor(request, None)
    )
    return redirect_to("check_your_email")


async def check_your_email(request: Request) -> Response:
    return render(request, "accounts/check_email.html")


async def verify_email(request: Request) -> Response:
    token = request.path_params["token"]
    if request.method == "GET":
        action = links.url_path("verify_email", token=token)
        return render(request, "accounts/confirm_link.html", {"action": action})
    person = await citizens.verify_email(db(request), token, session.actor(request, None))
    if person is None:
        return render(request, "accounts/link_invalid.html", {}, 400)
    return render(request, "accounts/email_verified.html")


async def recover_page(request: Request) -> Response:
    if request.method == "GET":
        return email_form(request, "recover", {})
    await check_rate(request, "recover")
    async with request.form() as form:
        errors: dict[str, str] = {}
        email = check_email(text(form, "email", 254), errors)
    if errors:
        return email_form(request, "recover", errors, email)
    await citizens.request_password_reset(
        db(request), email, get_locale(), settings(request).base_url
    )
    return redirect_to("check_your_email")


async def reset_page(request: Request) -> Response:
    token = request.path_params["token"]
    if request.method == "GET":
        if not await email_tokens.peek(db(request), "password_reset", token):
            return render(request, "accounts/link_invalid.html", {}, 400)
        return render(request, "accounts/reset.html", {"errors": {}})
    async with request.form() as form:
        errors: dict[str, str] = {}
        password = str(form.get("password") or "")
        check_new_password(password, str(form.get("password_confirm") or ""), errors)
    if errors:
        return render(request, "accounts/reset.html", {"errors": errors}, 422)
    if not await citizens.reset_password(
        db(request), token, password, session.actor(request, None)
    ):
        return render(request, "accounts/link_invalid.html", {}, 400)
    return render(request, "accounts/password_changed.html")


async def signout(request: Request) -> Response:
    was_claveunica = request.session.get("claveunica")
    await session.sign_out(request)
    s = settings(request)
    if was_claveunica and s.claveunica_enabled:
        # ClaveÚnica's logout is a top-level navigation that comes back to us.
        home = links.absolute_url(s.base_url, "home")
        return redirect(f"{s.claveunica_logout_url}?redirect={home}")
    return redirect_to("home")


async def signout_everywhere(request: Request) -> Response:
    viewer = await session.citizen_viewer(request)
    await citizens.sign_out_everywhere(db(request), viewer.id)
    await session.sign_out(request)
    return redirect_to("home")


# --- ClaveÚnica


async def claveunica_start(request: Request) -> Response:
    if not settings(request).claveunica_enabled:
        return render(request, "errors/error.html", {"status": 404}, 404)
    try:
        return await oidc.start_login(
            request, oidc.CLAVEUNICA, str(request.url_for("claveunica_callback"))
        )
    except oidc.OIDCFailure as failure:
        log.warning("ClaveÚnica unavailable: %s", failure.reason)
        return render(request, "accounts/oidc_failed.html", {"staff": False, "down": True}, 503)


async def claveunica_callback(request: Request) -> Response:
    try:
        claims = await oidc.finish_login(request, oidc.CLAVEUNICA, userinfo_by_post=True)
        ident = citizens.parse_claveunica_userinfo(claims)
    except (oidc.OIDCFailure, citizens.ClaveUnicaError) as failure:
        log.warning("ClaveÚnica sign-in refused: %s", failure)
        cancelled = isinstance(failure, oidc.OIDCCancelled)
        context = {"staff": False, "cancelled": cancelled}
        return render(request, "accounts/oidc_failed.html", context, 200 if cancelled else 400)
    account = await citizens.sign_in_with_claveunica(
        db(request), ident, get_locale(), session.actor(request, None)
    )
    session.sign_in(request, citizens.viewer_for(account), account.session_epoch)
    request.session["claveunica"] = True
    if account.person.email_verified_at is None:
        return _with_profile_language(request, redirect_to("citizen_ask_email"), account)
    return _with_profile_language(request, redirect_to("citizen_profile"), account)


async def ask_email(request: Request) -> Response:
    """ClaveÚnica gives no email: ask for one and verify it."""
    viewer = await session.citizen_viewer(request)
    if request.method == "GET":
        return email_form(request, "ask_email", {})
    async with request.form() as form:
        errors: dict[str, str] = {}
        email = check_email(text(form, "email", 254), errors)
    if errors:
        return email_form(request, "ask_email", errors, email)
    assert viewer.person_id is not None
    await citizens.send_verification_to(
        db(request), viewer.person_id, email, get_locale(), settings(request).base_url
    )
    return redirect_to("check_your_email")


# --- No account: prove an email address by a one-time link


async def prove_email(request: Request) -> Response:
    home = links.url_path("home")
    next_path = safe_next(request.query_params.get("next"), home)
    if request.method == "GET":
        return email_form(request, "prove_email", {}, next=next_path)
    await check_rate(request, "prove-email")
    async with request.form() as form:
        errors: dict[str, str] = {}
        email = check_email(text(form, "email", 254), errors)
        next_path = safe_next(str(form.get("next") or ""), home)
    if errors:
        return email_form(request, "prove_email", errors, email, next=next_path)
    citizens.send_email_proof(
        db(request), email, get_locale(), settings(request).base_url, next_path
    )
    return redirect_to("check_your_email")


async def confirm_email_proof(request: Request) -> Response:
    if request.method == "GET":
        action = links.url_path("confirm_email_proof", token=request.path_params["token"])
        return render(request, "accounts/confirm_link.html", {"action": action})
    proof = await citizens.confirm_email_proof(db(request), request.path_params["token"])
    if proof is None:
        return render(request, "accounts/link_invalid.html", {}, 400)
    email, next_path = proof
    request.session[session.VERIFIED_EMAIL] = email
    return redirect(next_path)


routes = [
    Route("/cuenta/ingresar", signin_page, methods=["GET", "POST"], name="citizen_signin"),
    Route("/cuenta/registro", register_page, methods=["GET", "POST"], name="citizen_register"),
    Route("/cuenta/revise-su-correo", check_your_email, name="check_your_email"),
    Route("/cuenta/verificar/{token}", verify_email, methods=["GET", "POST"], name="verify_email"),
    Route("/cuenta/recuperar", recover_page, methods=["GET", "POST"], name="citizen_recover"),
    Route("/cuenta/restablecer/{token}", reset_page, methods=["GET", "POST"], name="citizen_reset"),
    Route("/cuenta/salir", signout, methods=["POST"], name="citizen_signout"),
    Route(
        "/cuenta/salir-todas",
        signout_everywhere,
        methods=["POST"],
        name="citizen_signout_everywhere",
    ),
    Route("/cuenta/correo", ask_email, methods=["GET", "POST"], name="citizen_ask_email"),
    Route("/auth/claveunica", claveunica_start, name="claveunica_start"),
    Route("/auth/claveunica/callback", claveunica_callback, name="claveunica_callback"),
    Route("/correo", prove_email, methods=["GET", "POST"], name="prove_email"),
    Route(
        "/correo/confirmar/{token}",
        confirm_email_proof,
        methods=["GET", "POST"],
        name="confirm_email_proof",
    ),
]
