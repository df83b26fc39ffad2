"""Regions, regional offices and the catalogue of trámites."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.core.db import Base, UTCDateTime


class Region(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)  # ISO 3166-2:CL suffix
    name: Mapped[str] = mapped_column(String(120))
    ordinal: Mapped[int] = mapped_column(Integer)  # north to south, as Chile lists them


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # direccion_regional | branch
    name: Mapped[str] = mapped_column(String(160))
    city: Mapped[str] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(200))
    address_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(40))
    attends_in_person: Mapped[bool] = mapped_column(Boolean, default=True)
    attention_note: Mapped[str | None] = mapped_column(String(200))


class Tramite(Base):
    __tablename__ = "tramites"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    topic: Mapped[str] = mapped_column(String(60), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when an admin adds or edits the trámite: from then on the reference sync leaves
    # it (and its names) as the admin left it.
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TramiteName(Base):
    """A trámite's name in a language other than Spanish (Spanish is ``Tramite.name``)."""

    __tablename__ = "tramite_names"

    tramite_code: Mapped[str] = mapped_column(
        ForeignKey("tramites.code", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
