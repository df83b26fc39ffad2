"""Disabling a staff account revokes its API tokens for good, audited."""

from __future__ import annotations

import httpx2
from sqlalchemy import select

from helpdesk.accounts.models import ApiToken
from helpdesk.accounts.staff import create_api_token, disable_staff_by_email, find_by_email
from helpdesk.audit.models import AuditEvent
from tests.support import factories


async def token_works(app, token: str) -> bool:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


async def make_token(sessionmaker, email: str) -> tuple[int, str]:
    async with sessionmaker() as db, db.begin():
        account = await find_by_email(db, email)
        assert account is not None
        return account.id, await create_api_token(db, account.id, "integración")


async def test_admin_disabling_revokes_tokens_and_enabling_does_not_restore(
    app, client, sessionmaker
) -> None:
    admin = await factories.staff_member(sessionmaker, "admin")
    member = await factories.staff_member(sessionmaker, "supervisor")
    staff_id, token = await make_token(sessionmaker, member)
    assert await token_works(app, token)
    await factories.sign_in_staff(client, admin)
    page = "/staff/admin/cuentas"
    url = f"/staff/admin/cuentas/{staff_id}/estado"
    assert (await client.submit(url, {"active": "0"}, page=page)).status_code == 303
    assert not await token_works(app, token)
    assert (await client.submit(url, {"active": "1"}, page=page)).status_code == 303
    assert not await token_works(app, token)  # re-enabled, the old token stays dead
    async with sessionmaker() as db:
        row = await db.scalar(select(ApiToken).where(ApiToken.staff_id == staff_id))
        assert row is not None and row.revoked_at is not None
        events = (
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "api_token.revoke", AuditEvent.entity_id == row.id
                )
            )
        ).all()
        assert len(events) == 1 and events[0].actor_type == "staff"
    _, fresh = await make_token(sessionmaker, member)
    assert await token_works(app, fresh)  # a new token, issued after re-enabling, works


async def test_disabling_by_email_revokes_tokens(app, sessionmaker) -> None:
    member = await factories.staff_member(sessionmaker, "central_analyst")
    staff_id, token = await make_token(sessionmaker, member)
    async with sessionmaker() as db, db.begin():
        assert await disable_staff_by_email(db, member)
    async with sessionmaker() as db:
        row = await db.scalar(select(ApiToken).where(ApiToken.staff_id == staff_id))
        assert row is not None and row.revoked_at is not None
        assert await db.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action == "api_token.revoke", AuditEvent.entity_id == row.id
            )
        )
    assert not await token_works(app, token)
