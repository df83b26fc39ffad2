"""Macros: a respuesta tipo sent by an agent also sets the request's status, kind and tags,
all in the reply's transaction; a refused macro saves nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.core.errors import PermissionDenied
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets.answers import effects as template_effects
from helpdesk.tickets.answers.models import AnswerTemplate, AnswerTemplateText
from helpdesk.tickets.models import Ticket, TicketMessage, TicketTag
from helpdesk.tickets.service import NewRequest, open_request
from helpdesk.tickets.workbench import service as agent_service
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text

Q = "/staff/solicitudes"


async def add_macro(sessionmaker, title: str = "Plantilla", active: bool = True, **effects) -> str:
    code = f"m-{uuid.uuid4().hex[:8]}"
    async with sessionmaker() as db, db.begin():
        row = AnswerTemplate(code=code, title=title, active=active, **effects)
        db.add(row)
        await db.flush()
        db.add(AnswerTemplateText(canned_id=row.id, locale="es", body="Hola {nombre}, {folio}."))
    return code


async def open_consulta(sessionmaker) -> Ticket:
    email = f"m.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        data = NewRequest("consulta", "Mi visa", "Hola", "web", email, "es", region_code="RM")
        opened = await open_request(db, data, Actor("anonymous", None), "http://testserver")
        return opened.ticket


async def state(sessionmaker, request_id: int) -> dict[str, object]:
    """What a macro may change, and what a reply adds."""
    async with sessionmaker() as db:
        row = await db.get(Ticket, request_id)
        assert row is not None
        tags = await db.scalars(
            select(TicketTag.tag).where(TicketTag.request_id == request_id).order_by(TicketTag.tag)
        )
        messages = await db.scalar(
            select(func.count()).where(TicketMessage.request_id == request_id)
        )
        emails = await db.scalar(
            select(func.count()).where(
                OutboxMessage.template == "request_reply",
                OutboxMessage.context["folio"].as_string() == row.folio,
            )
        )
        macro_events = await db.scalar(
            select(func.count()).where(
                AuditEvent.action == "request.macro", AuditEvent.entity_id == request_id
            )
        )
    return {
        "status": row.status,
        "kind": row.kind,
        "tags": list(tags),
        "messages": messages,
        "emails": emails,
        "macro_events": macro_events,
    }


async def agent(sessionmaker) -> tuple[Viewer, Actor]:
    email = await staff_member(sessionmaker, "central_analyst")
    async with sessionmaker() as db:
        staff_id = await db.scalar(select(StaffAccount.id).where(StaffAccount.email == email))
    assert staff_id is not None
    return Viewer("staff", staff_id, "Ana", role="central_analyst"), Actor("staff", staff_id)


# --- The service.


async def test_macro_applies_status_kind_and_tags_with_the_reply(sessionmaker) -> None:
    code = await add_macro(
        sessionmaker, set_status="resuelto", set_kind="reclamo", add_tags="vip,prensa"
    )
    made = await open_consulta(sessionmaker)
    viewer, actor = await agent(sessionmaker)
    async with sessionmaker() as db, db.begin():
        request = await db.get(Ticket, made.id)
        db.add(TicketTag(request_id=made.id, tag="vip"))  # already there: added once only
        await db.flush()
        await template_effects.reply_with_macro(
            db, viewer, request, "Listo.", actor, "http://testserver", None, code
        )
    after = await state(sessionmaker, made.id)
    assert after == {
        "status": "resuelto",
        "kind": "reclamo",
        "tags": ["prensa", "vip"],
        "messages": 2,
        "emails": 1,
        "macro_events": 1,
    }
    async with sessionmaker() as db:
        event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "request.macro", AuditEvent.entity_id == made.id
            )
        )
        moves = await db.scalars(
            select(AuditEvent.changes).where(
                AuditEvent.action == "request.status", AuditEvent.entity_id == made.id
            )
        )
        assert list(moves) == [
            {"status": ["nuevo", "abierto"]},
            {"status": ["abierto", "resuelto"]},
        ]
    assert event is not None
    assert event.changes == {
        "plantilla": [None, code],
        "kind": ["consulta", "reclamo"],
        "tags": [None, ["prensa"]],
    }


async def test_macro_without_effects_is_a_plain_reply(sessionmaker) -> None:
    code = await add_macro(sessionmaker)
    made = await open_consulta(sessionmaker)
    viewer, actor = await agent(sessionmaker)
    async with sessionmaker() as db, db.begin():
        request = await db.get(Ticket, made.id)
        await template_effects.reply_with_macro(
            db, viewer, request, "Hola.", actor, "http://testserver", "en_espera_ciudadano", code
        )
    after = await state(sessionmaker, made.id)
    assert (after["status"], after["kind"], after["tags"]) == (
        "en_espera_ciudadano",
        "consulta",
        [],
    )


def test_describe_says_what_the_macro_does() -> None:
    macro = template_effects.TemplateEffects("c", "T", "resuelto", "multas", ("a", "b"))
    assert macro.effects() == [
        "cambia el estado a «Resuelto»",
        "cambia el tipo a «Multas»",
        "agrega las etiquetas «a», «b»",
    ]
    assert template_effects.TemplateEffects("c", "T", None, None, ("a",)).effects() == [
        "agrega la etiqueta «a»"
    ]
    assert template_effects.TemplateEffects("c", "T", None, None, ()).effects() == []


async def test_stale_effects_are_ignored(sessionmaker) -> None:
    code = await add_macro(sessionmaker, set_status="cerrado", set_kind="ya-no-existe")
    async with sessionmaker() as db:
        macro = await template_effects.find(db, code)
    assert macro is not None and not macro.has_effects


# --- Through the agent's page.


async def signed_in_agent(client, sessionmaker) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "regional_agent", "santiago"))


async def test_detail_page_carries_the_macro_and_says_what_it_does(client, sessionmaker) -> None:
    code = await add_macro(
        sessionmaker, title="Cierre con prensa", set_status="resuelto", add_tags="prensa"
    )
    made = await open_consulta(sessionmaker)
    await signed_in_agent(client, sessionmaker)
    url = f"{Q}/{made.folio}"
    page = await client.get(f"{url}?plantilla={code}")
    assert page.status_code == 200
    assert f'name="plantilla" value="{code}"' in page.text
    text = page_text(page.text)
    assert (
        "Esta respuesta también: cambia el estado a «Resuelto»; agrega la etiqueta «prensa»."
        in text
    )
    assert f"Hola persona usuaria, {made.folio}." in text  # prefilled for this request
    assert '<option value="resuelto" selected>' in page.text  # the macro's status, preselected
    plain = await client.get(url)
    assert 'name="plantilla"' not in plain.text.split('action="' + url + '/responder"')[1]

    sent = await client.submit(
        url + "/responder",
        {"texto": "Ya está resuelto.", "luego": "", "plantilla": code},
        f"{url}?plantilla={code}",
    )
    assert sent.status_code == 303, sent.text
    after = await state(sessionmaker, made.id)
    assert (after["status"], after["tags"], after["macro_events"]) == ("resuelto", ["prensa"], 1)


@pytest.mark.parametrize("case", ["flow", "conflict", "inactive", "unknown"])
async def test_refused_macro_saves_nothing(client, sessionmaker, case) -> None:
    effects = {"set_kind": "reclamo", "add_tags": "urgente-prensa"}
    status = "en_espera_ciudadano" if case == "flow" else "resuelto"
    code = await add_macro(
        sessionmaker,
        title="Pedir <b>antecedentes</b>",
        active=case != "inactive",
        set_status=status,
        **effects,
    )
    made = await open_consulta(sessionmaker)
    await signed_in_agent(client, sessionmaker)
    url = f"{Q}/{made.folio}"
    if case == "flow":
        # Resolved: a reply may not put it back to wait on the citizen.
        done = await client.submit(
            url + "/responder", {"texto": "Listo.", "luego": "resuelto"}, url
        )
        assert done.status_code == 303
    before = await state(sessionmaker, made.id)
    form = {
        "texto": "Necesitamos su pasaporte.",
        "luego": "en_espera_ciudadano" if case == "conflict" else "",
        "plantilla": "no-existe" if case == "unknown" else code,
    }
    response = await client.submit(url + "/responder", form, url)
    assert response.status_code == 409
    text = page_text(response.text)
    expected = {
        "flow": "no puede pasar",
        "conflict": "La respuesta tipo «Pedir <b>antecedentes</b>» cambia el estado a «Resuelto»",
        "inactive": "ya no está disponible",
        "unknown": "ya no está disponible",
    }[case]
    assert expected in text
    assert "<b>antecedentes</b>" not in response.text  # the title is shown as text
    assert "Necesitamos su pasaporte." in text  # the draft is kept
    assert await state(sessionmaker, made.id) == before


async def test_macro_needs_access_to_the_request(sessionmaker) -> None:
    code = await add_macro(sessionmaker, set_status="resuelto")
    made = await open_consulta(sessionmaker)
    outsider = Viewer("staff", 1, "Otra región", role="regional_agent", region_code="TA")
    async with sessionmaker() as db:
        request = await db.get(Ticket, made.id)
        with pytest.raises(PermissionDenied):
            await template_effects.reply_with_macro(
                db, outsider, request, "x", Actor("staff", 1), "http://t", None, code
            )


async def test_a_macro_never_moves_a_request_to_the_other_family(sessionmaker) -> None:
    code = await add_macro(sessionmaker, set_kind="refugio")  # a portal kind; this is SIAC
    made = await open_consulta(sessionmaker)
    viewer, actor = await agent(sessionmaker)
    with pytest.raises(agent_service.AgentActionRefused, match="no corresponde"):
        async with sessionmaker() as db, db.begin():
            request = await db.get(Ticket, made.id)
            await template_effects.reply_with_macro(
                db, viewer, request, "Hola.", actor, "http://testserver", None, code
            )
    assert (await state(sessionmaker, made.id))["kind"] == "consulta"


async def test_a_new_kind_brings_its_own_deadline(sessionmaker) -> None:
    from helpdesk.tickets.models import KindDeadline

    async with sessionmaker() as db, db.begin():
        previous = await db.get(KindDeadline, "opinion")
        saved = (previous.legal_days, previous.target_days) if previous else None
        if previous is None:
            db.add(KindDeadline(kind="opinion", legal_days=30, target_days=None))
        else:
            previous.legal_days, previous.target_days = 30, None
    try:
        code = await add_macro(sessionmaker, set_kind="opinion")
        made = await open_consulta(sessionmaker)
        viewer, actor = await agent(sessionmaker)
        async with sessionmaker() as db, db.begin():
            request = await db.get(Ticket, made.id)
            await template_effects.reply_with_macro(
                db, viewer, request, "Hola.", actor, "http://testserver", None, code
            )
        async with sessionmaker() as db:
            after = await db.get(Ticket, made.id)
            assert after is not None and after.kind == "opinion"
            assert after.legal_due_on is not None and made.legal_due_on is not None
            assert after.legal_due_on > made.legal_due_on  # 30 días hábiles, not 10
    finally:
        async with sessionmaker() as db, db.begin():
            row = await db.get(KindDeadline, "opinion")
            if saved is None:
                await db.delete(row)
            else:
                row.legal_days, row.target_days = saved
