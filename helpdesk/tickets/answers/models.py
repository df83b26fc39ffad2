"""The answer templates' tables: a template with a text per language, the rules that send
one automatically to a new request, and the log of every automatic answer.

The table and column names keep their first name, "canned responses" (data, not code).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.core.db import Base, UTCDateTime, utcnow


class AnswerTemplate(Base):
    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # TemplateEffects effects when an agent sends it: a status to move to, a kind (topic) to set and
    # comma-separated tags to add; all optional.
    set_status: Mapped[str | None] = mapped_column(String(24))
    set_kind: Mapped[str | None] = mapped_column(String(40))
    add_tags: Mapped[str] = mapped_column(String(200), default="", server_default="")


class AnswerTemplateText(Base):
    __tablename__ = "canned_response_texts"
    __table_args__ = (UniqueConstraint("canned_id", "locale"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canned_id: Mapped[int] = mapped_column(ForeignKey("canned_responses.id"))
    locale: Mapped[str] = mapped_column(String(5))
    body: Mapped[str] = mapped_column(Text)


class AutoRule(Base):
    """Answers a new request of ``kind`` (and topic, trámite) whose subject or body holds one
    of ``keywords`` (comma-separated; none means every such request)."""

    __tablename__ = "canned_auto_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str | None] = mapped_column(String(40))
    tramite_code: Mapped[str | None] = mapped_column(ForeignKey("tramites.code"))
    keywords: Mapped[str] = mapped_column(String(500), default="")
    canned_code: Mapped[str] = mapped_column(ForeignKey("canned_responses.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AutoAnswer(Base):
    """Every automatic answer and what the person said about it (None: not yet)."""

    __tablename__ = "canned_auto_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("canned_auto_rules.id"))
    canned_code: Mapped[str] = mapped_column(String(60))
    locale: Mapped[str] = mapped_column(String(5))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    awaiting_confirmation: Mapped[bool] = mapped_column(Boolean, default=True)
    outcome: Mapped[str | None] = mapped_column(String(3))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
