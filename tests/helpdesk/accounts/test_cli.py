"""The command line creates and disables staff accounts and API tokens."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from sqlalchemy import select

from helpdesk.accounts.models import StaffAccount
from helpdesk.core.settings import PROJECT_ROOT


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "APP_ENV": "test", "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "helpdesk", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


async def test_create_token_and_disable_staff(database_url, sessionmaker) -> None:
    email = f"cli.{uuid.uuid4().hex[:8]}@test.portal"
    created = cli(
        database_url, "create-staff", "--email", email, "--name", "Ana CLI",
        "--role", "regional_agent", "--office", "punta-arenas", "--password", "cli-password-123",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    token = cli(database_url, "create-api-token", "--email", email)
    assert token.returncode == 0 and len(token.stdout.strip()) >= 40
    disabled = cli(database_url, "disable-staff", "--email", email)
    assert disabled.returncode == 0, disabled.stderr
    async with sessionmaker() as db:
        account = await db.scalar(select(StaffAccount).where(StaffAccount.email == email))
        assert account is not None and not account.active and account.session_epoch == 1


def test_bad_input_gets_a_clear_error(database_url) -> None:
    missing_office = cli(
        database_url, "create-staff", "--email", "x@test.portal", "--name", "X",
        "--role", "regional_agent", "--password", "cli-password-123",
    )  # fmt: skip
    assert missing_office.returncode != 0
    assert "a regional agent needs an office" in missing_office.stderr
    unknown = cli(database_url, "disable-staff", "--email", "nobody@test.portal")
    assert unknown.returncode != 0 and "no staff account" in unknown.stderr
