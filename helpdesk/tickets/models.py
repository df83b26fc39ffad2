"""The one inbox: SIAC requests and portal tickets share one model (a kind tells them apart)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.core.db import Base, UTCDateTime, utcnow

# The statuses in which a request is open (status_flow.is_open), as SQL for partial indexes.
OPEN_CONDITION = "status IN ('nuevo', 'abierto', 'en_espera_ciudadano', 'reabierto')"
UNASSIGNED_OPEN_CONDITION = f"assignee_id IS NULL AND {OPEN_CONDITION}"


class Ticket(Base):
    __tablename__ = "requests"
    __table_args__ = (
        # The agent queues: by region and status, newest first (keyset on id), and by due date.
        Index("ix_requests_region_status_id", "region_code", "status", "id"),
        # A regional agent's whole queue in id order, without sorting the region's rows.
        Index("ix_requests_region_id", "region_code", "id"),
        # "Mine" and "unassigned" in id order.
        Index("ix_requests_assignee_id", "assignee_id", "id"),
        # "Due soon" and "overdue" walk the open requests in due-date order; partial, so the
        # million closed requests are not in them (queries must name the statuses literally).
        Index(
            "ix_requests_open_due",
            "legal_due_on",
            "id",
            sqlite_where=text(OPEN_CONDITION),
            postgresql_where=text(OPEN_CONDITION),
        ),
        Index(
            "ix_requests_open_region_due",
            "region_code",
            "legal_due_on",
            "id",
            sqlite_where=text(OPEN_CONDITION),
            postgresql_where=text(OPEN_CONDITION),
        ),
        # A region's "unassigned" in id order: in the whole-service index on the assignee,
        # a region's share of the unassigned requests had to be picked out one by one.
        Index(
            "ix_requests_unassigned_region",
            "region_code",
            "id",
            sqlite_where=text(UNASSIGNED_OPEN_CONDITION),
            postgresql_where=text(UNASSIGNED_OPEN_CONDITION),
        ),
        Index("ix_requests_team_status_id", "team_code", "status", "id"),
        # The queue's language filter, for a region and for the whole service, in id order.
        # Language first: a region's queue without the filter must not pick this index.
        Index("ix_requests_locale_region_id", "locale", "region_code", "id"),
        Index("ix_requests_locale_id", "locale", "id"),
        # The worker's list of new requests still to route and answer (intake.py).
        Index(
            "ix_requests_intake_pending",
            "id",
            sqlite_where=text("intake_pending"),
            postgresql_where=text("intake_pending"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    folio: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(24))
    priority: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    tramite_code: Mapped[str | None] = mapped_column(ForeignKey("tramites.code"))
    locale: Mapped[str] = mapped_column(String(5))
    # The private link's secret, as a digest: the link itself exists only in the email.
    access_digest: Mapped[str] = mapped_column(String(64), unique=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"))
    team_code: Mapped[str | None] = mapped_column(ForeignKey("teams.code"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    legal_due_on: Mapped[date | None] = mapped_column(Date)  # None while the clock is stopped
    target_due_on: Mapped[date | None] = mapped_column(Date)
    # The legal due date supervisors were last alerted about (so each deadline alerts once).
    deadline_alerted_on: Mapped[date | None] = mapped_column(Date)
    # Días of the one extension granted (prórroga, tickets/lifecycle/extension.py), counted
    # into the legal deadline whenever it is counted again; None: not extended.
    extension_days: Mapped[int | None] = mapped_column(Integer)
    # When the person was warned that the request will be declared abandoned (Ley 19.880
    # art. 43, tickets/lifecycle/rules.py); a warning older than their last activity
    # or the last wait on them no longer counts.
    abandonment_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    csat_score: Mapped[int | None] = mapped_column(Integer)
    csat_comment: Mapped[str | None] = mapped_column(String(1000))
    draft_key: Mapped[str | None] = mapped_column(String(64))  # links knowledge-base deflection
    # Opened, but not yet routed nor offered an automatic answer (done by the worker).
    intake_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TicketMessage(Base):
    __tablename__ = "request_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    author_kind: Mapped[str] = mapped_column(String(10))  # citizen | staff | system
    author_id: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)  # agents' notes
    via: Mapped[str] = mapped_column(String(10), default="web")  # web | email | api
    email_message_id: Mapped[str | None] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TicketAttachment(Base):
    __tablename__ = "request_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("request_messages.id"))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatusChange(Base):
    """Every move of a request's status: its history, and the pauses of the legal clock."""

    __tablename__ = "request_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_kind: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KindDeadline(Base):
    """An admin's override of a kind's deadlines (días hábiles or corridos, ``unit``)."""

    __tablename__ = "kind_deadlines"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    legal_days: Mapped[int] = mapped_column(Integer)
    target_days: Mapped[int | None] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(10), default="habiles", server_default="habiles")
    extension_days: Mapped[int | None] = mapped_column(Integer)


class TicketTag(Base):
    """A free label agents put on requests (e.g. "vulnerable", "prensa")."""

    __tablename__ = "request_tags"
    __table_args__ = (Index("ix_request_tags_tag_request", "tag", "request_id"),)

    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)


class TicketLink(Base):
    """Two related requests (``relation`` "related"), or a duplicate merged into another
    ("duplicate": ``request_id`` is the duplicate, ``related_id`` the one kept)."""

    __tablename__ = "request_links"
    __table_args__ = (UniqueConstraint("request_id", "related_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    related_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    relation: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TicketPresence(Base):
    """Which agent has a request's reply box open, refreshed while they type: the warning
    that someone else is replying. Rows older than a minute are stale."""

    __tablename__ = "request_presence"

    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Team(Base):
    """A group of agents that works some kinds of request; round-robin assignment walks its
    available members after ``last_assigned_id``."""

    __tablename__ = "teams"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    last_assigned_id: Mapped[int | None] = mapped_column(Integer)


class TeamMember(Base):
    __tablename__ = "team_members"

    team_code: Mapped[str] = mapped_column(ForeignKey("teams.code"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), primary_key=True)
    available: Mapped[bool] = mapped_column(Boolean, default=True)


class TeamKind(Base):
    """Which team receives new requests of a kind."""

    __tablename__ = "team_kinds"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_code: Mapped[str] = mapped_column(ForeignKey("teams.code"))


class PendingPersonLink(Base):
    """A request a regional agent opened for an email whose record lies outside their region:
    the request went to a new record, and the record the email belongs to waits here until a
    central analyst or a supervisor confirms the link (``workbench.person_link``)."""

    __tablename__ = "pending_person_links"

    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
