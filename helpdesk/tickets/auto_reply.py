"""The automatic answer to a new request, and the email that brings it to the person.

Keyword rules come first (``canned.find_rule_answer``); when none applies and the knowledge
base is at hand, a strong article match answers (``kb_match``). The answer is a system
message on the request and an email in the person's language, threaded under the
confirmation email, that asks "¿Resolvió su consulta?" and links to the private page where
the yes and no buttons are (a link in an email must not change anything by itself).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.notifications import outbox
from helpdesk.tickets import canned, kb_match
from helpdesk.tickets.models import Request

AUTO_ANSWER_TEMPLATE: Final = "auto_answer"
CONFIRM_ANCHOR: Final = "#resolvio"  # the question's heading on the private page


async def answer_new_request(
    db: AsyncSession,
    request: Request,
    body: str,
    base_url: str,
    *,
    email: str,
    private_link: str,
    thread_id: str | None,
    now: datetime,
    index: kb_match.ArticleSearch | None = None,
) -> canned.AutoAnswer | None:
    """Answers the new request when a rule or the knowledge base can; None otherwise."""
    found = await canned.find_rule_answer(db, request, body, base_url)
    if found is None and index is not None:
        found = await kb_match.find_kb_answer(db, index, request, body, base_url)
    if found is None:
        return None
    rule_id, rendered = found
    message = outbox.enqueue(
        db,
        AUTO_ANSWER_TEMPLATE,
        email,
        request.locale,
        {
            "folio": request.folio,
            "subject": request.subject,
            "body": rendered.text,
            "link": private_link + CONFIRM_ANCHOR,
        },
        in_reply_to=thread_id,
    )
    return await canned.record_answer(db, request, rule_id, rendered, now, message.message_id)
