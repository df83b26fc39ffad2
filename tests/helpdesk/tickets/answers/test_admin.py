"""The admin's list of respuestas tipo says which of the six languages each one lacks, and
can show only those that lack one (any, or a given one)."""

from __future__ import annotations

import uuid

import pytest

from helpdesk.core.links import url_path
from helpdesk.tickets.answers import admin as answers_admin
from helpdesk.tickets.answers.models import AnswerTemplate, AnswerTemplateText
from tests.helpdesk.tickets.workbench.test_presence import parsed
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text
from tests.support.markup import parse_page

EVERY = ("es", "ht", "en", "fr", "zh", "ru")


def row(*locales: str) -> answers_admin.CannedRow:
    return answers_admin.CannedRow(AnswerTemplate(code="x", title="x"), locales)


@pytest.mark.parametrize(
    ("locales", "missing"),
    [
        (("es",), ("ht", "en", "fr", "zh", "ru")),
        (("es", "ht"), ("en", "fr", "zh", "ru")),
        (EVERY, ()),
        ((), EVERY),
    ],
)
def test_missing_languages_in_the_services_order(locales, missing) -> None:
    assert row(*locales).missing == missing


@pytest.mark.parametrize(
    ("value", "parsed_as"),
    [
        (None, ("", None)),
        ("", ("", None)),
        ("alguno", ("alguno", None)),
        ("ht", ("ht", None)),
        (" zh ", ("zh", None)),
        ("xx", ("", "Elija un idioma de la lista.")),
        ("HT", ("", "Elija un idioma de la lista.")),
    ],
)
def test_the_lacking_filter_is_parsed(value, parsed_as) -> None:
    assert answers_admin.parse_lacking(value) == parsed_as


@pytest.mark.parametrize(
    ("which", "kept"),
    [("", [0, 1, 2]), ("alguno", [0, 1]), ("ht", [0]), ("ru", [0, 1]), ("es", [])],
)
def test_the_lacking_filter_keeps(which, kept) -> None:
    rows = [row("es"), row("es", "ht"), row(*EVERY)]
    assert answers_admin.lacking(rows, which) == [rows[i] for i in kept]


async def add(sessionmaker, title: str, locales: tuple[str, ...]) -> str:
    code = f"a-{uuid.uuid4().hex[:8]}"
    async with sessionmaker() as db, db.begin():
        canned = AnswerTemplate(code=code, title=title)
        db.add(canned)
        await db.flush()
        db.add_all(
            AnswerTemplateText(canned_id=canned.id, locale=k, body="{folio}") for k in locales
        )
    return code


def missing_cell(html: str, code: str) -> str:
    """The "Faltan" cell of the row whose code is ``code``."""
    rows = html.split("<tr>")
    [mine] = [r for r in rows if f"<code>{code}</code>" in r]
    cell = mine.split('<td class="faltan">')[1].split("</td>")[0]
    return " ".join("".join(parse_page(cell).texts).split())


async def test_the_list_shows_and_filters_missing_languages(client, sessionmaker) -> None:
    unique = uuid.uuid4().hex[:6]
    spanish = await add(sessionmaker, f"Recibimos sus antecedentes {unique}", ("es",))
    creole = await add(sessionmaker, f"Con criollo {unique}", ("es", "ht"))
    complete = await add(sessionmaker, f"Completa {unique}", EVERY)
    await sign_in_staff(client, await staff_member(sessionmaker, "admin"))
    url = url_path("tickets_admin_answer_templates")

    page = await client.get(url)
    assert page.status_code == 200
    assert missing_cell(page.text, spanish) == "Kreyòl ayisyen, English, Français, 中文, Русский"
    assert missing_cell(page.text, creole) == "English, Français, 中文, Русский"
    assert missing_cell(page.text, complete) == "Ninguno"
    # Each missing language is marked as such for screen readers and fonts.
    assert 'lang="ht">Kreyòl ayisyen</span>' in page.text

    def listed(html: str) -> set[str]:
        return {c for c in (spanish, creole, complete) if f"<code>{c}</code>" in html}

    lacking_creole = await client.get(
        url_path("tickets_admin_answer_templates", query={"falta": "ht"})
    )
    assert lacking_creole.status_code == 200 and listed(lacking_creole.text) == {spanish}
    [selected] = [o for o in parsed(lacking_creole.text).find("option") if "selected" in o]
    assert selected["value"] == "ht"
    lacking_any = await client.get(
        url_path("tickets_admin_answer_templates", query={"falta": "alguno"})
    )
    assert listed(lacking_any.text) == {spanish, creole}
    assert listed((await client.get(url)).text) == {spanish, creole, complete}

    bad = await client.get(url_path("tickets_admin_answer_templates", query={"falta": "xx"}))
    assert bad.status_code == 422
    assert "Elija un idioma de la lista." in page_text(bad.text)
    assert listed(bad.text) == {spanish, creole, complete}


async def test_only_admins_see_the_list(client, sessionmaker) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "supervisor"))
    url = url_path("tickets_admin_answer_templates", query={"falta": "ht"})
    assert (await client.get(url)).status_code == 403
