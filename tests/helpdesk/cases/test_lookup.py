"""The person's lookup (/estado and /api/v1/cases/lookup): found by number and document in
any usual spelling; a wrong number and a wrong document answer exactly alike; limits per
address and per number; a signed-in person sees their own applications without typing."""

from __future__ import annotations

import re
import secrets
from datetime import date
from html.parser import HTMLParser

import httpx2
import pytest
from sqlalchemy import select
from stdnum.cl import rut

from helpdesk.audit.models import AuditEvent
from helpdesk.cases import lookup, private_links
from helpdesk.cases.models import Case, CaseEvent
from helpdesk.cases.view import stage_steps
from helpdesk.people.models import Person
from tests.conftest import make_app
from tests.support.factories import citizen, sign_in_citizen
from tests.support.http import Browser

RUN = "12.345.678-5"  # check digit 5 (stdnum)


def unique_number() -> str:
    return f"RT-{secrets.randbelow(10**9):09d}"


async def a_case(
    sessionmaker,
    number: str | None = None,
    document_type: str = "pasaporte",
    document_number: str = "HT1234567",
    status: str = "en_analisis",
    case_type: str = "residencia_temporal",
    person_id: int | None = None,
) -> Case:
    number = number or unique_number()
    async with sessionmaker() as db, db.begin():
        case = Case(
            number=number,
            case_type=case_type,
            document_type=document_type,
            document_number=document_number,
            document_country="CL" if document_type == "run" else "HT",
            region_code="RM",
            submitted_on=date(2026, 3, 2),
            status=status,
            status_on=date(2026, 11, 30),
            person_id=person_id,
        )
        db.add(case)
        await db.flush()
        db.add_all(
            [
                CaseEvent(case_id=case.id, status="ingresada", status_on=date(2026, 3, 2)),
                CaseEvent(case_id=case.id, status=status, status_on=date(2026, 11, 30)),
            ]
        )
    return case


@pytest.mark.parametrize(
    ("typed", "stored_type", "stored", "matches"),
    [
        ("12.345.678-5", "run", "12345678-5", True),
        ("123456785", "run", "12345678-5", True),
        ("12345678-k", "run", "12345678-5", False),  # wrong check digit
        ("12.345.678-4", "run", "12345678-5", False),
        ("ht 123-4567", "pasaporte", "HT1234567", True),
        ("HT1234568", "pasaporte", "HT1234567", False),
        ("", "pasaporte", "HT1234567", False),
    ],
)
def test_document_matches(typed, stored_type, stored, matches) -> None:
    case = Case(document_type=stored_type, document_number=stored)
    assert lookup.document_matches(case, typed) is matches
    assert lookup.document_matches(None, typed) is False


@pytest.mark.parametrize(
    ("case_type", "status", "states"),
    [
        ("residencia_temporal", "ingresada", ["current", "next", "next", "next", "next"]),
        ("residencia_temporal", "otorgada", None),
    ],
)
def test_stage_steps(case_type, status, states) -> None:
    steps = stage_steps(case_type, status)
    assert [s.state for s in steps].count("current") == 1
    current = [s.state for s in steps].index("current")
    assert all(s.state == "done" for s in steps[:current])
    assert all(s.state == "next" for s in steps[current + 1 :])
    if states is not None:
        assert [s.state for s in steps][: len(states)] == states[: len(steps)]


class Text(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.feed(html)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @property
    def main(self) -> str:
        return " ".join(" ".join(self.parts).split())


def api(app) -> httpx2.AsyncClient:
    """An integration calling the API: no cookies (the browser's would need a CSRF token)."""
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.77", 1))
    return httpx2.AsyncClient(transport=transport, base_url="http://testserver")


def main_html(html: str) -> str:
    found = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    assert found
    # The form echoes what was typed and the CSRF token differs per page: masked.
    return re.sub(r'value="[^"]*"', 'value=""', found.group(1))


async def test_found_by_number_and_passport(client, sessionmaker) -> None:
    case = await a_case(sessionmaker)
    page = await client.submit(
        "/estado", {"numero": case.number.lower(), "documento": "ht 1234567"}
    )
    assert page.status_code == 200
    text = Text(page.text).main
    assert "Residencia temporal" in text and "En análisis" in text and case.number in text
    assert page.headers["cache-control"] == "private, no-store"
    # Its private link opens it again, without the form.
    link = private_links.url_for(case.id).removeprefix("http://testserver")
    again = await client.get(link)
    assert again.status_code == 200 and case.number in again.text


async def test_wrong_number_and_wrong_document_answer_alike(app, client, sessionmaker) -> None:
    case = await a_case(sessionmaker)
    wrong_document = await client.submit(
        "/estado", {"numero": case.number, "documento": "HT7654321"}
    )
    wrong_number = await client.submit(
        "/estado", {"numero": unique_number(), "documento": "HT7654321"}
    )
    assert wrong_document.status_code == wrong_number.status_code == 404
    assert main_html(wrong_document.text) == main_html(wrong_number.text)
    assert "No encontramos una solicitud con ese número y ese documento" in wrong_number.text
    # The API too: the same status and the same body.
    async with api(app) as http:
        api_wrong_document = await http.post(
            "/api/v1/cases/lookup", json={"number": case.number, "document": "HT7654321"}
        )
        api_wrong_number = await http.post(
            "/api/v1/cases/lookup", json={"number": unique_number(), "document": "HT7654321"}
        )
    assert api_wrong_document.status_code == api_wrong_number.status_code == 404
    assert api_wrong_document.json() == api_wrong_number.json()
    # A forged private link is a plain 404 too.
    assert (await client.get("/estado/c/1.forged")).status_code == 404


async def test_api_lookup(app, sessionmaker) -> None:
    case = await a_case(sessionmaker, document_type="run", document_number="12345678-5")
    async with api(app) as http:
        found = await http.post(
            "/api/v1/cases/lookup", json={"number": case.number, "document": RUN}
        )
        bad = await http.post("/api/v1/cases/lookup", json={"number": "", "document": RUN})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["status"] == "en_analisis" and body["type"] == "residencia_temporal"
    assert [h["status"] for h in body["history"]] == ["en_analisis", "ingresada"]
    assert body["url"].startswith("http://testserver/estado/c/")
    assert bad.status_code == 422


async def test_empty_form_is_a_localized_422(client) -> None:
    page = await client.submit("/estado", {"numero": "", "documento": ""}, headers={})
    assert page.status_code == 422
    assert "Escriba el número de su solicitud." in page.text


async def test_limits_per_address_and_per_number(settings, sessionmaker) -> None:
    case = await a_case(sessionmaker)
    app = make_app(settings, case_lookups_per_address=3, case_lookups_per_number=2)
    address = f"198.18.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    transport = httpx2.ASGITransport(app=app, client=(address, 1234))
    try:
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
            browser = Browser(http)
            wrong = {"numero": case.number, "documento": "HT0000000"}
            statuses = [(await browser.submit("/estado", wrong)).status_code for _ in range(3)]
            assert statuses == [404, 404, 429]
            limited = await browser.submit(
                "/estado", {"numero": unique_number(), "documento": "X1"}
            )
            assert limited.status_code == 429
            assert "Hizo muchas consultas seguidas" in limited.text
        # Another address, the same number: the number's own limit holds.
        other = httpx2.ASGITransport(app=app, client=("198.19.250.250", 1))
        async with httpx2.AsyncClient(transport=other, base_url="http://testserver") as http:
            right = {"numero": case.number, "documento": "HT1234567"}
            assert (await Browser(http).submit("/estado", right)).status_code == 429
    finally:
        await app.state.engine.dispose()


async def test_signed_in_person_sees_their_cases(client, sessionmaker) -> None:
    email, person_id = await citizen(sessionmaker)
    run = f"{secrets.randbelow(20_000_000) + 5_000_000}"
    full_run = f"{run}-{rut.calc_check_digit(run)}"
    async with sessionmaker() as db, db.begin():
        person = await db.get(Person, person_id)
        assert person is not None
        person.run = full_run
    by_run = await a_case(sessionmaker, document_type="run", document_number=full_run)
    other = await a_case(sessionmaker, document_number="HT9999999")
    await sign_in_citizen(client, email)
    page = await client.get("/estado")
    assert by_run.number in page.text and other.number not in page.text
    # Looking one up while signed in adds it to the list, audited.
    found = await client.submit("/estado", {"numero": other.number, "documento": "HT9999999"})
    assert found.status_code == 200
    assert other.number in (await client.get("/estado")).text
    async with sessionmaker() as db:
        linked = await db.get(Case, other.id)
        assert linked is not None and linked.person_id == person_id
        event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "case.person", AuditEvent.entity_id == other.id
            )
        )
        assert event is not None


async def test_home_page_links_to_the_lookup(client) -> None:
    home = await client.get("/")
    assert 'href="/estado"' in home.text


async def test_field_errors_in_the_persons_language(client) -> None:
    client.http.cookies.set("lang", "ht")
    page = await client.submit("/estado", {"numero": "", "documento": ""})
    assert page.status_code == 422
    assert "Escriba el número de su solicitud." not in page.text
    assert 'id="numero-error"' in page.text and 'id="documento-error"' in page.text
