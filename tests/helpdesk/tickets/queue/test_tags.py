"""Tags: normalization, adding and removing (region-checked, audited), the queue's tag list,
and the tag forms of a request's page over HTTP."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.core.errors import PermissionDenied
from helpdesk.tickets.models import Ticket, TicketTag
from helpdesk.tickets.queue import tags
from helpdesk.tickets.queue.tools import filter_choices
from helpdesk.tickets.service import NewRequest, open_request
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text

ANALYST = Viewer("staff", 2, "Analista", role="central_analyst")
STAFF = Actor("staff", 2)


async def new_request(sessionmaker, region: str = "RM") -> Ticket:
    email = f"t.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        data = NewRequest("consulta", "Etiquetas", "Texto", "web", email, "es", region_code=region)
        opened = await open_request(db, data, Actor("anonymous", None), "http://x")
    return opened.ticket


def unique_tag() -> str:
    return "t-" + uuid.uuid4().hex[:10]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Prensa", "prensa"),
        ("  VULNERABLE ", "vulnerable"),
        ("niño_2026", "niño_2026"),
        ("pre-ingreso", "pre-ingreso"),
        ("a" * 40, "a" * 40),
    ],
)
def test_normalize_tag(raw, expected) -> None:
    assert tags.normalize_tag(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", "a" * 41, "dos palabras", "<script>", "a/b", "coma,", "punto.", "#hash"]
)
def test_normalize_tag_refuses_with_a_message(raw) -> None:
    with pytest.raises(tags.InvalidTag) as refused:
        tags.normalize_tag(raw)
    assert refused.value.message


async def audit_actions(sessionmaker, request_id: int) -> list[tuple[str, dict]]:
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "request", AuditEvent.entity_id == request_id)
            .where(AuditEvent.action.in_(("request.tag", "request.untag")))
            .order_by(AuditEvent.id)
        )
        return [(e.action, e.changes) for e in rows]


async def test_add_and_remove_are_audited_and_idempotent(sessionmaker) -> None:
    made = await new_request(sessionmaker)
    tag = unique_tag()
    async with sessionmaker() as db, db.begin():
        row = await db.get(Ticket, made.id)
        assert row is not None
        assert await tags.add_tag(db, ANALYST, row, tag.upper(), STAFF) is True
        assert await tags.add_tag(db, ANALYST, row, f" {tag} ", STAFF) is False
        assert await tags.add_tag(db, ANALYST, row, "prensa", STAFF) is True
        assert await tags.tags_of(db, [made.id]) == {made.id: sorted([tag, "prensa"])}
        assert await tags.remove_tag(db, ANALYST, row, "prensa", STAFF) is True
        assert await tags.remove_tag(db, ANALYST, row, "prensa", STAFF) is False
    assert await audit_actions(sessionmaker, made.id) == [
        ("request.tag", {"tag": [None, tag]}),
        ("request.tag", {"tag": [None, "prensa"]}),
        ("request.untag", {"tag": ["prensa", None]}),
    ]
    async with sessionmaker() as db:
        assert await tags.tags_of(db, [made.id, 0]) == {made.id: [tag]}
        assert await tags.tags_of(db, []) == {}
        assert tag in (await filter_choices(db, tag_limit=100_000))[0]


async def test_tags_are_region_checked(sessionmaker) -> None:
    made = await new_request(sessionmaker, "TA")
    agent = Viewer("staff", 5, "Agente", role="regional_agent", region_code="RM")
    async with sessionmaker() as db:
        row = await db.get(Ticket, made.id)
        assert row is not None
        with pytest.raises(PermissionDenied):
            await tags.add_tag(db, agent, row, "prensa", STAFF)
        with pytest.raises(PermissionDenied):
            await tags.remove_tag(db, agent, row, "prensa", STAFF)


async def test_tag_choices_are_distinct_and_sorted(sessionmaker) -> None:
    first, second = await new_request(sessionmaker), await new_request(sessionmaker)
    tag = unique_tag()
    async with sessionmaker() as db, db.begin():
        db.add_all(
            [TicketTag(request_id=first.id, tag=tag), TicketTag(request_id=second.id, tag=tag)]
        )
    async with sessionmaker() as db:
        choices, _teams = await filter_choices(db, tag_limit=100_000)
        assert choices == sorted(set(choices)) and choices.count(tag) == 1
        assert len((await filter_choices(db, tag_limit=1))[0]) == 1


# --- Over HTTP.


class _TagForm(HTMLParser):
    """The value left in the tag box, and the tags listed with a remove button."""

    def __init__(self) -> None:
        super().__init__()
        self.value: str | None = None
        self.remove_actions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("id") == "etiqueta-nueva":
            self.value = values.get("value")
        if tag == "form" and (values.get("action") or "").endswith("/quitar"):
            self.remove_actions.append(values.get("action") or "")


def tag_form(html: str) -> _TagForm:
    parsed = _TagForm()
    parsed.feed(html)
    return parsed


async def test_tag_forms_on_the_request_page(client, sessionmaker) -> None:
    made = await new_request(sessionmaker)
    await sign_in_staff(client, await staff_member(sessionmaker, "regional_agent", "santiago"))
    url = f"/staff/solicitudes/{made.folio}"
    tag = unique_tag()
    added = await client.submit(url + "/etiquetas", {"etiqueta": tag.upper()}, url)
    assert added.status_code == 303 and added.headers["location"].startswith(url)
    page = await client.get(added.headers["location"])
    assert "Etiqueta agregada." in page_text(page.text)
    assert tag_form(page.text).remove_actions == [f"{url}/etiquetas/{tag}/quitar"]
    # The queue shows it on the row and filters by it.
    queue = await client.get("/staff/solicitudes", params={"etiqueta": tag})
    assert made.folio in page_text(queue.text) and tag in page_text(queue.text)
    removed = await client.submit(f"{url}/etiquetas/{tag}/quitar", {}, url)
    assert removed.status_code == 303
    assert tag_form((await client.get(url)).text).remove_actions == []
    # A tag with a letter outside ASCII goes through the URL and back.
    await client.submit(url + "/etiquetas", {"etiqueta": "Niño"}, url)
    [action] = tag_form((await client.get(url)).text).remove_actions
    assert action == f"{url}/etiquetas/ni%C3%B1o/quitar"
    assert (await client.submit(action, {}, url)).status_code == 303
    async with sessionmaker() as db:
        assert await tags.tags_of(db, [made.id]) == {}
    assert made.folio not in page_text(
        (await client.get("/staff/solicitudes", params={"etiqueta": tag})).text
    )


async def test_xss_tag_is_refused_and_shown_as_text(client, sessionmaker) -> None:
    made = await new_request(sessionmaker)
    await sign_in_staff(client, await staff_member(sessionmaker, "central_analyst"))
    url = f"/staff/solicitudes/{made.folio}"
    payload = "<script>alert('etiqueta')</script>"
    response = await client.submit(url + "/etiquetas", {"etiqueta": payload}, url)
    assert response.status_code == 422
    assert payload not in response.text
    assert tag_form(response.text).value == payload
    assert "Use solo letras" in page_text(response.text)
    async with sessionmaker() as db:
        assert await tags.tags_of(db, [made.id]) == {}


async def test_tags_of_another_region_are_forbidden_over_http(client, sessionmaker) -> None:
    made = await new_request(sessionmaker, "TA")
    await sign_in_staff(client, await staff_member(sessionmaker, "regional_agent", "santiago"))
    token_page = "/staff/solicitudes"
    url = f"/staff/solicitudes/{made.folio}"
    response = await client.submit(url + "/etiquetas", {"etiqueta": "prensa"}, token_page)
    assert response.status_code == 404  # as a folio that does not exist
