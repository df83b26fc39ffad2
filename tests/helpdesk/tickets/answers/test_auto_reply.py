"""The automatic answer to a new request: a strong knowledge-base match as a rule, and the
email that carries any automatic answer to the person, in their language, on the thread.

Everything here happens in one session rolled back at the end (templates, rules, articles),
so the seeded knowledge-base rule never answers other tests' requests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from markupsafe import Markup
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.core.i18n import translations
from helpdesk.core.templating import make_environment
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets import status_flow
from helpdesk.tickets.answers import kb_match
from helpdesk.tickets.answers import templates as answer_templates
from helpdesk.tickets.answers.kb_match_texts import KB_MATCH_CODE, KB_RULE_KIND
from helpdesk.tickets.answers.models import (
    AnswerTemplate,
    AnswerTemplateText,
    AutoAnswer,
    AutoRule,
)
from helpdesk.tickets.citizen.service import conversation as citizen_conversation
from helpdesk.tickets.models import TicketMessage
from helpdesk.tickets.opening import intake
from helpdesk.tickets.service import NewRequest, OpenedRequest, open_request
from knowledge_base.content_loader import load_content
from knowledge_base.search.index import KnowledgeIndex
from knowledge_base.search.query import SearchHit

NOW = datetime(2030, 5, 6, 11, tzinfo=ZoneInfo("America/Santiago"))
ANON = Actor("anonymous", None, "203.0.113.9")
BASE = "https://ayuda.example.cl"
# A question one shipped article answers (reserva-de-hora-atencion-presencial).
CREOLE_SUBJECT = "Randevou nan biwo migrasyon"
CREOLE_BODY = "Kijan pou m pran randevou nan biwo migrasyon an? Mwen bezwen ale an pèsòn."


def hit(score: float, slug: str = "a") -> SearchHit:
    return SearchHit(0, slug, "es", slug, Markup(""), "ficha", "otros", score, False)


@pytest.mark.parametrize(
    ("scores", "strong"),
    [
        ([], False),
        ([34.9], False),
        ([35.0], True),
        ([45.0, 30.0], True),  # exactly 1.5 times the second
        ([44.9, 30.0], False),
        ([80.0, 10.0, 9.0], True),
    ],
)
def test_strong_means_high_and_well_ahead(scores, strong) -> None:
    hits = [hit(s, f"a{i}") for i, s in enumerate(scores)]
    assert kb_match.strong_hits(hits) == (hits[:1] if strong else [])


async def open_new(
    db: AsyncSession,
    subject: str,
    body: str,
    locale: str,
    kind: str = "consulta",
    index: Any = None,
) -> tuple[OpenedRequest, str]:
    email = f"c.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(kind, subject, body, "web", email, locale, region_code="RM")
    opened = await open_request(db, data, ANON, BASE, NOW)
    # What the worker does next (intake.py), here in the same transaction.
    await intake.complete_intake(db, opened.ticket, BASE, now=NOW, index=index)
    return opened, email


async def outbox_for(db: AsyncSession, email: str) -> dict[str, OutboxMessage]:
    rows = await db.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email))
    return {row.template: row for row in rows}


async def system_message(db: AsyncSession, request_id: int) -> TicketMessage | None:
    return await db.scalar(
        select(TicketMessage).where(
            TicketMessage.request_id == request_id, TicketMessage.author_kind == "system"
        )
    )


@pytest.fixture
async def kb_index(db: AsyncSession, tmp_path: Path) -> AsyncIterator[KnowledgeIndex]:
    """The seeded knowledge-base rule and the shipped articles (the corpus the thresholds were
    chosen on), in the test's session only, with an index that catches up through it."""
    await answer_templates.seed_defaults(db)
    await load_content(db)
    index = KnowledgeIndex(tmp_path / "index")
    yield index
    index.close()


async def test_a_strong_match_answers_in_the_persons_language_and_by_email(
    db, kb_index, settings
) -> None:
    hits = await kb_index.search(db, f"{CREOLE_SUBJECT}\n{CREOLE_BODY}", "ht", limit=2)
    assert kb_match.strong_hits(hits), [(h.slug, h.score) for h in hits]
    slug = hits[0].slug

    opened, email = await open_new(db, CREOLE_SUBJECT, CREOLE_BODY, "ht", index=kb_index)
    request = opened.ticket
    assert request.status == status_flow.ABIERTO and request.first_response_at == NOW
    kb_rule = await db.scalar(
        select(AutoRule).where(AutoRule.kind == KB_RULE_KIND, AutoRule.canned_code == KB_MATCH_CODE)
    )
    log = await db.scalar(select(AutoAnswer).where(AutoAnswer.request_id == request.id))
    assert kb_rule is not None and log is not None
    assert (log.rule_id, log.canned_code, log.locale) == (kb_rule.id, KB_MATCH_CODE, "ht")

    link = f"{BASE}/ayuda/articulo/{slug}"
    question = translations("ht").ugettext(answer_templates.QUESTION)
    message = await system_message(db, request.id)
    assert message is not None
    assert message.body.startswith("Bonjou ")  # the seeded Creole text
    assert f"{hits[0].title}\n{link}" in message.body and hits[0].locale == "ht"
    assert message.body.endswith(question) and question != "¿Resolvió su consulta?"

    mails = await outbox_for(db, email)
    answer = mails["auto_answer"]
    assert answer.locale == "ht" and answer.in_reply_to == mails["request_received"].message_id
    assert message.email_message_id == answer.message_id  # a reply to it threads back here
    private = f"{BASE}/solicitudes/{request.folio}/{opened.access_token}"
    assert answer.context["link"] == f"{private}#resolvio"
    assert link in answer.context["body"] and request.folio in answer.context["body"]

    rendered = EmailRenderer(make_environment(settings), settings.mail_from).render(answer)
    assert rendered["In-Reply-To"] == mails["request_received"].message_id
    assert rendered["Content-Language"] == "ht" and request.folio in rendered["Subject"]
    text = rendered.get_body(("plain",)).get_content()
    assert question in text and link in text and f"{private}#resolvio" in text


async def test_weak_or_unsuitable_matches_do_not_answer(db, kb_index) -> None:
    # A complaint is for a person to read, however well an article matches it.
    complaint, _ = await open_new(db, CREOLE_SUBJECT, CREOLE_BODY, "ht", "reclamo", kb_index)
    # Nothing in the knowledge base about this.
    vague, _ = await open_new(
        db, "Konsènan demann mwen", "Mwen bezwen èd tanpri", "ht", index=kb_index
    )
    # No index at hand (the mail listener's process, for one).
    unindexed, _ = await open_new(db, CREOLE_SUBJECT, CREOLE_BODY, "ht")
    for opened in (complaint, vague, unindexed):
        assert opened.ticket.status == status_flow.NUEVO
        assert await answer_templates.awaiting(db, opened.ticket) is None

    # Admins switch the knowledge-base rule off like any other rule.
    rule = await db.scalar(select(AutoRule).where(AutoRule.canned_code == KB_MATCH_CODE))
    assert rule is not None
    rule.active = False
    await db.flush()
    off, _ = await open_new(db, CREOLE_SUBJECT, CREOLE_BODY, "ht", index=kb_index)
    assert off.ticket.status == status_flow.NUEVO


class _BrokenIndex:
    async def search(self, *args: object, **kwargs: object) -> list[SearchHit]:
        raise FileNotFoundError("no index on this node")


async def test_an_unreadable_index_leaves_the_request_for_an_agent(db) -> None:
    await answer_templates.seed_defaults(db)
    opened, email = await open_new(db, CREOLE_SUBJECT, CREOLE_BODY, "ht", index=_BrokenIndex())
    assert opened.ticket.status == status_flow.NUEVO
    assert set(await outbox_for(db, email)) == {"request_received"}


async def test_a_keyword_rule_answer_is_emailed_in_the_persons_language(db, settings) -> None:
    keyword = f"clave{uuid.uuid4().hex[:6]}"
    code = f"t-{uuid.uuid4().hex[:8]}"
    template = AnswerTemplate(code=code, title=f"Plantilla {code}", active=True)
    db.add(template)
    await db.flush()
    db.add_all(
        [
            AnswerTemplateText(canned_id=template.id, locale="es", body="Hola {nombre} ({folio})"),
            AnswerTemplateText(canned_id=template.id, locale="en", body="Hello ({folio})"),
        ]
    )
    db.add(AutoRule(kind="consulta", keywords=keyword, canned_code=code, active=True))
    await db.flush()

    opened, email = await open_new(db, "My question", f"About {keyword}", "en")
    mails = await outbox_for(db, email)
    answer = mails["auto_answer"]
    assert answer.locale == "en"
    assert answer.context["body"] == f"Hello ({opened.ticket.folio})"
    assert answer.in_reply_to == mails["request_received"].message_id
    rendered = EmailRenderer(make_environment(settings), settings.mail_from).render(answer)
    text = rendered.get_body(("plain",)).get_content()
    assert translations("en").ugettext(answer_templates.QUESTION) in text
    assert f"Hello ({opened.ticket.folio})" in text
    html = rendered.get_body(("html",)).get_content()
    assert f'href="{answer.context["link"]}"' in html


async def skipped_trace(db: AsyncSession, request_id: int) -> tuple[list[TicketMessage], list]:
    """The request's messages after its own, and its audit events about automatic answers."""
    messages = (
        await db.scalars(
            select(TicketMessage)
            .where(TicketMessage.request_id == request_id, TicketMessage.author_kind != "citizen")
            .order_by(TicketMessage.id)
        )
    ).all()
    events = (
        await db.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "request",
                AuditEvent.entity_id == request_id,
                AuditEvent.action.like("request.auto_answer%"),
            )
            .order_by(AuditEvent.id)
        )
    ).all()
    return list(messages), list(events)


async def test_a_rule_whose_template_lacks_the_language_leaves_it_to_an_agent(db) -> None:
    keyword = f"clave{uuid.uuid4().hex[:6]}"
    spanish_only = AnswerTemplate(
        code=f"t-{uuid.uuid4().hex[:8]}", title="Recibimos sus antecedentes"
    )
    creole_too = AnswerTemplate(code=f"t-{uuid.uuid4().hex[:8]}", title="Otra", active=True)
    db.add_all([spanish_only, creole_too])
    await db.flush()
    db.add_all(
        [
            AnswerTemplateText(canned_id=spanish_only.id, locale="es", body="Recibimos {folio}"),
            AnswerTemplateText(canned_id=creole_too.id, locale="ht", body="Nou resevwa {folio}"),
        ]
    )
    await db.flush()
    first = AutoRule(kind="consulta", keywords=keyword, canned_code=spanish_only.code)
    db.add(first)
    await db.flush()
    # A later rule that matches too, in Creole: the first rule decides, nothing is guessed.
    db.add(AutoRule(kind="consulta", keywords=keyword, canned_code=creole_too.code))
    await db.flush()

    opened, email = await open_new(db, "Dokiman", f"Mwen voye {keyword}", "ht")
    request = opened.ticket
    assert request.status == status_flow.NUEVO and request.first_response_at is None
    assert await answer_templates.awaiting(db, request) is None
    assert set(await outbox_for(db, email)) == {"request_received"}  # nothing in Spanish
    [note], events = await skipped_trace(db, request.id)
    assert note.internal and note.author_kind == "system" and note.email_message_id is None
    assert "«Recibimos sus antecedentes»" in note.body and "Kreyòl ayisyen" in note.body
    assert [(e.action, e.actor_type) for e in events] == [("request.auto_answer_skipped", "system")]
    assert events[0].changes == {
        "canned_code": [None, spanish_only.code],
        "rule_id": [None, first.id],
        "missing_locale": [None, "ht"],
    }
    # The person never sees the note; in Spanish, the same rule answers as before.
    assert note.id not in [e.message.id for e in await citizen_conversation(db, request)]
    spanish, spanish_email = await open_new(db, "Antecedentes", f"Envío {keyword}", "es")
    assert spanish.ticket.status == status_flow.ABIERTO
    assert "auto_answer" in await outbox_for(db, spanish_email)


async def test_a_kb_match_whose_template_lacks_the_language_is_not_sent(db, kb_index) -> None:
    kb_template = await db.scalar(
        select(AnswerTemplate).where(AnswerTemplate.code == KB_MATCH_CODE)
    )
    assert kb_template is not None
    await db.execute(
        delete(AnswerTemplateText).where(
            AnswerTemplateText.canned_id == kb_template.id, AnswerTemplateText.locale == "ht"
        )
    )
    opened, email = await open_new(db, CREOLE_SUBJECT, CREOLE_BODY, "ht", index=kb_index)
    assert opened.ticket.status == status_flow.NUEVO
    assert set(await outbox_for(db, email)) == {"request_received"}
    [note], events = await skipped_trace(db, opened.ticket.id)
    assert note.internal and "Kreyòl ayisyen" in note.body
    assert [e.action for e in events] == ["request.auto_answer_skipped"]
