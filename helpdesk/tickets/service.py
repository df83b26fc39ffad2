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

from sqlalchemy import bindparam, insert, select
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


_PEOPLE = Person.__table__
_FIND_PERSON = (
    select(_PEOPLE.c.id, _PEOPLE.c.merged_into_id)
    .where(_PEOPLE.c.email == bindparam("email"), _PEOPLE.c.email_verified_at.is_not(None))
    .order_by(_PEOPLE.c.id)
    .limit(1)
)


async def _person_id_for(
    db: AsyncSession, data: NewRequest, actor: audit.Actor, now: datetime
) -> int:
    if data.person_id is not None:
        person = await db.get(Person, data.person_id)
        if person is None:
            raise ValueError("unknown person")
        return person.id
    email = data.email.strip().lower()
    found = (await db.execute(_FIND_PERSON, {"email": email})).first()
    if found is not None and found.merged_into_id is None:
        return int(found.id)  # the usual case, without loading the person
    # A merged record's requests go on in the record it was merged into.
    person = await people_service.survivor(db, await db.get(Person, found.id)) if found else None
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
    return person.id


@dataclass(frozen=True)
class CreatedRequest:
    """What opening a request wrote, as plain values: the busy paths (the form, the API)
    answer from these without loading the request back."""

    id: int
    folio: str
    kind: str
    status: str
    legal_due_on: date | None
    first_message_id: int
    access_token: str  # the private link's secret: sent by email, never stored


# Core statements, built once: opening requests is the portal's busiest write, and the
# ORM's unit of work costs several times the inserts themselves (docs/performance.md).
_INSERT_REQUEST = insert(Request.__table__).returning(Request.__table__.c.id)
_INSERT_MESSAGE = insert(RequestMessage.__table__).returning(RequestMessage.__table__.c.id)
_INSERT_STATUS_CHANGE = insert(StatusChange.__table__)


async def create_request(
    db: AsyncSession,
    data: NewRequest,
    actor: audit.Actor,
    base_url: str,
    now: datetime | None = None,
) -> CreatedRequest:
    """Writes the request, its first message, status history, audit event and confirmation
    email in the caller's transaction; routing and the automatic answer follow in the
    worker (intake.py)."""
    if data.kind not in KINDS:
        raise ValueError(f"unknown kind {data.kind!r}")
    now = now or utcnow()
    kind = KINDS[data.kind]
    person_id = await _person_id_for(db, data, actor, now)
    zone = await office_zone(db, data.region_code)
    calendar = await working_calendar(db, data.region_code)
    rule = await rule_for(db, data.kind)
    folio = await next_folio(db, kind.folio_prefix, now.astimezone(zone).year)
    token = new_token()
    status = status_flow.INITIAL_STATUS
    legal_due_on = due_date(now, rule.legal_days, calendar, zone)
    target_due_on = due_date(now, rule.target_days, calendar, zone) if rule.target_days else None
    request_id = (
        await db.execute(
            _INSERT_REQUEST,
            {
                "folio": folio,
                "kind": data.kind,
                "channel": data.channel,
                "status": status,
                "priority": data.priority,
                "subject": data.subject,
                "person_id": person_id,
                "region_code": data.region_code,
                "tramite_code": data.tramite_code,
                "locale": data.locale,
                "access_digest": token_digest(token),
                "received_at": now,
                "legal_due_on": legal_due_on,
                "target_due_on": target_due_on,
                "draft_key": data.draft_key,
                "intake_pending": True,  # routing and the automatic answer follow: intake.py
            },
        )
    ).scalar_one()
    # Replies to the confirmation thread onto this request (email in, and agents' replies out).
    confirmation_id = outbox.new_message_id()
    first_message_id = (
        await db.execute(
            _INSERT_MESSAGE,
            {
                "request_id": request_id,
                "author_kind": "citizen",
                "author_id": person_id,
                "body": data.body,
                "internal": False,
                "via": "web" if data.channel == "web" else data.channel,
                "email_message_id": confirmation_id,
            },
        )
    ).scalar_one()
    await db.execute(
        _INSERT_STATUS_CHANGE,
        {
            "request_id": request_id,
            "from_status": None,
            "to_status": status,
            "actor_kind": actor.type,
            "actor_id": actor.id,
            "at": now,
        },
    )
    await audit.write(
        db,
        actor,
        "request.create",
        "request",
        request_id,
        {"folio": [None, folio], "kind": [None, data.kind]},
    )
    link = f"{base_url.rstrip('/')}/solicitudes/{folio}/{token}"
    due = format_date(legal_due_on, data.locale) if legal_due_on else ""
    await outbox.write(
        db,
        "request_received",
        data.email,
        data.locale,
        {"folio": folio, "subject": data.subject, "link": link, "due": due},
        message_id=confirmation_id,
    )
    if data.draft_key:
        deflection.submitted(db, data.draft_key)
    return CreatedRequest(
        request_id, folio, data.kind, status, legal_due_on, first_message_id, token
    )


async def open_request(
    db: AsyncSession,
    data: NewRequest,
    actor: audit.Actor,
    base_url: str,
    now: datetime | None = None,
) -> OpenedRequest:
    """``create_request``, with the request loaded back for callers that go on working on it."""
    created = await create_request(db, data, actor, base_url, now)
    request = await db.get(Request, created.id)
    assert request is not None
    return OpenedRequest(request, created.access_token)


async def find_by_private_link(db: AsyncSession, folio: str, token: str) -> Request | None:
    """The request a private link opens; the same None for a wrong folio or a wrong token."""
    request = await db.scalar(select(Request).where(Request.folio == folio.upper()))
    expected = request.access_digest if request is not None else "0" * 64
    if not hmac.compare_digest(expected, token_digest(token)) or request is None:
        return None
    return request
