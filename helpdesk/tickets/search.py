"""Full-text search over requests: subject, folio and every message, internal notes included.

Accent- and case-insensitive on both databases through the indexes of migration 0008: FTS5
tables on SQLite, tsvector GIN indexes over ``helpdesk_search_text`` on PostgreSQL. The
agent's text never reaches either query language as syntax: it is cut into words of letters
and digits, each searched as a plain term, all of them required.

Results are region-scoped like the queues, newest first with a keyset on the id, never counted.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import ColumnElement, Integer, column, select, text, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from helpdesk.accounts.permissions import Viewer, region_scope
from helpdesk.tickets.models import Request, RequestMessage
from helpdesk.tickets.queues import PAGE_SIZE, QueueRow, select_rows, to_rows

MAX_TEXT = 200  # characters of the search box considered
MAX_TERMS = 12
# Database objects of the search that the models do not describe (the FTS5 tables and their
# shadow tables, the expression indexes): autogenerate must leave them alone.
SCHEMA_NAMES = ("request_search", "request_subject_search", "ix_request_search_")

_WORD = re.compile(r"[^\W_]+")  # letters and digits: what both tokenizers keep as words


def outside_models(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name`` hook: False for the search's own tables and indexes."""
    return not (name or "").startswith(SCHEMA_NAMES)


def terms(query: str) -> list[str]:
    """The words of what the agent typed; punctuation and query operators are dropped."""
    return _WORD.findall(unicodedata.normalize("NFKC", query[:MAX_TEXT]))[:MAX_TERMS]


def fts5_query(words: list[str]) -> str:
    """Each word as an FTS5 string (no quotes can occur in it), implicitly ANDed."""
    return " ".join(f'"{word}"' for word in words)


def _sqlite_matches(words: list[str]) -> ColumnElement[bool]:
    query = fts5_query(words)
    messages = text(
        "SELECT request_id FROM request_search WHERE request_search MATCH :search_messages"
    ).bindparams(search_messages=query)
    subjects = text(
        "SELECT rowid FROM request_subject_search"
        " WHERE request_subject_search MATCH :search_subjects"
    ).bindparams(search_subjects=query)
    return Request.id.in_(
        union(
            messages.columns(column("request_id", Integer)),
            subjects.columns(column("rowid", Integer)),
        )
    )


# The exact expressions of the migration's indexes, so that PostgreSQL uses them.
_PG_MESSAGES = (
    "to_tsvector('simple'::regconfig, helpdesk_search_text(request_messages.body))"
    " @@ plainto_tsquery('simple'::regconfig, helpdesk_search_text(:search_messages))"
)
_PG_SUBJECTS = (
    "to_tsvector('simple'::regconfig,"
    " helpdesk_search_text(search_subject.subject || ' ' || search_subject.folio))"
    " @@ plainto_tsquery('simple'::regconfig, helpdesk_search_text(:search_subjects))"
)


def _postgres_matches(words: list[str]) -> ColumnElement[bool]:
    query = " ".join(words)
    subject = aliased(Request, name="search_subject")  # not the outer query's requests
    messages = select(RequestMessage.request_id).where(
        text(_PG_MESSAGES).bindparams(search_messages=query)
    )
    subjects = select(subject.id).where(text(_PG_SUBJECTS).bindparams(search_subjects=query))
    return Request.id.in_(union(messages, subjects))


async def search_requests(
    db: AsyncSession,
    viewer: Viewer,
    query: str,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> list[QueueRow]:
    """Requests whose subject, folio or any message holds every word of ``query``, newest
    first; pass the last row's id as ``before_id`` for the next page. Nothing to search for
    (blank, or punctuation only) finds nothing."""
    scope = region_scope(viewer)  # refuses non-staff; regional agents: their region only
    words = terms(query)
    if not words:
        return []
    dialect = db.get_bind().dialect.name
    matches = _sqlite_matches(words) if dialect == "sqlite" else _postgres_matches(words)
    stmt = select_rows().where(matches).order_by(Request.id.desc()).limit(limit)
    if scope is not None:
        stmt = stmt.where(Request.region_code == scope)
    if before_id is not None:
        stmt = stmt.where(Request.id < before_id)
    return to_rows(await db.execute(stmt))
