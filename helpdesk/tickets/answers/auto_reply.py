"""The automatic answer to a new request, and the email that brings it to the person.

Keyword rules come first (``answer_templates.find_rule_answer``); when none applies and
the knowledge base is at hand, a strong article match answers (``kb_match``). The answer is a system
message on the request and an email in the person's language, threaded under the
confirmation email, that asks "¿Resolvió su consulta?" and links to the private page where
the yes and no buttons are (a link in an email must not change anything by itself).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.notifications import outbox
from helpdesk.tickets.answers import kb_match
from helpdesk.tickets.answers import templates as answer_templates
from helpdesk.tickets.answers.models import AutoAnswer
from helpdesk.tickets.models import Ticket

AUTO_ANSWER_TEMPLATE: Final = "auto_answer"
CONFIRM_ANCHOR: Final = "#resolvio"  # the question's heading on the private page


Found = tuple[
    int, answer_templates.Rendered
]  # the logging rule's id, the answer in the person's language


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
) -> AutoAnswer:
    """The answer as a system message and an email threaded under ``thread_id``."""
    rule_id, rendered = found
    message = outbox.enqueue(
        db,
        AUTO_ANSWER_TEMPLATE,
        email,
        ticket.locale,
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
