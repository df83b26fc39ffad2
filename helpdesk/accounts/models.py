"""Staff and citizen accounts, API tokens and one-time email links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.core.db import Base, UTCDateTime, utcnow
from helpdesk.people.models import Person

STAFF_ROLES = ("regional_agent", "central_analyst", "supervisor", "kb_editor", "admin")
CITIZEN_KINDS = ("claveunica", "portal")


class LoginGuard:
    """Columns shared by every account that signs in with a password. (Failed sign-ins are
    counted per email and address in rate_counters: accounts/signin.py.)"""

    # Bumped by "sign out everywhere": sessions carrying an older value are refused.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)


class StaffAccount(LoginGuard, Base):
    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(160))
    role: Mapped[str] = mapped_column(String(20))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    oidc_subject: Mapped[str | None] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_locale: Mapped[str] = mapped_column(String(5), default="es")
    # The languages they answer in, as portal codes separated by commas ("es,ht"); empty
    # when not said. Requests written in one of them reach this person first.
    languages: Mapped[str] = mapped_column(String(40), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CitizenAccount(LoginGuard, Base):
    __tablename__ = "citizen_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # claveunica | portal
    password_hash: Mapped[str | None] = mapped_column(String(200))
    claveunica_sub: Mapped[str | None] = mapped_column(String(200))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(lazy="joined")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailToken(Base):
    """A one-time link sent by email: verify an address, reset a password, prove an email."""

    __tablename__ = "email_tokens"
    __table_args__ = (Index("ix_email_tokens_email_purpose", "email", "purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RateCounter(Base):
    """Fixed-window counters shared by every worker process (login and lookup throttling)."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)


class EndedSession(Base):
    """A session ended by signing out: a copy of its cookie is refused until it could no
    longer be valid anyway (``expires_at``), then the row is deleted."""

    __tablename__ = "ended_sessions"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
