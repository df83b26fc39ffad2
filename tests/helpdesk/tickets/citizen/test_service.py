"""The citizen's business rules, called directly: forms, replies, closure, rating, lost links."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from helpdesk.audit.service import Actor
from helpdesk.core.templating import make_environment
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets.attachments import StoredAttachment
from helpdesk.tickets.citizen import forms as citizen_forms
from helpdesk.tickets.citizen import service as citizen_service
from helpdesk.tickets.models import StatusChange, Ticket, TicketAttachment
from helpdesk.tickets.service import (
    NewRequest,
    OpenedRequest,
    create_request,
    find_by_private_link,
    open_request,
)

SANTIAGO = ZoneInfo("America/Santiago")
ACTOR = Actor("citizen", None, "203.0.113.5")
REGIONS = {"RM", "VS"}
TRAMITES = {"prorroga": "permanencia_transitoria"}


def fields(**changes: str) -> dict[str, str]:
    values = {"tipo": "consulta", "region": "rm", "asunto": "Asunto", "texto": "Mensaje"}
    values.update(changes)
    return values


@pytest.mark.parametrize(
    ("changes", "files", "field"),
    [
        ({"tipo": "inventado"}, 0, "tipo"),
        ({"region": "ZZ"}, 0, "region"),
        ({"asunto": ""}, 0, "asunto"),
        ({"asunto": "a" * 201}, 0, "asunto"),
        ({"texto": ""}, 0, "texto"),
        ({"texto": "a" * 10_001}, 0, "texto"),
        ({}, 6, "archivos"),
        ({"tipo": "multas"}, 0, "archivos"),
        ({"tipo": "estampado_electronico"}, 0, "archivos"),
        ({"tramite": "desconocido"}, 0, "tramite"),
        ({"tipo": "multas", "tramite": "prorroga"}, 1, "tramite"),
    ],
)
def test_new_request_form_errors(changes: dict[str, str], files: int, field: str) -> None:
    _, errors = citizen_forms.parse_new_request(fields(**changes), files, 5, REGIONS, TRAMITES)
    assert set(errors) == {field}


def test_new_request_form_accepts_and_normalises() -> None:
    data, errors = citizen_forms.parse_new_request(
        fields(tipo="permanencia_transitoria", tramite="prorroga", borrador="k"),
        5,
        5,
        REGIONS,
        TRAMITES,
    )
    assert errors == {}
    assert (data.region_code, data.tramite_code, data.draft_key) == ("RM", "prorroga", "k")


def test_rating_and_lost_link_forms() -> None:
    assert citizen_forms.parse_rating({"puntaje": "3"}) == ((3, None), {})
    assert set(citizen_forms.parse_rating({"puntaje": "0"})[1]) == {"puntaje"}
    assert set(citizen_forms.parse_rating({"puntaje": "x", "comentario": "c" * 1001})[1]) == {
        "puntaje",
        "comentario",
    }
    (email, folio), errors = citizen_forms.parse_lost_link(
        {"email": " A@B.CL ", "folio": "siac-2026-000001"}
    )
    assert (email, folio, errors) == ("a@b.cl", "SIAC-2026-000001", {})
    assert set(citizen_forms.parse_lost_link({"email": "", "folio": ""})[1]) == {"email", "folio"}


def test_kind_groups_split_siac_and_portal() -> None:
    siac, portal = citizen_service.kind_groups()
    assert siac[0].code == "consulta" and all(k.family == "siac" for k in siac)
    assert {k.code for k in portal if k.requires_identity_document} == {
        "multas",
        "estampado_electronico",
    }


async def _opened(db, email: str, stored=(), now: datetime | None = None):
    data = NewRequest(
        kind="consulta", subject="Visa", body="¿Cuándo?", channel="web",
        email=email, locale="es", region_code="RM",
    )  # fmt: skip
    created = await create_request(db, data, ACTOR, "http://x", now, files=stored)
    return OpenedRequest(await db.get(Ticket, created.id), created.access_token)


def _stored(name: str) -> StoredAttachment:
    return StoredAttachment(uuid.uuid4().hex + "a" * 11, name, "application/pdf", 10, "0" * 64)


async def test_attachments_link_to_the_first_message(sessionmaker) -> None:
    email = f"s.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        opened = await _opened(db, email, [_stored("a.pdf"), _stored("b.pdf")])
        entries = await citizen_service.conversation(db, opened.ticket)
        assert len(entries) == 1
        assert [a.display_name for a in entries[0].attachments] == ["a.pdf", "b.pdf"]
        assert entries[0].from_citizen


async def test_reply_while_waiting_restarts_the_clock(sessionmaker) -> None:
    email = f"s.{uuid.uuid4().hex[:8]}@test.portal"
    received = datetime(2030, 9, 2, 10, 0, tzinfo=SANTIAGO)  # Monday
    async with sessionmaker() as db, db.begin():
        opened = await _opened(db, email, now=received)
        request = opened.ticket
        before = request.legal_due_on
        request.status = "en_espera_ciudadano"
        request.legal_due_on = None
        db.add(StatusChange(request_id=request.id, from_status="nuevo",
                            to_status="en_espera_ciudadano", actor_kind="agent",
                            at=received + timedelta(days=1)))  # fmt: skip
        await db.flush()
        await citizen_service.add_reply(
            db, request, "Aquí va", [_stored("c.pdf")], ACTOR, received + timedelta(days=8)
        )
        assert request.status == "abierto"
        assert request.legal_due_on is not None and before is not None
        assert request.legal_due_on > before  # the week of waiting does not count
        files = (
            await db.scalars(
                select(TicketAttachment).where(TicketAttachment.request_id == request.id)
            )
        ).all()
        assert [f.display_name for f in files] == ["c.pdf"]


async def test_reply_to_resolved_reopens_within_the_window_only(sessionmaker) -> None:
    email = f"s.{uuid.uuid4().hex[:8]}@test.portal"
    now = datetime(2030, 9, 2, 10, 0, tzinfo=SANTIAGO)
    async with sessionmaker() as db, db.begin():
        request = (await _opened(db, email, now=now)).ticket
        request.status, request.resolved_at = "resuelto", now
        await citizen_service.add_reply(db, request, "No me sirvió", [], ACTOR, now)
        assert request.status == "reabierto"
        request.status, request.resolved_at = "resuelto", now - timedelta(days=30)
        with pytest.raises(citizen_service.CitizenActionRefused):
            await citizen_service.add_reply(db, request, "Tarde", [], ACTOR, now)


async def test_close_and_reply_after_closure(sessionmaker) -> None:
    email = f"s.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        request = (await _opened(db, email)).ticket
        assert citizen_service.can_close(request)
        await citizen_service.close_by_citizen(db, request, ACTOR)
        assert request.status == "cerrado" and request.closed_at is not None
        assert not citizen_service.can_close(request) and not citizen_service.can_reply(request)
        with pytest.raises(citizen_service.CitizenActionRefused):
            await citizen_service.add_reply(db, request, "Hola", [], ACTOR)
        with pytest.raises(citizen_service.CitizenActionRefused):
            await citizen_service.close_by_citizen(db, request, ACTOR)


async def test_rating_rules(sessionmaker) -> None:
    email = f"s.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        request = (await _opened(db, email)).ticket
        assert not citizen_service.can_rate(request)
        with pytest.raises(citizen_service.CitizenActionRefused):
            await citizen_service.rate(db, request, 5, None, ACTOR)
        request.status, request.resolved_at = "resuelto", request.received_at
        with pytest.raises(ValueError):
            await citizen_service.rate(db, request, 6, None, ACTOR)
        await citizen_service.rate(db, request, 5, "Bien", ACTOR)
        assert not citizen_service.can_rate(request)
        with pytest.raises(citizen_service.CitizenActionRefused):
            await citizen_service.rate(db, request, 1, None, ACTOR)


async def test_renew_link_only_for_the_right_pair(sessionmaker, settings) -> None:
    email = f"s.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        opened = await open_request(
            db,
            NewRequest("consulta", "S", "B", "web", email, "fr", region_code="RM"),
            ACTOR,
            "http://x",
        )
        folio = opened.ticket.folio
    async with sessionmaker() as db, db.begin():
        assert not await citizen_service.renew_link(db, "otra@x.cl", folio, "http://x", ACTOR)
        assert not await citizen_service.renew_link(
            db, email, "SIAC-1999-000001", "http://x", ACTOR
        )
        assert await citizen_service.renew_link(db, email.upper(), folio.lower(), "http://x", ACTOR)
    async with sessionmaker() as db:
        [mail] = (
            await db.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.to_address == email, OutboxMessage.template == "request_link"
                )
            )
        ).all()
        assert mail.locale == "fr"
        token = str(mail.context["link"]).rsplit("/", 1)[1]
        assert await find_by_private_link(db, folio, token) is not None
        assert await find_by_private_link(db, folio, opened.access_token) is None
    email_message = EmailRenderer(make_environment(settings), "ayuda@test").render(mail)
    assert folio in str(email_message["Subject"])
    assert token in email_message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_requests_of_a_person(sessionmaker) -> None:
    email = f"s.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        first = (await _opened(db, email)).ticket
        second = (await _opened(db, email)).ticket
        assert first.person_id == second.person_id
        mine = await citizen_service.requests_of(db, first.person_id)
        assert {r.id for r in mine} == {first.id, second.id}
        assert await citizen_service.find_for_person(db, first.person_id, first.folio) is first
        assert (
            await citizen_service.find_for_person(db, first.person_id + 10_000, first.folio) is None
        )
