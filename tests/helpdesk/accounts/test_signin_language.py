"""The interface speaks the person's profile language after signing in, by password or by
ClaveÚnica, and keeps it until they switch; switching while signed in changes the profile,
audited (issue 12: a Creole citizen got Spanish after signing in)."""

from __future__ import annotations

from sqlalchemy import select, update

from helpdesk.accounts.models import CitizenAccount
from helpdesk.audit.models import AuditEvent
from helpdesk.core.db import utcnow
from helpdesk.core.security import hash_password
from helpdesk.people.models import Person
from tests.helpdesk.accounts.test_claveunica import (
    MARIA,
    new_sub,
    person_with_run,
    run_body_with_check_digit_k,
    sign_in,
    userinfo,
)
from tests.support import factories
from tests.support.http import parse
from tests.support.oidc_provider import set_user

SPANISH_BROWSER = {"Accept-Language": "es-CL,es;q=0.9"}


async def creole_citizen(sessionmaker) -> tuple[str, int]:
    person_id = await factories.person(
        sessionmaker, preferred_locale="ht", email_verified_at=utcnow()
    )
    async with sessionmaker() as db, db.begin():
        person = await db.get(Person, person_id)
        assert person is not None and person.email
        password = hash_password(factories.CITIZEN_PASSWORD)
        db.add(CitizenAccount(person_id=person_id, kind="portal", password_hash=password))
        return person.email, person_id


async def page_language(client, path: str = "/cuenta/solicitudes") -> str | None:
    response = await client.get(path, headers=SPANISH_BROWSER)
    assert response.status_code == 200, response.text
    return parse(response.text).html_lang


async def test_password_sign_in_switches_to_the_profile_language_until_the_person_switches(
    client, sessionmaker
) -> None:
    email, person_id = await creole_citizen(sessionmaker)
    assert parse((await client.get("/", headers=SPANISH_BROWSER)).text).html_lang == "es"
    # She had even chosen Spanish on this phone once.
    assert (await client.submit("/idioma", {"lang": "es", "next": "/"}, "/")).status_code == 303

    response = await client.submit(
        "/cuenta/ingresar", {"email": email, "password": factories.CITIZEN_PASSWORD}
    )
    assert response.status_code == 303
    assert client.http.cookies.get("lang") == "ht"
    assert await page_language(client) == "ht"
    assert await page_language(client, "/") == "ht"

    # She switches to French: the interface follows, and so does her profile (audited).
    switched = await client.submit("/idioma", {"lang": "fr", "next": "/cuenta/solicitudes"}, "/")
    assert switched.status_code == 303
    assert await page_language(client) == "fr"
    async with sessionmaker() as db:
        person = await db.get(Person, person_id)
        assert person is not None and person.preferred_locale == "fr"
        events = (
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_type == "person",
                    AuditEvent.entity_id == person_id,
                    AuditEvent.action == "person.update",
                )
            )
        ).all()
    assert any(e.changes.get("preferred_locale") == ["ht", "fr"] for e in events)

    # Signed in again on a phone that never saw her: French, the language she last chose.
    client.http.cookies.clear()
    await factories.sign_in_citizen(client, email)
    assert await page_language(client) == "fr"


async def test_claveunica_sign_in_speaks_the_profile_language(
    open_browser, oidc_provider, sessionmaker
) -> None:
    numero = run_body_with_check_digit_k()
    sub = new_sub()
    await set_user(oidc_provider.url, sub, userinfo(numero, "K", **MARIA))
    first, _ = await sign_in(open_browser(), sub)
    assert first.status_code == 303
    found = await person_with_run(sessionmaker, f"{numero}-K")
    assert found is not None
    person, _accounts = found
    async with sessionmaker() as db, db.begin():
        await db.execute(
            update(Person)
            .where(Person.id == person.id)
            .values(
                preferred_locale="ht", email=f"cu.{numero}@test.portal", email_verified_at=utcnow()
            )
        )

    browser = open_browser()
    browser.http.headers.update(SPANISH_BROWSER)
    response, _ = await sign_in(browser, sub)
    assert response.status_code == 303, response.text
    assert browser.http.cookies.get("lang") == "ht"
    assert await page_language(browser) == "ht"
