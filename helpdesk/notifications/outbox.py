"""Enqueueing email in the caller's transaction: it leaves only if the change commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.notifications.models import OutboxMessage

MESSAGE_ID_DOMAIN = "portal-ayuda.local"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>"


def message_values(
    template: str,
    to_address: str,
    locale: str,
    context: dict[str, Any],
    in_reply_to: str | None = None,
    message_id: str | None = None,
) -> dict[str, Any]:
    """An email as column values, for ``write``; ``message_id`` when the caller threads
    under it beforehand."""
    return {
        "template": template,
        "to_address": to_address,
        "locale": locale,
        "context": context,
        "message_id": message_id or new_message_id(),
        "in_reply_to": in_reply_to,
    }


def enqueue(
    db: AsyncSession,
    template: str,
    to_address: str,
    locale: str,
    context: dict[str, Any],
    in_reply_to: str | None = None,
) -> OutboxMessage:
    message = OutboxMessage(**message_values(template, to_address, locale, context, in_reply_to))
    db.add(message)
    return message


_INSERT = insert(OutboxMessage.__table__)


async def write(db: AsyncSession, messages: list[dict[str, Any]]) -> None:
    """Emails made with ``message_values``, enqueued in one Core statement (the same rows
    as ``enqueue``, for the busiest paths)."""
    if messages:
        await db.execute(_INSERT, messages)
