"""What the calendar keeps in the database: the admin's closures and each office's
opening hours.

Holidays come from the ``holidays`` package (national and regional, see ``working_days``);
office time zones from the reference data.
"""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import Date, ForeignKey, Integer, SmallInteger, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.core.db import Base


class Closure(Base):
    """Extra non-working days set by an admin: one-off holidays declared by special laws and
    office closures. A closure with no region applies everywhere."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    reason: Mapped[str] = mapped_column(String(200))


class OfficeHours(Base):
    """One interval an office attends in person on a weekday (0 is Monday), in the office's
    own time zone. A day with no row is closed; a day may have several intervals."""

    __tablename__ = "office_hours"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
