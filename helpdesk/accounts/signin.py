"""Password sign-in shared by staff and citizen accounts: lockout after repeated failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.accounts.models import CitizenAccount, StaffAccount
from helpdesk.core.db import utcnow
from helpdesk.core.security import verify_password


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class SignInResult:
    ok: bool
    locked_until: datetime | None = None


Account = StaffAccount | CitizenAccount


async def check_password(
    sessionmaker: async_sessionmaker[AsyncSession],
    account: Account | None,
    password: str,
    policy: LockoutPolicy,
    now: datetime | None = None,
) -> SignInResult:
    """Verifies a password, counting failures in their own transaction so they persist."""
    now = now or utcnow()
    if account is not None and account.locked_until is not None and account.locked_until > now:
        return SignInResult(False, account.locked_until)
    if not verify_password(account.password_hash if account else None, password):
        if account is None:
            return SignInResult(False)
        return await _record_failure(sessionmaker, account, policy, now)
    if account.failed_logins or account.locked_until:
        async with sessionmaker() as db, db.begin():
            await db.execute(
                update(type(account))
                .where(type(account).id == account.id)
                .values(failed_logins=0, locked_until=None)
            )
    return SignInResult(True)


async def _record_failure(
    sessionmaker: async_sessionmaker[AsyncSession],
    account: Account,
    policy: LockoutPolicy,
    now: datetime,
) -> SignInResult:
    model = type(account)
    async with sessionmaker() as db, db.begin():
        failures = (
            await db.execute(
                update(model)
                .where(model.id == account.id)
                .values(failed_logins=model.failed_logins + 1)
                .returning(model.failed_logins)
            )
        ).scalar_one()
        if failures >= policy.max_failures:
            until = now + policy.lock_for
            await db.execute(
                update(model)
                .where(model.id == account.id)
                .values(locked_until=until, failed_logins=0)
            )
            return SignInResult(False, until)
    return SignInResult(False)
