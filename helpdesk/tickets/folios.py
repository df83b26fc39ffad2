"""Human folios per year, e.g. SIAC-2026-000123 and AYU-2026-004567.

One counter row per prefix and year, advanced by a single atomic upsert in the caller's
transaction: PostgreSQL locks the row until commit and SQLite serialises writers, so
concurrent requests on any number of workers never get the same number. The counter moves
with the request's transaction, so a request that rolls back gives its number back.
``find_folio`` reads a folio back out of an email's subject or body, so the format is
written and recognised in one place.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Integer, String, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.core.db import Base

PREFIXES = ("SIAC", "AYU")


class FolioCounter(Base):
    __tablename__ = "folio_counters"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


def format_folio(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


_FOLIO = rf"(?<![A-Za-z0-9])({'|'.join(PREFIXES)})-(\d{{4}})-(\d{{6,}})(?![0-9])"
_FOLIO_ANYWHERE = re.compile(_FOLIO, re.IGNORECASE)
_FOLIO_BRACKETED = re.compile(rf"\[\s*{_FOLIO}\s*\]", re.IGNORECASE)


def find_folio(subject: str, body: str = "") -> str | None:
    """The folio a message refers to: "[AYU-2026-004567]" in the subject, else any folio in
    the subject, else the first one in the body (clients keep it in the quoted history)."""
    for pattern, text in (
        (_FOLIO_BRACKETED, subject),
        (_FOLIO_ANYWHERE, subject),
        (_FOLIO_ANYWHERE, body),
    ):
        match = pattern.search(text or "")
        if match:
            prefix, year, number = match.groups()
            return f"{prefix.upper()}-{year}-{number}"
    return None


def _advance(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    counters = FolioCounter.__table__  # Core, not the ORM's bulk-insert machinery
    return (
        insert(counters)
        .values(prefix=bindparam("prefix"), year=bindparam("year"), last=bindparam("count"))
        .on_conflict_do_update(
            index_elements=[counters.c.prefix, counters.c.year],
            set_={"last": counters.c.last + bindparam("count")},
        )
        .returning(counters.c.last)
    )


# Built once: constructing this statement costs more than running it.
_ADVANCE = {dialect: _advance(dialect) for dialect in ("postgresql", "sqlite")}


async def next_folio(db: AsyncSession, prefix: str, year: int) -> str:
    return (await next_folios(db, prefix, year, 1))[0]


async def next_folios(db: AsyncSession, prefix: str, year: int, count: int) -> list[str]:
    """``count`` consecutive folios in one statement (requests opened together)."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown folio prefix {prefix!r}")
    if count < 1:
        raise ValueError("count must be positive")
    stmt = _ADVANCE[db.bind.dialect.name]
    values = {"prefix": prefix, "year": year, "count": count}
    last = (await db.execute(stmt, values)).scalar_one()
    return [format_folio(prefix, year, n) for n in range(last - count + 1, last + 1)]
