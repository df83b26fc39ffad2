"""Status changes the person should know about send one email, in their language, with
their private link; a reply that moves the request sends one email, not two; and closing
right after the person's "No, necesito ayuda" asks the agent for a reply first (issue 12)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from helpdesk.accounts.models import CitizenAccount
from helpdesk.audit import service as audit_service
from helpdesk.audit.service import Actor
from helpdesk.core.db import utcnow
from helpdesk.core.i18n import translations
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from helpdesk.people.models import Person
from helpdesk.tickets import status_flow, status_moves
from helpdesk.tickets.answers.models import AnswerTemplate, AutoAnswer, AutoRule
from helpdesk.tickets.citizen import emails as person_emails
from helpdesk.tickets.citizen import service as citizen_service
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queue import bulk
from helpdesk.tickets.service import NewRequest, open_request
from helpdesk.tickets.workbench import service as agent_service
from tests.helpdesk.tickets.workbench.test_links import actor_of, merge, staff_viewer
from tests.support import factories
from tests.support.http import page_text
from tests.support.markup import parse_page

BASE = "http://testserver"
ANON = Actor("anonymous", None, "203.0.113.9")
A, C, S = status_flow.AGENT, status_flow.CITIZEN, status_flow.SYSTEM

MOVES = [
    # before, after, by → the person gets an email
    (status_flow.ABIERTO, status_flow.RESUELTO, A, True),
    (status_flow.REABIERTO, status_flow.RESUELTO, S, True),
    (status_flow.ABIERTO, status_flow.CERRADO, A, True),
    (status_flow.RESUELTO, status_flow.CERRADO, S, True),  # closed by the timer
    (status_flow.CERRADO, status_flow.REABIERTO, A, True),
    (status_flow.RESUELTO, status_flow.REABIERTO, A, True),
    (status_flow.RESUELTO, status_flow.REABIERTO, C, False),  # she did it herself
    (status_flow.ABIERTO, status_flow.CERRADO, C, False),
    (status_flow.NUEVO, status_flow.ABIERTO, A, False),  # bookkeeping
    (status_flow.ABIERTO, status_flow.EN_ESPERA_CIUDADANO, A, False),  # comes with a reply
    (status_flow.EN_ESPERA_CIUDADANO, status_flow.ABIERTO, C, False),
]


@pytest.mark.parametrize(("before", "after", "by", "emailed"), MOVES)
def test_which_moves_the_person_hears_of(before, after, by, emailed) -> None:
    assert person_emails.tells_person(before, after, by) is emailed


async def open_in(sessionmaker, locale: str, person_id: int | None = None, email: str = ""):
    email = email or f"e.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(
        "consulta", "Mi residencia", "Hola", "web", email, locale,
        person_id=person_id, region_code="RM",
    )  # fmt: skip
    async with sessionmaker() as db, db.begin():
        opened = await open_request(db, data, ANON, BASE)
    return opened, email


async def sent(sessionmaker, email: str) -> list[OutboxMessage]:
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == email)
            .order_by(OutboxMessage.id)
        )
        return [m for m in rows.all() if m.template != "request_received"]


async def test_resolving_without_a_reply_tells_the_person_once_in_her_language(
    app, sessionmaker
) -> None:
    opened, email = await open_in(sessionmaker, "ht")
    viewer, _ = await staff_viewer(sessionmaker)
    async with sessionmaker() as db, db.begin():
        item = await db.get(Ticket, opened.ticket.id)
        assert item is not None
        await agent_service.change_status(db, viewer, item, status_flow.ABIERTO, actor_of(viewer))
        assert await sent(sessionmaker, email) == []
        await agent_service.change_status(db, viewer, item, status_flow.RESUELTO, actor_of(viewer))
    [mail] = await sent(sessionmaker, email)
    assert (mail.template, mail.locale, mail.context["status"]) == (
        "request_status",
        "ht",
        "resuelto",
    )
    rendered = EmailRenderer(app.state.templates.env, "portal@test").render(mail)
    assert rendered["Content-Language"] == "ht" and opened.ticket.folio in rendered["Subject"]
    assert mail.context["link"] in rendered.get_body(("plain",)).get_content()


async def test_an_account_holders_profile_language_decides_her_emails(sessionmaker) -> None:
    """Her profile says Creole; the request was written on a Spanish page."""
    email, person_id = await factories.citizen(sessionmaker)
    async with sessionmaker() as db, db.begin():
        person = await db.get(Person, person_id)
        assert person is not None
        person.preferred_locale = "ht"
    opened, _ = await open_in(sessionmaker, "es", person_id, email)
    viewer, _ = await staff_viewer(sessionmaker)
    async with sessionmaker() as db, db.begin():
        item = await db.get(Ticket, opened.ticket.id)
        assert item is not None
        await agent_service.reply(db, viewer, item, "Lista.", actor_of(viewer), BASE)
        await agent_service.change_status(db, viewer, item, status_flow.CERRADO, actor_of(viewer))
    async with sessionmaker() as db:
        confirmation = await db.scalar(
            select(OutboxMessage).where(
                OutboxMessage.to_address == email, OutboxMessage.template == "request_received"
            )
        )
    assert confirmation is not None and confirmation.locale == "ht"
    assert [(m.template, m.locale) for m in await sent(sessionmaker, email)] == [
        ("request_reply", "ht"),
        ("request_status", "ht"),
    ]
    # Without her account, the same record's language would be only a copy: the request's.
    async with sessionmaker() as db, db.begin():
        account = await db.scalar(
            select(CitizenAccount).where(CitizenAccount.person_id == person_id)
        )
        await db.delete(account)
    async with sessionmaker() as db:
        item = await db.get(Ticket, opened.ticket.id)
        assert item is not None
        to = await person_emails.recipient(db, item)
    assert to is not None and (to.email, to.locale) == (email, "es")


async def test_a_reply_that_resolves_sends_one_email_which_says_so(app, sessionmaker) -> None:
    opened, email = await open_in(sessionmaker, "es")
    viewer, _ = await staff_viewer(sessionmaker)
    async with sessionmaker() as db, db.begin():
        item = await db.get(Ticket, opened.ticket.id)
        assert item is not None
        await agent_service.reply(
            db, viewer, item, "Su cédula está lista.", actor_of(viewer), BASE, status_flow.RESUELTO
        )
        assert item.status == status_flow.RESUELTO
    [mail] = await sent(sessionmaker, email)
    assert mail.template == "request_reply" and mail.context["status"] == "resuelto"
    text = (
        EmailRenderer(app.state.templates.env, "portal@test")
        .render(mail)
        .get_body(("plain",))
        .get_content()
    )
    assert "damos su solicitud por resuelta" in text and mail.context["link"] in text


async def test_the_person_closing_her_own_request_gets_no_email(sessionmaker) -> None:
    opened, email = await open_in(sessionmaker, "fr")
    async with sessionmaker() as db, db.begin():
        item = await db.get(Ticket, opened.ticket.id)
        assert item is not None
        await citizen_service.close_by_citizen(db, item, Actor("citizen", None))
    assert await sent(sessionmaker, email) == []


async def said_no(
    client, sessionmaker, folio: str, token: str, ticket_id: int, choice: str = "no"
) -> None:
    """An automatic answer, and the person's "No, necesito ayuda" (or "Sí") on her page."""
    code = f"t-{uuid.uuid4().hex[:8]}"
    async with sessionmaker() as db, db.begin():
        db.add(AnswerTemplate(code=code, title="Prueba"))
        await db.flush()
        rule = AutoRule(kind="consulta", keywords=f"nunca-{code}", canned_code=code, active=False)
        db.add(rule)
        await db.flush()
        db.add(AutoAnswer(request_id=ticket_id, rule_id=rule.id, canned_code=code, locale="es"))
    page = f"/solicitudes/{folio}/{token}"
    answered = await client.submit(page + "/resolvio", {"resolvio": choice}, page)
    assert answered.status_code == 303, answered.text


async def test_closing_right_after_a_no_asks_the_agent_for_a_reply_first(
    client, sessionmaker
) -> None:
    opened, email = await open_in(sessionmaker, "es")
    folio = opened.ticket.folio
    await said_no(client, sessionmaker, folio, opened.access_token, opened.ticket.id)
    await factories.sign_in_staff(
        client, await factories.staff_member(sessionmaker, "regional_agent")
    )
    page = f"/staff/solicitudes/{folio}"
    # The page says so before the agent tries.
    assert "respuesta-pendiente" in {
        a.get("id") for _tag, a in parse_page((await client.get(page)).text).elements
    }

    for target in (status_flow.CERRADO, status_flow.RESUELTO):
        refused = await client.submit(page + "/estado", {"estado": target}, page)
        assert refused.status_code == 409, refused.text
        wanted = translations("es").ugettext(
            "La persona respondió que la respuesta automática no resolvió su consulta. "
            "Escríbale una respuesta antes de resolver o cerrar la solicitud."
        )
        assert wanted in page_text(refused.text)
    async with sessionmaker() as db:
        item = await db.get(Ticket, opened.ticket.id)
        assert item is not None and item.status == status_flow.ABIERTO
    assert await sent(sessionmaker, email) == []

    # An internal note is no answer to her; a reply is, and then closing is allowed.
    assert (await client.submit(page + "/nota", {"nota": "Revisar"}, page)).status_code == 303
    assert (await client.submit(page + "/estado", {"estado": "cerrado"}, page)).status_code == 409
    replied = await client.submit(page + "/responder", {"texto": "Le explicamos."}, page)
    assert replied.status_code == 303
    assert "respuesta-pendiente" not in {
        a.get("id") for _tag, a in parse_page((await client.get(page)).text).elements
    }
    closed = await client.submit(page + "/estado", {"estado": "cerrado"}, page)
    assert closed.status_code == 303
    assert [m.template for m in await sent(sessionmaker, email)] == [
        "request_reply",
        "request_status",
    ]


async def test_her_yes_resolves_without_an_email_and_the_timers_closure_sends_one(
    client, sessionmaker
) -> None:
    opened, email = await open_in(sessionmaker, "ht")
    ticket = opened.ticket
    async with sessionmaker() as db, db.begin():
        item = await db.get(Ticket, ticket.id)
        assert item is not None  # an automatic answer opens the request
        await status_moves.move(db, item, status_flow.ABIERTO, S, audit_service.SYSTEM, utcnow())
    await said_no(client, sessionmaker, ticket.folio, opened.access_token, ticket.id, "si")
    async with sessionmaker() as db, db.begin():
        item = await db.get(Ticket, ticket.id)
        assert item is not None and item.status == status_flow.RESUELTO
        assert await sent(sessionmaker, email) == []
        # The lifecycle's auto-close after resolution goes through status_moves as the system.
        await status_moves.move(db, item, status_flow.CERRADO, S, audit_service.SYSTEM, utcnow())
    [closed] = await sent(sessionmaker, email)
    assert (closed.template, closed.locale, closed.context["status"]) == (
        "request_status",
        "ht",
        "cerrado",
    )


async def test_a_bulk_closure_is_refused_while_a_reply_is_owed(client, sessionmaker) -> None:
    owed, _ = await open_in(sessionmaker, "es")
    other, other_email = await open_in(sessionmaker, "es")
    await said_no(client, sessionmaker, owed.ticket.folio, owed.access_token, owed.ticket.id)
    viewer, _ = await staff_viewer(sessionmaker)
    folios = (other.ticket.folio, owed.ticket.folio)
    async with sessionmaker() as db:
        with pytest.raises(bulk.BulkRefused) as refused:
            await bulk.apply(
                db, viewer, bulk.BulkAction(bulk.STATUS, folios, status="cerrado"), actor_of(viewer)
            )
        await db.rollback()  # as the route does
    assert refused.value.folio == owed.ticket.folio
    assert "Escríbale una respuesta" in refused.value.message
    async with sessionmaker() as db:
        statuses = {
            t.folio: t.status
            for t in await db.scalars(select(Ticket).where(Ticket.folio.in_(folios)))
        }
    assert statuses[other.ticket.folio] == status_flow.NUEVO
    assert await sent(sessionmaker, other_email) == []


async def test_no_to_a_resolution_reopens_and_the_reply_that_closes_sends_one_email(
    client, sessionmaker
) -> None:
    """The acceptance journey's middle: the agent resolves with a reply, she answers "No" on
    her page, the agent cannot close without writing, then replies and closes at once."""
    opened, email = await open_in(sessionmaker, "ht")
    folio, private = (
        opened.ticket.folio,
        f"/solicitudes/{opened.ticket.folio}/{opened.access_token}",
    )
    await factories.sign_in_staff(
        client, await factories.staff_member(sessionmaker, "regional_agent")
    )
    page = f"/staff/solicitudes/{folio}"
    sent_reply = await client.submit(
        page + "/responder", {"texto": "Ou ka al chèche l.", "luego": "resuelto"}, page
    )
    assert sent_reply.status_code == 303
    assert [m.template for m in await sent(sessionmaker, email)] == ["request_reply"]

    question = await client.get(private)
    assert "resolvio" in {a.get("name") for tag, a in parse_page(question.text).elements}
    answered = await client.submit(private + "/resolvio", {"resolvio": "no"}, private)
    assert answered.status_code == 303 and "hecho=derivada" in answered.headers["location"]
    assert (await load_status(sessionmaker, opened.ticket.id)) == status_flow.REABIERTO
    assert len(await sent(sessionmaker, email)) == 1  # her own move: no email back

    refused = await client.submit(page + "/estado", {"estado": "cerrado"}, page)
    assert refused.status_code == 409
    closing = await client.submit(
        page + "/responder", {"texto": "Nou rezoud li.", "luego": "cerrado"}, page
    )
    assert closing.status_code == 303
    assert (await load_status(sessionmaker, opened.ticket.id)) == status_flow.CERRADO
    mails = await sent(sessionmaker, email)
    assert [(m.template, m.context.get("status")) for m in mails] == [
        ("request_reply", "resuelto"),
        ("request_reply", "cerrado"),
    ]
    assert {m.locale for m in mails} == {"ht"}


async def test_yes_to_a_resolution_closes_without_an_email(client, sessionmaker) -> None:
    opened, email = await open_in(sessionmaker, "es")
    viewer, _ = await staff_viewer(sessionmaker)
    async with sessionmaker() as db, db.begin():
        item = await db.get(Ticket, opened.ticket.id)
        assert item is not None
        await agent_service.reply(db, viewer, item, "Listo.", actor_of(viewer), BASE, "resuelto")
    private = f"/solicitudes/{opened.ticket.folio}/{opened.access_token}"
    answered = await client.submit(private + "/resolvio", {"resolvio": "si"}, private)
    assert answered.status_code == 303 and "hecho=cerrada" in answered.headers["location"]
    assert (await load_status(sessionmaker, opened.ticket.id)) == status_flow.CERRADO
    assert [m.template for m in await sent(sessionmaker, email)] == ["request_reply"]
    # Asked once: the question is gone, and answering again is refused, not an error.
    again = await client.submit(private + "/resolvio", {"resolvio": "no"}, private)
    assert again.status_code == 409


async def load_status(sessionmaker, ticket_id: int) -> str:
    async with sessionmaker() as db:
        item = await db.get(Ticket, ticket_id)
        assert item is not None
        return item.status


async def test_a_merged_duplicate_is_closed_without_a_closing_email(client, sessionmaker) -> None:
    """Its conversation goes on in the request kept: "closed, open a new one" would mislead,
    and a "No" owed a reply there does not block the merge."""
    duplicate, email = await open_in(sessionmaker, "es")
    kept, _ = await open_in(sessionmaker, "es", email=email)
    await said_no(
        client, sessionmaker, duplicate.ticket.folio, duplicate.access_token, duplicate.ticket.id
    )
    viewer, _ = await staff_viewer(sessionmaker)
    await merge(sessionmaker, viewer, duplicate.ticket.folio, kept.ticket.folio)
    assert (await load_status(sessionmaker, duplicate.ticket.id)) == status_flow.CERRADO
    assert [m.template for m in await sent(sessionmaker, email)] == []
