"""XSS payloads in every field people and staff write, seeded the way each arrives: the citizen's
form (with a file), the agent's actions over HTTP, and rows for what only other paths write
raw (an unsanitized file name, tags, links, a respuesta tipo, a rule, a team, a closure)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx2
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from helpdesk.accounts.staff import NewStaff, create_staff, find_by_email
from helpdesk.audit.service import SYSTEM
from helpdesk.calendar.models import Closure
from helpdesk.calendar.snapshot import DEFAULT_ZONE
from helpdesk.notifications.models import OutboxMessage
from helpdesk.people import service as people
from helpdesk.people.models import Person
from helpdesk.tickets.answers.models import AnswerTemplate, AnswerTemplateText, AutoRule
from helpdesk.tickets.models import (
    Team,
    TeamMember,
    Ticket,
    TicketAttachment,
    TicketLink,
    TicketMessage,
    TicketTag,
)
from tests.support import factories
from tests.support.http import Browser

# Each part breaks out a different way: a URL, a tag, an attribute, a template engine, a
# raw-text element. Short enough, with its field mark, for a person's name (120 characters).
PAYLOAD = (
    'javascript:alert(1)//<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    "{{7*7}}</textarea><svg onload=alert(1)>"
)
TAGS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')  # tags: 40 characters
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FAR_CLOSURE = date(2099, 1, 5)  # an office closure no deadline of the suite reaches

Sessions = async_sessionmaker[AsyncSession]


def p(field: str) -> str:
    """The payload marked with its field (gn, sn, eq: given names, surnames, team name)."""
    return f"{PAYLOAD}#{field}"


@dataclass(frozen=True)
class Seeded:
    citizen_email: str
    person_id: int
    folio: str  # new, unassigned, due soon: a file, a raw-named file, tags, a link, a note
    waiting_folio: str  # claimed by the agent and answered: "mine" and "waiting"
    overdue_folio: str
    private_link: str  # path of the first request's private link
    agent_email: str
    supervisor_email: str
    admin_email: str
    canned_code: str
    team_code: str


def client_for(app: Starlette) -> httpx2.AsyncClient:
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.9", 40000))
    return httpx2.AsyncClient(transport=transport, base_url="http://testserver")


async def mails(sessionmaker: Sessions, email: str) -> list[OutboxMessage]:
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == email)
            .order_by(OutboxMessage.id)
        )
        return list(rows.all())


async def _open_by_form(
    citizen: Browser, sessionmaker: Sessions, email: str, field: str, files: list | None = None
) -> tuple[str, str]:
    """(folio, private link path) of a request opened through the citizen's form."""
    token = await citizen.csrf("/solicitudes/nueva")
    data = {"tipo": "consulta", "region": "RM", "asunto": p(field), "texto": p(f"{field}-texto")}
    response = await citizen.post(
        "/solicitudes/nueva",
        data={**data, "csrf_token": token},
        files=files or [("archivos", ("", b"", "application/octet-stream"))],
    )
    assert response.status_code == 303, response.text
    [*_, mail] = [m for m in await mails(sessionmaker, email) if m.template == "request_received"]
    return str(mail.context["folio"]), "/" + str(mail.context["link"]).split("/", 3)[3]


async def _staff(sessionmaker: Sessions, role: str, office: str | None = None) -> str:
    email = f"xss.{role}.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        await create_staff(
            db, NewStaff(email, p(role), role, office, factories.STAFF_PASSWORD), SYSTEM
        )
    return email


async def _seed_rows(
    sessionmaker: Sessions, folio: str, overdue: str, agent_email: str, unique: str
) -> None:
    async with sessionmaker() as db, db.begin():
        request = await db.scalar(select(Ticket).where(Ticket.folio == folio))
        other = await db.scalar(select(Ticket.id).where(Ticket.folio == overdue))
        agent = await find_by_email(db, agent_email)
        assert request is not None and other is not None and agent is not None
        first = await db.scalar(
            select(TicketMessage.id).where(TicketMessage.request_id == request.id).limit(1)
        )
        assert first is not None
        db.add(
            TicketAttachment(
                request_id=request.id, message_id=first, storage_name=uuid.uuid4().hex,
                display_name=p("archivo"), content_type="application/pdf", size=10,
                sha256="0" * 64,
            )
        )  # fmt: skip
        db.add_all(TicketTag(request_id=request.id, tag=tag) for tag in TAGS)
        db.add(TicketLink(request_id=request.id, related_id=other, relation="related"))
        canned = AnswerTemplate(code=f"xss-{unique}", title=p("plantilla"), active=True)
        db.add(canned)
        await db.flush()
        body = f"{p('plantilla-texto')} {{nombre}} {{folio}}"
        db.add(AnswerTemplateText(canned_id=canned.id, locale="es", body=body))
        # Inactive: it must answer no request of the suite, only be listed.
        db.add(
            AutoRule(kind="consulta", keywords=p("palabras"), canned_code=canned.code, active=False)
        )
        db.add(Team(code=f"xss-{unique}", name=p("eq"), region_code="RM"))
        await db.flush()
        db.add(TeamMember(team_code=f"xss-{unique}", staff_id=agent.id, available=True))
        db.add(Closure(day=FAR_CLOSURE, region_code=None, reason=p("cierre")))


async def seed(app: Starlette, sessionmaker: Sessions) -> Seeded:
    unique = uuid.uuid4().hex[:8]
    email, person_id = await factories.citizen(sessionmaker)
    async with sessionmaker() as db, db.begin():
        person = await db.get(Person, person_id)
        assert person is not None
        changes = {"given_names": p("gn"), "surnames": p("sn")}
        await people.update_person(db, None, person, changes, SYSTEM)

    async with client_for(app) as http:
        citizen = Browser(http)
        await factories.sign_in_citizen(citizen, email)
        upload = [("archivos", (f"{PAYLOAD}.pdf", PDF, "application/pdf"))]
        folio, link = await _open_by_form(citizen, sessionmaker, email, "asunto", upload)
        waiting, _ = await _open_by_form(citizen, sessionmaker, email, "asunto-espera")
        overdue, _ = await _open_by_form(citizen, sessionmaker, email, "asunto-vencida")

    agent_email = await _staff(sessionmaker, "regional_agent", "santiago")
    async with client_for(app) as http:
        agent = Browser(http)
        await factories.sign_in_staff(agent, agent_email)
        url = f"/staff/solicitudes/{waiting}"
        assert (await agent.submit(url + "/tomar", {}, url)).status_code == 303
        answer = {"texto": p("respuesta"), "luego": "en_espera_ciudadano"}
        assert (await agent.submit(url + "/responder", answer, url)).status_code == 303
        url = f"/staff/solicitudes/{folio}"
        assert (await agent.submit(url + "/nota", {"nota": p("nota")}, url)).status_code == 303
    await _seed_rows(sessionmaker, folio, overdue, agent_email, unique)

    today = datetime.now(ZoneInfo(DEFAULT_ZONE)).date()
    async with sessionmaker() as db, db.begin():
        for number, due in ((folio, today + timedelta(days=1)), (overdue, today - timedelta(3))):
            await db.execute(update(Ticket).where(Ticket.folio == number).values(legal_due_on=due))
    return Seeded(
        email, person_id, folio, waiting, overdue, link, agent_email,
        await _staff(sessionmaker, "supervisor"), await _staff(sessionmaker, "admin"),
        f"xss-{unique}", f"xss-{unique}",
    )  # fmt: skip
