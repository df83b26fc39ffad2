"""Agent actions as plain functions: replies and their email threading, notes, status
moves by the flow's rules, claiming, and region scoping."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.core.errors import NotFound, PermissionDenied
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets import status_flow
from helpdesk.tickets.models import StatusChange, Ticket
from helpdesk.tickets.service import NewRequest, open_request
from helpdesk.tickets.workbench import service as agent_service
from tests.support.factories import staff_member

SANTIAGO = ZoneInfo("America/Santiago")
NOW = datetime(2030, 5, 6, 11, tzinfo=SANTIAGO)
REGIONS = {"santiago": "RM", "iquique": "TA"}


async def viewer_for(sessionmaker, role: str, office: str | None = None) -> Viewer:
    email = await staff_member(sessionmaker, role, office)
    async with sessionmaker() as db:
        account = await db.scalar(select(StaffAccount).where(StaffAccount.email == email))
    assert account is not None
    region = REGIONS.get(office or "santiago") if role == "regional_agent" else None
    return Viewer("staff", account.id, account.full_name, role=role, region_code=region)


@pytest.fixture(scope="module")
async def agents(sessionmaker) -> dict[str, Viewer]:
    return {
        "rm": await viewer_for(sessionmaker, "regional_agent", "santiago"),
        "rm2": await viewer_for(sessionmaker, "regional_agent", "santiago"),
        "ta": await viewer_for(sessionmaker, "regional_agent", "iquique"),
        "supervisor": await viewer_for(sessionmaker, "supervisor"),
        "kb_editor": await viewer_for(sessionmaker, "kb_editor"),
    }


async def new_request(db, region: str = "RM") -> tuple[Ticket, str]:
    email = f"p.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest("consulta", "Asunto", "Texto", "web", email, "ht", region_code=region)
    opened = await open_request(db, data, Actor("anonymous", None), "http://x", NOW)
    await db.flush()
    return opened.ticket, email


def actor(viewer: Viewer) -> Actor:
    return Actor("staff", viewer.id, "203.0.113.9")


async def replies_to(db, email: str) -> list[OutboxMessage]:
    rows = await db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == email, OutboxMessage.template == "request_reply")
        .order_by(OutboxMessage.id)
    )
    return list(rows.all())


async def statuses(db, request: Ticket) -> list[str]:
    rows = await db.scalars(
        select(StatusChange.to_status)
        .where(StatusChange.request_id == request.id)
        .order_by(StatusChange.id)
    )
    return list(rows.all())


async def test_reply_emails_the_person_threaded_on_the_conversation(db, agents) -> None:
    request, email = await new_request(db)
    agent = agents["rm"]
    first = await agent_service.reply(db, agent, request, "Hola", actor(agent), "http://x", now=NOW)
    second = await agent_service.reply(db, agent, request, "Más", actor(agent), "http://x", now=NOW)
    sent = await replies_to(db, email)
    assert [m.context["folio"] for m in sent] == [request.folio, request.folio]
    assert {m.locale for m in sent} == {"ht"}
    confirmation = await db.scalar(
        select(OutboxMessage).where(
            OutboxMessage.to_address == email, OutboxMessage.template == "request_received"
        )
    )
    assert confirmation is not None
    # The first reply threads on the confirmation email the person received.
    assert first.email_message_id == sent[0].message_id
    assert sent[0].in_reply_to == confirmation.message_id
    assert second.email_message_id == sent[1].message_id
    assert sent[1].in_reply_to == sent[0].message_id
    assert first.author_kind == "staff" and not first.internal
    # The first answer opens a new request and starts the response clock's record.
    assert request.status == status_flow.ABIERTO
    assert request.first_response_at is not None
    assert await statuses(db, request) == ["nuevo", "abierto"]
    actions = await db.scalars(
        select(AuditEvent.action).where(
            AuditEvent.entity_type == "request", AuditEvent.entity_id == request.id
        )
    )
    assert list(actions).count("request.staff_reply") == 2


async def test_reply_may_resolve_or_wait_on_the_citizen(db, agents) -> None:
    agent = agents["rm"]
    resolved, _ = await new_request(db)
    await agent_service.reply(
        db, agent, resolved, "Listo", actor(agent), "http://x", status_flow.RESUELTO, NOW
    )
    assert resolved.status == status_flow.RESUELTO and resolved.resolved_at is not None
    assert await statuses(db, resolved) == ["nuevo", "abierto", "resuelto"]

    waiting, _ = await new_request(db)
    await agent_service.reply(
        db, agent, waiting, "¿Pasaporte?", actor(agent), "http://x", "en_espera_ciudadano", NOW
    )
    assert waiting.status == status_flow.EN_ESPERA_CIUDADANO
    assert waiting.legal_due_on is None  # the clock stops
    # Resolving from the wait passes through abierto, and the clock runs again.
    await agent_service.reply(
        db, agent, waiting, "Gracias", actor(agent), "http://x", status_flow.RESUELTO, NOW
    )
    assert waiting.status == status_flow.RESUELTO and waiting.legal_due_on is not None
    assert (await statuses(db, waiting))[-3:] == ["en_espera_ciudadano", "abierto", "resuelto"]


async def test_refused_moves_change_nothing(db, agents) -> None:
    agent = agents["rm"]
    request, email = await new_request(db)
    with pytest.raises(status_flow.TransitionNotAllowed) as refusal:
        await agent_service.change_status(db, agent, request, status_flow.RESUELTO, actor(agent))
    assert refusal.value.code == "no_such_move" and "Nuevo" in refusal.value.message
    assert request.status == status_flow.NUEVO
    await agent_service.change_status(db, agent, request, status_flow.CERRADO, actor(agent))
    with pytest.raises(agent_service.AgentActionRefused):
        await agent_service.reply(db, agent, request, "x", actor(agent), "http://x")
    assert await replies_to(db, email) == []
    await agent_service.change_status(db, agent, request, status_flow.REABIERTO, actor(agent))
    assert await statuses(db, request) == ["nuevo", "cerrado", "reabierto"]


async def test_internal_note_sends_nothing(db, agents) -> None:
    agent = agents["rm"]
    request, email = await new_request(db)
    note = await agent_service.add_note(db, agent, request, "Revisar RUN", actor(agent))
    assert note.internal and note.email_message_id is None
    assert await replies_to(db, email) == []
    assert request.status == status_flow.NUEVO and request.first_response_at is None
    entries = await agent_service.conversation(db, request)
    assert [e.message.internal for e in entries] == [False, True]


async def test_claim_and_unassign(db, agents) -> None:
    request, _ = await new_request(db)
    rm, rm2, boss = agents["rm"], agents["rm2"], agents["supervisor"]
    await agent_service.claim(db, rm, request, actor(rm))
    assert request.assignee_id == rm.id and request.status == status_flow.ABIERTO
    with pytest.raises(agent_service.AgentActionRefused):
        await agent_service.claim(db, rm2, request, actor(rm2))
    with pytest.raises(agent_service.AgentActionRefused):
        await agent_service.unassign(db, rm2, request, actor(rm2))
    await agent_service.claim(db, boss, request, actor(boss))  # supervisors reassign
    assert request.assignee_id == boss.id
    await agent_service.unassign(db, boss, request, actor(boss))
    assert request.assignee_id is None


async def test_region_scoping_and_roles(db, agents) -> None:
    request, _ = await new_request(db, "TA")
    await db.flush()
    # Another region's folio is answered as a missing one.
    with pytest.raises(NotFound):
        await agent_service.get_for_staff(db, agents["rm"], request.folio)
    with pytest.raises(PermissionDenied):
        await agent_service.add_note(db, agents["rm"], request, "x", actor(agents["rm"]))
    with pytest.raises(PermissionDenied):
        await agent_service.get_for_staff(db, agents["kb_editor"], request.folio)
    found = await agent_service.get_for_staff(db, agents["ta"], request.folio.lower())
    assert found.id == request.id
    assert (await agent_service.get_for_staff(db, agents["supervisor"], request.folio)) is found
