"""Following an application: a proven address follows at once, any other after opening
the link emailed to it; an import that changes a case's status sends each follower exactly
one email in their language (with the status, its explanation and the private link); an
import that changes nothing sends none; each email's signed link stops following."""

from __future__ import annotations

import argparse
import re
import uuid
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from helpdesk import __main__ as cli
from helpdesk.cases import following, private_links
from helpdesk.cases.importing import import_records
from helpdesk.cases.models import Case, CaseFollower
from helpdesk.core.settings import Settings
from helpdesk.core.templating import make_environment
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from helpdesk.people.models import Person
from knowledge_base.content_loader import load_content
from tests.helpdesk.cases.test_importing import event, numbered
from tests.helpdesk.cases.test_lookup import a_case
from tests.helpdesk.tickets.citizen.test_pages import outbox, prove_email
from tests.support.factories import citizen, sign_in_citizen
from tests.support.http import Browser, page_text


def an_email() -> str:
    return f"sigue.{uuid.uuid4().hex[:8]}@test.portal"


def path_of(url: str) -> str:
    return urlsplit(url).path


async def followers(sessionmaker, case_id: int) -> dict[str, str]:
    async with sessionmaker() as db:
        rows = await db.scalars(select(CaseFollower).where(CaseFollower.case_id == case_id))
        return {f.email: f.locale for f in rows}


async def follow_form(client: Browser, case: Case, **data: str):
    link = path_of(private_links.url_for(case.id))
    return await client.submit(f"{link}/seguir", data, page=link)


class Ids(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if found := dict(attrs).get("id"):
            self.ids.add(found)


async def test_a_proven_address_follows_at_once(client, sessionmaker) -> None:
    case = await a_case(sessionmaker)
    email = an_email()
    await prove_email(client, sessionmaker, email)
    page = await client.get(path_of(private_links.url_for(case.id)))
    assert email in page_text(page.text) and "email" not in Ids(page.text).ids
    followed = await follow_form(client, case)
    assert followed.status_code == 303
    assert followed.headers["location"].endswith("?seguir=listo#seguir")
    assert await followers(sessionmaker, case.id) == {email: "es"}
    assert await outbox(sessionmaker, email, "case_follow") == []
    again = await client.get(followed.headers["location"])
    assert "Le escribimos a" in page_text(again.text)
    # Following twice keeps one row.
    assert (await follow_form(client, case)).status_code == 303
    assert await followers(sessionmaker, case.id) == {email: "es"}


async def test_a_signed_in_account_follows_in_its_profile_language(client, sessionmaker) -> None:
    email, person_id = await citizen(sessionmaker)
    async with sessionmaker() as db, db.begin():
        person = await db.get(Person, person_id)
        assert person is not None
        person.preferred_locale = "ht"
    case = await a_case(sessionmaker)
    await sign_in_citizen(client, email)
    client.http.cookies.set("lang", "es")  # the page's language is not the profile's
    assert (await follow_form(client, case)).status_code == 303
    assert await followers(sessionmaker, case.id) == {email: "ht"}


async def test_another_address_follows_once_the_emailed_link_is_opened(
    client, sessionmaker
) -> None:
    case = await a_case(sessionmaker)
    email = an_email()
    client.http.cookies.set("lang", "fr")
    asked = await follow_form(client, case, email=email.upper())
    assert asked.status_code == 303 and "seguir=enviado" in asked.headers["location"]
    assert await followers(sessionmaker, case.id) == {}
    [message] = await outbox(sessionmaker, email, "case_follow")
    assert message.locale == "fr" and message.context["number"] == case.number
    link = path_of(str(message.context["link"]))
    # Opening the link shows a button (a mail scanner's visit follows nothing).
    assert (await client.get(link)).status_code == 200
    assert await followers(sessionmaker, case.id) == {}
    confirmed = await client.submit(link, {})
    assert confirmed.status_code == 303
    assert path_of(confirmed.headers["location"]) == path_of(private_links.url_for(case.id))
    assert await followers(sessionmaker, case.id) == {email: "fr"}
    # The link works once.
    assert (await client.submit(link, {})).status_code == 400


async def test_a_bad_address_or_a_forged_case_is_refused(client, sessionmaker) -> None:
    case = await a_case(sessionmaker)
    refused = await follow_form(client, case, email="no es un correo")
    assert refused.status_code == 422
    assert "email-error" in Ids(refused.text).ids
    token = await client.csrf("/estado")
    forged = await client.post(f"/estado/c/{case.id}.forged/seguir", data={"csrf_token": token})
    assert forged.status_code == 404
    assert await followers(sessionmaker, case.id) == {}


@pytest.fixture
async def content(sessionmaker) -> None:
    """The shipped estado-* explanations (the status emails quote them)."""
    async with sessionmaker() as db, db.begin():
        await load_content(db)


async def status_emails(sessionmaker, emails: list[str]) -> list[OutboxMessage]:
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address.in_(emails), OutboxMessage.template == "case_status")
            .order_by(OutboxMessage.id)
        )
        return list(rows.all())


def text_of(row: OutboxMessage) -> tuple[str, str, str]:
    message = EmailRenderer(make_environment(Settings()), "portal@test").render(row)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(message["Subject"]), str(text.get_content()), str(html.get_content())


async def test_an_import_sends_one_email_per_follower_and_changed_case(
    sessionmaker, content
) -> None:
    number, quiet = (f"RT-{uuid.uuid4().hex[:8].upper()}" for _ in "ab")
    first = [event(number, "ingresada", "2026-03-02"), event(quiet, "ingresada", "2026-03-02")]
    await import_records(sessionmaker, numbered(first), on_batch=following.notify_changes)
    async with sessionmaker() as db:
        ids = dict((await db.execute(select(Case.number, Case.id))).all())
    spanish, french, other = an_email(), an_email(), an_email()
    async with sessionmaker() as db, db.begin():
        await following.follow(db, ids[number], spanish, "es")
        await following.follow(db, ids[number], french, "fr")
        await following.follow(db, ids[quiet], other, "es")

    # The same file again (the quiet case's history) and a new status for one case only,
    # in two batches: each follower of the changed case gets one email, nobody else any.
    changed = [*first, event(number, "en_analisis", "2026-11-30")]
    await import_records(
        sessionmaker, numbered(changed), batch_size=2, on_batch=following.notify_changes
    )
    sent = await status_emails(sessionmaker, [spanish, french, other])
    assert sorted((m.to_address, m.locale) for m in sent) == sorted(
        [(spanish, "es"), (french, "fr")]
    )
    by_locale = {m.locale: m for m in sent}
    es, fr = by_locale["es"].context, by_locale["fr"].context
    assert es["status_name"] == "En análisis" and es["number"] == number
    assert es["link"] == fr["link"] == private_links.url_for(ids[number])
    assert es["title"] and es["summary"] and es["title"] != fr["title"]
    # The explanation in the follower's language: the French article.
    assert "analyse" in fr["title"] and fr["summary"]
    subject, text, html = text_of(by_locale["es"])
    assert number in subject and "En análisis" in subject
    assert es["link"] in text and es["unfollow_link"] in text
    assert f'href="{es["unfollow_link"]}"' in html and es["title"] in text

    # Imported again: nothing changes, nothing is sent.
    await import_records(sessionmaker, numbered(changed), on_batch=following.notify_changes)
    assert len(await status_emails(sessionmaker, [spanish, french, other])) == 2


async def test_the_emails_link_stops_following(client, sessionmaker) -> None:
    case = await a_case(sessionmaker)
    email = an_email()
    async with sessionmaker() as db, db.begin():
        await following.follow(db, case.id, email, "es")
        follower_id = await db.scalar(select(CaseFollower.id).where(CaseFollower.email == email))
    assert follower_id is not None
    link = f"/estado/dejar/{private_links.unfollow_token(follower_id)}"
    assert (await client.get(link)).status_code == 200
    assert await followers(sessionmaker, case.id) == {email: "es"}
    stopped = await client.submit(link, {})
    assert stopped.status_code == 303 and "seguir=dejado" in stopped.headers["location"]
    assert await followers(sessionmaker, case.id) == {}
    # Again: nothing to stop, said plainly; a forged link is not found.
    assert (await client.submit(link, {})).status_code == 200
    assert (await client.get(f"/estado/dejar/{follower_id}.forged")).status_code == 404


def test_the_command_sends_followers_their_emails(monkeypatch, settings) -> None:
    seen: dict[str, Any] = {}

    def run(*args: Any, **kwargs: Any) -> int:
        seen.update(kwargs)
        return 0

    monkeypatch.setattr("helpdesk.cases.command.run", run)
    with pytest.raises(SystemExit):
        cli._import_cases(settings, argparse.Namespace(lang="es", file="x.csv", batch_size=10))
    assert seen["on_batch"] is following.notify_changes


async def test_the_case_page_shows_the_explanation_as_html(client, sessionmaker, content) -> None:
    case = await a_case(sessionmaker)
    page = await client.get(path_of(private_links.url_for(case.id)))
    assert re.search(r'<div class="article-body">\s*<(h2|p)>', page.text)
    assert "&lt;p&gt;" not in page.text and "&lt;h2&gt;" not in page.text
