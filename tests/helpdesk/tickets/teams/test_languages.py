"""Language routing: agents declare the languages they answer in; a team's new request in
a language goes by turn to those who speak it, or to everyone when nobody does."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from helpdesk.accounts.models import StaffAccount
from helpdesk.audit.models import AuditEvent
from helpdesk.tickets.teams import service as teams
from tests.helpdesk.tickets.teams.test_teams import make_team, new_request, staff_id
from tests.support.factories import sign_in_staff, staff_member


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("", ()),
        (None, ()),
        ("ht", ("ht",)),
        ("zh, ht ,es", ("es", "ht", "zh")),  # the portal's order, spaces ignored
        ("ht,xx,<b>,ht", ("ht",)),  # unknown codes and repeats dropped
    ],
)
def test_parse_languages(value, parsed) -> None:
    assert teams.parse_languages(value) == parsed


@pytest.mark.parametrize(
    ("declared", "spoken"),
    [("", {"es"}), ("ht", {"ht"}), ("es,ht", {"es", "ht"}), ("nonsense", {"es"})],
)
def test_nothing_declared_means_spanish(declared, spoken) -> None:
    assert teams.spoken(declared) == spoken


@pytest.mark.parametrize(
    ("members", "language", "turns"),
    [
        ([(1, ""), (2, "ht"), (3, "es,ht")], "ht", [2, 3]),
        ([(1, ""), (2, "ht"), (3, "es,ht")], "es", [1, 3]),
        ([(1, ""), (2, "ht")], "zh", [1, 2]),  # nobody speaks it: everyone
        ([(1, "fr"), (2, "ht")], "es", [1, 2]),  # nobody declared Spanish: everyone
        ([], "ht", []),
    ],
)
def test_speakers_first(members, language, turns) -> None:
    assert teams.speakers_first(members, language) == turns


async def set_declared(sessionmaker, staff: int, languages: str) -> None:
    async with sessionmaker() as db, db.begin():
        account = await db.get(StaffAccount, staff)
        assert account is not None
        account.languages = languages


async def test_a_creole_request_goes_to_the_creole_speakers_by_turn(db, sessionmaker) -> None:
    spanish, creole, both = sorted(
        [await staff_id(sessionmaker, "central_analyst") for _ in range(3)]
    )
    await set_declared(sessionmaker, creole, "ht")
    await set_declared(sessionmaker, both, "es,ht")
    code = await make_team(sessionmaker, {spanish: True, creole: True, both: True})

    async def route(locale: str) -> int | None:
        request = await new_request(db)
        request.assignee_id, request.team_code, request.locale = None, code, locale
        return await teams.route_new_request(db, request)

    assert [await route("ht") for _ in range(4)] == [creole, both, creole, both]
    # Spanish: the one who declared nothing and the one who declared it.
    assert {await route("es") for _ in range(4)} == {spanish, both}
    # Chinese: nobody speaks it, so everyone takes turns.
    assert {await route("zh") for _ in range(6)} == {spanish, creole, both}


class Checkboxes(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.checked: list[str] = []
        self.offered: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") == "idioma":
            self.offered.append(found["value"] or "")
            if "checked" in found:
                self.checked.append(found["value"] or "")


async def test_an_agent_declares_their_languages(client, sessionmaker) -> None:
    email = await staff_member(sessionmaker, "regional_agent")
    await sign_in_staff(client, email)
    page = await client.get("/staff/disponibilidad")
    form = Checkboxes(page.text)
    assert form.offered == ["es", "ht", "en", "fr", "zh", "ru"] and form.checked == []

    saved = await client.submit(
        "/staff/disponibilidad/idiomas", {"idioma": ["ht", "fr", "klingon"]}
    )
    assert saved.status_code == 303
    again = await client.get(saved.headers["location"])
    assert Checkboxes(again.text).checked == ["ht", "fr"]
    assert "Guardamos sus idiomas." in again.text

    # htmx: the section alone.
    token = await client.csrf("/staff/disponibilidad")
    fragment = await client.post(
        "/staff/disponibilidad/idiomas",
        data={"idioma": "es", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert Checkboxes(fragment.text).checked == ["es"]
    async with sessionmaker() as db:
        account = await db.scalar(select(StaffAccount).where(StaffAccount.email == email))
        assert account is not None and account.languages == "es"
        changes = (
            await db.scalars(
                select(AuditEvent.changes)
                .where(AuditEvent.action == "staff.languages", AuditEvent.entity_id == account.id)
                .order_by(AuditEvent.id)
            )
        ).all()
    assert [c["languages"] for c in changes] == [["", "ht,fr"], ["ht,fr", "es"]]


async def test_declaring_languages_needs_csrf_and_staff(client) -> None:
    refused = await client.post("/staff/disponibilidad/idiomas", data={"idioma": "ht"})
    assert refused.status_code in (302, 303, 401, 403)
