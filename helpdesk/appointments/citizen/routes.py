"""/citas: booking an appointment at an office, step by step and without JavaScript.

Each step is a GET form that adds one choice to the query (trámite → office and priority
group → day → time), so the back button and a phone's reload work; only the booking itself
is a POST. Booking needs a proven address: a signed-in person's verified email, or one the
session proved through the request form's email proof (``prove_email``, back here after).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.appointments import booking, catalogue, page, private_links
from helpdesk.appointments.citizen import forms
from helpdesk.core import language, links
from helpdesk.core.db import utcnow
from helpdesk.core.i18n import get_locale
from helpdesk.core.i18n import gettext as _
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to, settings

PAGE = "appointments/book.html"


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def _steps(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    next_times: list[page.TimeChoice] | None = None,
) -> Response:
    """The booking page at the furthest step the values reach."""
    database = db(request)
    viewer = await session.current_viewer(request)
    who = await catalogue.booker(database, viewer, request.session.get(session.VERIFIED_EMAIL))
    context: dict[str, Any] = {
        "step": "tramite",
        "values": values,
        "errors": errors,
        "tramites": await catalogue.tramites(database),
        "who": who,
        "priority_names": page.priority_names(),
    }
    code = forms.text(values, "tramite")
    tramite = await catalogue.tramite(database, code) if code else None
    if tramite is None:
        if code and "tramite" not in errors:
            errors["tramite"] = _("Elija un trámite de la lista.")
            status_code = 422
        return _private(render(request, PAGE, context, status_code))
    context.update(step="office", tramite=tramite)
    offices = await catalogue.offices(database, code, who.region_code)
    context["offices"] = [(o, page.place(o)) for o in offices]
    office_id = forms.office_id(values)
    group, problem = forms.priority_group(values)
    office = next((o for o in offices if o.id == office_id), None)
    found = await booking.offer(database, office.id, code) if office else None
    if found is None or problem:
        if (values.get("oficina") or problem) and status_code == 200:
            errors.setdefault(
                "oficina" if not problem else "prioridad",
                problem or _("Elija una oficina de la lista."),
            )
            status_code = 422
        return _private(render(request, PAGE, context, status_code))
    span = booking.window(utcnow(), settings(request).appointment_window_days)
    free = await booking.free_times(database, found, span, priority=group is not None)
    context.update(step="day", office=found.office, place=page.place(found.office))
    context["days"] = page.day_choices(free)
    day = forms.day(values)
    if day is None or not any(c.day == day for c in context["days"]):
        return _private(render(request, PAGE, context, status_code))
    context.update(step="time", day=day, times=page.time_choices(free, day), next_times=False)
    if next_times is not None:
        context.update(times=next_times, next_times=True)
    context["day_label"] = next(c.label for c in context["days"] if c.day == day)
    back = links.url_path(
        "appointment_book", query=[(k, v) for k, v in values.items() if k != "hora"]
    )
    context["prove_url"] = links.url_path("prove_email", query={"next": back})
    return _private(render(request, PAGE, context, status_code))


async def book_page(request: Request) -> Response:
    values = {
        k: forms.text(request.query_params, k) for k in ("tramite", "oficina", "prioridad", "dia")
    }
    return await _steps(request, {k: v for k, v in values.items() if v}, {})


async def book(request: Request) -> Response:
    async with request.form(max_files=0, max_fields=10) as form:
        values = {
            k: forms.text(form, k) for k in ("tramite", "oficina", "prioridad", "dia", "hora")
        }
    database = db(request)
    viewer = await session.current_viewer(request)
    who = await catalogue.booker(database, viewer, request.session.get(session.VERIFIED_EMAIL))
    if who.email is None:
        message = _("Para reservar, confirme primero su correo o ingrese a su cuenta.")
        return await _steps(request, values, {"form": message}, 403)
    start = forms.start(values)
    office_id = forms.office_id(values)
    group, problem = forms.priority_group(values)
    if start is None or office_id is None or problem:
        return await _steps(
            request, values, {"hora": problem or _("Elija una hora de la lista.")}, 422
        )
    choice = booking.Choice(office_id, values.get("tramite", ""), start, group)
    locale = language.email_language(profile=who.profile_locale, page=get_locale())
    booker = booking.Booker(who.email, locale, who.name, who.person_id)
    try:
        appointment, secret = await booking.book(
            database,
            choice,
            booker,
            session.actor(request, viewer),
            now=utcnow(),
            days_ahead=settings(request).appointment_window_days,
            base_url=settings(request).base_url,
        )
    except booking.SlotFull as full:
        return await _taken(request, values, full)
    except booking.AlreadyBooked:
        message = _(
            "Ya tiene una cita para este trámite. Para cambiarla o anularla, use el enlace"
            " privado del correo de confirmación."
        )
        return await _steps(request, values, {"form": message}, 409)
    except booking.NotOffered:
        return await _steps(request, values, {"hora": _("Elija una hora de la lista.")}, 422)
    token = private_links.token_for(appointment.id, secret)
    return redirect_to("appointment_private", token=token, query={"hecho": "reservada"})


async def _taken(request: Request, values: dict[str, Any], full: booking.SlotFull) -> Response:
    message = _("Esa hora se acaba de tomar. Elija otra: estas son las siguientes libres.")
    offered = page.time_choices(full.next_times)
    return await _steps(request, values, {"form": message}, 409, next_times=offered)


routes = [
    Route("/citas", book_page, name="appointment_book"),
    Route("/citas", book, methods=["POST"], name="appointment_book_submit"),
]
