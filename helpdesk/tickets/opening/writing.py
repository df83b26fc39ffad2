"""Writing new requests: one request or several at once, with one statement per table.

For each request: the person (found, or created), its folio and deadlines, the request,
its first message (with any stored files), the status history, the audit event and the
confirmation email, all in the caller's transaction. Routing and the automatic answer
follow in the worker (intake.py).

The statements are Core, built once: opening requests is the portal's busiest write, and
the ORM's unit of work cost several times the inserts themselves. Several requests written
together (``batches.py``) share each statement as one executemany, and one commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import CitizenAccount
from helpdesk.audit import service as audit
from helpdesk.calendar import snapshot as reference_cache
from helpdesk.core import language, links
from helpdesk.core.db import utcnow
from helpdesk.core.i18n import format_date
from helpdesk.core.security import new_token, token_digest
from helpdesk.notifications import outbox
from helpdesk.people import service as people_service
from helpdesk.people.models import Person
from helpdesk.tickets import deadline_rules, status_flow
from helpdesk.tickets.attachments import StoredAttachment
from helpdesk.tickets.folios import next_folios
from helpdesk.tickets.kinds import KINDS, deadline_rule
from helpdesk.tickets.models import (
    PendingPersonLink,
    StatusChange,
    Ticket,
    TicketAttachment,
    TicketMessage,
)
from knowledge_base.models import DeflectionEvent


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
    # A regional agent's region when they open it on someone's behalf: an email whose record
    # lies outside it gets a new record, the link held for an analyst (PendingPersonLink).
    staff_region: str | None = None
    # What the request is about elsewhere (opening/references.py), written with it.
    after_opening: Callable[[AsyncSession, int], Awaitable[None]] | None = None


@dataclass(frozen=True)
class Opening:
    """One request to write: what was asked, by whom, when, and the files already stored."""

    data: NewRequest
    actor: audit.Actor
    base_url: str
    received_at: datetime = field(default_factory=utcnow)
    files: Sequence[StoredAttachment] = ()


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


def _returning_ids(table: Any) -> Any:
    # Rows come back in the order given, so each id is matched to its request.
    return insert(table).returning(table.c.id, sort_by_parameter_order=True)


_PEOPLE = Person.__table__
_INSERT_REQUESTS = _returning_ids(Ticket.__table__)
_INSERT_MESSAGES = _returning_ids(TicketMessage.__table__)
_INSERT_STATUS_CHANGES = insert(StatusChange.__table__)
_INSERT_ATTACHMENTS = insert(TicketAttachment.__table__)
_INSERT_DEFLECTIONS = insert(DeflectionEvent.__table__)
_PEOPLE_BY_ID = select(_PEOPLE.c.id).where(_PEOPLE.c.id.in_(bindparam("ids", expanding=True)))
_PEOPLE_BY_EMAIL = (
    select(_PEOPLE.c.id, _PEOPLE.c.email, _PEOPLE.c.merged_into_id, _PEOPLE.c.region_code)
    .where(
        _PEOPLE.c.email.in_(bindparam("emails", expanding=True)),
        _PEOPLE.c.email_verified_at.is_not(None),
    )
    .order_by(_PEOPLE.c.id)
)
_ACCOUNTS = CitizenAccount.__table__
# The language an account holder chose (core.language): their emails follow it.
_PROFILE_LANGUAGES = (
    select(_PEOPLE.c.id, _PEOPLE.c.preferred_locale)
    .join(_ACCOUNTS, _ACCOUNTS.c.person_id == _PEOPLE.c.id)
    .where(_PEOPLE.c.id.in_(bindparam("ids", expanding=True)))
)


async def create_request(
    db: AsyncSession,
    data: NewRequest,
    actor: audit.Actor,
    base_url: str,
    now: datetime | None = None,
    files: Sequence[StoredAttachment] = (),
) -> CreatedRequest:
    opening = Opening(data, actor, base_url, now or utcnow(), files)
    return (await create_requests(db, [opening]))[0]


async def create_requests(db: AsyncSession, openings: Sequence[Opening]) -> list[CreatedRequest]:
    """Writes every opening in the caller's transaction; results in the same order."""
    for opening in openings:
        if opening.data.kind not in KINDS:
            raise ValueError(f"unknown kind {opening.data.kind!r}")
    people, held = await _person_ids(db, openings)
    profiles = {
        row.id: row.preferred_locale
        for row in await db.execute(_PROFILE_LANGUAGES, {"ids": sorted(set(people))})
    }
    snapshot = await reference_cache.current(db)
    zones = [snapshot.zone(o.data.region_code) for o in openings]
    folios = await _folios(db, openings, zones)
    tokens = [new_token() for _ in openings]
    confirmation_ids = [outbox.new_message_id() for _ in openings]
    status = status_flow.INITIAL_STATUS

    requests, due_dates = [], []
    for opening, zone, person_id, folio, token in zip(
        openings, zones, people, folios, tokens, strict=True
    ):
        data, now = opening.data, opening.received_at
        rule = deadline_rule(data.kind, snapshot.extras[deadline_rules.EXTRA])
        calendar = snapshot.calendar(data.region_code)
        legal_due_on = rule.legal_due(now, calendar, zone)  # in the rule's unit of days
        target = rule.target_due(now, calendar, zone)
        due_dates.append(legal_due_on)
        requests.append(
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
                "target_due_on": target,
                "draft_key": data.draft_key,
                "intake_pending": True,  # routing and the automatic answer follow: intake.py
            }
        )
    request_ids = (await db.execute(_INSERT_REQUESTS, requests)).scalars().all()
    if held_rows := [
        {"request_id": request_id, "candidate_id": candidate, "created_at": o.received_at}
        for o, request_id, candidate in zip(openings, request_ids, held, strict=True)
        if candidate is not None
    ]:
        await db.execute(insert(PendingPersonLink.__table__), held_rows)
    # Replies to the confirmation thread onto the request (email in, agents' replies out).
    messages = [
        {
            "request_id": request_id,
            "author_kind": "citizen",
            "author_id": person_id,
            "body": o.data.body,
            "internal": False,
            "via": "web" if o.data.channel == "web" else o.data.channel,
            "email_message_id": confirmation_id,
        }
        for o, request_id, person_id, confirmation_id in zip(
            openings, request_ids, people, confirmation_ids, strict=True
        )
    ]
    message_ids = (await db.execute(_INSERT_MESSAGES, messages)).scalars().all()
    await db.execute(
        _INSERT_STATUS_CHANGES,
        [
            {
                "request_id": request_id,
                "from_status": None,
                "to_status": status,
                "actor_kind": o.actor.type,
                "actor_id": o.actor.id,
                "at": o.received_at,
            }
            for o, request_id in zip(openings, request_ids, strict=True)
        ],
    )
    await audit.write(
        db,
        [
            audit.event_values(
                o.actor,
                "request.create",
                "request",
                request_id,
                {"folio": [None, folio], "kind": [None, o.data.kind]},
            )
            for o, request_id, folio in zip(openings, request_ids, folios, strict=True)
        ],
    )
    await outbox.write(
        db,
        [
            _confirmation(o, folio, token, due, confirmation_id, profiles.get(person_id))
            for o, folio, token, due, confirmation_id, person_id in zip(
                openings, folios, tokens, due_dates, confirmation_ids, people, strict=True
            )
        ],
    )
    await _link_files(db, openings, request_ids, message_ids)
    # Links knowledge-base deflection: a draft that was sent after all.
    drafts = [{"draft_key": o.data.draft_key, "kind": "submitted"} for o in openings]
    if drafts := [d for d in drafts if d["draft_key"]]:
        await db.execute(_INSERT_DEFLECTIONS, drafts)
    for o, request_id in zip(openings, request_ids, strict=True):
        if o.data.after_opening is not None:
            await o.data.after_opening(db, request_id)
    return [
        CreatedRequest(request_id, folio, o.data.kind, status, due, message_id, token)
        for o, request_id, folio, due, message_id, token in zip(
            openings, request_ids, folios, due_dates, message_ids, tokens, strict=True
        )
    ]


def _confirmation(
    opening: Opening,
    folio: str,
    token: str,
    due: date | None,
    message_id: str,
    profile: str | None,
) -> dict[str, Any]:
    data = opening.data
    locale = language.email_language(profile=profile, request_language=data.locale)
    link = links.absolute_url(opening.base_url, "request_private", folio=folio, token=token)
    context = {
        "folio": folio,
        "subject": data.subject,
        "link": link,
        "due": format_date(due, locale) if due else "",
    }
    return outbox.message_values(
        "request_received", data.email, locale, context, message_id=message_id
    )


async def _folios(
    db: AsyncSession, openings: Sequence[Opening], zones: Sequence[ZoneInfo]
) -> list[str]:
    """One counter step per prefix and year (the office's year), numbers in order. Counters
    are advanced in a fixed order, so two groups on PostgreSQL never lock them crosswise."""
    wanted: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, (opening, zone) in enumerate(zip(openings, zones, strict=True)):
        prefix = KINDS[opening.data.kind].folio_prefix
        wanted[prefix, opening.received_at.astimezone(zone).year].append(index)
    folios = [""] * len(openings)
    for (prefix, year), indexes in sorted(wanted.items()):
        for index, folio in zip(
            indexes, await next_folios(db, prefix, year, len(indexes)), strict=True
        ):
            folios[index] = folio
    return folios


async def _person_ids(
    db: AsyncSession, openings: Sequence[Opening]
) -> tuple[list[int], list[int | None]]:
    """Signed in: their record. By email: the verified record for it (a merged one's
    survivor), or a new one, made once even when two of the openings share the email.
    Also, for each opening, the record held back from a regional agent (or None): one
    outside their region gets them a new record instead, as for an unknown email."""
    by_id = {o.data.person_id for o in openings if o.data.person_id is not None}
    if by_id:
        found = set((await db.execute(_PEOPLE_BY_ID, {"ids": list(by_id)})).scalars())
        if missing := by_id - found:
            raise ValueError(f"unknown person {min(missing)}")
    emails = {o.data.email.strip().lower() for o in openings if o.data.person_id is None}
    # email: (id, merged into, region)
    first_record: dict[str, tuple[int | None, int | None, str | None]] = {}
    if emails:
        rows = await db.execute(_PEOPLE_BY_EMAIL, {"emails": list(emails)})
        for row in rows:  # lowest id first: the first record made for the email
            first_record.setdefault(row.email, (row.id, row.merged_into_id, row.region_code))
    ids: list[int] = []
    held: list[int | None] = []
    for opening in openings:
        if opening.data.person_id is not None:
            ids.append(opening.data.person_id)
            held.append(None)
            continue
        email = opening.data.email.strip().lower()
        person_id, merged_into, region = first_record.get(email, (None, None, None))
        if person_id is None or merged_into is not None:  # the rare, slower path
            person_id, region = await _survivor_or_new(db, opening, person_id)
            first_record[email] = (person_id, None, region)
        scope = opening.data.staff_region
        if scope is not None and region != scope:
            held.append(person_id)
            person_id = await _new_person(db, opening)
        else:
            held.append(None)
        ids.append(person_id)
    return ids, held


async def _survivor_or_new(
    db: AsyncSession, opening: Opening, merged_id: int | None
) -> tuple[int, str | None]:
    """(id, region) of the record the opening goes to."""
    # A merged record's requests go on in the record it was merged into.
    if merged_id is not None:
        person = await people_service.survivor(db, await db.get(Person, merged_id))
        if person is not None:
            return person.id, person.region_code
    return await _new_person(db, opening), opening.data.region_code


async def _new_person(db: AsyncSession, opening: Opening) -> int:
    data = opening.data
    email = data.email.strip().lower()
    person = Person(
        email=email,
        email_verified_at=opening.received_at,
        preferred_locale=data.locale,
        region_code=data.region_code,
    )
    db.add(person)
    await db.flush()
    audit.record(
        db,
        opening.actor,
        "person.create",
        "person",
        person.id,
        {"email": [None, email], "source": [None, "request"]},
    )
    return person.id


async def _link_files(
    db: AsyncSession,
    openings: Sequence[Opening],
    request_ids: Sequence[int],
    message_ids: Sequence[int],
) -> None:
    rows = [
        {
            "request_id": request_id,
            "message_id": message_id,
            "storage_name": f.storage_name,
            "display_name": f.display_name,
            "content_type": f.content_type,
            "size": f.size,
            "sha256": f.sha256,
        }
        for o, request_id, message_id in zip(openings, request_ids, message_ids, strict=True)
        for f in o.files
    ]
    if rows:
        await db.execute(_INSERT_ATTACHMENTS, rows)
