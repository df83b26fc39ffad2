"""Prorrogar plazo: an agent extends a request's legal deadline once, before it ends, with a
reason; the person is told the new date (Ley 20.285 art. 14 asks for the notice and its
grounds before the deadline ends).

The days granted are kept on the request (``Ticket.extension_days``), so every later count
of the deadline (after a wait on the person) keeps them even if the kind's rule changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit import service as audit
from helpdesk.calendar import service as calendar
from helpdesk.core.i18n import gettext as _
from helpdesk.tickets import deadline_rules, status_flow, status_moves
from helpdesk.tickets.kinds import unit_names
from helpdesk.tickets.lifecycle import events, notices, rules
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.workbench.service import check_access, staff_names

REASON_MAX: Final = 2000


class ExtensionRefused(Exception):
    """``code`` for programs, ``message`` for the agent (already translated)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ExtensionOffer:
    """What the request's page shows about the prórroga."""

    days: int | None  # the kind's extension; None: the kind has none
    unit: str
    refusal: str | None  # why it cannot be extended today; None: the button is offered
    extended_days: int | None  # already granted

    @property
    def refusal_message(self) -> str:
        return rules.extension_refusal_message(self.refusal) if self.refusal else ""


async def _today(db: AsyncSession, ticket: Ticket, now: datetime) -> date:
    return now.astimezone(await calendar.office_zone(db, ticket.region_code)).date()


async def offer(db: AsyncSession, ticket: Ticket, now: datetime) -> ExtensionOffer:
    rule = await deadline_rules.rule_for(db, ticket.kind)
    refusal = rules.extension_refusal(
        rule,
        status=ticket.status,
        merged=ticket.merged_into_id is not None,
        legal_due_on=ticket.legal_due_on,
        extended_days=ticket.extension_days,
        today=await _today(db, ticket, now),
    )
    return ExtensionOffer(rule.extension_days, rule.unit, refusal, ticket.extension_days)


def check_reason(reason: str) -> str | None:
    """The form's error for the reason, or None."""
    if not reason.strip():
        return _("Escriba el motivo de la prórroga: se comunica a la persona.")
    if len(reason) > REASON_MAX:
        return _("El motivo puede tener hasta %(max)s caracteres.", max=REASON_MAX)
    return None


async def extend(
    db: AsyncSession,
    viewer: Viewer,
    ticket: Ticket,
    reason: str,
    actor: audit.Actor,
    base_url: str,
    now: datetime,
) -> date:
    """Extends the legal deadline, records it, tells the person; returns the new due date.
    Raises ``ExtensionRefused``."""
    check_access(viewer, ticket)
    reason = reason.strip()
    if (problem := check_reason(reason)) is not None:
        raise ExtensionRefused("reason", problem)
    current = await offer(db, ticket, now)
    if current.refusal is not None:
        raise ExtensionRefused(current.refusal, rules.extension_refusal_message(current.refusal))
    before = ticket.legal_due_on
    assert before is not None and current.days is not None
    ticket.extension_days = current.days
    await status_moves.restart_clock(db, ticket, now)
    after = ticket.legal_due_on
    assert after is not None
    ticket.updated_at = now
    events.record(
        db,
        ticket,
        events.EXTENDED,
        status_flow.AGENT,
        viewer.id,
        now,
        before=before.isoformat(),
        after=after.isoformat(),
        days=current.days,
        unit=current.unit,
        reason=reason,
    )
    emailed = await notices.email_person(
        db,
        ticket,
        notices.EXTENSION_TEMPLATE,
        base_url,
        {"before": before, "due": after},
        reason=reason,
    )
    audit.record(
        db,
        actor,
        "request.deadline_extension",
        "request",
        ticket.id,
        {
            "legal_due_on": [before.isoformat(), after.isoformat()],
            "extension_days": [None, current.days],
            "emailed": [None, emailed],
        },
    )
    return after


@dataclass(frozen=True)
class EventRow:
    """One lifecycle event as the request's page shows it."""

    at: datetime
    what: str
    actor: str
    new_due: date | None = None
    act_by: date | None = None
    reason: str | None = None


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


async def panel(db: AsyncSession, ticket: Ticket, now: datetime) -> dict[str, object]:
    """The request page's part about the deadline's extension and the lifecycle's events."""
    found = await events.events_of(db, ticket)
    names = await staff_names(db, (e.actor_id for e in found))
    what = events.event_names()
    rows = [
        EventRow(
            e.at,
            what.get(e.kind, e.kind),
            names.get(e.actor_id, _("Personal")) if e.actor_id else _("Sistema"),
            _day(e.details.get("after")),
            _day(e.details.get("act_by")),
            e.details.get("reason"),
        )
        for e in found
    ]
    return {
        "extension": await offer(db, ticket, now),
        "lifecycle_events": rows,
        "unit_names": unit_names(),
    }
