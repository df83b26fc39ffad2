"""What happened to a request's deadline and lifecycle besides its status moves: an extension
(prórroga), a warning of abandonment and its end, a closure by the system. Shown with the
status history on the request's page, in the reader's language (``kind`` is a code)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.core.db import Base, UTCDateTime, utcnow


class RequestEvent(Base):
    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # events.KINDS
    actor_kind: Mapped[str] = mapped_column(String(10))  # agent | system
    actor_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Dates as ISO strings, the agent's reason as written.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
