"""The queue's tag, team and topic filters, and parsing the search box and filters."""

from __future__ import annotations

import uuid
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import update
from starlette.datastructures import QueryParams

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.service import Actor
from helpdesk.tickets.models import Team, Ticket, TicketTag
from helpdesk.tickets.queue.forms import QueueTools, parse_queue_tools, search_before
from helpdesk.tickets.queue.service import QueueFilter, queue_page
from helpdesk.tickets.queue.tools import back_to_queue
from helpdesk.tickets.service import NewRequest, open_request
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text

TODAY = date(2030, 5, 6)
ANALYST = Viewer("staff", 2, "Analista", role="central_analyst")


@pytest.fixture(scope="module")
async def filtered(sessionmaker) -> dict[str, object]:
    """Four requests of one new team: multas (RM, tagged), multas (TA), regularización, and
    one of no topic (a consulta)."""
    team, tag = "team-" + uuid.uuid4().hex[:8], "f-" + uuid.uuid4().hex[:8]
    kinds = [("multas", "RM"), ("multas", "TA"), ("regularizacion", "RM"), ("consulta", "RM")]
    ids = []
    async with sessionmaker() as db, db.begin():
        db.add(Team(code=team, name="Equipo " + team))
        for kind, region in kinds:
            email = f"f.{uuid.uuid4().hex[:8]}@test.portal"
            data = NewRequest(
                "consulta", "Filtros", "Texto", "web", email, "es", region_code=region
            )
            opened = await open_request(db, data, Actor("anonymous", None), "http://x")
            ids.append(opened.ticket.id)
            await db.execute(
                update(Ticket)
                .where(Ticket.id == opened.ticket.id)
                .values(kind=kind, team_code=team)
            )
        db.add(TicketTag(request_id=ids[0], tag=tag))
    return {"team": team, "tag": tag, "ids": ids}


def ids_of(rows) -> list[int]:
    return [r.id for r in rows]


async def test_team_filter(db, filtered) -> None:
    rows = await queue_page(db, ANALYST, QueueFilter(team_code=filtered["team"]), TODAY)
    assert ids_of(rows) == sorted(filtered["ids"], reverse=True)
    assert await queue_page(db, ANALYST, QueueFilter(team_code="no-such-team"), TODAY) == []


async def test_topic_filter_matches_the_kinds_of_the_topic(db, filtered) -> None:
    ids = filtered["ids"]
    multas = QueueFilter(team_code=filtered["team"], topic="multas")
    assert ids_of(await queue_page(db, ANALYST, multas, TODAY)) == [ids[1], ids[0]]
    regularizacion = QueueFilter(team_code=filtered["team"], topic="regularizacion")
    assert ids_of(await queue_page(db, ANALYST, regularizacion, TODAY)) == [ids[2]]


async def test_tag_filter_and_region_scope(db, filtered) -> None:
    ids = filtered["ids"]
    assert ids_of(await queue_page(db, ANALYST, QueueFilter(tag=filtered["tag"]), TODAY)) == [
        ids[0]
    ]
    ta_agent = Viewer("staff", 5, "Agente", role="regional_agent", region_code="TA")
    assert await queue_page(db, ta_agent, QueueFilter(tag=filtered["tag"]), TODAY) == []
    mine = QueueFilter(team_code=filtered["team"], topic="multas")
    assert ids_of(await queue_page(db, ta_agent, mine, TODAY)) == [ids[1]]


async def test_filters_in_the_queue_page(client, sessionmaker, filtered) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "supervisor"))
    params = {"equipo": filtered["team"], "tema": "multas", "vista": "unassigned"}
    page = await client.get("/staff/solicitudes", params=params)
    assert page.status_code == 200
    text = page_text(page.text)
    assert filtered["tag"] in text  # the row's tag, and the filter's choice
    assert "Equipo " + filtered["team"] in text


class _Options(HTMLParser):
    """Each select's option values, in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "select":
            self._select = dict(attrs).get("id") or ""
            self.options[self._select] = []
        elif tag == "option" and self._select is not None:
            self.options[self._select].append(dict(attrs).get("value") or "")


async def test_the_filter_choices_are_the_tags_in_use_and_the_teams(
    client, sessionmaker, filtered
) -> None:
    suffix = uuid.uuid4().hex[:8]
    async with sessionmaker() as db, db.begin():
        db.add_all(
            [
                Team(code="z-" + suffix, name="A " + suffix),
                Team(code="a-" + suffix, name="Z " + suffix),
            ]
        )
        db.add(TicketTag(request_id=filtered["ids"][1], tag=filtered["tag"]))  # a second use
    await sign_in_staff(client, await staff_member(sessionmaker, "supervisor"))
    page = await client.get("/staff/solicitudes")
    parser = _Options()
    parser.feed(page.text)
    tag_values, team_values = parser.options["etiqueta"][1:], parser.options["equipo"][1:]
    assert tag_values == sorted(set(tag_values)) and tag_values.count(filtered["tag"]) == 1
    assert team_values.index("z-" + suffix) < team_values.index("a-" + suffix)  # by name
    assert filtered["team"] in team_values


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, QueueTools()),
        (
            {"q": "  multa   pagada ", "etiqueta": "Prensa", "equipo": "norte", "tema": "multas"},
            QueueTools("multa pagada", "prensa", "norte", "multas"),
        ),
        ({"tema": "consulta", "etiqueta": "<b>", "equipo": "x" * 41}, QueueTools()),
        ({"q": "a" * 500}, QueueTools("a" * 200)),
    ],
)
def test_parse_queue_tools(params, expected) -> None:
    assert parse_queue_tools(params) == expected


def test_query_string_keeps_the_filters_for_links() -> None:
    tools = QueueTools("visa & multa", "prensa", None, "multas")
    assert tools.query_string("consulta") == (
        "&tipo=consulta&q=visa+%26+multa&etiqueta=prensa&tema=multas"
    )
    assert QueueTools().query_string(None) == ""
    assert tools.refine(QueueFilter("mine")) == QueueFilter("mine", tag="prensa", topic="multas")


def test_back_to_queue_replaces_the_notice() -> None:
    params = QueryParams("vista=mine&cambiadas=3&antes=12")
    assert back_to_queue(params, 2) == "/staff/solicitudes?vista=mine&antes=12&cambiadas=2"
    assert back_to_queue(QueryParams("")) == "/staff/solicitudes"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("123", 123), ("2030-01-01.123", 123), ("", None), ("-1", None), ("9" * 20, None)],
)
def test_search_before(text, expected) -> None:
    assert search_before(text) == expected
