"""Who else is replying to a request: the agents whose reply box is open on it.

The reply box reports itself (``touch``) when it gets the focus and then every 20 seconds while
it keeps it; a report older than ``FRESH_FOR`` means the agent left. Sending a reply clears the
sender's report (``leave``). At submit time ``replied_since`` catches what the warning could
not: a colleague's reply that arrived after the page was loaded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.core.db import utcnow
from helpdesk.core.i18n import gettext as _
from helpdesk.tickets.models import Ticket, TicketMessage, TicketPresence
from helpdesk.tickets.workbench.service import check_access

# Three missed 20-second heartbeats: long enough for a slow network, short enough that a
# closed tab stops warning colleagues within a minute.
FRESH_FOR = timedelta(seconds=60)


async def touch(
    db: AsyncSession, viewer: Viewer, ticket: Ticket, now: datetime | None = None
) -> None:
    """Records that the viewer has this request's reply box open (one row per agent)."""
    check_access(viewer, ticket)
    now = now or utcnow()
    values = {"request_id": ticket.id, "staff_id": viewer.id, "seen_at": now}
    # Both backends upsert on the primary key, so two heartbeats never race into a duplicate.
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(TicketPresence).values(values)
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[TicketPresence.request_id, TicketPresence.staff_id],
            set_={"seen_at": statement.excluded.seen_at},
        )
    )


async def others_replying(
    db: AsyncSession, viewer: Viewer, ticket: Ticket, now: datetime | None = None
) -> list[str]:
    """Names of the other staff seen in this request's reply box within ``FRESH_FOR``."""
    check_access(viewer, ticket)
    since = (now or utcnow()) - FRESH_FOR
    names = await db.scalars(
        select(StaffAccount.full_name)
        .join(TicketPresence, TicketPresence.staff_id == StaffAccount.id)
        .where(
            TicketPresence.request_id == ticket.id,
            TicketPresence.staff_id != viewer.id,
            TicketPresence.seen_at >= since,
        )
        .order_by(StaffAccount.full_name)
    )
    return list(names.all())


async def leave(db: AsyncSession, viewer: Viewer, ticket: Ticket) -> None:
    """The viewer is no longer replying (their reply went out)."""
    check_access(viewer, ticket)
    await db.execute(
        delete(TicketPresence).where(
            TicketPresence.request_id == ticket.id, TicketPresence.staff_id == viewer.id
        )
    )


async def replied_since(
    db: AsyncSession, viewer: Viewer, ticket: Ticket, seen_id: int | None
) -> bool:
    """Whether someone else answered the person after the message ``seen_id``, the last one
    on the viewer's page. Internal notes do not count: only a second answer to the person
    would be a problem. No ``seen_id`` (a form from before this check) checks nothing."""
    check_access(viewer, ticket)
    if seen_id is None:
        return False
    newer = await db.scalar(
        select(TicketMessage.id)
        .where(
            TicketMessage.request_id == ticket.id,
            TicketMessage.id > seen_id,
            TicketMessage.author_kind == "staff",
            TicketMessage.internal.is_(False),
            TicketMessage.author_id != viewer.id,
        )
        .limit(1)
    )
    return newer is not None


def crossed_reply_message() -> str:
    return _(
        "Otra persona respondió mientras usted escribía; revise la conversación antes de enviar."
    )
