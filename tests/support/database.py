"""Test databases: a fresh migrated SQLite file, or a fresh PostgreSQL database per run."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import asyncpg

POSTGRES_ADMIN_DSN = os.environ.get(
    "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)


async def postgres_available() -> bool:
    try:
        connection = await asyncio.wait_for(asyncpg.connect(POSTGRES_ADMIN_DSN), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


async def create_postgres_database() -> tuple[str, str]:
    """Returns (SQLAlchemy URL, database name) of a new empty database."""
    name = f"helpdesk_test_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}", name


async def drop_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'test.sqlite3'}"
