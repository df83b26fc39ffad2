"""Appointments at an office's counter: what each office offers, each time's seats, and
the people booked.

A time's seats are a row (``appointment_slots``) created on the first booking and counted
with a guarded UPDATE in the booking's transaction (``booking.py``), so the database keeps
the capacity under any race, on SQLite and PostgreSQL alike. One person holds at most one
active appointment per trámite: a partial unique index on the booked ones.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.core.db import Base, UTCDateTime, utcnow

STATUSES = ("booked", "cancelled", "checked_in", "served", "no_show")
# The groups the law gives priority (Ley 21.325 and the service's protocol), declared by
# the person and checked at the counter.
PRIORITY_GROUPS = ("nna", "embarazada", "discapacidad", "persona_mayor")


class AppointmentService(Base):
    """A trámite an office attends by appointment: how long one takes, how many counters
    attend it at once, and how many of each time's seats only the priority groups take."""

    __tablename__ = "appointment_services"
    __table_args__ = (
        UniqueConstraint("office_id", "tramite_code", name="uq_appointment_services"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    tramite_code: Mapped[str] = mapped_column(ForeignKey("tramites.code", ondelete="CASCADE"))
    duration_minutes: Mapped[int] = mapped_column(SmallInteger)
    counters: Mapped[int] = mapped_column(SmallInteger)  # seats per time
    priority_seats: Mapped[int] = mapped_column(SmallInteger, default=0)


class AppointmentSlot(Base):
    """One time's seats for a trámite at an office, counted as they are booked.
    ``general_booked`` counts the seats taken without a priority group: they may not reach
    ``capacity - priority_seats``."""

    __tablename__ = "appointment_slots"
    __table_args__ = (
        UniqueConstraint("office_id", "tramite_code", "starts_at", name="uq_appointment_slots"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    tramite_code: Mapped[str] = mapped_column(ForeignKey("tramites.code", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(SmallInteger)
    priority_seats: Mapped[int] = mapped_column(SmallInteger, default=0)
    booked: Mapped[int] = mapped_column(SmallInteger, default=0)
    general_booked: Mapped[int] = mapped_column(SmallInteger, default=0)


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        # One active appointment per person (their proven address) and trámite.
        Index(
            "uq_appointments_active",
            "email",
            "tramite_code",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        Index("ix_appointments_office_day", "office_id", "local_day"),
        Index("ix_appointments_reminder", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    tramite_code: Mapped[str] = mapped_column(ForeignKey("tramites.code"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_day: Mapped[date] = mapped_column(Date)  # in the office's zone: the day's agenda
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))  # lower case
    name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(5))
    priority_group: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="booked")
    # SHA-256 of the private link's secret part: replacing it revokes the link.
    access_digest: Mapped[str] = mapped_column(String(64))
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
