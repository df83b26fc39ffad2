"""The one way a ticket's status changes: checked by the flow, with its clock, history and audit.

Agents (the request page, bulk actions, merges), citizens (a reply, a closure), the system
(an automatic answer, the person's yes or no) and answer templates all call ``move``; no
other code writes ``Ticket.status``. A move checks ``status_flow``'s rules for the actor's
kind, stops or restarts the legal clock (the wait on the citizen is a pause, and the due
dates are counted again from reception when it ends), stamps resolution and closure, adds
the ``StatusChange`` row and the audit event, all in the caller's unit of work. Then it
tells its listeners (``register_listener``, wired by ``app.py``: the person's email in
``citizen.emails``), unless the caller says it tells the person itself (``notify=False``:
a reply that moves the request carries the news in the reply's own email).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.audit import service as audit
from helpdesk.calendar import service as calendar
from helpdesk.calendar.working_days import Pause
from helpdesk.tickets import deadline_rules, status_flow
from helpdesk.tickets.models import StatusChange, Ticket

# (session, ticket, status before, status after, by): called after every move.
StatusListener = Callable[[AsyncSession, Ticket, str, str, str], Awaitable[None]]
_listeners: list[StatusListener] = []


def register_listener(listener: StatusListener) -> None:
    """Called after every move (idempotent: registering twice calls it once)."""
    if listener not in _listeners:
        _listeners.append(listener)


def check(ticket: Ticket, targets: Iterable[str], by: str, now: datetime) -> None:
    """Checks a chain of moves before any is written, so a refusal leaves nothing half done;
    raises ``status_flow.TransitionNotAllowed``."""
    current = ticket.status
    for target in targets:
        status_flow.check_transition(
            current,
            target,
            by,
            resolved_at=ticket.resolved_at,
            now=now,
            merged=ticket.merged_into_id is not None,
        )
        current = target


async def move(
    db: AsyncSession,
    ticket: Ticket,
    target: str,
    by: str,
    actor: audit.Actor,
    now: datetime,
    *,
    notify: bool = True,
) -> None:
    """One move by ``by`` (``status_flow.AGENT``, ``CITIZEN`` or ``SYSTEM``), checked, then
    written with its clock, history row and audit event; the listeners hear of it unless
    ``notify`` is False."""
    check(ticket, [target], by, now)
    before = ticket.status
    if status_flow.ends_pause(before, target):
        await restart_clock(db, ticket, now)
    if status_flow.starts_pause(before, target):
        ticket.legal_due_on = None  # the clock stops; restart_clock recomputes both
        ticket.target_due_on = None
    ticket.status = target
    if target == status_flow.RESUELTO:
        ticket.resolved_at = now
    elif target == status_flow.CERRADO:
        ticket.closed_at = now
    ticket.updated_at = now
    db.add(
        StatusChange(
            request_id=ticket.id,
            from_status=before,
            to_status=target,
            actor_kind=by,
            actor_id=actor.id,
            at=now,
        )
    )
    audit.record(db, actor, "request.status", "request", ticket.id, {"status": [before, target]})
    if notify:
        for listener in _listeners:
            await listener(db, ticket, before, target, by)


async def restart_clock(db: AsyncSession, ticket: Ticket, now: datetime) -> None:
    """The legal and target deadlines once the wait on the citizen ends at ``now`` (or the
    kind changed): counted from reception, skipping every pause in the history."""
    history = (
        await db.scalars(
            select(StatusChange)
            .where(StatusChange.request_id == ticket.id)
            .order_by(StatusChange.at, StatusChange.id)
        )
    ).all()
    pauses: list[Pause] = []
    start: datetime | None = None
    for change in history:
        if change.to_status == status_flow.EN_ESPERA_CIUDADANO and start is None:
            start = change.at
        elif change.to_status != status_flow.EN_ESPERA_CIUDADANO and start is not None:
            pauses.append(Pause(start, change.at))
            start = None
    if start is not None:
        pauses.append(Pause(start, now))
    zone = await calendar.office_zone(db, ticket.region_code)
    working = await calendar.working_calendar(db, ticket.region_code)
    rule = await deadline_rules.rule_for(db, ticket.kind)
    # In the rule's unit, with the days of an extension already granted (lifecycle/extension).
    received = ticket.received_at
    ticket.legal_due_on = rule.legal_due(received, working, zone, pauses, ticket.extension_days)
    if rule.target_days:
        ticket.target_due_on = rule.target_due(received, working, zone, pauses)
