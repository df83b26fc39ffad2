"""Full-text search over requests: subject, folio and every message, internal notes included.

Accent- and case-insensitive on both databases through the indexes of migration 0008: FTS5
tables on SQLite, tsvector GIN indexes over ``helpdesk_search_text`` on PostgreSQL. The
agent's text never reaches either query language as syntax: it is cut into words of letters
and digits, each searched as a plain term, all of them required.

Results are region-scoped like the queues, newest first with a keyset on the id, and the
matches are never counted in full. Two plans, chosen by how many rows match:
- few matches: collect them all from the indexes, then sort; "collected" below;
- common words: walk the newest requests and test each against the index ("probed"), which
  finds a page after about ``limit / selectivity`` requests instead of sorting every match.
The number of matches is a capped count on SQLite (FTS5 counts without reading the rows) and
the planner's estimate on PostgreSQL (a GIN count would build the whole bitmap first).
"""

from __future__ import annotations

import json
import re
import unicodedata

from sqlalchemy import literal_column, text
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, region_scope
from helpdesk.core.sqlite_driver import off_loop
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queue.service import PAGE_SIZE, QueueRow, select_rows, to_rows

MAX_TEXT = 200  # characters of the search box considered
MAX_TERMS = 12
# Where probing starts to beat collecting. At 1,000,000 requests (SQLite; PostgreSQL alike):
# a word in 100 messages, collected 4 ms, probed seconds (every request walked); a word in
# 286,000 messages, collected 290 ms, probed 27 ms. The two meet near 30,000 matches.
COMMON_MATCHES = 30_000
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


# --- SQLite: FTS5. The words as FTS5 strings, bound as parameters.

_SQLITE_COUNT = text(
    "SELECT (SELECT count(*) FROM (SELECT 1 FROM request_search"
    " WHERE request_search MATCH :q LIMIT :cap))"
    " + (SELECT count(*) FROM (SELECT 1 FROM request_subject_search"
    " WHERE request_subject_search MATCH :q LIMIT :cap))"
)
_SQLITE_COLLECTED = (
    "requests.id IN (SELECT request_id FROM request_search WHERE request_search MATCH :q"
    " UNION SELECT rowid FROM request_subject_search WHERE request_subject_search MATCH :q)"
)
_SQLITE_PROBED = (
    "(EXISTS (SELECT 1 FROM request_subject_search AS s"
    " WHERE s.request_subject_search MATCH :q AND s.rowid = requests.id)"
    " OR EXISTS (SELECT 1 FROM request_messages AS m WHERE m.request_id = requests.id"
    " AND EXISTS (SELECT 1 FROM request_search AS f"
    " WHERE f.request_search MATCH :q AND f.rowid = m.id)))"
)

# --- PostgreSQL: the exact expressions of the migration's GIN indexes, so they are used.

_PG_ESTIMATE = text(
    "EXPLAIN (FORMAT JSON) SELECT 1 FROM request_messages AS m"
    " WHERE to_tsvector('simple'::regconfig, helpdesk_search_text(m.body))"
    " @@ plainto_tsquery('simple'::regconfig, helpdesk_search_text(:q))"
    " UNION ALL SELECT 1 FROM requests AS s"
    " WHERE to_tsvector('simple'::regconfig, helpdesk_search_text(s.subject || ' ' || s.folio))"
    " @@ plainto_tsquery('simple'::regconfig, helpdesk_search_text(:q))"
)
# An array, not IN: the planner cannot guess how few ids come back, and with IN it prefers
# hashing them against a scan of every request; an array is looked up id by id.
_PG_COLLECTED = (
    "requests.id = ANY(ARRAY(SELECT m.request_id FROM request_messages AS m"
    " WHERE to_tsvector('simple'::regconfig, helpdesk_search_text(m.body))"
    " @@ plainto_tsquery('simple'::regconfig, helpdesk_search_text(:q))"
    " UNION SELECT s.id FROM requests AS s"
    " WHERE to_tsvector('simple'::regconfig, helpdesk_search_text(s.subject || ' ' || s.folio))"
    " @@ plainto_tsquery('simple'::regconfig, helpdesk_search_text(:q))))"
)
_PG_PROBED = (
    "(to_tsvector('simple'::regconfig,"
    " helpdesk_search_text(requests.subject || ' ' || requests.folio))"
    " @@ plainto_tsquery('simple'::regconfig, helpdesk_search_text(:q))"
    " OR EXISTS (SELECT 1 FROM request_messages AS m WHERE m.request_id = requests.id"
    " AND to_tsvector('simple'::regconfig, helpdesk_search_text(m.body))"
    " @@ plainto_tsquery('simple'::regconfig, helpdesk_search_text(:q))))"
)


async def _common(db: AsyncSession, dialect: str, query: str) -> bool:
    if dialect == "sqlite":
        found = await db.scalar(_SQLITE_COUNT, {"q": query, "cap": COMMON_MATCHES})
        return (found or 0) >= COMMON_MATCHES
    plan = await db.scalar(_PG_ESTIMATE, {"q": query})
    rows = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]
    return float(rows) >= COMMON_MATCHES


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
    bound = fts5_query(words) if dialect == "sqlite" else " ".join(words)
    # A search over a million messages may take tens of milliseconds: on SQLite it runs on
    # the connection's thread, so other requests go on meanwhile.
    with off_loop():
        return await _search(db, dialect, bound, scope, before_id, limit)


async def _search(
    db: AsyncSession,
    dialect: str,
    bound: str,
    scope: str | None,
    before_id: int | None,
    limit: int,
) -> list[QueueRow]:
    stmt = select_rows().limit(limit)
    if await _common(db, dialect, bound):
        probed = _SQLITE_PROBED if dialect == "sqlite" else _PG_PROBED
        stmt = stmt.where(text(probed).bindparams(q=bound)).order_by(Ticket.id.desc())
    else:
        collected = _SQLITE_COLLECTED if dialect == "sqlite" else _PG_COLLECTED
        # "+ 0": sort the few matches rather than walk the id index hoping to meet them.
        stmt = stmt.where(text(collected).bindparams(q=bound))
        stmt = stmt.order_by((Ticket.id + literal_column("0")).desc())
    if scope is not None:
        stmt = stmt.where(Ticket.region_code == scope)
    if before_id is not None:
        stmt = stmt.where(Ticket.id < before_id)
    return to_rows(await db.execute(stmt))
