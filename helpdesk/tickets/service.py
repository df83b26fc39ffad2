"""Opening requests and finding them again by their private link.

One unit of work: the person (found or created), the request with its folio and deadlines,
the first message, the status history, the audit event and the confirmation email are
written together or not at all.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.audit import service as audit
from helpdesk.core.db import utcnow
from helpdesk.core.i18n import format_date
from helpdesk.core.security import new_token, token_digest
from helpdesk.notifications import outbox
from helpdesk.people import service as people_service
from helpdesk.people.models import Person
from helpdesk.tickets import reference_cache, status_flow
from helpdesk.tickets.deadlines import WorkingCalendar, due_date
from helpdesk.tickets.folios import next_folio
from helpdesk.tickets.kinds import KINDS, DeadlineRule, deadline_rule
from helpdesk.tickets.models import Request, RequestMessage, StatusChange
from knowledge_base import deflection

DEFAULT_ZONE = "America/Santiago"


def local_today(now: datetime | None = None) -> date:
    """Today's date where the service keeps its calendar (Santiago)."""
    return (now or utcnow()).astimezone(ZoneInfo(DEFAULT_ZONE)).date()


@dataclass(frozen=True)
class NewRequest:
    kind: str
    subject: str
    body: str
    channel: str
    email: str  # verified: by the session's email proof or the signed-in account
    locale: str
    person_id: int | None = None  # when signed in
    region_code: str | None = None
    tramite_code: str | None = None
    priority: str = "normal"
    draft_key: str | None = None


@dataclass(frozen=True)
class OpenedRequest:
    request: Request
    access_token: str  # the private link's secret: sent by email, never stored


async def office_zone(db: AsyncSession, region_code: str | None) -> ZoneInfo:
    """The handling office's time zone (Magallanes differs from the rest)."""
    if region_code is None:
        return ZoneInfo(DEFAULT_ZONE)
    zone = (await reference_cache.current(db)).zones.get(region_code)
    return ZoneInfo(zone or DEFAULT_ZONE)


async def working_calendar(db: AsyncSession, region_code: str | None) -> WorkingCalendar:
    return (await reference_cache.current(db)).calendar(region_code)


async def rule_for(db: AsyncSession, kind: str) -> DeadlineRule:
    return deadline_rule(kind, (await reference_cache.current(db)).deadlines)


async def _person_for(
    db: AsyncSession, data: NewRequest, actor: audit.Actor, now: datetime
) -> Person:
    if data.person_id is not None:
        person = await db.get(Person, data.person_id)
        if person is None:
            raise ValueError("unknown person")
        return person
    email = data.email.strip().lower()
    person = await db.scalar(
        select(Person)
        .where(Person.email == email, Person.email_verified_at.is_not(None))
        .order_by(Person.id)
        .limit(1)
    )
    person = await people_service.survivor(db, person)  # a merged record's requests go on
    if person is None:
        person = Person(
            email=email,
            email_verified_at=now,
            preferred_locale=data.locale,
            region_code=data.region_code,
        )
        db.add(person)
        await db.flush()
        audit.record(
            db,
            actor,
            "person.create",
            "person",
            person.id,
            {"email": [None, email], "source": [None, "request"]},
        )
    return person


async def open_request(
    db: AsyncSession,
    data: NewRequest,
    actor: audit.Actor,
    base_url: str,
    now: datetime | None = None,
) -> OpenedRequest:
    if data.kind not in KINDS:
        raise ValueError(f"unknown kind {data.kind!r}")
    now = now or utcnow()
    kind = KINDS[data.kind]
    person = await _person_for(db, data, actor, now)
    zone = await office_zone(db, data.region_code)
    calendar = await working_calendar(db, data.region_code)
    rule = await rule_for(db, data.kind)
    folio = await next_folio(db, kind.folio_prefix, now.astimezone(zone).year)
    token = new_token()
    request = Request(
        folio=folio,
        kind=data.kind,
        channel=data.channel,
        status=status_flow.INITIAL_STATUS,
        priority=data.priority,
        subject=data.subject,
        person_id=person.id,
        region_code=data.region_code,
        tramite_code=data.tramite_code,
        locale=data.locale,
        access_digest=token_digest(token),
        received_at=now,
        legal_due_on=due_date(now, rule.legal_days, calendar, zone),
        target_due_on=due_date(now, rule.target_days, calendar, zone) if rule.target_days else None,
        draft_key=data.draft_key,
        intake_pending=True,  # routing and the automatic answer follow: see intake.py
    )
    db.add(request)
    await db.flush()
    first_message = RequestMessage(
        request_id=request.id,
        author_kind="citizen",
        author_id=person.id,
        body=data.body,
        via="web" if data.channel == "web" else data.channel,
    )
    db.add(first_message)
    db.add(
        StatusChange(
            request_id=request.id,
            from_status=None,
            to_status=request.status,
            actor_kind=actor.type,
            actor_id=actor.id,
            at=now,
        )
    )
    audit.record(
        db,
        actor,
        "request.create",
        "request",
        request.id,
        {"folio": [None, folio], "kind": [None, data.kind]},
    )
    link = f"{base_url.rstrip('/')}/solicitudes/{folio}/{token}"
    due = format_date(request.legal_due_on, data.locale) if request.legal_due_on else ""
    confirmation = outbox.enqueue(
        db,
        "request_received",
        data.email,
        data.locale,
        {"folio": folio, "subject": data.subject, "link": link, "due": due},
    )
    # Replies to the confirmation thread onto this request (email in, and agents' replies out).
    first_message.email_message_id = confirmation.message_id
    if data.draft_key:
        deflection.submitted(db, data.draft_key)
    return OpenedRequest(request, token)


async def find_by_private_link(db: AsyncSession, folio: str, token: str) -> Request | None:
    """The request a private link opens; the same None for a wrong folio or a wrong token."""
    request = await db.scalar(select(Request).where(Request.folio == folio.upper()))
    expected = request.access_digest if request is not None else "0" * 64
    if not hmac.compare_digest(expected, token_digest(token)) or request is None:
        return None
    return request
