"""The queue as a working list (issue 14): the person's language and the language filter,
the wait since the person's last message, the oldest-first order and the views' counts."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.service import Actor
from helpdesk.tickets.models import Ticket, TicketMessage
from helpdesk.tickets.queue import service as queues
from helpdesk.tickets.queue.forms import (
    MY_LANGUAGES,
    parse_cursor,
    parse_queue_query,
    parse_queue_tools,
    staff_languages,
)
from helpdesk.tickets.queue.service import (
    OLDEST,
    VIEWS,
    QueueFilter,
    next_cursor,
    queue_page,
    view_counts,
)
from helpdesk.tickets.service import NewRequest, open_request

SANTIAGO = ZoneInfo("America/Santiago")
TODAY = date(2030, 5, 6)
RECEIVED = datetime(2030, 5, 2, 10, tzinfo=SANTIAGO)
ANALYST = Viewer("staff", 2, "b", role="central_analyst")
LOCALES = ("es", "ht", "zh", "ht", "ru")


@pytest.fixture(scope="module")
async def written(sessionmaker) -> dict[str, object]:
    """Five requests of a new kind in ``LOCALES``' languages, oldest first, each opened with
    the person's first message (written now); then, at RECEIVED (later), a staff reply on
    the second; a staff reply and a later message from the person on the third; an internal
    note on the fourth."""
    kind = f"test-{uuid.uuid4().hex[:6]}"
    ids = []
    async with sessionmaker() as db, db.begin():
        for locale in LOCALES:
            data = NewRequest("consulta", "Asunto", "Texto", "web", "w@test.portal", locale)
            opened = await open_request(db, data, Actor("anonymous", None), "http://x", RECEIVED)
            ids.append(opened.ticket.id)
        await db.execute(update(Ticket).where(Ticket.id.in_(ids)).values(kind=kind))
        later = RECEIVED + timedelta(hours=1)
        db.add_all(
            [
                TicketMessage(request_id=ids[1], author_kind="staff", body="r", created_at=later),
                TicketMessage(request_id=ids[2], author_kind="staff", body="r", created_at=later),
                TicketMessage(
                    request_id=ids[2],
                    author_kind="citizen",
                    body="¿y?",
                    created_at=later + timedelta(hours=1),
                ),
                TicketMessage(
                    request_id=ids[3],
                    author_kind="staff",
                    body="nota",
                    internal=True,
                    created_at=later,
                ),
            ]
        )
    return {"kind": kind, "ids": ids}


def ids_of(rows) -> list[int]:  # type: ignore[no-untyped-def]
    return [r.id for r in rows]


async def test_rows_carry_the_persons_language(db, written) -> None:
    rows = await queue_page(db, ANALYST, QueueFilter(kind=written["kind"]), TODAY)
    assert [r.locale for r in reversed(rows)] == list(LOCALES)


async def test_language_filter_one_or_several(db, written) -> None:
    kind, ids = written["kind"], written["ids"]
    creole = await queue_page(db, ANALYST, QueueFilter(kind=kind, languages=("ht",)), TODAY)
    assert ids_of(creole) == [ids[3], ids[1]]
    mine = QueueFilter(kind=kind, languages=("zh", "ru"))
    assert ids_of(await queue_page(db, ANALYST, mine, TODAY)) == [ids[4], ids[2]]
    nobody = QueueFilter(kind=kind, languages=("fr",))
    assert await queue_page(db, ANALYST, nobody, TODAY) == []


def test_my_languages_come_from_the_staff_account() -> None:
    assert staff_languages("es,ht") == ("es", "ht")
    assert staff_languages(" ht , xx,ht,,zh ") == ("ht", "zh")  # unknown and repeated dropped
    assert staff_languages("") == () and staff_languages(None) == ()
    tools = parse_queue_tools({"idioma": MY_LANGUAGES})
    assert tools.refine(QueueFilter(), ("es", "ht")).languages == ("es", "ht")
    assert tools.refine(QueueFilter(), ()).languages == ()  # none said: nothing filtered
    assert parse_queue_tools({"idioma": "ht"}).refine(QueueFilter(), ("es",)).languages == ("ht",)
    assert parse_queue_tools({"idioma": "klingon"}).language is None
    assert "idioma=mis" in tools.query_string(None, OLDEST)
    assert "orden=antiguas" in tools.query_string(None, OLDEST)


async def test_waiting_since_the_persons_last_message(db, written) -> None:
    ids = written["ids"]
    rows = {
        r.id: r for r in await queue_page(db, ANALYST, QueueFilter(kind=written["kind"]), TODAY)
    }
    # Nobody answered: the person waits since their first message (written now).
    assert rows[ids[0]].waiting_since is not None
    assert rows[ids[0]].waiting_since < RECEIVED
    # Staff replied after it: nobody waits on us.
    assert rows[ids[1]].waiting_since is None
    # The person wrote again after the reply: waiting since that later message.
    assert rows[ids[2]].waiting_since == RECEIVED + timedelta(hours=2)
    # An internal note is no reply: still waiting since the first message.
    noted = rows[ids[3]].waiting_since
    assert noted is not None and noted < RECEIVED


@pytest.mark.parametrize("size", [1, 2, 50])
async def test_oldest_first_pages_forward(sessionmaker, written, size) -> None:
    kind, ids = written["kind"], written["ids"]
    for order, expected in ((OLDEST, ids), (queues.NEWEST, ids[::-1])):
        seen, after = [], None
        async with sessionmaker() as db:
            queue = QueueFilter(kind=kind, order=order)
            while page := await queue_page(db, ANALYST, queue, TODAY, after, size):
                seen += ids_of(page)
                after = next_cursor("all", page[-1])
                assert after == parse_cursor("all", str(after))
        assert seen == expected


def test_the_order_is_read_from_the_query() -> None:
    assert parse_queue_query({"orden": "antiguas"}).queue.order == OLDEST
    assert parse_queue_query({"orden": "x"}).queue.order == queues.NEWEST
    assert parse_queue_query({}).queue.order == queues.NEWEST


@pytest.mark.parametrize(
    "viewer",
    [
        ANALYST,
        Viewer("staff", 2, "a", role="regional_agent", region_code="TA"),
        Viewer("staff", 2, "a", role="regional_agent", region_code="RM"),
    ],
)
async def test_counts_are_the_views_rows_up_to_the_cap(db, written, viewer, monkeypatch) -> None:
    for cap in (queues.COUNT_CAP, 2):
        monkeypatch.setattr(queues, "COUNT_CAP", cap)
        counts = await view_counts(db, viewer, TODAY)
        assert set(counts) == set(VIEWS)
        for view in VIEWS:
            rows = await queue_page(db, viewer, QueueFilter(view), TODAY, limit=cap)
            assert counts[view] == len(rows), view
