"""Each kind's deadlines as the admin left them, read from the calendar's snapshot: the
amount, its unit (días hábiles or corridos) and the one extension allowed (``DeadlineRule``).

The admin's overrides (``KindDeadline``) ride on the calendar's in-memory snapshot, so a
new request reads no table for them; the calendar knows them only as an extra it loads
and watches for changes, registered here.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.calendar import snapshot
from helpdesk.calendar.working_days import HABILES
from helpdesk.tickets.kinds import DeadlineRule, deadline_rule
from helpdesk.tickets.models import KindDeadline

EXTRA = "kind_deadlines"


async def _load(db: AsyncSession) -> Mapping[str, DeadlineRule]:
    rows = await db.scalars(select(KindDeadline))
    return {d.kind: from_row(d) for d in rows}


def from_row(row: KindDeadline) -> DeadlineRule:
    """An admin's stored override as a rule (rows written before units and extensions
    existed count in días hábiles, without extension)."""
    return DeadlineRule(
        row.legal_days, row.target_days, row.unit or HABILES, row.extension_days or None
    )


snapshot.register_extra(EXTRA, KindDeadline, _load)


async def overrides(db: AsyncSession) -> Mapping[str, DeadlineRule]:
    """The admin's rules by kind (kinds without one use the catalogue's)."""
    return (await snapshot.current(db)).extras[EXTRA]


async def rule_for(db: AsyncSession, kind: str) -> DeadlineRule:
    return deadline_rule(kind, await overrides(db))
