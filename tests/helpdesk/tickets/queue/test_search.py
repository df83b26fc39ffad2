"""Full-text search over requests: accents and case, subjects, folios and messages, region
scoping, hostile input and keyset pages; and the search box of the queue page over HTTP."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.service import Actor
from helpdesk.core.errors import PermissionDenied
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queue import search
from helpdesk.tickets.queue.search import fts5_query, search_requests, terms
from helpdesk.tickets.service import NewRequest, open_request
from helpdesk.tickets.workbench import service as agent_service
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text

ANALYST = Viewer("staff", 2, "Analista", role="central_analyst")
STAFF = Actor("staff", 2)


def word() -> str:
    """A word no other test uses: the database is shared and never emptied."""
    return "w" + uuid.uuid4().hex[:12]


async def new_request(
    sessionmaker, subject: str, body: str = "Texto", region: str = "RM"
) -> Ticket:
    email = f"s.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        data = NewRequest("consulta", subject, body, "web", email, "es", region_code=region)
        opened = await open_request(db, data, Actor("anonymous", None), "http://x")
    return opened.ticket


def ids(rows) -> list[int]:
    return [r.id for r in rows]


@pytest.fixture(params=["collected", "probed"])
def plan(request, monkeypatch) -> str:
    """Both query plans must find the same rows: force one through the threshold."""
    monkeypatch.setattr(search, "COMMON_MATCHES", 0 if request.param == "probed" else 10**9)
    return str(request.param)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Regularización  de MULTA ", ["Regularización", "de", "MULTA"]),
        ('"* AND ( - NEAR(a b)', ["AND", "NEAR", "a", "b"]),
        ("SIAC-2026-000123", ["SIAC", "2026", "000123"]),
        ("correo@dominio.cl", ["correo", "dominio", "cl"]),
        ("a_b", ["a", "b"]),
        ("\x00;--'", []),
        ("", []),
    ],
)
def test_terms_keep_only_words(typed, expected) -> None:
    assert terms(typed) == expected


def test_fts5_query_quotes_every_word() -> None:
    assert fts5_query(["AND", "multa"]) == '"AND" "multa"'


async def test_subject_is_found_without_accents_and_in_any_case(db, sessionmaker, plan) -> None:
    tag = word()
    made = await new_request(sessionmaker, f"Regularización de mi hijo {tag}")
    for typed in (f"regularizacion {tag}", f"REGULARIZACIÓN {tag.upper()}", f"Hijo {tag}"):
        assert ids(await search_requests(db, ANALYST, typed)) == [made.id], typed
    # Every word must be there.
    assert await search_requests(db, ANALYST, f"regularizacion {tag} nacionalidad") == []


async def test_messages_and_internal_notes_are_searched(db, sessionmaker, plan) -> None:
    tag = word()
    first = await new_request(sessionmaker, "Consulta", body=f"Pagué la MULTA {tag} ayer")
    second = await new_request(sessionmaker, "Otra consulta")
    async with sessionmaker() as session, session.begin():
        row = await session.get(Ticket, second.id)
        assert row is not None
        await agent_service.add_note(session, ANALYST, row, f"Llamó por la cédula {tag}", STAFF)
    assert ids(await search_requests(db, ANALYST, f"multa {tag}")) == [first.id]
    assert ids(await search_requests(db, ANALYST, f"cedula {tag}")) == [second.id]
    assert ids(await search_requests(db, ANALYST, tag)) == [second.id, first.id]


async def test_folio_is_found_whole(db, sessionmaker, plan) -> None:
    made = await new_request(sessionmaker, "Sin palabras especiales")
    assert ids(await search_requests(db, ANALYST, made.folio)) == [made.id]
    assert ids(await search_requests(db, ANALYST, made.folio.lower())) == [made.id]


async def test_changed_subject_is_searched_by_its_new_words(db, sessionmaker, plan) -> None:
    old, new = word(), word()
    made = await new_request(sessionmaker, f"Asunto {old}")
    async with sessionmaker() as session, session.begin():
        row = await session.get(Ticket, made.id)
        assert row is not None
        row.subject = f"Asunto {new}"
    assert await search_requests(db, ANALYST, old) == []
    assert ids(await search_requests(db, ANALYST, new)) == [made.id]


async def test_regional_agents_find_only_their_region(db, sessionmaker, plan) -> None:
    tag = word()
    rm = await new_request(sessionmaker, f"Visa {tag}", region="RM")
    ta = await new_request(sessionmaker, f"Visa {tag}", region="TA")
    agent = Viewer("staff", 5, "Agente", role="regional_agent", region_code="TA")
    assert ids(await search_requests(db, agent, tag)) == [ta.id]
    assert ids(await search_requests(db, ANALYST, tag)) == [ta.id, rm.id]
    with pytest.raises(PermissionDenied):
        await search_requests(db, Viewer("citizen", 9, "c", person_id=1), tag)
    with pytest.raises(PermissionDenied):
        await search_requests(db, Viewer("staff", 9, "e", role="kb_editor"), tag)


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        "*",
        "AND (",
        "-",
        "NEAR(",
        '"sin cerrar',
        "asunto:visa",
        "^visa",
        "visa OR",
        "NOT",
        "'; DROP TABLE requests; --",
        "\x00",
        "%_%",
        "a" * 5000,
        "()" * 100,
        "visa & !multa | <->",
        "\\",
        "   ",
    ],
)
async def test_hostile_queries_never_fail(db, hostile, plan) -> None:
    rows = await search_requests(db, ANALYST, hostile)
    assert isinstance(rows, list)


async def test_keyset_pages_cover_everything_once(db, sessionmaker, plan) -> None:
    tag = word()
    made = [await new_request(sessionmaker, f"Página {tag}") for _ in range(5)]
    seen: list[int] = []
    before = None
    while page := await search_requests(db, ANALYST, tag, before, limit=2):
        seen += ids(page)
        before = page[-1].id
    assert seen == sorted((m.id for m in made), reverse=True)


# --- Through the queue page.


class _SearchBox(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("name") == "q":
            self.value = values.get("value")


async def test_search_box_lists_matches_and_shows_payloads_as_text(client, sessionmaker) -> None:
    tag = word()
    payload = "<script>alert('asunto')</script>"
    made = await new_request(sessionmaker, f"{payload} Regularización {tag}")
    other = await new_request(sessionmaker, "Nada que ver")
    await sign_in_staff(client, await staff_member(sessionmaker, "central_analyst"))
    page = await client.get("/staff/solicitudes", params={"q": f"regularizacion {tag}"})
    assert page.status_code == 200
    text = page_text(page.text)
    assert made.folio in text and other.folio not in text
    assert payload in text  # shown as text...
    assert payload not in page.text  # ...never as markup
    hostile = "<img src=x onerror=alert(1)>"
    empty = await client.get("/staff/solicitudes", params={"q": f'{hostile} " AND ( {tag}'})
    assert empty.status_code == 200
    box = _SearchBox()
    box.feed(empty.text)
    assert box.value is not None and box.value.startswith(hostile)
    assert hostile not in empty.text and hostile in page_text(empty.text)


async def test_search_pages_by_keyset_over_http(client, sessionmaker) -> None:
    tag = word()
    made = [await new_request(sessionmaker, f"Serie {tag}") for _ in range(2)]
    await sign_in_staff(client, await staff_member(sessionmaker, "supervisor"))
    older = await client.get("/staff/solicitudes", params={"q": tag, "antes": str(made[1].id)})
    text = page_text(older.text)
    assert made[0].folio in text and made[1].folio not in text
    # A due-ordered view's cursor still pages the search by its id.
    due = await client.get(
        "/staff/solicitudes",
        params={"q": tag, "vista": "due_soon", "antes": f"2030-01-01.{made[1].id}"},
    )
    assert made[0].folio in page_text(due.text) and made[1].folio not in page_text(due.text)


async def test_search_index_follows_new_rows(sessionmaker) -> None:
    """The triggers (SQLite) and expression indexes (PostgreSQL) are in place at head."""
    tag = word()
    made = await new_request(sessionmaker, "Índice", body=f"Cuerpo {tag}")
    async with sessionmaker() as db:
        folio = await db.scalar(select(Ticket.folio).where(Ticket.id == made.id))
        assert ids(await search_requests(db, ANALYST, tag)) == [made.id]
        assert ids(await search_requests(db, ANALYST, folio or "")) == [made.id]
