"""Models and migrations agree (autogenerate finds no difference), on the backend under test;
the audit log is append-only in the database itself; downgrade and upgrade work."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from helpdesk.audit import service as audit
from helpdesk.models import metadata
from helpdesk.tickets.queue.search import outside_models


async def test_models_match_migrations(engine) -> None:
    def diff(connection: object) -> list[object]:
        # Full-text search objects live outside the models, as in migrations/env.py.
        opts = {"compare_type": True, "include_name": outside_models}
        context = MigrationContext.configure(connection, opts=opts)  # type: ignore[arg-type]
        return compare_metadata(context, metadata)

    async with engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


async def test_audit_log_is_append_only(sessionmaker) -> None:
    async with sessionmaker() as db, db.begin():
        event = audit.record(db, audit.SYSTEM, "test.event", "person", 0, {"x": [1, 2]})
        await db.flush()
        event_id = event.id
    for statement in ("UPDATE audit_events SET action = 'forged' WHERE id = :id",
                      "DELETE FROM audit_events WHERE id = :id"):  # fmt: skip
        with pytest.raises(DBAPIError, match="append-only"):
            async with sessionmaker() as db, db.begin():
                await db.execute(text(statement), {"id": event_id})


async def test_downgrade_and_upgrade_again(backend, tmp_path) -> None:
    """On a scratch database: migrations go down to nothing and back up cleanly."""
    from alembic import command

    from helpdesk.cli_db import alembic_config, migrate
    from helpdesk.core.db import make_engine
    from tests.support import database

    if backend == "sqlite":
        url, name = database.sqlite_url(tmp_path), None
    else:
        url, name = await database.create_postgres_database()
    engine = make_engine(url)
    try:
        await migrate(engine)

        def down(connection: object) -> None:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.downgrade(config, "base")

        async with engine.begin() as connection:
            await connection.run_sync(down)
        await migrate(engine)
        async with engine.connect() as connection:
            count = (await connection.execute(text("SELECT count(*) FROM regions"))).scalar_one()
        assert count == 16
    finally:
        await engine.dispose()
        if name:
            await database.drop_postgres_database(name)
