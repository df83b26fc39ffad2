"""One-time links sent by email. Only a digest of the token is stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import EmailToken
from helpdesk.core.db import utcnow
from helpdesk.core.security import new_token, token_digest

LIFETIMES = {
    "verify_email": timedelta(hours=48),
    "password_reset": timedelta(hours=1),
    "prove_email": timedelta(hours=24),
    "follow_case": timedelta(hours=48),  # an application's status emails (cases.following)
}


def issue(
    db: AsyncSession,
    purpose: str,
    email: str,
    person_id: int | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> str:
    token = new_token()
    now = now or utcnow()
    db.add(
        EmailToken(
            purpose=purpose,
            token_digest=token_digest(token),
            email=email,
            person_id=person_id,
            payload=payload or {},
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    return token


async def consume(
    db: AsyncSession, purpose: str, token: str, now: datetime | None = None
) -> EmailToken | None:
    """Marks the link used and returns it; None when unknown, expired or already used."""
    now = now or utcnow()
    row = await db.scalar(
        select(EmailToken).where(
            EmailToken.token_digest == token_digest(token), EmailToken.purpose == purpose
        )
    )
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    # A conditional update, so two clicks racing on two workers use the link once.
    used = await db.execute(
        update(EmailToken)
        .where(EmailToken.id == row.id, EmailToken.used_at.is_(None))
        .values(used_at=now)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return row


async def peek(db: AsyncSession, purpose: str, token: str, now: datetime | None = None) -> bool:
    """Whether a link is still usable, without using it (to show the reset form)."""
    now = now or utcnow()
    row = await db.scalar(
        select(EmailToken).where(
            EmailToken.token_digest == token_digest(token), EmailToken.purpose == purpose
        )
    )
    return row is not None and row.used_at is None and row.expires_at > now
