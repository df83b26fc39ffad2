"""/citas/c/<token>: the appointment's private link, from its emails. Shows it; moves it to
another free time (day, then time: GET steps, then a POST); cancels it. A tampered, revoked
or unknown link answers 404, like an appointment that does not exist."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.appointments import booking, catalogue, page
from helpdesk.appointments.citizen import forms
from helpdesk.appointments.models import Appointment
from helpdesk.core.db import utcnow
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import gettext as _
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to, settings

PAGE = "appointments/appointment.html"


async def _opened(request: Request) -> tuple[Appointment, str]:
    found = await booking.by_token(db(request), request.path_params["token"])
    if found is None:
        raise NotFound("appointment")
    return found


async def _page(
    request: Request,
    appointment: Appointment,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    next_times: list[page.TimeChoice] | None = None,
) -> Response:
    database = db(request)
    token = request.path_params["token"]
    found = await booking.offer(database, appointment.office_id, appointment.tramite_code)
    tramite = await catalogue.tramite(database, appointment.tramite_code)
    zone = found.zone if found else ZoneInfo("America/Santiago")
    start = appointment.starts_at.astimezone(zone)
    context: dict[str, Any] = {
        "appointment": appointment,
        "token": token,
        "tramite_name": tramite.local_name[0] if tramite else appointment.tramite_code,
        "office": found.office if found else None,
        "place": page.place(found.office) if found else "",
        "when": page.when(start),
        "start_iso": start.isoformat(),
        "errors": errors or {},
        "days": [],
        "day": None,
        "times": next_times or [],
        "next_times": next_times is not None,
        "done": forms.text(request.query_params, "hecho", 12) if not errors else "",
    }
    context["changeable"] = booking.changeable(appointment, utcnow())
    if context["changeable"] and found is not None:
        span = booking.window(utcnow(), settings(request).appointment_window_days)
        priority = appointment.priority_group is not None
        free = await booking.free_times(database, found, span, priority=priority)
        context["days"] = page.day_choices(free)
        day = forms.day(request.query_params)
        if next_times is None and day is not None:
            context["day"] = day
            context["times"] = page.time_choices(free, day)
    response = render(request, PAGE, context, status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def appointment_page(request: Request) -> Response:
    appointment, _secret = await _opened(request)
    return await _page(request, appointment)


async def reschedule(request: Request) -> Response:
    appointment, secret = await _opened(request)
    async with request.form(max_files=0, max_fields=5) as form:
        start = forms.start(form)
    if start is None:
        return await _page(request, appointment, {"hora": _("Elija una hora de la lista.")}, 422)
    viewer = await session.current_viewer(request)
    try:
        await booking.reschedule(
            db(request),
            appointment,
            secret,
            start,
            session.actor(request, viewer),
            now=utcnow(),
            days_ahead=settings(request).appointment_window_days,
            base_url=settings(request).base_url,
        )
    except booking.SlotFull as full:
        message = _("Esa hora se acaba de tomar. Elija otra: estas son las siguientes libres.")
        offered = page.time_choices(full.next_times)
        return await _page(request, appointment, {"form": message}, 409, offered)
    except booking.NotOffered:
        return await _page(request, appointment, {"hora": _("Elija una hora de la lista.")}, 422)
    token = request.path_params["token"]
    return redirect_to("appointment_private", token=token, query={"hecho": "cambiada"})


async def cancel(request: Request) -> Response:
    appointment, _secret = await _opened(request)
    viewer = await session.current_viewer(request)
    try:
        await booking.cancel(db(request), appointment, session.actor(request, viewer), now=utcnow())
    except booking.NotOffered:
        return await _page(
            request, appointment, {"form": _("Esta cita ya no está reservada.")}, 409
        )
    token = request.path_params["token"]
    return redirect_to("appointment_private", token=token, query={"hecho": "anulada"})


routes = [
    Route("/citas/c/{token}", appointment_page, name="appointment_private"),
    Route("/citas/c/{token}/cambiar", reschedule, methods=["POST"], name="appointment_reschedule"),
    Route("/citas/c/{token}/anular", cancel, methods=["POST"], name="appointment_cancel"),
]
