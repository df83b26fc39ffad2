"""The portal's copy of an application (a *case*) and its status history.

The case system owns the applications; the import (``importing.py``) writes these tables
in bulk. ``cases.status``/``status_on`` repeat the latest event so that a lookup reads one
row; ``case_events.id`` is the order events were imported in (it breaks ties between two
events of the same day)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.core.db import Base, UTCDateTime, utcnow


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # A person looks their applications up by document (ClaveÚnica: by RUN).
        Index("ix_cases_document", "document_type", "document_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # numero_solicitud
    case_type: Mapped[str] = mapped_column(String(40))  # rules.CASE_TYPES
    subcategory: Mapped[str | None] = mapped_column(String(10))  # residencia temporal: "b", "h2"
    document_type: Mapped[str] = mapped_column(String(10))  # run | pasaporte | dni | otro
    # RUN as "12345678-5" (as people.run); other documents upper-case letters and digits.
    document_number: Mapped[str] = mapped_column(String(40))
    document_country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2; CL for RUN
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    submitted_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30))
    status_on: Mapped[date] = mapped_column(Date)
    # Linked when the person is known (same RUN or document, or staff linked them).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CaseEvent(Base):
    """One status the case system reported. The unique key makes a re-import a no-op: the
    same status on the same day with the same note is the same event."""

    __tablename__ = "case_events"
    __table_args__ = (
        UniqueConstraint(
            "case_id", "status", "status_on", "note_digest", name="uq_case_events_event"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(30))
    status_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    # A short digest of the note ("" without one): notes may be long, keys should not be.
    note_digest: Mapped[str] = mapped_column(String(16), default="")
    # Set by the database: the bulk insert then binds one value fewer per row.
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())


class RequestCase(Base):
    """A request (``requests``) linked to an application: by the person, opening a request
    from the case's page, or by staff beside the request. The inbox's table is named by its
    key only, so this domain never imports the inbox."""

    __tablename__ = "request_cases"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    linked_by: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseFollower(Base):
    """An address told of each status change of a case, in the language it chose."""

    __tablename__ = "case_followers"
    __table_args__ = (UniqueConstraint("case_id", "email", name="uq_case_followers_case_email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
