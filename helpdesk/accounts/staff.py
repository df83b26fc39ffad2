"""Staff accounts: creation, disabling, sign-in lookups, API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import STAFF_ROLES, ApiToken, StaffAccount
from helpdesk.accounts.permissions import Viewer, require_staff
from helpdesk.audit import service as audit
from helpdesk.core import email_address
from helpdesk.core.db import utcnow
from helpdesk.core.errors import DomainError, NotFound
from helpdesk.core.security import hash_password, new_token, token_digest
from helpdesk.reference.models import Office


class StaffInputError(DomainError):
    status_code = 422


@dataclass(frozen=True)
class NewStaff:
    email: str
    full_name: str
    role: str
    office_slug: str | None = None
    password: str | None = None


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def create_staff(
    db: AsyncSession, data: NewStaff, actor: audit.Actor, is_demo: bool = False
) -> StaffAccount:
    email = email_address.normalized(data.email)
    if email is None:  # the admin form checks first; the command line comes here directly
        raise StaffInputError(f"{data.email!r} is not a valid email address")
    if data.role not in STAFF_ROLES:
        raise StaffInputError(f"unknown role {data.role!r}")
    office_id = None
    if data.office_slug:
        office_id = await db.scalar(select(Office.id).where(Office.slug == data.office_slug))
        if office_id is None:
            raise StaffInputError(f"unknown office {data.office_slug!r}")
    if data.role == "regional_agent" and office_id is None:
        raise StaffInputError("a regional agent needs an office")
    if await db.scalar(select(StaffAccount.id).where(StaffAccount.email == email)):
        raise StaffInputError(f"{email} already has an account")
    if data.password is not None and len(data.password) < 12:
        raise StaffInputError("staff passwords need at least 12 characters")
    account = StaffAccount(
        email=email,
        full_name=data.full_name.strip(),
        role=data.role,
        office_id=office_id,
        password_hash=hash_password(data.password) if data.password else None,
        is_demo=is_demo,
    )
    db.add(account)
    await db.flush()
    audit.record(
        db,
        actor,
        "staff.create",
        "staff_account",
        account.id,
        {"email": [None, email], "role": [None, data.role]},
    )
    return account


async def set_staff_active(
    db: AsyncSession, viewer: Viewer, staff_id: int, active: bool, actor: audit.Actor
) -> StaffAccount:
    require_staff(viewer, "admin")
    account = await db.get(StaffAccount, staff_id)
    if account is None:
        raise NotFound("staff account")
    if account.active != active:
        account.active = active
        account.session_epoch += 1  # a disabled account loses its sessions at once
        audit.record(
            db,
            actor,
            "staff.enable" if active else "staff.disable",
            "staff_account",
            account.id,
            {"active": [not active, active]},
        )
        if not active:
            await revoke_api_tokens(db, account.id, actor)
    return account


async def disable_staff_by_email(db: AsyncSession, email: str) -> bool:
    result = await db.execute(
        update(StaffAccount)
        .where(StaffAccount.email == normalize_email(email))
        .values(active=False, session_epoch=StaffAccount.session_epoch + 1)
    )
    changed = bool(result.rowcount)  # type: ignore[attr-defined]
    if changed:
        staff_id = await db.scalar(
            select(StaffAccount.id).where(StaffAccount.email == normalize_email(email))
        )
        audit.record(
            db,
            audit.SYSTEM,
            "staff.disable",
            "staff_account",
            staff_id or 0,
            {"active": [True, False]},
        )
        if staff_id:
            await revoke_api_tokens(db, staff_id, audit.SYSTEM)
    return changed


async def revoke_api_tokens(db: AsyncSession, staff_id: int, actor: audit.Actor) -> None:
    """Disabling an account ends its API tokens for good: re-enabling does not bring them back."""
    revoked = (
        await db.scalars(
            update(ApiToken)
            .where(ApiToken.staff_id == staff_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
            .returning(ApiToken.id)
        )
    ).all()
    for token_id in revoked:
        audit.record(
            db, actor, "api_token.revoke", "api_token", token_id, {"revoked": [False, True]}
        )


async def find_by_email(db: AsyncSession, email: str) -> StaffAccount | None:
    return await db.scalar(select(StaffAccount).where(StaffAccount.email == normalize_email(email)))


async def account_for_oidc_claims(db: AsyncSession, claims: dict[str, Any]) -> StaffAccount | None:
    """The active staff account a provider's claims may sign in to, linking it on first use.

    Accounts are matched by email, then bound to the provider's subject, which is never
    reassigned (an email address may be): a linked account refuses other subjects, and a
    subject already linked to one account does not get a second. Providers that omit
    ``email_verified`` (common for corporate directories) are trusted to have verified it.
    """
    if not claims.get("email_verified", True):
        return None
    account = await find_by_email(db, str(claims.get("email") or ""))
    sub = str(claims["sub"])
    if account is None or not account.active or account.oidc_subject not in (None, sub):
        return None
    if account.oidc_subject is None:
        linked = await db.scalar(select(StaffAccount.id).where(StaffAccount.oidc_subject == sub))
        if linked is not None:
            return None
        account.oidc_subject = sub
    return account


async def list_staff(db: AsyncSession, viewer: Viewer) -> list[tuple[StaffAccount, str | None]]:
    require_staff(viewer, "admin")
    rows = await db.execute(
        select(StaffAccount, Office.name)
        .outerjoin(Office, Office.id == StaffAccount.office_id)
        .order_by(StaffAccount.role, StaffAccount.email)
    )
    return [(s, office) for s, office in rows.all()]


_TOKENS, _STAFF, _OFFICES = ApiToken.__table__, StaffAccount.__table__, Office.__table__
_STAFF_VIEWER = (
    select(
        _STAFF.c.full_name,
        _STAFF.c.role,
        _STAFF.c.active,
        _STAFF.c.session_epoch,
        _OFFICES.c.region_code,
    )
    .outerjoin(_OFFICES, _OFFICES.c.id == _STAFF.c.office_id)
    .where(_STAFF.c.id == bindparam("staff_id"))
)


async def load_viewer(db: AsyncSession, staff_id: int, epoch: int) -> Viewer | None:
    """The signed-in staff member, or None when disabled or signed out everywhere."""
    # Columns, not objects: this runs on every page staff open.
    row = (await db.execute(_STAFF_VIEWER, {"staff_id": staff_id})).first()
    if row is None or not row.active or row.session_epoch != epoch:
        return None
    return Viewer("staff", staff_id, row.full_name, role=row.role, region_code=row.region_code)


TOKEN_USE_PRECISION = timedelta(minutes=1)


async def create_api_token(db: AsyncSession, staff_id: int, name: str) -> str:
    token = new_token()
    db.add(ApiToken(staff_id=staff_id, name=name, token_digest=token_digest(token)))
    await db.flush()
    return token


# Core columns, built once: integrations call on every request, and loading two ORM
# objects for a yes or no cost several times the query.
_TOKEN_VIEWER = (
    select(
        _TOKENS.c.id,
        _TOKENS.c.last_used_at,
        _STAFF.c.id.label("staff_id"),
        _STAFF.c.full_name,
        _STAFF.c.role,
        _STAFF.c.active,
        _OFFICES.c.region_code,
    )
    .join(_STAFF, _STAFF.c.id == _TOKENS.c.staff_id)
    .outerjoin(_OFFICES, _OFFICES.c.id == _STAFF.c.office_id)
    .where(_TOKENS.c.token_digest == bindparam("digest"), _TOKENS.c.revoked_at.is_(None))
)


async def viewer_for_api_token(db: AsyncSession, token: str) -> Viewer | None:
    row = (await db.execute(_TOKEN_VIEWER, {"digest": token_digest(token)})).first()
    if row is None or not row.active:
        return None
    now = utcnow()
    # "Last used" is for spotting stale tokens, not an access log (the audit log is): writing
    # it on every call would add a write to every read of an integration.
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_PRECISION:
        await db.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return Viewer("staff", row.staff_id, row.full_name, role=row.role, region_code=row.region_code)


async def sign_out_everywhere(db: AsyncSession, staff_id: int) -> None:
    await db.execute(
        update(StaffAccount)
        .where(StaffAccount.id == staff_id)
        .values(session_epoch=StaffAccount.session_epoch + 1)
    )
