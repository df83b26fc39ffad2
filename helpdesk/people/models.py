"""The person: one record per human the service attends, whatever way they came in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.core.db import Base, UTCDateTime, utcnow

DOCUMENT_TYPES = ("passport", "national_id", "tramite_id", "siac_folio", "school_id", "other")
SEX_GENDER_VALUES = ("female", "male", "non_binary", "other", "not_declared")


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint(
            "document_type", "document_number", "document_country", name="uq_people_document"
        ),
        Index("ix_people_email", "email"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run: Mapped[str | None] = mapped_column(String(12), unique=True)  # canonical "12345678-5"
    document_type: Mapped[str | None] = mapped_column(String(20))
    document_number: Mapped[str | None] = mapped_column(String(40))
    document_country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    birth_date: Mapped[date | None] = mapped_column(Date)
    given_names: Mapped[str] = mapped_column(String(120), default="")
    surnames: Mapped[str] = mapped_column(String(120), default="")
    country_of_birth: Mapped[str | None] = mapped_column(String(2))
    email: Mapped[str | None] = mapped_column(String(254))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phone: Mapped[str | None] = mapped_column(String(30))
    preferred_locale: Mapped[str] = mapped_column(String(5), default="es")
    sex_gender: Mapped[str] = mapped_column(String(20), default="not_declared")
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    # Set when staff merged this record into another: kept, never deleted, for the history.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def full_name(self) -> str:
        return Person.name_from(self.given_names, self.surnames)

    @staticmethod
    def name_from(given_names: str | None, surnames: str | None) -> str:
        """The full name from its parts, for callers that read the columns alone."""
        return f"{given_names or ''} {surnames or ''}".strip()


class PersonMerge(Base):
    """One merge of a duplicate record into the record kept, with what it moved and changed,
    so that a supervisor can undo exactly that (``unmerging.py``)."""

    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    duplicate_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    merged_by: Mapped[int | None] = mapped_column(Integer)  # staff account id
    # Written by the supervisor who merged records whose documents differ.
    override_reason: Mapped[str | None] = mapped_column(String(500))
    # Row ids each merge hook moved, by hook name: {"requests": [3, 7]}.
    moved: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    account_id: Mapped[int | None] = mapped_column(Integer)  # the citizen account moved
    # What the merge changed on each record, as audit diffs {field: [before, after]}.
    kept_changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    duplicate_changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[int | None] = mapped_column(Integer)
