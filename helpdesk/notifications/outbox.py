"""Enqueueing email in the caller's transaction: it leaves only if the change commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.notifications.models import OutboxMessage

MESSAGE_ID_DOMAIN = "portal-ayuda.local"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>"


def enqueue(
    db: AsyncSession,
    template: str,
    to_address: str,
    locale: str,
    context: dict[str, Any],
    in_reply_to: str | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        template=template,
        to_address=to_address,
        locale=locale,
        context=context,
        message_id=new_message_id(),
        in_reply_to=in_reply_to,
    )
    db.add(message)
    return message
