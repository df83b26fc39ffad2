"""The automatic answer to a new request, and the email that brings it to the person.

Keyword rules come first (``answer_templates.find_rule_answer``); when none applies and
the knowledge base is at hand, a strong article match answers (``kb_match``). The answer is a system
message on the request and an email in the person's language, threaded under the
confirmation email, that asks "¿Resolvió su consulta?" and links to the private page where
the yes and no buttons are (a link in an email must not change anything by itself).

An answer is only ever sent in the request's language. When the matching rule's template
lacks it, nothing is sent: the request waits for an agent, and an internal note in its
conversation (with an audit event) says which template lacked which language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.audit import service as audit
from helpdesk.core.i18n import LANGUAGE_NAMES
from helpdesk.core.i18n import gettext as _
from helpdesk.notifications import outbox
from helpdesk.tickets.answers import kb_match
from helpdesk.tickets.answers import templates as answer_templates
from helpdesk.tickets.answers.models import AutoAnswer
from helpdesk.tickets.citizen import emails as person_emails
from helpdesk.tickets.models import Ticket, TicketMessage

AUTO_ANSWER_TEMPLATE: Final = "auto_answer"
CONFIRM_ANCHOR: Final = "#resolvio"  # the question's heading on the private page


# The logging rule's id and the answer in the request's language, or why none is sent.
Found = tuple[int, answer_templates.Rendered] | answer_templates.Skipped
SKIPPED_ACTION: Final = "request.auto_answer_skipped"


async def find_answer(
    db: AsyncSession,
    ticket: Ticket,
    body: str,
    base_url: str,
    index: kb_match.ArticleSearch | None = None,
) -> Found | None:
    """The answer a rule or the knowledge base has for the new request; None otherwise.
    Reads only, so the worker can search before it takes any lock."""
    found = await answer_templates.find_rule_answer(db, ticket, body, base_url)
    if found is None and index is not None:
        found = await kb_match.find_kb_answer(db, index, ticket, body, base_url)
    return found


async def send_answer(
    db: AsyncSession,
    ticket: Ticket,
    found: Found,
    *,
    email: str,
    private_link: str,
    thread_id: str | None,
    now: datetime,
) -> AutoAnswer | None:
    """The answer as a system message and an email threaded under ``thread_id``; for a
    Skipped answer, only the note that tells the agents why nobody answered yet."""
    if isinstance(found, answer_templates.Skipped):
        record_skipped(db, ticket, found, now)
        return None
    rule_id, rendered = found
    # The email's language by the one rule (core.language): the request's, or the profile
    # of an account holder; the answer itself is in the request's language.
    to = await person_emails.recipient(db, ticket)
    message = outbox.enqueue(
        db,
        AUTO_ANSWER_TEMPLATE,
        email,
        to.locale if to is not None else ticket.locale,
        {
            "folio": ticket.folio,
            "subject": ticket.subject,
            "body": rendered.text,
            "link": private_link + CONFIRM_ANCHOR,
        },
        in_reply_to=thread_id,
    )
    return await answer_templates.record_answer(
        db, ticket, rule_id, rendered, now, message.message_id
    )


def skipped_note(skipped: answer_templates.Skipped) -> str:
    missing = skipped.missing
    return _(
        "No se envió una respuesta automática: la respuesta tipo «%(title)s» no tiene texto"
        " en %(language)s, el idioma de esta solicitud. Responda usted a la persona, o pida"
        " que se agregue la traducción.",
        title=missing.title,
        language=LANGUAGE_NAMES.get(missing.wanted, missing.wanted),
    )


def record_skipped(
    db: AsyncSession, ticket: Ticket, skipped: answer_templates.Skipped, now: datetime
) -> None:
    """The request stays new, for an agent; its conversation and the audit log say why."""
    db.add(
        TicketMessage(
            request_id=ticket.id,
            author_kind=answer_templates.SYSTEM,
            body=skipped_note(skipped),
            internal=True,
            via="web",
            created_at=now,
        )
    )
    ticket.updated_at = now
    audit.record(
        db,
        audit.Actor(answer_templates.SYSTEM, None),
        SKIPPED_ACTION,
        "request",
        ticket.id,
        {
            "canned_code": [None, skipped.missing.code],
            "rule_id": [None, skipped.rule_id],
            "missing_locale": [None, skipped.missing.wanted],
        },
    )
