"""Password sign-in shared by staff and citizen accounts: growing delays, never a lock.

After ``free_failures`` failures in a row for one email (known or not: the same for both, so
the answer reveals nothing), or from one address, each further attempt waits 1, 2, 4 ...
seconds after the last failure, up to ``max_delay``. An attempt during the wait is refused
before the password is looked at and does not count, so an attacker cannot stretch the wait:
the owner gets in once it is over, from any address. A success clears the email's count; a
count left alone for ``forget_after`` starts over.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.accounts import throttle
from helpdesk.accounts.models import CitizenAccount, StaffAccount
from helpdesk.audit import service as audit
from helpdesk.core.db import utcnow
from helpdesk.core.security import verify_password

NO_WAIT = timedelta(0)
CITIZEN_SCOPE = "citizen-login"  # the citizen form's counters (a reset link clears them)


@dataclass(frozen=True)
class BackoffPolicy:
    free_failures: int = 5  # per email
    address_free_failures: int = 20  # per client address, every email together
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=5)
    forget_after: timedelta = timedelta(hours=1)


def delay(failures: int, free_failures: int, policy: BackoffPolicy) -> timedelta:
    """How long after the last of ``failures`` failures in a row the next attempt waits."""
    if failures < free_failures:
        return NO_WAIT
    doublings = min(failures - free_failures, 30)  # 2**30 s is past any cap
    return min(policy.max_delay, policy.first_delay * 2**doublings)


def wait(
    failures: int,
    last_failure: datetime | None,
    now: datetime,
    free_failures: int,
    policy: BackoffPolicy,
) -> timedelta:
    """What is left of the wait at ``now`` (zero: the attempt may go ahead)."""
    if last_failure is None or now - last_failure >= policy.forget_after:
        return NO_WAIT
    return max(NO_WAIT, last_failure + delay(failures, free_failures, policy) - now)


@dataclass(frozen=True)
class SignInResult:
    ok: bool
    retry_after: timedelta = NO_WAIT  # refused unchecked: the wait still to go


Account = StaffAccount | CitizenAccount


def email_key(scope: str, email: str) -> str:
    """The counter for an email as typed, known or not (a digest: no address stored)."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"fail:{scope}:{digest}"


def address_key(address: str) -> str:
    return f"fail:addr:{address}"


async def check_password(
    sessionmaker: async_sessionmaker[AsyncSession],
    scope: str,
    email: str,
    account: Account | None,
    password: str,
    actor: audit.Actor,
    policy: BackoffPolicy,
    now: datetime | None = None,
) -> SignInResult:
    """Verifies a password unless a delay is running; failures are counted (and audited, for
    a known account) in their own transaction, so they persist when the request rolls back."""
    now = now or utcnow()
    by_email, by_address = email_key(scope, email), address_key(actor.ip_address or "unknown")
    async with sessionmaker() as db:
        counts = await throttle.failures(db, [by_email, by_address])
    frees = {by_email: policy.free_failures, by_address: policy.address_free_failures}
    waits = [wait(*counts.get(key, (0, None)), now, free, policy) for key, free in frees.items()]
    if max(waits) > NO_WAIT:
        return SignInResult(False, max(waits))
    delayed = [
        (key, count, last)
        for key, (count, last) in counts.items()
        if count >= frees[key] and now - last < policy.forget_after
    ]
    if delayed:  # a wait just ended: this request must take its one attempt from others
        async with sessionmaker() as db, db.begin():
            for key, count, last in delayed:
                if not await throttle.claim(db, key, last, now):
                    return SignInResult(False, delay(count, frees[key], policy))
    if not verify_password(account.password_hash if account else None, password):
        async with sessionmaker() as db, db.begin():
            await throttle.record_failure(db, [by_email, by_address], now, policy.forget_after)
            if account is not None:
                await audit.write(db, [_failure_event(actor, account)])
        return SignInResult(False)
    if by_email in counts:
        async with sessionmaker() as db, db.begin():
            await throttle.forget(db, by_email)
    return SignInResult(True)


def _failure_event(actor: audit.Actor, account: Account) -> dict[str, object]:
    if isinstance(account, StaffAccount):
        return audit.event_values(actor, "staff.sign_in_failed", "staff_account", account.id)
    return audit.event_values(
        actor, "citizen_account.sign_in_failed", "citizen_account", account.id
    )
