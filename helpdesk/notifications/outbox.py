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


def _values(
    template: str,
    to_address: str,
    locale: str,
    context: dict[str, Any],
    in_reply_to: str | None,
    message_id: str | None,
) -> dict[str, Any]:
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
    message = OutboxMessage(**_values(template, to_address, locale, context, in_reply_to, None))
    db.add(message)
    return message


_INSERT = insert(OutboxMessage.__table__)


async def write(
    db: AsyncSession,
    template: str,
    to_address: str,
    locale: str,
    context: dict[str, Any],
    in_reply_to: str | None = None,
    message_id: str | None = None,
) -> str:
    """The same email as ``enqueue``, written at once with a Core statement (for the busiest
    paths); returns its Message-ID, chosen beforehand when the caller threads under it."""
    values = _values(template, to_address, locale, context, in_reply_to, message_id)
    await db.execute(_INSERT, values)
    return str(values["message_id"])
