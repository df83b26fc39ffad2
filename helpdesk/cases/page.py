"""The case's page, rendered by the lookup's routes and by following's (a refused "follow"
form shows the page again with its error): the status explained, the request form's link,
and the box to follow the application."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from helpdesk.accounts import session
from helpdesk.cases import following, view
from helpdesk.cases.models import Case
from helpdesk.core.i18n import get_locale
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db

CASE_PAGE: Final = "cases/case.html"
# What the follow box says after a follow form: "seguir=<notice>" (words in the template).
NOTICE_PARAM: Final = "seguir"
NOTICES: Final = frozenset({"listo", "enviado", "dejado"})


@dataclass(frozen=True)
class FollowBox:
    email: str | None  # the address the visitor has proven, if any
    following: bool
    notice: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def proven_address(request: Request) -> following.Address:
    viewer = await session.current_viewer(request)
    return await following.proven_address(
        db(request), viewer, request.session.get(session.VERIFIED_EMAIL)
    )


async def render_case(
    request: Request,
    case: Case,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    session_db = db(request)
    shown = await view.case_view(session_db, case, get_locale(), request.app.state.article_cache)
    address = await proven_address(request)
    notice = request.query_params.get(NOTICE_PARAM)
    box = FollowBox(
        email=address.email,
        following=await following.is_following(session_db, case.id, address.email),
        notice=notice if notice in NOTICES else None,
        errors=errors or {},
        values=values or {},
    )
    return private(render(request, CASE_PAGE, {"shown": shown, "follow": box}, status_code))
