"""The development mail catcher's inbox, for admins: read the mail the portal would have sent.

The caught mail holds every region's private links, so only admins read it (issue 13)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.accounts.permissions import require_staff
from helpdesk.core.templating import render
from helpdesk.core.web import settings
from helpdesk.notifications.catcher import CaughtMessage, list_messages


@dataclass(frozen=True)
class DevMailPage:
    messages: list[CaughtMessage]
    directory: str


async def dev_mail(request: Request) -> Response:
    config = settings(request)
    if not config.mail_catcher:
        # The page does not exist outside development: no hint that it ever could.
        raise HTTPException(404)
    require_staff(await session.staff_viewer(request), "admin")
    messages = await asyncio.to_thread(list_messages, config.mail_catcher_dir)
    page = DevMailPage(messages=messages, directory=config.mail_catcher_dir)
    return render(request, "notifications/dev_mail.html", {"page": page})


routes = [
    Route("/staff/correo", dev_mail, name="dev_mail"),
]
