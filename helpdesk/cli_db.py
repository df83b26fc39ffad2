"""Database commands: migrate (Alembic, then reference data) and the migrations-vs-models check."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy.ext.asyncio import AsyncEngine

from helpdesk.core.db import make_sessionmaker
from helpdesk.core.settings import PROJECT_ROOT
from helpdesk.reference.service import sync_reference_data


def alembic_config(database_url: str) -> AlembicConfig:
    config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


async def migrate(engine: AsyncEngine) -> None:
    """Upgrades to head on the engine's own connection, then syncs reference data: adds
    what the shipped data has and the database lacks, never undoing an admin's edit."""

    def upgrade(connection: object) -> None:
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with engine.begin() as connection:
        await connection.run_sync(upgrade)
    async with make_sessionmaker(engine)() as db, db.begin():
        await sync_reference_data(db)
