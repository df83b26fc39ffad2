"""Merging two records of the same person, and finding likely duplicates: the service
(requests and account moved, empty fields filled, the duplicate kept, refusals) and the
person page's forms."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from stdnum.cl import rut

from helpdesk.accounts.models import CitizenAccount, StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.core.db import utcnow
from helpdesk.core.errors import PermissionDenied
from helpdesk.people import duplicates, merging
from helpdesk.people import service as people
from helpdesk.people.models import Person
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import NewRequest, open_request
from tests.support import factories
from tests.support.http import page_text
from tests.support.markup import parse_page

XSS_NAME = "<script>alert('nombre')</script>"
ANALYST = Viewer("staff", 1, "Analista", role="central_analyst")
RM_AGENT = Viewer("staff", 2, "Agente", role="regional_agent", region_code="RM")
ACTOR = Actor("staff", 1, "203.0.113.9")


NO_DOCUMENT: dict[str, object] = {
    "document_type": None,
    "document_number": None,
    "document_country": None,
}


def new_run() -> str:
    body = str(10_000_000 + uuid.uuid4().int % 20_000_000)
    return f"{body}-{rut.calc_check_digit(body)}"


def new_email() -> str:
    return f"p.{uuid.uuid4().hex[:10]}@test.portal"


async def open_for(sessionmaker, person_id: int, subject: str = "Consulta") -> str:
    async with sessionmaker() as db, db.begin():
        person = await db.get(Person, person_id)
        assert person is not None
        data = NewRequest(
            "consulta", subject, "Hola", "web", person.email or new_email(), "es",
            person_id=person_id, region_code="RM",
        )  # fmt: skip
        opened = await open_request(db, data, Actor("anonymous", None), "http://testserver")
        return opened.ticket.folio


async def strip_document(sessionmaker, person_id: int) -> None:
    async with sessionmaker() as db, db.begin():
        row = await db.get(Person, person_id)
        assert row is not None
        row.document_type = row.document_number = row.document_country = None


async def merge(sessionmaker, duplicate: int, kept: int, viewer: Viewer = ANALYST):
    async with sessionmaker() as db, db.begin():
        dup, keep = await db.get(Person, duplicate), await db.get(Person, kept)
        assert dup is not None and keep is not None
        return await merging.merge_people(db, viewer, dup, keep, ACTOR)


async def get(sessionmaker, person_id: int) -> Person:
    async with sessionmaker() as db:
        row = await db.get(Person, person_id)
    assert row is not None
    return row


async def test_merge_moves_requests_fills_fields_and_keeps_the_duplicate(sessionmaker) -> None:
    run, email = new_run(), new_email()
    dup_id = await factories.person(
        sessionmaker, "RM", run=run, phone="+56 9 1111 2222", email=email,
        email_verified_at=utcnow(), sex_gender="female",
    )  # fmt: skip
    kept_id = await factories.person(
        sessionmaker, "RM", given_names="Rosa", document_type=None, document_number=None,
        document_country=None, email=None, birth_date=None,
    )  # fmt: skip
    dup_before = await get(sessionmaker, dup_id)
    folios = [await open_for(sessionmaker, dup_id) for _ in range(2)]

    result = await merge(sessionmaker, dup_id, kept_id)
    assert result.requests_moved == 2 and not result.account_moved

    dup, kept = await get(sessionmaker, dup_id), await get(sessionmaker, kept_id)
    assert dup.merged_into_id == kept_id and kept.merged_into_id is None
    # Empty fields filled; names already there are kept; unique identifiers moved.
    assert kept.given_names == "Rosa" and kept.phone == "+56 9 1111 2222"
    assert kept.birth_date == dup_before.birth_date and kept.sex_gender == "female"
    assert kept.email == email and kept.email_verified_at is not None
    assert kept.run == run and dup.run is None
    assert kept.document_number == dup_before.document_number and dup.document_number is None
    assert dup.given_names == dup_before.given_names and dup.email == email  # history kept
    async with sessionmaker() as db:
        rows = (await db.scalars(select(Ticket).where(Ticket.folio.in_(folios)))).all()
        assert {r.person_id for r in rows} == {kept_id}
        moved = (
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "request.person",
                    AuditEvent.entity_id.in_([r.id for r in rows]),
                )
            )
        ).all()
        assert [e.changes for e in moved] == [{"person_id": [dup_id, kept_id]}] * 2
        on_people = (
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_type == "person",
                    AuditEvent.entity_id.in_([dup_id, kept_id]),
                )
            )
        ).all()
        merges = {e.entity_id: e.changes for e in on_people if e.action == "person.merge"}
        assert merges == {
            dup_id: {"merged_into": [None, kept_id]},
            kept_id: {"merged_from": [None, dup_id]},
        }
        filled = next(
            e for e in on_people if e.action == "person.update" and e.entity_id == kept_id
        )
        assert filled.changes["phone"] == [None, "+56 9 1111 2222"]
        assert filled.changes["run"] == [None, run]
        # Lookups by identifier find the survivor; listings hide the duplicate.
        assert (await people.find_by_run(db, run)).id == kept_id  # type: ignore[union-attr]
        found = await people.find_by_document(
            db,
            dup_before.document_type or "",
            dup_before.document_number or "",
            dup_before.document_country or "",
        )
        assert found is not None and found.id == kept_id
        listed = {p.id for p in await people.list_people(db, ANALYST, limit=1000)}
        assert kept_id in listed and dup_id not in listed


async def test_a_new_request_from_the_duplicates_email_goes_to_the_survivor(sessionmaker) -> None:
    email = new_email()
    dup_id = await factories.person(sessionmaker, "RM", email=email, email_verified_at=utcnow())
    kept_id = await factories.person(sessionmaker, "RM", **NO_DOCUMENT)
    await merge(sessionmaker, dup_id, kept_id)
    async with sessionmaker() as db, db.begin():
        data = NewRequest("consulta", "Otra", "Hola", "web", email, "es", region_code="RM")
        opened = await open_request(db, data, Actor("anonymous", None), "http://testserver")
        assert opened.ticket.person_id == kept_id


async def test_refusals(sessionmaker) -> None:
    a = await factories.person(sessionmaker, "RM", run=new_run())
    b = await factories.person(sessionmaker, "RM", run=new_run())
    c = await factories.person(sessionmaker, "RM")
    d = await factories.person(sessionmaker, "RM", **NO_DOCUMENT)
    elsewhere = await factories.person(sessionmaker, "TA")
    async with sessionmaker() as db:
        pa, pb, pc = await db.get(Person, a), await db.get(Person, b), await db.get(Person, c)
        pt = await db.get(Person, elsewhere)
        assert pa and pb and pc and pt
        with pytest.raises(merging.PersonMergeRefused) as refused:
            await merging.merge_people(db, ANALYST, pa, pb, ACTOR)
        assert "RUN distintos" in refused.value.message
        with pytest.raises(merging.PersonMergeRefused):
            await merging.merge_people(db, ANALYST, pc, pc, ACTOR)
        with pytest.raises(PermissionDenied):
            await merging.merge_people(db, RM_AGENT, pc, pt, ACTOR)
        with pytest.raises(PermissionDenied):
            await merging.merge_people(db, RM_AGENT, pt, pc, ACTOR)
        with pytest.raises(PermissionDenied):
            kb = Viewer("staff", 3, "KB", role="kb_editor")
            await merging.merge_people(db, kb, pc, pa, ACTOR)
    await merge(sessionmaker, c, d, RM_AGENT)  # a regional agent, both in their region
    async with sessionmaker() as db:
        pc, pd, pa = await db.get(Person, c), await db.get(Person, d), await db.get(Person, a)
        assert pc and pd and pa
        for duplicate, kept in ((pc, pa), (pa, pc)):
            with pytest.raises(merging.PersonMergeRefused):
                await merging.merge_people(db, ANALYST, duplicate, kept, ACTOR)


async def test_citizen_accounts(client, sessionmaker) -> None:
    email, with_account = await factories.citizen(sessionmaker, "RM")
    _, other_account = await factories.citizen(sessionmaker, "RM")
    different_email = await factories.person(sessionmaker, "RM", **NO_DOCUMENT)
    no_email = await factories.person(sessionmaker, "RM", email=None, **NO_DOCUMENT)
    await strip_document(sessionmaker, other_account)
    folio = await open_for(sessionmaker, with_account, "Mi solicitud")
    async with sessionmaker() as db:
        dup, a, b = (
            await db.get(Person, with_account),
            await db.get(Person, other_account),
            await db.get(Person, different_email),
        )
        assert dup and a and b
        with pytest.raises(merging.PersonMergeRefused) as refused:
            await merging.merge_people(db, ANALYST, dup, a, ACTOR)
        assert "cuenta" in refused.value.message
        with pytest.raises(merging.PersonMergeRefused) as refused:
            await merging.merge_people(db, ANALYST, dup, b, ACTOR)
        assert "correo" in refused.value.message
    result = await merge(sessionmaker, with_account, no_email)
    assert result.account_moved
    async with sessionmaker() as db:
        account = await db.scalar(
            select(CitizenAccount).where(CitizenAccount.person_id == no_email)
        )
        assert account is not None
    # The citizen still signs in with their email and sees their request.
    await factories.sign_in_citizen(client, email)
    mine = await client.get("/cuenta/solicitudes")
    assert mine.status_code == 200 and folio in page_text(mine.text)


async def test_find_matches(sessionmaker) -> None:
    run, email, passport = new_run(), new_email(), uuid.uuid4().hex[:10].upper()
    me = await factories.person(
        sessionmaker, "RM", run=run, email=email, email_verified_at=utcnow(),
        document_type="passport", document_number=passport, document_country="PE",
    )  # fmt: skip
    same_email = await factories.person(
        sessionmaker, "RM", email=email, email_verified_at=utcnow(), **NO_DOCUMENT
    )
    unverified = await factories.person(sessionmaker, "RM", email=email)
    cedula = await factories.person(
        sessionmaker, "RM", document_type="national_id", document_country="CL",
        document_number=run.replace("-", ""),
    )  # fmt: skip
    same_document = await factories.person(
        sessionmaker, "RM", document_type="other", document_number=passport,
        document_country="PE",
    )  # fmt: skip
    other_region = await factories.person(
        sessionmaker, "TA", email=email, email_verified_at=utcnow()
    )
    merged = await factories.person(sessionmaker, "RM", email=email, email_verified_at=utcnow())
    await merge(sessionmaker, merged, same_email)
    async with sessionmaker() as db:
        person = await db.get(Person, me)
        assert person is not None
        found = {m.person.id: m.reasons for m in await duplicates.find_matches(db, ANALYST, person)}
        assert found == {
            same_email: ["email"],
            cedula: ["run"],
            same_document: ["document"],
            other_region: ["email"],
        }
        assert unverified not in found
        scoped = await duplicates.find_matches(db, RM_AGENT, person)
        assert other_region not in {m.person.id for m in scoped}
        # And from the cédula's side, the RUN holder is found.
        side = await db.get(Person, cedula)
        assert side is not None
        assert me in {m.person.id for m in await duplicates.find_matches(db, ANALYST, side)}


# --- Pages.


async def sign_in(client, sessionmaker, role: str = "central_analyst") -> int:
    email = await factories.staff_member(sessionmaker, role)
    await factories.sign_in_staff(client, email)
    async with sessionmaker() as db:
        staff_id = await db.scalar(select(StaffAccount.id).where(StaffAccount.email == email))
    assert staff_id is not None
    return staff_id


async def test_person_page_suggests_and_merges(client, sessionmaker) -> None:
    email = new_email()
    kept = await factories.person(
        sessionmaker, "RM", given_names=XSS_NAME, email=email, email_verified_at=utcnow(),
        **NO_DOCUMENT,
    )  # fmt: skip
    dup = await factories.person(
        sessionmaker, "RM", surnames=XSS_NAME, email=email, email_verified_at=utcnow()
    )
    folio = await open_for(sessionmaker, dup, "Solicitud del duplicado")
    await sign_in(client, sessionmaker)
    url = f"/staff/personas/{kept}"
    page = await client.get(url)
    text = page_text(page.text)
    assert "Posibles duplicados" in text and f"Ficha N° {dup}" in text
    assert "mismo correo confirmado" in text
    assert "<script>alert('nombre')" not in page.text and XSS_NAME in text

    preview_url = f"/staff/personas/{dup}/fusionar?con={kept}"
    assert preview_url in parse_page(page.text).values("href")
    preview = await client.get(preview_url)
    assert preview.status_code == 200
    preview_text = page_text(preview.text)
    assert folio in preview_text and "Qué pasará" in preview_text
    assert f"se enviarán a {email}" in preview_text
    assert "<script>alert('nombre')" not in preview.text
    fingerprint = parse_page(preview.text).values("value")
    form = {"con": str(kept), "huella": next(v for v in fingerprint if len(v) == 32)}
    response = await client.submit(f"/staff/personas/{dup}/fusionar", form, preview_url)
    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?hecho=fusionada"
    kept_page = await client.get(response.headers["location"])
    kept_text = page_text(kept_page.text)
    assert folio in kept_text and "Solicitud del duplicado" in kept_text
    assert f"Se fusionó aquí la ficha N° {dup}" in kept_text
    assert "<script>alert('nombre')" not in kept_page.text
    dup_page = await client.get(f"/staff/personas/{dup}")
    dup_text = page_text(dup_page.text)
    assert f"Esta ficha se fusionó con la ficha N° {kept}." in dup_text
    assert "Posibles duplicados" not in dup_text
    assert "<script>alert('nombre')" not in dup_page.text and XSS_NAME in dup_text
    listing = await client.get("/staff/personas")
    assert f"/staff/personas/{kept}" in listing.text
    assert f'href="/staff/personas/{dup}"' not in listing.text


async def test_merge_form_errors(client, sessionmaker) -> None:
    mine = await factories.person(sessionmaker, "RM", run=new_run())
    other_run = await factories.person(sessionmaker, "RM", run=new_run())
    elsewhere = await factories.person(sessionmaker, "TA")
    await sign_in(client, sessionmaker, "regional_agent")
    url = f"/staff/personas/{mine}"
    cases = [
        ({"con": "abc"}, 422, "número de ficha"),
        ({"con": ""}, 422, "número de ficha"),
        ({"con": str(elsewhere)}, 404, f"No hay una ficha N° {elsewhere}"),
        ({"con": "999999999"}, 404, "No hay una ficha N° 999999999"),
        ({"con": str(mine)}, 409, "consigo misma"),
        ({"con": str(other_run)}, 409, "RUN distintos"),
    ]
    for data, status, words in cases:
        # The preview shows the same words; a refused pair has no confirmation button.
        preview = await client.get(url + "/fusionar", params=data)
        assert preview.status_code == (200 if status == 409 else status), data
        assert words in page_text(preview.text), data
        assert "Confirmar la fusión" not in page_text(preview.text), data
        posted = {**data, "huella": await fingerprint(client, url + "/fusionar", data)}
        response = await client.submit(url + "/fusionar", posted, url)
        assert response.status_code == status, (data, response.status_code)
        assert words in page_text(response.text), data
    # A confirmation of records that changed since their preview is refused.
    clean = await factories.person(sessionmaker, "RM", **NO_DOCUMENT)
    stale = await client.submit(url + "/fusionar", {"con": str(clean), "huella": "0" * 32}, url)
    assert stale.status_code == 409 and "cambiaron" in page_text(stale.text)
    assert (await get(sessionmaker, mine)).merged_into_id is None
    # Another region's record is answered as one that does not exist.
    response = await client.submit(f"/staff/personas/{elsewhere}/fusionar", {"con": str(mine)}, url)
    assert response.status_code == 404
    preview = await client.get(f"/staff/personas/{elsewhere}/fusionar", params={"con": str(mine)})
    assert preview.status_code == 404


async def fingerprint(client, url: str, params: dict[str, str]) -> str:
    """The preview's fingerprint, as its confirmation form carries it (when it has one)."""
    page = await client.get(url, params=params)
    found = [
        attrs.get("value", "")
        for tag, attrs in parse_page(page.text).elements
        if tag == "input" and attrs.get("name") == "huella"
    ]
    return found[0] if found else ""
