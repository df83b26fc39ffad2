"""How many application lookups an address, and an application number, may make per hour.

Counted in the database (``accounts.throttle``), so every web process shares the limits:
enough for a family behind one address, too few to guess documents or numbers."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request

from helpdesk.accounts import throttle
from helpdesk.core.web import client_ip, settings

WINDOW = timedelta(hours=1)


async def within_limits(request: Request, number: str) -> bool:
    """Counts this lookup against its address and its application number."""
    config = settings(request)
    limits = [
        (f"case-lookup:{client_ip(request)}", config.case_lookups_per_address),
        (f"case-number:{number.upper()}", config.case_lookups_per_number),
    ]
    return await throttle.hit_all(request.app.state.engine, limits, WINDOW)
