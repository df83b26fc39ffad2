"""Following an application from its page, confirming by email, and stopping from any
status email (``following.py``). Links sent by email open a page with a button (a POST):
mail scanners that open links must not follow or unfollow on the person's behalf."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts.forms import check_email, text
from helpdesk.accounts.password_form import check_rate
from helpdesk.cases import following, page, private_links
from helpdesk.cases.models import Case
from helpdesk.core import links
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import get_locale
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to, settings


def _back(case_id: int, notice: str) -> Response:
    return redirect_to(
        "case_private",
        token=private_links.token_for(case_id),
        query={page.NOTICE_PARAM: notice},
        fragment="seguir",
    )


async def follow(request: Request) -> Response:
    case_id = private_links.case_id_from(request.path_params["token"])
    case = await db(request).get(Case, case_id) if case_id is not None else None
    if case is None:
        raise NotFound("case")
    address = await page.proven_address(request)
    async with request.form(max_files=0, max_fields=5) as form:
        typed = text(form, "email", 254)
    errors: dict[str, str] = {}
    email = address.email if not typed and address.email else check_email(typed, errors)
    if errors:
        return await page.render_case(request, case, errors, {"email": typed}, 422)
    locale = following.email_locale(address, get_locale())
    if email == address.email:
        await following.follow(db(request), case.id, email, locale)
        return _back(case.id, "listo")
    # An address not proven yet: one link to it, and no more than the sign-in's rate.
    await check_rate(request, "follow-case")
    following.ask_to_confirm(db(request), case, email, locale, settings(request).base_url)
    return _back(case.id, "enviado")


async def confirm(request: Request) -> Response:
    token = request.path_params["token"]
    if request.method == "GET":
        action = links.url_path("case_follow_confirm", token=token)
        return page.private(render(request, "accounts/confirm_link.html", {"action": action}))
    case_id = await following.confirm(db(request), token)
    if case_id is None:
        return render(request, "accounts/link_invalid.html", {}, 400)
    return _back(case_id, "listo")


async def unfollow(request: Request) -> Response:
    token = request.path_params["token"]
    if request.method == "GET":
        if private_links.follower_id_from(token) is None:
            raise NotFound("follower")
        action = links.url_path("case_unfollow", token=token)
        return page.private(render(request, "cases/unfollow.html", {"action": action}))
    case_id = await following.unfollow(db(request), token)
    if case_id is None:
        # Stopped already (or a link that never was): nothing is sent either way.
        return page.private(render(request, "cases/unfollow.html", {"action": None}))
    return _back(case_id, "dejado")


routes = [
    Route("/estado/c/{token}/seguir", follow, methods=["POST"], name="case_follow"),
    Route("/estado/seguir/{token}", confirm, methods=["GET", "POST"], name="case_follow_confirm"),
    Route("/estado/dejar/{token}", unfollow, methods=["GET", "POST"], name="case_unfollow"),
]
