"""The queue page as a working list: the view tabs with their counts, the one-row filters
with the language filter, and the language badge in the rows (HTML parsed)."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser

import pytest
from sqlalchemy import select, update

from helpdesk.accounts.models import StaffAccount
from helpdesk.audit.service import Actor
from helpdesk.core import links
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queue import page as queue_page
from helpdesk.tickets.service import NewRequest, open_request
from tests.support.factories import sign_in_staff, staff_member


class _Page(HTMLParser):
    """The view tabs (link id → text), each select's option values, the language badges."""

    def __init__(self) -> None:
        super().__init__()
        self.tabs: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self.badges: list[str] = []
        self.filter_form_controls: list[str] = []
        self._tab: str | None = None
        self._select: str | None = None
        self._in_filters = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and (a.get("id") or "").startswith("vista-"):
            self._tab = a["id"]
            self.tabs[self._tab] = ""  # type: ignore[index]
        elif tag == "form" and "queue-filters" in (a.get("class") or ""):
            self._in_filters = True
        elif tag == "select":
            self._select = a.get("id") or ""
            self.options[self._select] = []
        elif tag == "option" and self._select is not None:
            self.options[self._select].append(a.get("value") or "")
        elif tag == "abbr" and a.get("class") == "badge lang":
            self.badges.append(a.get("title") or "")
        if self._in_filters and tag in ("select", "input", "button") and a.get("type") != "hidden":
            self.filter_form_controls.append(a.get("id") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._tab = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_filters = False

    def handle_data(self, data: str) -> None:
        if self._tab is not None:
            self.tabs[self._tab] += data


@pytest.fixture(autouse=True)
def counted_each_time(monkeypatch) -> None:
    """No counts kept from another test (a rolled-back staff id may come back)."""
    monkeypatch.setattr(queue_page, "COUNTS_KEPT_FOR", 0.0)


@pytest.fixture(scope="module")
async def creole(sessionmaker) -> dict[str, object]:
    kind = f"test-{uuid.uuid4().hex[:6]}"
    async with sessionmaker() as db, db.begin():
        ids = []
        for locale in ("ht", "es"):
            data = NewRequest("consulta", "Bonjou", "Texto", "web", "c@test.portal", locale)
            opened = await open_request(db, data, Actor("anonymous", None), "http://x")
            ids.append(opened.ticket.id)
        await db.execute(update(Ticket).where(Ticket.id.in_(ids)).values(kind=kind))
    return {"kind": kind, "ids": ids}


async def _page(client, query: dict[str, str]) -> _Page:  # type: ignore[no-untyped-def]
    response = await client.get(links.url_path("staff_queue", query=query))
    assert response.status_code == 200
    parsed = _Page()
    parsed.feed(response.text)
    return parsed


async def test_tabs_filters_and_language_badges(client, sessionmaker, creole) -> None:
    email = await staff_member(sessionmaker, "central_analyst")
    await sign_in_staff(client, email)
    page = await _page(client, {"idioma": "ht"})
    # Every view a tab with its count (a number, or "99+" from the cap).
    assert set(page.tabs) == {
        f"vista-{v}" for v in ("all", "mine", "unassigned", "due_soon", "overdue", "waiting")
    }
    for text in page.tabs.values():
        count = text.split()[-1]
        assert count.rstrip("+").isdigit(), text
    assert page.tabs["vista-mine"].split()[-1] == "0"  # a new analyst has nothing yet
    # The filters in one form, the language among them; no "my languages" without languages.
    assert page.filter_form_controls[:2] == ["tipo", "idioma"]
    assert {"q", "filtrar", "orden"} <= set(page.filter_form_controls)
    assert page.options["idioma"] == ["", "es", "ht", "en", "fr", "zh", "ru"]
    # Only Creole requests, each with its badge.
    assert page.badges and set(page.badges) == {"Kreyòl ayisyen"}


async def test_my_languages_option_and_filter(client, sessionmaker, creole) -> None:
    email = await staff_member(sessionmaker, "central_analyst")
    async with sessionmaker() as db, db.begin():
        await db.execute(
            update(StaffAccount).where(StaffAccount.email == email).values(languages="ht")
        )
    await sign_in_staff(client, email)
    page = await _page(client, {"idioma": "mis", "tipo": "", "vista": "all"})
    assert page.options["idioma"][:2] == ["", "mis"]
    assert set(page.badges) == {"Kreyòl ayisyen"}


async def test_counts_are_kept_a_few_seconds_but_not_after_a_bulk_action(
    client, sessionmaker, monkeypatch
) -> None:
    monkeypatch.setattr(queue_page, "COUNTS_KEPT_FOR", 60.0)
    email = await staff_member(sessionmaker, "central_analyst")
    await sign_in_staff(client, email)
    assert (await _page(client, {"vista": "mine"})).tabs["vista-mine"].split()[-1] == "0"
    async with sessionmaker() as db, db.begin():
        me = await db.scalar(select(StaffAccount.id).where(StaffAccount.email == email))
        data = NewRequest("consulta", "Mía", "Texto", "web", "m@test.portal", "es")
        opened = await open_request(db, data, Actor("anonymous", None), "http://x")
        await db.execute(update(Ticket).where(Ticket.id == opened.ticket.id).values(assignee_id=me))
    assert (await _page(client, {"vista": "mine"})).tabs["vista-mine"].split()[-1] == "0"
    after_bulk = await _page(client, {"vista": "mine", "cambiadas": "1"})
    assert after_bulk.tabs["vista-mine"].split()[-1] == "1"


async def test_due_ordered_views_offer_no_order(client, sessionmaker) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "central_analyst"))
    assert "orden" not in (await _page(client, {"vista": "overdue"})).options
    assert (await _page(client, {"vista": "all"})).options["orden"] == ["recientes", "antiguas"]
