"""Portal accounts for people without RUN: registration, email verification, sign-in,
password reset, no enumeration; and email proof for people without an account."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from helpdesk.accounts.models import CitizenAccount
from helpdesk.audit.models import AuditEvent
from helpdesk.notifications.models import OutboxMessage
from helpdesk.people.models import Person
from tests.support import factories
from tests.support.http import page_text


def registration(email: str, document: str | None = None) -> dict[str, str]:
    return {
        "given_names": "Jean Baptiste",
        "surnames": "Louis",
        "birth_date": "1988-02-29",
        "country_of_birth": "HT",
        "document_type": "passport",
        "document_number": document or uuid.uuid4().hex[:9].upper(),
        "document_country": "HT",
        "email": email,
        "password": "bon-modpas-2026",
        "password_confirm": "bon-modpas-2026",
    }


async def outbox_for(sessionmaker, email: str) -> list[OutboxMessage]:
    async with sessionmaker() as db:
        return list(
            (
                await db.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.to_address == email)
                    .order_by(OutboxMessage.id)
                )
            ).all()
        )


def token_from(message: OutboxMessage) -> str:
    return str(message.context["link"]).rsplit("/", 1)[1]


async def test_register_verify_and_sign_in(client, sessionmaker) -> None:
    email = f"jb.{uuid.uuid4().hex[:8]}@test.portal"
    response = await client.submit(
        "/cuenta/registro", registration(email), headers={"Accept-Language": "ht"}
    )
    assert response.status_code == 303
    [message] = await outbox_for(sessionmaker, email)
    assert message.template == "verify_email" and message.locale == "ht"
    # Not verified yet: sign-in explains why.
    early = await client.submit("/cuenta/ingresar", {"email": email, "password": "bon-modpas-2026"})
    assert early.status_code == 403
    # The emailed link shows a confirm button (mail scanners must not use it up), then verifies.
    link_path = f"/cuenta/verificar/{token_from(message)}"
    assert (await client.get(link_path)).status_code == 200
    verified = await client.submit(link_path, {})
    assert verified.status_code == 200
    await factories.sign_in_citizen(client, email, "bon-modpas-2026")
    profile = await client.get("/cuenta")
    assert profile.status_code == 200 and "Jean Baptiste Louis" in page_text(profile.text)
    # The link works once.
    assert (await client.submit(link_path, {})).status_code == 400


async def test_registration_errors_are_explained(client) -> None:
    data = registration("not-an-email")
    data.update(
        birth_date="2999-01-01", country_of_birth="XX", password="short", password_confirm="short"
    )
    response = await client.submit("/cuenta/registro", data)
    assert response.status_code == 422
    text = page_text(response.text)
    assert "El correo electrónico no es válido." in text
    assert "La fecha de nacimiento no es válida." in text
    assert "Elija su país de nacimiento." in text
    assert "La contraseña debe tener al menos 10 caracteres." in text


async def test_duplicate_registration_reveals_nothing(client, sessionmaker) -> None:
    email, _ = await factories.citizen(sessionmaker)
    response = await client.submit("/cuenta/registro", registration(email))
    assert (
        response.status_code == 303 and response.headers["location"] == "/cuenta/revise-su-correo"
    )
    messages = await outbox_for(sessionmaker, email)
    assert [m.template for m in messages] == ["account_exists"]


async def test_password_reset_flow_without_enumeration(client, sessionmaker) -> None:
    email, _ = await factories.citizen(sessionmaker)
    known = await client.submit("/cuenta/recuperar", {"email": email})
    unknown = await client.submit(
        "/cuenta/recuperar", {"email": f"nadie.{uuid.uuid4().hex[:6]}@test.portal"}
    )
    assert (known.status_code, known.headers["location"]) == (
        unknown.status_code,
        unknown.headers["location"],
    )
    [message] = await outbox_for(sessionmaker, email)
    path = f"/cuenta/restablecer/{token_from(message)}"
    mismatch = await client.submit(
        path, {"password": "new-password-1", "password_confirm": "other-password"}
    )
    assert mismatch.status_code == 422
    done = await client.submit(
        path, {"password": "new-password-1", "password_confirm": "new-password-1"}
    )
    assert done.status_code == 200
    await factories.sign_in_citizen(client, email, "new-password-1")
    assert (
        await client.submit(path, {"password": "x" * 12, "password_confirm": "x" * 12})
    ).status_code == 400


async def test_profile_change_is_audited(client, sessionmaker) -> None:
    email, person_id = await factories.citizen(sessionmaker)
    await factories.sign_in_citizen(client, email)
    bad = await client.submit(
        "/cuenta", {"phone": "<script>", "preferred_locale": "xx"}, page="/cuenta"
    )
    assert bad.status_code == 422
    ok = await client.submit(
        "/cuenta",
        {
            "phone": "+56 9 8765 4321",
            "preferred_locale": "fr",
            "sex_gender": "female",
            "region_code": "VS",
        },
        page="/cuenta",
    )
    assert ok.status_code == 303
    assert "lang=fr" in ok.headers["set-cookie"]
    async with sessionmaker() as db:
        person = await db.get(Person, person_id)
        assert (
            person is not None and person.phone == "+56 9 8765 4321" and person.region_code == "VS"
        )
        event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.entity_type == "person",
                AuditEvent.entity_id == person_id,
                AuditEvent.action == "person.update",
            )
        )
        assert event is not None and event.actor_type == "citizen" and event.ip_address
        assert event.changes["phone"] == [None, "+56 9 8765 4321"]
        assert event.changes["preferred_locale"] == ["es", "fr"]


async def test_citizen_sign_out_everywhere(client, sessionmaker) -> None:
    email, _ = await factories.citizen(sessionmaker)
    await factories.sign_in_citizen(client, email)
    response = await client.submit("/cuenta/salir-todas", {}, page="/cuenta")
    assert response.status_code == 303
    async with sessionmaker() as db:
        account = await db.scalar(select(CitizenAccount).join(Person).where(Person.email == email))
        assert account is not None and account.session_epoch == 1


async def test_email_proof_without_account(client, sessionmaker) -> None:
    email = f"sin.cuenta.{uuid.uuid4().hex[:6]}@test.portal"
    response = await client.submit(
        "/correo", {"email": email, "next": "/algo"}, page="/correo?next=/algo"
    )
    assert response.status_code == 303
    [message] = await outbox_for(sessionmaker, email)
    assert message.template == "prove_email"
    path = f"/correo/confirmar/{token_from(message)}"
    confirmed = await client.submit(path, {})
    assert confirmed.status_code == 303 and confirmed.headers["location"] == "/algo"
    assert (await client.submit(path, {})).status_code == 400


async def test_next_parameter_cannot_leave_the_site(client, sessionmaker) -> None:
    email, _ = await factories.citizen(sessionmaker)
    response = await client.submit(
        "/cuenta/ingresar",
        {"email": email, "password": factories.CITIZEN_PASSWORD, "next": "//evil.example/"},
    )
    assert response.headers["location"] == "/cuenta"
