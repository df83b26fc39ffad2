"""Admins set each kind's deadlines (the extra non-working days are the calendar's:
``helpdesk.calendar.closures``).

They feed ``deadline_rules.rule_for``, which every new request and every restarted clock
read; due dates already stored are not recomputed (a request's deadline is fixed when it is
counted).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit import service as audit
from helpdesk.core.errors import NotFound
from helpdesk.tickets.answers.admin import require_admin
from helpdesk.tickets.deadline_rules import from_row
from helpdesk.tickets.kinds import KINDS, DeadlineRule
from helpdesk.tickets.models import KindDeadline

# Kinds and their deadlines have text keys; the audit log's entity id is a number, so these
# events carry 0 and name the kind in their changes.
NO_ID = 0
# The deadline form's fields.
FIELDS = ("legal", "meta", "unidad", "prorroga")


# --- Plazos por tipo.


@dataclass(frozen=True)
class KindDeadlineRow:
    code: str
    name: str
    family: str
    default: DeadlineRule
    override: DeadlineRule | None

    @property
    def rule(self) -> DeadlineRule:
        return self.override or self.default


async def list_deadlines(db: AsyncSession, viewer: Viewer) -> list[KindDeadlineRow]:
    require_admin(viewer)
    overrides = {row.kind: row for row in (await db.scalars(select(KindDeadline))).all()}
    return [
        KindDeadlineRow(
            code,
            kind.name,
            kind.family,
            kind.deadline,
            from_row(o) if (o := overrides.get(code)) else None,
        )
        for code, kind in KINDS.items()
    ]


async def get_deadline(db: AsyncSession, viewer: Viewer, kind: str) -> KindDeadlineRow:
    require_admin(viewer)
    if kind not in KINDS:
        raise NotFound("kind")
    row = await db.get(KindDeadline, kind)
    override = from_row(row) if row else None
    return KindDeadlineRow(
        kind, KINDS[kind].name, KINDS[kind].family, KINDS[kind].deadline, override
    )


def form_values(rule: DeadlineRule) -> dict[str, str]:
    """A rule as the deadline form shows it."""
    return {
        "legal": str(rule.legal_days),
        "meta": str(rule.target_days or ""),
        "unidad": rule.unit,
        "prorroga": str(rule.extension_days or ""),
    }


def _values(rule: DeadlineRule | None) -> dict[str, int | str | None]:
    if rule is None:
        return {"legal": None, "meta": None, "unidad": None, "prorroga": None}
    return {
        "legal": rule.legal_days,
        "meta": rule.target_days,
        "unidad": rule.unit,
        "prorroga": rule.extension_days,
    }


async def set_deadline(
    db: AsyncSession,
    viewer: Viewer,
    kind: str,
    new: DeadlineRule,
    actor: audit.Actor,
) -> None:
    current = await get_deadline(db, viewer, kind)
    row = await db.get(KindDeadline, kind)
    if row is None:
        row = KindDeadline(kind=kind)
        db.add(row)
    row.legal_days, row.target_days = new.legal_days, new.target_days
    row.unit, row.extension_days = new.unit, new.extension_days
    changes = audit.diff(_values(current.rule), _values(new))
    if changes or current.override is None:
        changes["tipo"] = [kind, kind]
        audit.record(db, actor, "kind_deadline.set", "kind_deadline", NO_ID, changes)


async def reset_deadline(db: AsyncSession, viewer: Viewer, kind: str, actor: audit.Actor) -> None:
    """Back to the shipped default."""
    current = await get_deadline(db, viewer, kind)
    row = await db.get(KindDeadline, kind)
    if row is None:
        return
    await db.delete(row)
    changes = audit.diff(_values(current.rule), _values(current.default))
    changes["tipo"] = [kind, kind]
    audit.record(db, actor, "kind_deadline.reset", "kind_deadline", NO_ID, changes)
