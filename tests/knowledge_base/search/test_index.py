"""The index follows the database: publish, archive, rebuild, and several processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from dataclasses import replace
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.settings import PROJECT_ROOT, Settings
from knowledge_base.documents import IndexDocument, LocalizedText
from knowledge_base.search.index import (
    KnowledgeIndex,
    apply_changes,
    open_or_create,
    rebuild,
    rebuild_from_database,
)
from knowledge_base.search.schema import SCHEMA_VERSION
from knowledge_base.search.state import STATE_FILE, SyncState, read_state
from tests.knowledge_base.search.conftest import Editor, Text


def word() -> str:
    """A made-up word no other article contains."""
    return "zq" + uuid.uuid4().hex[:8]


def slugs(hits: list) -> list[str]:
    return [hit.slug for hit in hits]


def generation(link: Path) -> str:
    """The generation directory the index link points to."""
    return os.readlink(link)


async def test_new_version_replaces_the_old_one(
    editor: Editor, knowledge_index: KnowledgeIndex, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await knowledge_index.ensure_ready(sessionmaker)
    old, new, slug = word(), word(), f"version-{word()}"
    await editor.publish(slug, {"es": Text("Versión uno", "Resumen.", f"Texto con {old}.")})
    async with sessionmaker() as db:
        assert slugs(await knowledge_index.search(db, old, "es")) == [slug]
        await editor.publish(slug, {"es": Text("Versión dos", "Resumen.", f"Texto con {new}.")})
        assert slugs(await knowledge_index.search(db, new, "es")) == [slug]
        assert await knowledge_index.search(db, old, "es") == []
        hits = await knowledge_index.search(db, new, "es")
        assert hits[0].title == "Versión dos"


async def test_a_new_translation_is_searchable_in_its_language(
    editor: Editor, knowledge_index: KnowledgeIndex, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await knowledge_index.ensure_ready(sessionmaker)
    term, slug = word(), f"translation-{word()}"
    await editor.publish(slug, {"es": Text("Título", "Resumen.", f"Texto {term}.")})
    async with sessionmaker() as db:
        assert (await knowledge_index.search(db, term, "ht"))[0].locale == "es"
        await editor.publish(slug, {"ht": Text("Tit", "Rezime.", f"Tèks {term}.")})
        hit = (await knowledge_index.search(db, term, "ht"))[0]
        assert (hit.locale, hit.title, hit.fallback) == ("ht", "Tit", False)


async def test_archived_article_is_gone(
    editor: Editor, knowledge_index: KnowledgeIndex, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await knowledge_index.ensure_ready(sessionmaker)
    term, slug = word(), f"archive-{word()}"
    article_id = await editor.publish(slug, {"es": Text("Pronto archivado", "", f"{term}.")})
    async with sessionmaker() as db:
        assert slugs(await knowledge_index.search(db, term, "es")) == [slug]
        await editor.archive(article_id)
        assert await knowledge_index.search(db, term, "es") == []


async def test_searches_wait_for_the_sync_interval(
    editor: Editor, index_dir: Path, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    index = KnowledgeIndex(index_dir, sync_interval=3600)
    try:
        await index.ensure_ready(sessionmaker)
        term = word()
        async with sessionmaker() as db:
            assert await index.search(db, term, "es") == []  # this one syncs
            await editor.publish(f"late-{term}", {"es": Text("Tarde", "", term)})
            assert await index.search(db, term, "es") == []  # throttled: no sync, cached
            assert await index.sync(db) == 1
            assert slugs(await index.search(db, term, "es")) == [f"late-{term}"]
    finally:
        index.close()


async def test_rebuild_gives_the_same_results_and_swaps_atomically(
    editor: Editor, knowledge_index: KnowledgeIndex, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await knowledge_index.ensure_ready(sessionmaker)
    term = word()
    for n in range(3):
        await editor.publish(
            f"rebuild-{n}-{term}", {"es": Text(f"Título {n}", "", f"{term} " * (n + 1))}
        )
    await editor.publish(f"rebuild-x-{term}", {"es": Text(f"Residencia {term}", "Una visa.", "")})
    queries = [(term, "es"), ("residencia", "es"), ("visa", "ht"), ("carnet", "es")]
    async with sessionmaker() as db:
        await knowledge_index.sync(db)
        before = {qry: await knowledge_index.search(db, *qry) for qry in queries}
        first_generation = generation(knowledge_index.directory)
        report = await rebuild(db, knowledge_index.directory)
        assert report.documents >= 4
        after = {qry: await knowledge_index.search(db, *qry) for qry in queries}
    assert generation(knowledge_index.directory) != first_generation
    for qry in queries:
        assert slugs(after[qry]) == slugs(before[qry]), qry
        assert [round(h.score, 6) for h in after[qry]] == [round(h.score, 6) for h in before[qry]]
    assert len(slugs(after[(term, "es")])) == 4
    # The previous generation stays for processes that still read it; older ones go.
    async with sessionmaker() as db:
        await rebuild(db, knowledge_index.directory)
    generations = sorted(p.name for p in knowledge_index.directory.parent.glob("kb-index.gen-*"))
    assert len(generations) == 2
    assert first_generation not in generations


async def test_rebuild_records_the_last_change_so_sync_has_nothing_to_redo(
    editor: Editor, index_dir: Path, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await editor.publish(f"state-{word()}", {"es": Text("Estado", "", "texto")})
    async with sessionmaker() as db:
        await rebuild(db, index_dir)
        index = open_or_create(index_dir)
        assert read_state(index_dir).last_change_id > 0
        from knowledge_base.search.index import sync

        assert await sync(db, index) == 0


async def test_rebuild_from_database_reports_what_it_did(
    settings: Settings, editor: Editor, tmp_path: Path
) -> None:
    await editor.publish(f"cli-{word()}", {"es": Text("Desde la línea de comandos", "", "x")})
    report = await rebuild_from_database(replace(settings, kb_index_dir=str(tmp_path / "idx")))
    assert "articles indexed in" in report
    assert int(report.split()[0]) >= 1
    assert (tmp_path / "idx").is_symlink()


async def test_ensure_ready_builds_a_missing_index_once(
    editor: Editor, index_dir: Path, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    term = word()
    await editor.publish(f"ready-{term}", {"es": Text("Listo", "", term)})
    index = KnowledgeIndex(index_dir, sync_interval=0)
    try:
        await index.ensure_ready(sessionmaker)
        assert slugs(index.search_now(term, "es")) == [f"ready-{term}"]
        built = generation(index_dir)
        await index.ensure_ready(sessionmaker)
        assert generation(index_dir) == built
    finally:
        index.close()


async def test_ensure_ready_rebuilds_an_index_of_an_older_schema(
    editor: Editor, index_dir: Path, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    term = word()
    await editor.publish(f"schema-{term}", {"es": Text("Esquema", "", term)})
    open_or_create(index_dir)  # empty, as a search before start-up would leave it
    assert read_state(index_dir).schema_version == 0
    index = KnowledgeIndex(index_dir, sync_interval=0)
    try:
        await index.ensure_ready(sessionmaker)
        assert read_state(index_dir).schema_version == SCHEMA_VERSION
        assert slugs(index.search_now(term, "es")) == [f"schema-{term}"]
    finally:
        index.close()


async def test_cache_never_outlives_an_index_change(
    editor: Editor, knowledge_index: KnowledgeIndex, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await knowledge_index.ensure_ready(sessionmaker)
    term = word()
    async with sessionmaker() as db:
        assert await knowledge_index.search(db, term, "es") == []
        assert await knowledge_index.search(db, term, "es") == []
        hits_before = knowledge_index.cache.hits
        assert hits_before >= 1
        await editor.publish(f"cache-{term}", {"es": Text("Caché", "", term)})
        assert slugs(await knowledge_index.search(db, term, "es")) == [f"cache-{term}"]


def test_state_remembers_gaps_until_they_arrive_or_expire() -> None:
    state = SyncState(10).advance([11, 14], now=100.0)
    assert state.last_change_id == 14
    assert state.open_gaps(now=101.0) == [12, 13]
    assert state.pending([12, 13, 14, 15], now=101.0) == [12, 13, 15]
    state = state.advance([12], now=102.0)
    assert state.open_gaps(now=103.0) == [13]
    assert state.open_gaps(now=1000.0) == []
    assert SyncState(5).advance([], now=1.0) == SyncState(5)


def _document(article_id: int, text: str) -> IndexDocument:
    return IndexDocument(
        article_id,
        f"doc-{article_id}",
        "ficha",
        "otros",
        (),
        {"es": LocalizedText("es", f"Documento {article_id}", "", text, 1, None)},
    )


CHILD = textwrap.dedent(
    """
    import sys, time
    from knowledge_base.documents import IndexDocument, LocalizedText
    from knowledge_base.search.index import apply_changes, open_or_create
    from knowledge_base.search.state import read_state

    directory, rounds = sys.argv[1], int(sys.argv[2])
    index = open_or_create(directory)
    for n in range(rounds):
        change = read_state(directory).last_change_id + 1
        doc = IndexDocument(
            1000 + n % 5, f"child-{n % 5}", "ficha", "otros", (),
            {"es": LocalizedText("es", "Hijo", "", f"zqchild zqround{n}", 1, None)},
        )
        apply_changes(index, [doc.article_id], [doc], [change])
    print("done", rounds)
    """
)


def test_a_second_process_writes_while_this_one_searches(tmp_path: Path) -> None:
    directory = tmp_path / "kb-index"
    index = open_or_create(directory)
    apply_changes(index, [1], [_document(1, "zqstable permanent")], [1])
    reader = KnowledgeIndex(directory, sync_interval=0)
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    child = subprocess.Popen(
        [sys.executable, "-W", "error", "-c", CHILD, str(directory), "40"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    searches = 0
    generations = set()
    try:
        deadline = time.monotonic() + 120
        while child.poll() is None and time.monotonic() < deadline:
            reader._refresh()  # what a search does after its sync interval
            assert slugs(reader.search_now("zqstable", "es")) == ["doc-1"]
            reader.search_now("zqchild", "es")
            generations.add(reader.generation)
            searches += 1
            if searches % 25 == 0:
                # This process writes too, contending for the same lock.
                change = read_state(directory).last_change_id + 1
                apply_changes(index, [2], [_document(2, f"zqparent {searches}")], [change])
        stdout, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
        reader.close()
    assert child.returncode == 0, stderr
    assert "done 40" in stdout
    assert searches > 10 and len(generations) > 1
    reader = KnowledgeIndex(directory, sync_interval=0)
    try:
        assert len(reader.search_now("zqchild", "es")) == 5
        assert slugs(reader.search_now("zqround39", "es"))
        assert (directory.resolve() / STATE_FILE).exists()
    finally:
        reader.close()
