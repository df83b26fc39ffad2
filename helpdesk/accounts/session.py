"""Who is signed in: the session's viewer, checked against the database once per request."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection, Request

from helpdesk.accounts import citizens, ended_sessions, staff
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.service import Actor
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import client_ip, settings

SESSION_VIEWER = "viewer"
# An address proven by a code, before or without an account: the request form fills it in.
VERIFIED_EMAIL = "verified_email"


def sign_in(request: Request, viewer: Viewer, epoch: int, locale: str | None = None) -> None:
    """A fresh session (no fixation) holding who signed in, under an id of its own."""
    request.session.clear()
    request.session[SESSION_VIEWER] = {
        "kind": viewer.kind,
        "id": viewer.id,
        "name": viewer.name,
        "role": viewer.role,
        "epoch": epoch,
        "sid": ended_sessions.new_session_id(),
    }


async def sign_out(request: Request) -> None:
    """Ends the session on the server too, so that a copy of the cookie stops working."""
    data: dict[str, Any] | None = request.session.get(SESSION_VIEWER)
    if data and data.get("sid"):
        max_age = settings(request).session_max_age
        await ended_sessions.end(db(request), str(data["sid"]), max_age)
    request.session.clear()


async def current_viewer(request: HTTPConnection) -> Viewer | None:
    """The viewer behind the session or API token, checked against the database once per request."""
    if hasattr(request.state, "viewer"):
        return request.state.viewer  # type: ignore[no-any-return]
    viewer: Viewer | None = None
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        viewer = await staff.viewer_for_api_token(db(request), auth[7:].strip())
    else:
        data: dict[str, Any] | None = request.session.get(SESSION_VIEWER)
        if data:
            viewer = await _session_viewer(request, data)
            if viewer is None:  # signed out, disabled or signed out everywhere
                request.session.pop(SESSION_VIEWER, None)
    request.state.viewer = viewer
    return viewer


async def _session_viewer(request: HTTPConnection, data: dict[str, Any]) -> Viewer | None:
    sid = data.get("sid")
    # A session without an id (from before sessions had one) counts as signed out.
    if not sid or await ended_sessions.is_ended(db(request), str(sid)):
        return None
    if data.get("kind") == "staff":
        return await staff.load_viewer(db(request), int(data["id"]), int(data["epoch"]))
    if data.get("kind") == "citizen":
        return await citizens.load_viewer(db(request), int(data["id"]), int(data["epoch"]))
    return None


def actor(request: HTTPConnection, viewer: Viewer | None) -> Actor:
    if viewer is None:
        return Actor("anonymous", None, client_ip(request))
    return Actor(viewer.kind, viewer.id, client_ip(request))


class SignInRequired(Exception):
    """Raised by pages that need a signed-in viewer; answered with a redirect to sign in."""

    def __init__(self, staff: bool) -> None:
        super().__init__("sign in required")
        self.staff = staff


async def staff_viewer(request: HTTPConnection) -> Viewer:
    viewer = await current_viewer(request)
    if viewer is None:
        raise SignInRequired(staff=True)
    return viewer


async def citizen_viewer(request: HTTPConnection) -> Viewer:
    viewer = await current_viewer(request)
    if viewer is None:
        raise SignInRequired(staff=False)
    return viewer
