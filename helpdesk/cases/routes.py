"""/estado: "where is my application?" for the person, without JavaScript.

The form posts the application number and the document; a match shows the case's page, and
a wrong number or a wrong document the same "not found" (no enumeration). Lookups are
counted per address and per application number, in the database, so every web process
shares the limits. A signed-in person also sees their own applications without typing: by
RUN after ClaveÚnica, and those they looked up while signed in. Each case's private link
(``/estado/c/<token>``) opens it again without the form: from that list and from emails.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.audit import service as audit
from helpdesk.cases import lookup, page, private_links, view
from helpdesk.cases.limits import within_limits
from helpdesk.cases.models import Case
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import gettext as _
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.people.models import Person

PAGE = "cases/lookup.html"


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def _signed_in_person(request: Request) -> Person | None:
    viewer = await session.current_viewer(request)
    if viewer is None or viewer.kind != "citizen" or viewer.person_id is None:
        return None
    return await db(request).get(Person, viewer.person_id)


async def _form_page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    person = await _signed_in_person(request)
    mine = await lookup.cases_of_person(db(request), person.id, person.run) if person else []
    context = {
        "values": values or {},
        "errors": errors or {},
        "mine": view.summaries(mine),
        "signed_in": person is not None,
    }
    return _private(render(request, PAGE, context, status_code))


async def _case_page(request: Request, case: Case) -> Response:
    return await page.render_case(request, case)


async def lookup_page(request: Request) -> Response:
    return await _form_page(request)


async def look_up(request: Request) -> Response:
    async with request.form(max_files=0, max_fields=5) as form:
        values = {
            "numero": str(form.get("numero", "")),
            "documento": str(form.get("documento", "")),
        }
    query, errors = lookup.parse_query(values["numero"], values["documento"])
    if query is None:
        return await _form_page(request, values, errors, 422)
    if not await within_limits(request, query.number):
        message = _("Hizo muchas consultas seguidas. Espere una hora e intente de nuevo.")
        return await _form_page(request, values, {"form": message}, 429)
    case = await lookup.find(db(request), query)
    if case is None:
        message = _(
            "No encontramos una solicitud con ese número y ese documento. Revise ambos datos: "
            "el número está en el comprobante de su solicitud."
        )
        return await _form_page(request, values, {"form": message}, 404)
    person = await _signed_in_person(request)
    if person is not None and case.person_id is None:
        # Number and document proved: the case joins the person's list.
        case.person_id = person.id
        actor = session.actor(request, await session.current_viewer(request))
        audit.record(
            db(request), actor, "case.person", "case", case.id, {"person_id": [None, person.id]}
        )
    return await _case_page(request, case)


async def case_page(request: Request) -> Response:
    case_id = private_links.case_id_from(request.path_params["token"])
    case = await db(request).get(Case, case_id) if case_id is not None else None
    if case is None:
        raise NotFound("case")
    return await _case_page(request, case)


routes = [
    Route("/estado", lookup_page, name="case_lookup"),
    Route("/estado", look_up, methods=["POST"], name="case_lookup_submit"),
    Route("/estado/c/{token}", case_page, name="case_private"),
]
