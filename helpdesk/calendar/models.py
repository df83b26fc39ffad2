"""What the calendar keeps in the database: the admin's closures.

Holidays come from the ``holidays`` package (national and regional, see ``working_days``);
office time zones from the reference data. Opening hours per office arrive with
appointments.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
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
