"""Two agents on one request: the "someone else is replying" warning (service and HTTP), and a
reply that crossed a colleague's being sent back with its draft."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from html.parser import HTMLParser

import httpx2
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.accounts.staff import NewStaff, create_staff
from helpdesk.audit.service import SYSTEM, Actor
from helpdesk.core.db import utcnow
from helpdesk.core.errors import PermissionDenied
from helpdesk.tickets.models import Ticket, TicketPresence
from helpdesk.tickets.workbench import presence
from helpdesk.tickets.workbench import service as agent_service
from tests.helpdesk.tickets.workbench.test_pages import load, make_request, outbox_replies
from tests.support.factories import STAFF_PASSWORD, sign_in_staff
from tests.support.http import Browser, page_text

VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"})


class _Page(HTMLParser):
    """Start tags with their attributes, and the text inside each element that has an id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, str] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if tag not in VOID:
            self._open.append(values.get("id"))
            if values.get("id"):
                self.text.setdefault(str(values["id"]), "")

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element_id in self._open:
            if element_id:
                self.text[element_id] += data

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            values
            for name, values in self.tags
            if name == tag and all(values.get(k) == v for k, v in attrs.items())
        ]


def parsed(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


async def new_agent(sessionmaker, name: str, office: str = "santiago") -> tuple[str, Viewer]:
    """A regional agent with a chosen display name; returns (email, viewer)."""
    email = f"agent.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        await create_staff(
            db, NewStaff(email, name, "regional_agent", office, STAFF_PASSWORD), SYSTEM
        )
    async with sessionmaker() as db:
        account = await db.scalar(select(StaffAccount).where(StaffAccount.email == email))
    assert account is not None
    region = {"santiago": "RM", "iquique": "TA"}[office]
    return email, Viewer("staff", account.id, name, role="regional_agent", region_code=region)


@pytest.fixture
async def other_client(app: Starlette) -> AsyncIterator[Browser]:
    """A second browser: the colleague at the next desk."""
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.8", 40001))
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Browser(http)


HX = {"HX-Request": "true"}


# --- The service.


async def test_two_agents_see_each_other_until_a_minute_passes(sessionmaker) -> None:
    made = await make_request(sessionmaker)
    _, ana = await new_agent(sessionmaker, "Ana Pérez")
    _, luis = await new_agent(sessionmaker, "Luis Soto")
    t0 = utcnow()
    async with sessionmaker() as db, db.begin():
        item = await load(sessionmaker, made["folio"])
        await presence.touch(db, ana, item, now=t0)
        await presence.touch(db, ana, item, now=t0 + timedelta(seconds=5))  # an upsert
        await presence.touch(db, luis, item, now=t0)
    async with sessionmaker() as db:
        rows = await db.scalar(
            select(func.count())
            .select_from(TicketPresence)
            .where(TicketPresence.request_id == item.id)
        )
        assert rows == 2
        assert await presence.others_replying(db, luis, item, t0) == ["Ana Pérez"]
        assert await presence.others_replying(db, ana, item, t0) == ["Luis Soto"]
        # Ana's last heartbeat was at t0 + 5 s: fresh for 60 s, stale after.
        later = t0 + timedelta(seconds=65)
        assert await presence.others_replying(db, luis, item, later) == ["Ana Pérez"]
        stale = t0 + timedelta(seconds=66)
        assert await presence.others_replying(db, luis, item, stale) == []
        assert timedelta(seconds=60) == presence.FRESH_FOR


async def test_leaving_clears_only_my_presence(sessionmaker) -> None:
    made = await make_request(sessionmaker)
    _, ana = await new_agent(sessionmaker, "Ana Pérez")
    _, luis = await new_agent(sessionmaker, "Luis Soto")
    item = await load(sessionmaker, made["folio"])
    async with sessionmaker() as db, db.begin():
        await presence.touch(db, ana, item)
        await presence.touch(db, luis, item)
        await presence.leave(db, ana, item)
    async with sessionmaker() as db:
        assert await presence.others_replying(db, luis, item) == []
        assert await presence.others_replying(db, ana, item) == ["Luis Soto"]


async def test_presence_is_region_scoped(sessionmaker) -> None:
    made = await make_request(sessionmaker, "RM")
    _, jean = await new_agent(sessionmaker, "Jean Louis", "iquique")
    item = await load(sessionmaker, made["folio"])
    async with sessionmaker() as db:
        with pytest.raises(PermissionDenied):
            await presence.touch(db, jean, item)
        with pytest.raises(PermissionDenied):
            await presence.others_replying(db, jean, item)
        with pytest.raises(PermissionDenied):
            await presence.replied_since(db, jean, item, 0)


async def test_replied_since_counts_only_colleagues_answers(sessionmaker) -> None:
    made = await make_request(sessionmaker)
    _, ana = await new_agent(sessionmaker, "Ana Pérez")
    _, luis = await new_agent(sessionmaker, "Luis Soto")
    async with sessionmaker() as db, db.begin():
        item = await db.scalar(select(Ticket).where(Ticket.folio == made["folio"]))
        assert item is not None
        note = await agent_service.add_note(db, luis, item, "Lo veo yo", Actor("staff", luis.id))
        assert not await presence.replied_since(db, ana, item, note.id - 1)  # a note
        mine = await agent_service.reply(
            db, ana, item, "Respuesta de Ana", Actor("staff", ana.id), "http://testserver"
        )
        assert not await presence.replied_since(db, ana, item, note.id)  # my own reply
        assert await presence.replied_since(db, luis, item, note.id)  # Ana's, for Luis
        assert not await presence.replied_since(db, luis, item, mine.id)  # already seen
        assert not await presence.replied_since(db, luis, item, None)  # an old form


# --- Through HTTP.


async def test_second_agent_sees_the_warning(client, other_client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    ana_email, _ = await new_agent(sessionmaker, "Ana Pérez")
    luis_email, _ = await new_agent(sessionmaker, "Luis Soto")
    await sign_in_staff(client, ana_email)
    await sign_in_staff(other_client, luis_email)
    url = f"/staff/solicitudes/{made['folio']}"

    # Ana types: htmx gets the partial alone, with nobody else to warn about.
    token = await client.csrf(url)
    ping = await client.post(url + "/presencia", headers={**HX, "X-CSRF-Token": token})
    assert ping.status_code == 200
    assert "<html" not in ping.text and "Vary" in ping.headers
    assert "HX-Request" in ping.headers["Vary"]
    assert ping.headers["Cache-Control"] == "private, no-store"
    assert parsed(ping.text).text["presencia"].strip() == ""

    # Luis opens the page: the warning is there without JavaScript, in a live region.
    page = parsed((await other_client.get(url)).text)
    [region] = page.find("div", id="presencia")
    assert region["aria-live"] == "polite"
    assert region["hx-post"] == url + "/presencia"
    expected = "Ana Pérez también está respondiendo esta solicitud."
    assert " ".join(page.text["presencia"].split()) == expected
    # ... and from his own heartbeat, as the partial.
    token = await other_client.csrf(url)
    ping = await other_client.post(url + "/presencia", headers={**HX, "X-CSRF-Token": token})
    assert ping.status_code == 200 and "<html" not in ping.text
    assert " ".join(parsed(ping.text).text["presencia"].split()) == expected

    # Without htmx, the same post goes back to the page.
    plain = await other_client.submit(url + "/presencia", {}, url)
    assert plain.status_code == 303 and plain.headers["location"] == url + "#responder"


async def test_presence_is_refused_outside_the_region(client, sessionmaker) -> None:
    made = await make_request(sessionmaker, "RM")
    email, _ = await new_agent(sessionmaker, "Jean Louis", "iquique")
    await sign_in_staff(client, email)
    token = await client.csrf("/staff/solicitudes")
    response = await client.post(
        f"/staff/solicitudes/{made['folio']}/presencia",
        headers={**HX, "X-CSRF-Token": token},
    )
    assert response.status_code == 404
    item = await load(sessionmaker, made["folio"])
    async with sessionmaker() as db:
        count = await db.scalar(
            select(func.count())
            .select_from(TicketPresence)
            .where(TicketPresence.request_id == item.id)
        )
    assert count == 0


async def test_presence_needs_a_csrf_token(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    email, _ = await new_agent(sessionmaker, "Ana Pérez")
    await sign_in_staff(client, email)
    response = await client.post(f"/staff/solicitudes/{made['folio']}/presencia", headers=HX)
    assert response.status_code == 403


async def test_staff_names_in_the_warning_are_text(client, other_client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    payload = "<img src=x onerror=alert(1)>"
    bad_email, _ = await new_agent(sessionmaker, payload)
    email, _ = await new_agent(sessionmaker, "Luis Soto")
    await sign_in_staff(client, bad_email)
    await sign_in_staff(other_client, email)
    url = f"/staff/solicitudes/{made['folio']}"
    token = await client.csrf(url)
    await client.post(url + "/presencia", headers={**HX, "X-CSRF-Token": token})
    html = (await other_client.get(url)).text
    page = parsed(html)
    assert payload in page.text["presencia"]
    assert not page.find("img", src="x")


async def test_crossed_reply_is_sent_back_with_the_draft(
    client, other_client, sessionmaker
) -> None:
    made = await make_request(sessionmaker)
    ana_email, _ = await new_agent(sessionmaker, "Ana Pérez")
    luis_email, _ = await new_agent(sessionmaker, "Luis Soto")
    await sign_in_staff(client, ana_email)
    await sign_in_staff(other_client, luis_email)
    url = f"/staff/solicitudes/{made['folio']}"

    # Ana loads the page and starts writing; meanwhile Luis answers.
    ana_page = parsed((await client.get(url)).text)
    [seen] = ana_page.find("input", name="visto")
    [token] = ana_page.find("input", name="csrf_token")[:1]
    sent = await other_client.submit(url + "/responder", {"texto": "Respuesta de Luis"}, url)
    assert sent.status_code == 303

    draft = "Borrador de Ana: su visa está en trámite."
    form = {"texto": draft, "visto": seen["value"], "csrf_token": token["value"]}
    crossed = await client.post(url + "/responder", data=form)
    assert crossed.status_code == 409
    page = parsed(crossed.text)
    message = "Otra persona respondió mientras usted escribía; revise la conversación"
    assert message in page_text(crossed.text)
    assert message in page.text["visto-error"]
    assert page.text["texto"] == draft  # the draft is kept
    assert "Respuesta de Luis" in page_text(crossed.text)  # and the colleague's answer shown
    assert len(await outbox_replies(sessionmaker, made["email"])) == 1  # Luis's only

    # Having read it, Ana sends: the re-rendered form carries the newer message id.
    [fresh] = page.find("input", name="visto")
    assert int(str(fresh["value"])) > int(str(seen["value"]))
    again = await client.post(url + "/responder", data={**form, "visto": fresh["value"]})
    assert again.status_code == 303
    assert len(await outbox_replies(sessionmaker, made["email"])) == 2


async def test_sending_a_reply_clears_my_presence(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    email, ana = await new_agent(sessionmaker, "Ana Pérez")
    _, luis = await new_agent(sessionmaker, "Luis Soto")
    await sign_in_staff(client, email)
    url = f"/staff/solicitudes/{made['folio']}"
    token = await client.csrf(url)
    await client.post(url + "/presencia", headers={**HX, "X-CSRF-Token": token})
    item = await load(sessionmaker, made["folio"])
    async with sessionmaker() as db:
        assert await presence.others_replying(db, luis, item) == ["Ana Pérez"]
    response = await client.submit(url + "/responder", {"texto": "Listo."}, url)
    assert response.status_code == 303
    async with sessionmaker() as db:
        assert await presence.others_replying(db, luis, item) == []
    assert ana.id != luis.id
