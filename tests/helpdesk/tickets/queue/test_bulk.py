"""Bulk actions: all or nothing, region and status-flow refusals naming the folio, who may
assign to others; and the queue's bulk form over HTTP."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser

import pytest
from sqlalchemy import select, update

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.core.errors import PermissionDenied
from helpdesk.reference.models import Office
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queue import bulk, tags
from helpdesk.tickets.queue.bulk import BulkAction, BulkRefused
from helpdesk.tickets.service import NewRequest, open_request
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text


async def staff(sessionmaker, role: str, office: str | None = None) -> Viewer:
    email = await staff_member(sessionmaker, role, office)
    async with sessionmaker() as db:
        account, region = (
            await db.execute(
                select(StaffAccount, Office.region_code)
                .outerjoin(Office, Office.id == StaffAccount.office_id)
                .where(StaffAccount.email == email)
            )
        ).one()
    return Viewer("staff", account.id, account.full_name, role=role, region_code=region)


def actor(viewer: Viewer) -> Actor:
    return Actor("staff", viewer.id)


async def new_requests(sessionmaker, *regions: str, status: str | None = None) -> list[Ticket]:
    made = []
    async with sessionmaker() as db, db.begin():
        for region in regions:
            email = f"b.{uuid.uuid4().hex[:8]}@test.portal"
            data = NewRequest("consulta", "Lote", "Texto", "web", email, "es", region_code=region)
            opened = await open_request(db, data, Actor("anonymous", None), "http://x")
            made.append(opened.ticket)
        if status is not None:
            await db.execute(
                update(Ticket).where(Ticket.id.in_([r.id for r in made])).values(status=status)
            )
    return made


async def reload(sessionmaker, made: list[Ticket]) -> list[Ticket]:
    async with sessionmaker() as db:
        rows = {
            r.id: r
            for r in await db.scalars(select(Ticket).where(Ticket.id.in_([m.id for m in made])))
        }
    return [rows[m.id] for m in made]


async def run(sessionmaker, viewer: Viewer, action: BulkAction) -> int:
    async with sessionmaker() as db, db.begin():
        return await bulk.apply(db, viewer, action, actor(viewer))


def folios(made: list[Ticket]) -> tuple[str, ...]:
    return tuple(r.folio for r in made)


async def test_take_assigns_every_request_and_opens_new_ones(sessionmaker) -> None:
    agent = await staff(sessionmaker, "regional_agent", "santiago")
    made = await new_requests(sessionmaker, "RM", "RM", "RM")
    lowercase = tuple(f.lower() for f in folios(made))
    assert await run(sessionmaker, agent, BulkAction("tomar", lowercase + lowercase[:1])) == 3
    for row in await reload(sessionmaker, made):
        assert (row.assignee_id, row.status) == (agent.id, "abierto")
    # Taking them again changes nothing.
    assert await run(sessionmaker, agent, BulkAction("tomar", folios(made))) == 0


async def test_one_refused_move_leaves_every_request_unchanged(sessionmaker) -> None:
    agent = await staff(sessionmaker, "regional_agent", "santiago")
    fresh = await new_requests(sessionmaker, "RM", "RM")
    resolved = await new_requests(sessionmaker, "RM", status="resuelto")
    batch = fresh + resolved
    with pytest.raises(BulkRefused) as refused:
        await run(
            sessionmaker, agent, BulkAction("estado", folios(batch), status="en_espera_ciudadano")
        )
    assert refused.value.folio == resolved[0].folio
    assert refused.value.message.startswith(resolved[0].folio + ": ")
    assert "no puede pasar" in refused.value.message
    assert [r.status for r in await reload(sessionmaker, batch)] == ["nuevo", "nuevo", "resuelto"]
    assert (
        await run(
            sessionmaker, agent, BulkAction("estado", folios(fresh), status="en_espera_ciudadano")
        )
        == 2
    )
    rows = await reload(sessionmaker, fresh)
    assert {r.status for r in rows} == {"en_espera_ciudadano"}
    assert all(r.legal_due_on is None for r in rows)  # the clock stopped, as for one request


async def test_requests_already_in_the_status_are_left_alone(sessionmaker) -> None:
    agent = await staff(sessionmaker, "regional_agent", "santiago")
    opened = await new_requests(sessionmaker, "RM", status="abierto")
    fresh = await new_requests(sessionmaker, "RM")
    assert (
        await run(
            sessionmaker, agent, BulkAction("estado", folios(opened + fresh), status="abierto")
        )
        == 1
    )


async def test_a_request_of_another_region_refuses_the_batch(sessionmaker) -> None:
    agent = await staff(sessionmaker, "regional_agent", "santiago")
    batch = await new_requests(sessionmaker, "RM", "TA")
    with pytest.raises(BulkRefused) as refused:
        await run(sessionmaker, agent, BulkAction("tomar", folios(batch)))
    assert refused.value.folio == batch[1].folio
    assert refused.value.message.endswith(": no hay una solicitud con ese folio.")
    assert [r.assignee_id for r in await reload(sessionmaker, batch)] == [None, None]


async def test_unknown_folio_and_bad_input_are_refused(sessionmaker) -> None:
    agent = await staff(sessionmaker, "regional_agent", "santiago")
    made = await new_requests(sessionmaker, "RM")
    missing = "SIAC-1999-" + uuid.uuid4().hex[:6]
    with pytest.raises(BulkRefused) as refused:
        await run(sessionmaker, agent, BulkAction("tomar", (*folios(made), missing)))
    assert refused.value.folio == missing.upper()
    with pytest.raises(BulkRefused):
        await run(sessionmaker, agent, BulkAction("tomar", ()))
    with pytest.raises(BulkRefused):
        await run(sessionmaker, agent, BulkAction("tomar", tuple(f"F-{i}" for i in range(101))))
    with pytest.raises(BulkRefused):
        await run(sessionmaker, agent, BulkAction("estado", folios(made), status="inventado"))
    with pytest.raises(BulkRefused) as bad_tag:
        await run(sessionmaker, agent, BulkAction("etiqueta", folios(made), tag="<b>"))
    assert bad_tag.value.folio is None
    with pytest.raises(ValueError):
        await run(sessionmaker, agent, BulkAction("borrar", folios(made)))
    with pytest.raises(PermissionDenied):
        await run(
            sessionmaker,
            Viewer("staff", 1, "e", role="kb_editor"),
            BulkAction("tomar", folios(made)),
        )
    assert (await reload(sessionmaker, made))[0].assignee_id is None


async def test_taking_from_a_colleague_is_for_supervisors(sessionmaker) -> None:
    first = await staff(sessionmaker, "regional_agent", "santiago")
    second = await staff(sessionmaker, "regional_agent", "santiago")
    supervisor = await staff(sessionmaker, "supervisor")
    made = await new_requests(sessionmaker, "RM", "RM")
    await run(sessionmaker, first, BulkAction("tomar", folios(made[:1])))
    with pytest.raises(BulkRefused) as refused:
        await run(sessionmaker, second, BulkAction("tomar", folios(made)))
    assert refused.value.folio == made[0].folio
    assert [r.assignee_id for r in await reload(sessionmaker, made)] == [first.id, None]
    assert await run(sessionmaker, supervisor, BulkAction("tomar", folios(made))) == 2


async def test_tag_many(sessionmaker) -> None:
    agent = await staff(sessionmaker, "regional_agent", "santiago")
    made = await new_requests(sessionmaker, "RM", "RM")
    tag = "lote-" + uuid.uuid4().hex[:8]
    assert (
        await run(sessionmaker, agent, BulkAction("etiqueta", folios(made), tag=tag.upper())) == 2
    )
    assert await run(sessionmaker, agent, BulkAction("etiqueta", folios(made), tag=tag)) == 0
    async with sessionmaker() as db:
        assert await tags.tags_of(db, [r.id for r in made]) == {r.id: [tag] for r in made}


async def test_assign_to_someone_else(sessionmaker) -> None:
    supervisor = await staff(sessionmaker, "supervisor")
    rm_agent = await staff(sessionmaker, "regional_agent", "santiago")
    made = await new_requests(sessionmaker, "RM", "RM")
    other_region = await new_requests(sessionmaker, "TA")
    with pytest.raises(BulkRefused):  # agents take requests; they do not hand them out
        await run(sessionmaker, rm_agent, BulkAction("asignar", folios(made), agent_id=rm_agent.id))
    with pytest.raises(BulkRefused) as wrong_region:
        await run(
            sessionmaker,
            supervisor,
            BulkAction("asignar", folios(made + other_region), agent_id=rm_agent.id),
        )
    assert wrong_region.value.folio == other_region[0].folio
    kb_editor = await staff(sessionmaker, "kb_editor")
    for agent_id in (kb_editor.id, 0, None):
        with pytest.raises(BulkRefused):
            await run(
                sessionmaker, supervisor, BulkAction("asignar", folios(made), agent_id=agent_id)
            )
    assert [r.assignee_id for r in await reload(sessionmaker, made)] == [None, None]
    assert (
        await run(
            sessionmaker, supervisor, BulkAction("asignar", folios(made), agent_id=rm_agent.id)
        )
        == 2
    )
    rows = await reload(sessionmaker, made)
    assert [(r.assignee_id, r.status) for r in rows] == [(rm_agent.id, "nuevo")] * 2
    async with sessionmaker() as db:
        events = await db.scalars(
            select(AuditEvent.changes).where(
                AuditEvent.action == "request.assign", AuditEvent.entity_id == made[0].id
            )
        )
        assert list(events) == [{"assignee_id": [None, rm_agent.id]}]


# --- Over HTTP.


class _BulkForm(HTMLParser):
    """What sits inside the queue's bulk form."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.action: str | None = None
        self.checkboxes: list[str] = []
        self.checked: list[str] = []
        self.controls: set[str] = set()
        self.chosen: dict[str, str] = {}  # a select's selected option, an input's value
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and (values.get("action") or "").startswith("/staff/solicitudes/lote"):
            self.inside, self.action = True, values.get("action")
        elif self.inside and tag == "input" and values.get("type") == "checkbox":
            self.checkboxes.append(values.get("value") or "")
            if "checked" in values:
                self.checked.append(values.get("value") or "")
        elif self.inside and tag in ("select", "input") and values.get("name"):
            self.controls.add(values["name"] or "")
            self._select = values["name"] if tag == "select" else None
            if tag == "input" and values.get("value") is not None:
                self.chosen[values["name"] or ""] = values["value"] or ""
        elif self.inside and tag == "option" and self._select and "selected" in values:
            self.chosen[self._select] = values.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def bulk_form(html: str) -> _BulkForm:
    parsed = _BulkForm()
    parsed.feed(html)
    return parsed


async def test_bulk_form_takes_the_selection_and_comes_back_to_the_queue(
    client, sessionmaker
) -> None:
    made = await new_requests(sessionmaker, "RM", "RM")
    await sign_in_staff(client, await staff_member(sessionmaker, "regional_agent", "santiago"))
    queue = "/staff/solicitudes?vista=unassigned&tipo=consulta"
    form = bulk_form((await client.get(queue)).text)
    assert form.action == "/staff/solicitudes/lote?vista=unassigned&tipo=consulta"
    assert set(folios(made)) <= set(form.checkboxes)
    assert {"accion", "estado", "etiqueta", "csrf_token"} <= form.controls
    assert "agente" not in form.controls  # regional agents do not assign to others
    response = await client.submit(
        form.action, {"folio": list(folios(made)), "accion": "tomar"}, queue
    )
    assert response.status_code == 303
    assert (
        response.headers["location"]
        == "/staff/solicitudes?vista=unassigned&tipo=consulta&cambiadas=2"
    )
    back = await client.get(response.headers["location"])
    assert "Se actualizaron 2 solicitudes." in page_text(back.text)
    assert {r.status for r in await reload(sessionmaker, made)} == {"abierto"}


async def test_refused_batch_is_409_naming_the_folio(client, sessionmaker) -> None:
    batch = await new_requests(sessionmaker, "RM", "TA")
    await sign_in_staff(client, await staff_member(sessionmaker, "regional_agent", "santiago"))
    response = await client.submit(
        "/staff/solicitudes/lote",
        {"folio": list(folios(batch)), "accion": "tomar"},
        "/staff/solicitudes",
    )
    assert response.status_code == 409
    text = page_text(response.text)
    assert f"{batch[1].folio}: no hay una solicitud con ese folio." in text
    assert [r.assignee_id for r in await reload(sessionmaker, batch)] == [None, None]


async def test_a_refused_bulk_form_comes_back_as_the_agent_left_it(client, sessionmaker) -> None:
    made = await new_requests(sessionmaker, "RM", "RM", "RM")
    supervisor = await staff_member(sessionmaker, "supervisor")
    await sign_in_staff(client, supervisor)
    chosen = {"folio": [made[0].folio, made[2].folio], "accion": "etiqueta", "etiqueta": "<i>x"}
    response = await client.submit("/staff/solicitudes/lote", chosen, "/staff/solicitudes")
    assert response.status_code == 422
    form = bulk_form(response.text)
    assert sorted(form.checked) == sorted([made[0].folio, made[2].folio])
    assert form.chosen["accion"] == "etiqueta" and form.chosen["etiqueta"] == "<i>x"
    chosen = {"folio": made[1].folio, "accion": "asignar", "estado": "resuelto", "agente": "x"}
    response = await client.submit("/staff/solicitudes/lote", chosen, "/staff/solicitudes")
    form = bulk_form(response.text)
    assert form.checked == [made[1].folio]
    assert form.chosen["accion"] == "asignar" and form.chosen["estado"] == "resuelto"
    page = bulk_form((await client.get("/staff/solicitudes")).text)
    assert page.checked == [] and page.chosen.get("etiqueta", "") == ""


async def test_bad_bulk_forms_are_422(client, sessionmaker) -> None:
    made = await new_requests(sessionmaker, "RM")
    await sign_in_staff(client, await staff_member(sessionmaker, "supervisor"))
    url, page = "/staff/solicitudes/lote", "/staff/solicitudes"
    cases = [
        ({"accion": "tomar"}, "Seleccione al menos una solicitud."),
        ({"folio": [f"F-{i}" for i in range(101)], "accion": "tomar"}, "como máximo 100"),
        ({"folio": made[0].folio, "accion": "borrar"}, "Elija una acción"),
        ({"folio": made[0].folio, "accion": "estado", "estado": "x"}, "Elija un estado"),
        ({"folio": made[0].folio, "accion": "etiqueta", "etiqueta": "<i>"}, "Use solo letras"),
        ({"folio": made[0].folio, "accion": "asignar", "agente": "yo"}, "Elija a quién"),
    ]
    for data, message in cases:
        response = await client.submit(url, data, page)
        assert response.status_code == 422, data
        assert message in page_text(response.text), data
    assert "agente" in bulk_form((await client.get(page)).text).controls
