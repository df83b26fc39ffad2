"""request search: full text over subjects, folios and messages, accent-insensitive

SQLite: two external-content FTS5 tables (the text stays in its own table, only the index
is added), kept in sync by triggers:
- ``request_search``: one row per message (rowid = request_messages.id), columns
  request_id UNINDEXED and body;
- ``request_subject_search``: one row per request (rowid = requests.id), subject and folio.
The ``unicode61 remove_diacritics 2`` tokenizer folds case and accents and splits on
punctuation, so "SIAC-2026-000123" is the words siac, 2026 and 000123.

PostgreSQL: ``helpdesk_search_text(text)`` unaccents and turns punctuation into spaces (so
words split as on SQLite: without it "«visa»" would parse as an XML tag and a folio as signed
numbers), and GIN expression indexes on ``to_tsvector('simple', helpdesk_search_text(...))``.
``helpdesk.tickets.search`` repeats these expressions exactly, so the planner uses the indexes.

Beware on SQLite: a later ``batch_alter_table`` on requests or request_messages recreates the
table and silently drops its triggers; such a migration must create them again
(tests/helpdesk/tickets/test_search.py fails if the index stops following new rows).
Also on SQLite: ANALYZE while the message index is still empty records its ``_data`` shadow
table as two rows, after which SQLite 3.40 scans that table on every index write (inserts
slow down as it grows: 28 µs a message at first, 3 ms after 400,000). Analyze once the
tables hold data, or delete the ``request_search_data`` / ``request_subject_search_data``
rows of ``sqlite_stat1``. For a bulk load, dropping the insert triggers, loading, and then
``INSERT INTO request_search(request_search) VALUES ('rebuild')`` is faster (100,000
requests: 4 s without the trigger, 10 s with it; rebuilding a million subjects: 4 s).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"

_SQLITE_UP = (
    "CREATE VIRTUAL TABLE request_search USING fts5(request_id UNINDEXED, body,"
    f" content = 'request_messages', content_rowid = 'id', {_TOKENIZE})",
    "CREATE VIRTUAL TABLE request_subject_search USING fts5(subject, folio,"
    f" content = 'requests', content_rowid = 'id', {_TOKENIZE})",
    # External content: the index is told the old values to forget, then the new ones.
    "CREATE TRIGGER request_search_ai AFTER INSERT ON request_messages BEGIN"
    " INSERT INTO request_search(rowid, request_id, body)"
    " VALUES (new.id, new.request_id, new.body); END",
    "CREATE TRIGGER request_search_ad AFTER DELETE ON request_messages BEGIN"
    " INSERT INTO request_search(request_search, rowid, request_id, body)"
    " VALUES ('delete', old.id, old.request_id, old.body); END",
    "CREATE TRIGGER request_search_au AFTER UPDATE OF request_id, body ON request_messages BEGIN"
    " INSERT INTO request_search(request_search, rowid, request_id, body)"
    " VALUES ('delete', old.id, old.request_id, old.body);"
    " INSERT INTO request_search(rowid, request_id, body)"
    " VALUES (new.id, new.request_id, new.body); END",
    "CREATE TRIGGER request_subject_search_ai AFTER INSERT ON requests BEGIN"
    " INSERT INTO request_subject_search(rowid, subject, folio)"
    " VALUES (new.id, new.subject, new.folio); END",
    "CREATE TRIGGER request_subject_search_ad AFTER DELETE ON requests BEGIN"
    " INSERT INTO request_subject_search(request_subject_search, rowid, subject, folio)"
    " VALUES ('delete', old.id, old.subject, old.folio); END",
    "CREATE TRIGGER request_subject_search_au AFTER UPDATE OF subject, folio ON requests BEGIN"
    " INSERT INTO request_subject_search(request_subject_search, rowid, subject, folio)"
    " VALUES ('delete', old.id, old.subject, old.folio);"
    " INSERT INTO request_subject_search(rowid, subject, folio)"
    " VALUES (new.id, new.subject, new.folio); END",
    # Backfill from the content tables.
    "INSERT INTO request_search(request_search) VALUES ('rebuild')",
    "INSERT INTO request_subject_search(request_subject_search) VALUES ('rebuild')",
)

_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS request_subject_search_au",
    "DROP TRIGGER IF EXISTS request_subject_search_ad",
    "DROP TRIGGER IF EXISTS request_subject_search_ai",
    "DROP TRIGGER IF EXISTS request_search_au",
    "DROP TRIGGER IF EXISTS request_search_ad",
    "DROP TRIGGER IF EXISTS request_search_ai",
    "DROP TABLE IF EXISTS request_subject_search",
    "DROP TABLE IF EXISTS request_search",
)

_POSTGRES_UP = (
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    # unaccent() is only STABLE (its dictionary could change); naming the dictionary and
    # declaring the wrapper IMMUTABLE is the documented way to index it.
    "CREATE FUNCTION helpdesk_search_text(text) RETURNS text"
    " LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS"
    " $$ SELECT pg_catalog.regexp_replace("
    "public.unaccent('public.unaccent'::regdictionary, $1), '[[:punct:]]+', ' ', 'g') $$",
    "CREATE INDEX ix_request_search_messages ON request_messages"
    " USING gin (to_tsvector('simple'::regconfig, helpdesk_search_text(body)))",
    "CREATE INDEX ix_request_search_requests ON requests USING gin"
    " (to_tsvector('simple'::regconfig, helpdesk_search_text(subject || ' ' || folio)))",
)

_POSTGRES_DOWN = (
    "DROP INDEX IF EXISTS ix_request_search_requests",
    "DROP INDEX IF EXISTS ix_request_search_messages",
    "DROP FUNCTION IF EXISTS helpdesk_search_text(text)",
    # The extension stays: other objects of the database may use it.
)


def _run(statements: Sequence[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _run(_SQLITE_UP)
    else:
        _run(_POSTGRES_UP)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _run(_SQLITE_DOWN)
    else:
        _run(_POSTGRES_DOWN)
