"""A request's properties edited in place from the side pane: each field, its audit event,
region scoping, refused values (422 with the reason in the pane), and the answer with htmx
(the pane alone) and without (303 back)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from helpdesk.audit.models import AuditEvent
from helpdesk.tickets.models import Team
from tests.helpdesk.tickets.workbench.test_pages import load, make_request, signed_in
from tests.helpdesk.tickets.workbench.test_presence import parsed
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text

HX = {"HX-Request": "true"}


def url(folio: str) -> str:
    return f"/staff/solicitudes/{folio}"


async def actions(sessionmaker, folio: str) -> list[str]:
    ticket = await load(sessionmaker, folio)
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "request", AuditEvent.entity_id == ticket.id)
            .order_by(AuditEvent.id)
        )
        return list(rows.all())


async def post(client, folio: str, data: dict[str, str], htmx: bool = False):
    token = await client.csrf(url(folio))
    headers = {**HX, "X-CSRF-Token": token} if htmx else {}
    body = data if htmx else {**data, "csrf_token": token}
    return await client.post(url(folio) + "/propiedades", data=body, headers=headers)


async def test_priority_without_javascript_is_a_303_and_one_audit_event(
    client, sessionmaker
) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    before = await actions(sessionmaker, made["folio"])
    ticket = await load(sessionmaker, made["folio"])
    # The whole form comes back: only the changed field is applied and audited.
    answer = await post(
        client, made["folio"],
        {"estado": ticket.status, "prioridad": "alta", "asignada": "", "equipo": "",
         "tipo": ticket.kind},
    )  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == url(made["folio"]) + "?hecho=propiedades#propiedades"
    assert (await load(sessionmaker, made["folio"])).priority == "alta"
    assert (await actions(sessionmaker, made["folio"]))[len(before) :] == ["request.priority"]


async def test_with_htmx_the_pane_comes_back_alone(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    answer = await post(
        client, made["folio"], {"prioridad": "urgente", "cola": "vista=mine"}, htmx=True
    )
    assert answer.status_code == 200 and "<html" not in answer.text
    page = parsed(answer.text)
    # The queue the agent came from stays with the pane's forms.
    assert {i["value"] for i in page.find("input", name="cola")} == {"vista=mine"}
    assert page.find("div", id="propiedades")
    # The title row is swapped out of band, so the page reads the same everywhere.
    [title] = page.find("div", id="titulo")
    assert title["hx-swap-oob"] == "true"
    [chosen] = [o for o in page.find("option", value="urgente") if "selected" in o]
    assert chosen is not None
    assert "Cambios guardados." in page_text(answer.text)


async def test_refused_values_are_a_422_with_the_reason(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    before = await actions(sessionmaker, made["folio"])
    bad = await post(client, made["folio"], {"prioridad": "altísima"}, htmx=True)
    assert bad.status_code == 422 and "<html" not in bad.text
    assert "Elija una prioridad de la lista." in page_text(bad.text)
    # Without htmx, the whole page with the reason next to the field.
    bad = await post(client, made["folio"], {"tipo": "no-existe"})
    assert bad.status_code == 422
    assert "Elija un tipo de la lista." in parsed(bad.text).text["tipo-error"]
    # A move the flow refuses (a new request is not resolved unopened), and a kind of the
    # other family (the folio names it): nothing written, not even the valid fields.
    refused = await post(client, made["folio"], {"prioridad": "alta", "estado": "resuelto"})
    assert refused.status_code == 422 and parsed(refused.text).text.get("estado-error")
    other_family = await post(client, made["folio"], {"tipo": "refugio"}, htmx=True)
    assert other_family.status_code == 422
    assert "no corresponde" in page_text(other_family.text)
    assert (await load(sessionmaker, made["folio"])).priority == "normal"
    assert await actions(sessionmaker, made["folio"]) == before


async def test_status_and_kind_recompute_the_deadline(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    first = await load(sessionmaker, made["folio"])
    assert first.kind == "consulta" and first.legal_due_on is not None
    answer = await post(client, made["folio"], {"estado": "abierto", "tipo": "transparencia"})
    assert answer.status_code == 303
    after = await load(sessionmaker, made["folio"])
    assert after.status == "abierto" and after.kind == "transparencia"
    # Transparency counts 20 working days from the same reception, consultas 10.
    assert after.legal_due_on is not None and after.legal_due_on > first.legal_due_on
    done = await actions(sessionmaker, made["folio"])
    assert done[-2:] == ["request.kind", "request.status"]
    async with sessionmaker() as db:
        event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.entity_id == after.id, AuditEvent.action == "request.kind"
            )
        )
    assert event is not None and event.changes["kind"] == ["consulta", "transparencia"]
    assert event.changes["legal_due_on"][1] == after.legal_due_on.isoformat()


async def test_assignee_rules_and_region(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    ticket = await load(sessionmaker, made["folio"])
    colleague = await staff_member(sessionmaker, "regional_agent", "santiago")
    far_agent = await staff_member(sessionmaker, "regional_agent", "arica")
    async with sessionmaker() as db:
        from helpdesk.accounts.models import StaffAccount

        ids = dict(
            (await db.execute(
                select(StaffAccount.email, StaffAccount.id).where(
                    StaffAccount.email.in_([colleague, far_agent]))
            )).all()
        )  # fmt: skip
    # A regional agent may take it, not give it to someone else.
    await signed_in(client, sessionmaker)
    refused = await post(client, made["folio"], {"asignada": str(ids[colleague])})
    assert refused.status_code == 422
    assert "Solo supervisores" in parsed(refused.text).text["asignada-error"]
    # A supervisor may give it to an agent of its region, not of another one.
    await sign_in_staff(client, await staff_member(sessionmaker, "supervisor"))
    far = await post(client, made["folio"], {"asignada": str(ids[far_agent])}, htmx=True)
    assert far.status_code == 422 and "atienda esta región" in page_text(far.text)
    given = await post(client, made["folio"], {"asignada": str(ids[colleague])})
    assert given.status_code == 303
    assert (await load(sessionmaker, made["folio"])).assignee_id == ids[colleague]
    cleared = await post(client, made["folio"], {"asignada": ""})
    assert cleared.status_code == 303
    assert (await load(sessionmaker, made["folio"])).assignee_id is None
    done = await actions(sessionmaker, made["folio"])
    assert done[-2:] == ["request.assign", "request.unassign"]
    assert ticket.assignee_id is None


async def test_team_of_the_region_only(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    here, there = f"rm-{uuid.uuid4().hex[:6]}", f"ta-{uuid.uuid4().hex[:6]}"
    async with sessionmaker() as db, db.begin():
        db.add_all([Team(code=here, name="Equipo RM", region_code="RM"),
                    Team(code=there, name="Equipo TA", region_code="TA")])  # fmt: skip
    await signed_in(client, sessionmaker)
    page = parsed((await client.get(url(made["folio"]))).text)
    offered = {o["value"] for o in page.find("option") if o.get("value") in (here, there)}
    assert offered == {here}
    far = await post(client, made["folio"], {"equipo": there})
    assert far.status_code == 422 and parsed(far.text).text.get("equipo-error")
    assert (await post(client, made["folio"], {"equipo": here})).status_code == 303
    assert (await load(sessionmaker, made["folio"])).team_code == here
    assert (await actions(sessionmaker, made["folio"]))[-1] == "request.team"


async def test_another_regions_request_is_not_found(client, sessionmaker) -> None:
    made = await make_request(sessionmaker, "TA")
    await signed_in(client, sessionmaker, "regional_agent", "santiago")
    token = await client.csrf("/staff/solicitudes")
    answer = await client.post(
        url(made["folio"]) + "/propiedades", data={"prioridad": "alta", "csrf_token": token}
    )
    assert answer.status_code == 404
    assert (await load(sessionmaker, made["folio"])).priority == "normal"
