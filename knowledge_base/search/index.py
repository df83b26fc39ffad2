"""The index on disk: building it, swapping a rebuilt one in, and following the database.

Layout: ``kb_index_dir`` is a symbolic link to a generation directory beside it
(``kb-index.gen-<time>-<random>``). A rebuild writes a new generation directory and replaces the
link in one ``os.replace``: readers see the old index or the new one, never half of one. The
previous generation is kept for processes that still have it open (they move to the new one
within a second); older ones are removed.

Between rebuilds every process follows the ``kb_changes`` table (``sync``): the database is the
source of truth and the index can be rebuilt from it on any node. Writes to one directory are
serialised by a lock file; readers never take a lock (Whoosh segments are immutable).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import secrets
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from whoosh.index import FileIndex, create_in, exists_in, open_dir

from helpdesk.core.db import make_engine, make_sessionmaker
from helpdesk.core.settings import Settings
from knowledge_base.documents import IndexDocument, published_documents
from knowledge_base.models import ContentChange
from knowledge_base.search.cache import ResultCache
from knowledge_base.search.engine import Snapshot
from knowledge_base.search.query import SearchHit, normalize_query, reader_locale, search
from knowledge_base.search.schema import SCHEMA_VERSION, build_schema, document_fields
from knowledge_base.search.state import (
    LOCK_FILE,
    LockTimeout,
    SyncState,
    file_lock,
    read_state,
    write_state,
)

log = logging.getLogger(__name__)

WRITE_LOCK_TIMEOUT = 10.0  # seconds a writer waits for another process's write to finish
REBUILD_LOCK_TIMEOUT = 600.0
SYNC_BATCH = 500


def _generation_prefix(live: Path) -> str:
    return f"{live.name}.gen-"


def _rebuild_lock(live: Path) -> Path:
    return live.parent / f".{live.name}.lock"


def open_snapshot(index: FileIndex) -> Snapshot:
    """The index as it is now, to search (see ``engine``); close it when done."""
    return Snapshot(index.reader())


def index_exists(directory: str | Path) -> bool:
    path = Path(directory)
    return path.exists() and exists_in(os.path.realpath(path))


def index_current(directory: str | Path) -> bool:
    """An index exists here, built with this code's schema and analysis."""
    if not index_exists(directory):
        return False
    return read_state(os.path.realpath(directory)).schema_version == SCHEMA_VERSION


def open_or_create(directory: str | Path) -> FileIndex:
    """The live index, created empty (as a first generation) when there is none yet."""
    live = Path(directory)
    if index_exists(live):
        return open_dir(os.path.realpath(live))
    live.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(_rebuild_lock(live), REBUILD_LOCK_TIMEOUT):
        if not index_exists(live):
            build_generation(live, [], SyncState())
            # Empty, so not a copy of the database: ``ensure_ready`` rebuilds it.
            write_state(os.path.realpath(live), SyncState())
    return open_dir(os.path.realpath(live))


def _write_documents(index: FileIndex, documents: Iterable[IndexDocument]) -> int:
    count = 0
    writer = index.writer(procs=1, limitmb=256)
    try:
        for document in documents:
            writer.add_document(**document_fields(document))
            count += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit(optimize=True)
    return count


def build_generation(live: Path, documents: Sequence[IndexDocument], state: SyncState) -> int:
    """Builds a complete index beside ``live`` and swaps it in; returns the documents written.
    Callers that may race with another rebuild hold the rebuild lock (``rebuild`` does)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = live.parent / f"{_generation_prefix(live)}{stamp}-{secrets.token_hex(4)}"
    target.mkdir()
    try:
        count = _write_documents(create_in(target, build_schema()), documents)
        write_state(target, replace(state, schema_version=SCHEMA_VERSION))
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    previous = _swap(live, target)
    _remove_old_generations(live, keep={target.name, previous})
    return count


def _swap(live: Path, target: Path) -> str | None:
    """Points ``live`` at ``target`` atomically; returns the name it pointed to before."""
    previous = os.readlink(live) if live.is_symlink() else None
    if live.exists() and not live.is_symlink():
        # An index from before generations were used: move it aside so the link can replace it.
        previous = f"{_generation_prefix(live)}legacy-{secrets.token_hex(4)}"
        os.rename(live, live.parent / previous)
    link = live.parent / f".{live.name}.link-{secrets.token_hex(4)}"
    os.symlink(target.name, link)
    os.replace(link, live)
    return os.path.basename(previous) if previous else None


def _remove_old_generations(live: Path, keep: set[str | None]) -> None:
    for path in live.parent.glob(_generation_prefix(live) + "*"):
        if path.name not in keep and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


@dataclass(frozen=True)
class RebuildReport:
    documents: int
    seconds: float

    def __str__(self) -> str:
        return f"{self.documents} articles indexed in {self.seconds:.2f} s"


async def rebuild(
    db: AsyncSession, directory: str | Path, *, only_if_needed: bool = False
) -> RebuildReport:
    """A fresh index of every published article, swapped in when complete.

    ``only_if_needed``: only when there is no index, or one of an older schema version.
    Several worker processes start together: one builds, the others find the index built
    when they get the lock (and report 0 documents)."""
    started = time.perf_counter()
    live = Path(directory)
    live.parent.mkdir(parents=True, exist_ok=True)
    # Read the last change id before the documents: a change committed in between is applied
    # again by the next sync, which is harmless (re-indexing is idempotent).
    last_change = await db.scalar(select(func.max(ContentChange.id))) or 0
    documents = await published_documents(db)

    def build() -> int:
        with file_lock(_rebuild_lock(live), REBUILD_LOCK_TIMEOUT):
            if only_if_needed and index_current(live):
                return 0
            return build_generation(live, documents, SyncState(last_change))

    count = await asyncio.to_thread(build)
    return RebuildReport(count, time.perf_counter() - started)


async def rebuild_from_database(settings: Settings) -> str:
    """``python -m helpdesk reindex-kb``: rebuilds the index at ``settings.kb_index_dir``."""
    engine = make_engine(settings.database_url, sqlite_driver=settings.sqlite_driver)
    try:
        async with make_sessionmaker(engine)() as db:
            report = await rebuild(db, settings.kb_index_dir)
    finally:
        await engine.dispose()
    return str(report)


def apply_changes(
    index: FileIndex,
    article_ids: Iterable[int],
    documents: Iterable[IndexDocument],
    change_ids: Sequence[int],
    timeout: float = WRITE_LOCK_TIMEOUT,
) -> int:
    """Re-indexes ``article_ids`` (delete, then add the published ``documents``) and records
    ``change_ids`` as applied. Returns how many articles were written; 0 when another process
    already applied these changes. Raises ``LockTimeout`` when the directory stays locked."""
    directory = index.storage.folder
    with file_lock(Path(directory) / LOCK_FILE, timeout):
        now = time.time()
        state = read_state(directory)
        if not state.pending(change_ids, now):
            return 0
        ids = sorted(set(article_ids))
        writer = index.writer(timeout=timeout)
        try:
            for article_id in ids:
                writer.delete_by_term("id", str(article_id))
            for document in documents:
                writer.add_document(**document_fields(document))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        write_state(directory, state.advance(change_ids, now))
        return len(ids)


async def sync(db: AsyncSession, index: FileIndex) -> int:
    """Applies the content changes this index has not seen yet; returns articles re-indexed."""
    now = time.time()
    state = read_state(index.storage.folder)
    newer = ContentChange.id > state.last_change_id
    gaps = state.open_gaps(now)
    stmt = (
        select(ContentChange.id, ContentChange.article_id)
        .where(or_(newer, ContentChange.id.in_(gaps)) if gaps else newer)
        .order_by(ContentChange.id)
        .limit(SYNC_BATCH)
    )
    rows = (await db.execute(stmt)).all()
    if not rows:
        return 0
    article_ids = sorted({article_id for _, article_id in rows})
    documents = await published_documents(db, article_ids)
    change_ids = [change_id for change_id, _ in rows]
    return await asyncio.to_thread(apply_changes, index, article_ids, documents, change_ids)


class KnowledgeIndex:
    """The search index as one app process sees it (create one per process).

    Each search first catches up with the database (at most once per ``sync_interval``
    seconds), opens the index anew when it changed on disk (a write by any process, or a
    rebuild swapped in), then answers from the result cache or the index.
    """

    def __init__(
        self, directory: str | Path, *, sync_interval: float = 1.0, cache_size: int = 1024
    ) -> None:
        self.directory = Path(directory)
        self.sync_interval = sync_interval
        self.cache: ResultCache[list[SearchHit]] = ResultCache(cache_size)
        self._index: FileIndex | None = None
        self._real = ""
        self._snapshot: Snapshot | None = None
        self._last_sync = -math.inf
        self._sync_lock = asyncio.Lock()

    async def ensure_ready(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """At start-up: builds the index from the database if there is none (or it was built
        with an older schema), then catches up."""
        if not index_current(self.directory):
            async with sessionmaker() as db:
                await rebuild(db, self.directory, only_if_needed=True)
        async with sessionmaker() as db:
            await self.sync(db)

    async def search(
        self,
        db: AsyncSession,
        query: str,
        locale: str,
        category: str | None = None,
        type: str | None = None,
        limit: int = 10,
    ) -> list[SearchHit]:
        now = time.monotonic()
        if now - self._last_sync >= self.sync_interval:
            self._last_sync = now
            try:
                await self.sync(db)
            except LockTimeout:
                # Another process is writing for longer than the timeout: answer from the
                # index as it is, and catch up on a later search.
                log.warning("knowledge base index locked; searching without catching up")
        return self.search_now(query, locale, category, type, limit)

    async def sync(self, db: AsyncSession) -> int:
        """Applies pending content changes now; returns how many articles were re-indexed."""
        async with self._sync_lock:
            self._refresh()
            assert self._index is not None
            applied = await sync(db, self._index)
            if applied:
                self._refresh()
            return applied

    def search_now(
        self,
        query: str,
        locale: str,
        category: str | None = None,
        type: str | None = None,
        limit: int = 10,
    ) -> list[SearchHit]:
        """Searches the index as this process has it open, without asking the database."""
        if self._snapshot is None:
            self._refresh()
        assert self._snapshot is not None
        key = (normalize_query(query), reader_locale(locale), category, type, limit)
        hits = self.cache.get(self.generation, key)
        if hits is None:
            hits = search(self._snapshot, query, locale, category, type, limit)
            self.cache.put(self.generation, key, hits)
        return list(hits)

    @property
    def generation(self) -> tuple[str, int] | None:
        """Which state of the index this process answers from; changes after any write or
        rebuild. Caches of rendered results key on it, like the result cache does."""
        if self._snapshot is None:
            return None
        return (self._real, self._snapshot.generation)

    def _refresh(self) -> None:
        real = os.path.realpath(self.directory)
        if self._index is None or real != self._real or not os.path.isdir(real):
            index = open_or_create(self.directory)
            self._close_snapshot()
            self._index, self._real = index, os.path.realpath(self.directory)
            self._snapshot = open_snapshot(index)
        elif self._snapshot is None or self._index.latest_generation() != self._snapshot.generation:
            # A new reader rather than ``Searcher.refresh()``: in whoosh-reloaded 2.7.5,
            # refresh reuses the reader of a segment that gained deletions (segments compare
            # by id), so a replaced article would still be found in its old version; and it
            # cannot refresh an empty index at all. Opening a reader costs about a millisecond,
            # at most once per sync interval.
            self._close_snapshot()
            self._snapshot = open_snapshot(self._index)

    def _close_snapshot(self) -> None:
        if self._snapshot is not None:
            self._snapshot.close()
            self._snapshot = None

    def close(self) -> None:
        self._close_snapshot()
        self._index = None


def index_generation(index: KnowledgeIndex) -> tuple[str, int] | None:
    """Which state of the index a process answers from; changes after any write or rebuild.
    Caches of rendered results key on it, like the result cache does."""
    return index.generation
