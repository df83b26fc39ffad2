"""Requests linked to applications: from the case's page through the request form (the
private token proves the person may see the case; a forged one is ignored without a word),
and by staff beside the request, within their region, audited."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.cases import private_links
from helpdesk.cases.models import Case, RequestCase
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import NewRequest, open_request
from tests.helpdesk.cases.test_lookup import a_case
from tests.helpdesk.tickets.citizen.test_pages import prove_email
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import Browser, page_text

FORM = {
    "tipo": "consulta",
    "region": "RM",
    "asunto": "Mi residencia temporal",
    "texto": "Me pidieron antecedentes, ¿qué envío?",
}


class Inputs(HTMLParser):
    """The hidden inputs and the elements' ids of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.hidden[str(values["name"])] = str(values.get("value") or "")


async def links_of(sessionmaker, case_id: int) -> list[RequestCase]:
    async with sessionmaker() as db:
        rows = await db.scalars(select(RequestCase).where(RequestCase.case_id == case_id))
        return list(rows.all())


async def send_form(client: Browser, **extra: str):
    token = await client.csrf("/solicitudes/nueva")
    return await client.post(
        "/solicitudes/nueva",
        data={"csrf_token": token, **FORM, **extra},
        files=[("archivos", ("", b"", "application/octet-stream"))],
    )


async def test_a_request_opened_from_the_case_page_is_linked_to_it(client, sessionmaker) -> None:
    case = await a_case(sessionmaker)
    token = private_links.token_for(case.id)
    # The case's page offers it with the token, not the number.
    page = await client.get(f"/estado/c/{token}")
    assert f"/solicitudes/nueva?caso={token}" in page.text.replace("&amp;", "&")

    await prove_email(client, sessionmaker, f"caso.{uuid.uuid4().hex[:8]}@test.portal")
    form = await client.get(f"/solicitudes/nueva?caso={token}")
    assert form.status_code == 200
    assert f"Sobre su solicitud N° {case.number} (Residencia temporal)" in page_text(form.text)
    assert Inputs(form.text).hidden["caso"] == token

    sent = await send_form(client, caso=token)
    assert sent.status_code == 303
    [link] = await links_of(sessionmaker, case.id)
    assert link.linked_by is None
    async with sessionmaker() as db:
        ticket = await db.get(Ticket, link.request_id)
        assert ticket is not None and ticket.subject == FORM["asunto"]
        event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "request.case_link", AuditEvent.entity_id == ticket.id
            )
        )
        assert event is not None and event.changes == {"case": [None, case.number]}


async def test_without_an_email_proof_the_way_in_keeps_the_case(client, sessionmaker) -> None:
    case = await a_case(sessionmaker)
    token = private_links.token_for(case.id)
    ways_in = await client.get(f"/solicitudes/nueva?caso={token}&otro=x")
    assert ways_in.status_code == 200
    [proof] = [h for h in Links(ways_in.text).hrefs if urlsplit(h).path == "/correo"]
    # Only what a registered reference reads comes back to the form.
    assert parse_qs(urlsplit(proof).query)["next"] == [f"/solicitudes/nueva?caso={token}"]


class Links(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


async def test_a_forged_token_is_ignored(client, sessionmaker) -> None:
    case = await a_case(sessionmaker)
    forged = f"{case.id}.forged-signature"
    await prove_email(client, sessionmaker, f"forja.{uuid.uuid4().hex[:8]}@test.portal")
    form = await client.get(f"/solicitudes/nueva?caso={forged}")
    assert form.status_code == 200
    assert case.number not in form.text and "caso" not in Inputs(form.text).hidden
    assert (await client.get("/solicitudes/nueva?caso=" + "x" * 500)).status_code == 200
    sent = await send_form(client, caso=forged)
    assert sent.status_code == 303
    assert await links_of(sessionmaker, case.id) == []


async def a_request(sessionmaker, region: str = "RM") -> tuple[int, str]:
    email = f"p.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(
        "consulta", "Mi residencia", "¿Cómo va?", "web", email, "es", region_code=region
    )
    async with sessionmaker() as db, db.begin():
        ticket = (await open_request(db, data, Actor("anonymous", None), "http://t")).ticket
        return ticket.id, ticket.folio


def section_numbers(html: str, css_class: str) -> list[str]:
    """The numbers listed in the cases section's list with ``css_class``."""

    class Numbers(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []
            self.depth = 0  # inside the list
            self.in_number = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            classes = (dict(attrs).get("class") or "").split()
            if tag == "ul" and css_class in classes:
                self.depth = 1
            elif tag == "ul" and self.depth:
                self.depth += 1
            self.in_number = bool(self.depth) and "case-number" in classes

        def handle_endtag(self, tag: str) -> None:
            if tag == "ul" and self.depth:
                self.depth -= 1
            self.in_number = False

        def handle_data(self, data: str) -> None:
            if self.in_number:
                self.found.append(data.strip())

    parser = Numbers()
    parser.feed(html)
    return parser.found


async def test_staff_link_and_unlink_within_their_region(client, sessionmaker) -> None:
    request_id, folio = await a_request(sessionmaker)
    ours = await a_case(sessionmaker, document_number="HT5550011")
    theirs = await a_case(sessionmaker, document_number="HT5550012")
    async with sessionmaker() as db, db.begin():
        other_region = await db.get(Case, theirs.id)
        assert other_region is not None
        other_region.region_code = "TA"
    agent = await staff_member(sessionmaker, "regional_agent", "santiago")
    await sign_in_staff(client, agent)
    page = await client.get(f"/staff/solicitudes/{folio}")
    assert "Vincular una solicitud migratoria" in page_text(page.text)

    linked = await client.submit(
        f"/staff/solicitudes/{folio}/solicitudes-migratorias",
        {"numero": f" {ours.number.lower()} "},
        page=f"/staff/solicitudes/{folio}",
    )
    assert linked.status_code == 303
    assert linked.headers["location"].startswith(f"/staff/solicitudes/{folio}")
    [link] = await links_of(sessionmaker, ours.id)
    assert link.request_id == request_id and link.linked_by is not None
    page = await client.get(f"/staff/solicitudes/{folio}")
    assert section_numbers(page.text, "case-list-linked") == [ours.number]

    # Another region's case answers as an unknown number does.
    for number in (theirs.number, "NO-EXISTE-1", ""):
        refused = await client.submit(
            f"/staff/solicitudes/{folio}/solicitudes-migratorias",
            {"numero": number},
            page=f"/staff/solicitudes/{folio}",
        )
        assert refused.status_code == 422
        assert theirs.region_code not in page_text(refused.text).split()
    assert await links_of(sessionmaker, theirs.id) == []
    # The same request of another region is not found at all.
    _, other_folio = await a_request(sessionmaker, "TA")
    token = await client.csrf(f"/staff/solicitudes/{folio}")
    elsewhere = await client.post(
        f"/staff/solicitudes/{other_folio}/solicitudes-migratorias",
        data={"csrf_token": token, "numero": ours.number},
    )
    assert elsewhere.status_code == 404

    unlinked = await client.submit(
        f"/staff/solicitudes/{folio}/solicitudes-migratorias/{ours.number}/desvincular",
        {},
        page=f"/staff/solicitudes/{folio}",
    )
    assert unlinked.status_code == 303
    assert await links_of(sessionmaker, ours.id) == []
    async with sessionmaker() as db:
        actions = (
            await db.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "request", AuditEvent.entity_id == request_id)
                .order_by(AuditEvent.id)
            )
        ).all()
    assert [a for a in actions if a.startswith("request.case_")] == [
        "request.case_link",
        "request.case_unlink",
    ]
