"""Citizen accounts: portal registration, email verification, password reset, ClaveÚnica."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts import email_tokens, signin, throttle
from helpdesk.accounts.models import CitizenAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit import service as audit
from helpdesk.core import language, links
from helpdesk.core.db import utcnow
from helpdesk.core.security import hash_password
from helpdesk.notifications import outbox
from helpdesk.people import identity
from helpdesk.people import service as people
from helpdesk.people.models import Person
from helpdesk.people.service import PortalIdentity


@dataclass(frozen=True)
class Registration:
    identity: PortalIdentity
    email: str
    password: str
    locale: str


async def _add_account(db: AsyncSession, actor: audit.Actor, **fields: Any) -> CitizenAccount:
    account = CitizenAccount(**fields)
    db.add(account)
    await db.flush()
    audit.record(db, actor, "citizen_account.create", "citizen_account", account.id,
                 {"kind": [None, account.kind]})  # fmt: skip
    return account


async def register_portal_account(
    db: AsyncSession, data: Registration, base_url: str, actor: audit.Actor
) -> None:
    """Creates the account and sends a verification link.

    When the email or the document already belongs to an account, the same answer is
    given on screen and the owner is told by email instead: no enumeration.
    """
    email = data.email.strip().lower()
    taken = await find_portal_account(db, email)
    ident = data.identity
    person = await people.find_by_document(
        db, ident.document_type, ident.document_number, ident.document_country
    )
    has_account = person is not None and await db.scalar(
        select(CitizenAccount.id).where(CitizenAccount.person_id == person.id)
    )
    if taken is not None or has_account:
        holder = taken.person if taken is not None else person
        outbox.enqueue(
            db,
            "account_exists",
            email,
            language.email_language(
                profile=holder.preferred_locale if holder else None, page=data.locale
            ),
            {
                "signin_url": links.absolute_url(base_url, "citizen_signin"),
                "reset_url": links.absolute_url(base_url, "citizen_recover"),
            },
        )
        return
    if person is None:
        person = people.create_person(
            db,
            actor,
            given_names=ident.given_names,
            surnames=ident.surnames,
            birth_date=ident.birth_date,
            country_of_birth=ident.country_of_birth,
            document_type=ident.document_type,
            document_number=ident.document_number,
            document_country=ident.document_country,
            email=email,
            preferred_locale=data.locale,
        )
        await people.audit_created(db, actor, person)
    else:
        await people.update_person(
            db, None, person, {"email": email, "email_verified_at": None}, actor
        )
    await _add_account(
        db, actor, person_id=person.id, kind="portal", password_hash=hash_password(data.password)
    )
    send_verification(db, person, email, data.locale, base_url)


def send_verification(
    db: AsyncSession, person: Person, email: str, locale: str, base_url: str
) -> None:
    token = email_tokens.issue(db, "verify_email", email, person_id=person.id)
    outbox.enqueue(
        db,
        "verify_email",
        email,
        # Sent to account holders only (registration, ClaveÚnica): their profile's language.
        language.email_language(profile=person.preferred_locale, page=locale),
        {
            "name": person.given_names,
            "link": links.absolute_url(base_url, "verify_email", token=token),
        },
    )


async def send_verification_to(
    db: AsyncSession, person_id: int, email: str, locale: str, base_url: str
) -> None:
    person = await db.get(Person, person_id)
    if person is None:
        raise ValueError(f"no person {person_id}")
    send_verification(db, person, email, locale, base_url)


async def sign_out_everywhere(db: AsyncSession, account_id: int) -> None:
    await db.execute(
        update(CitizenAccount)
        .where(CitizenAccount.id == account_id)
        .values(session_epoch=CitizenAccount.session_epoch + 1)
    )


async def verify_email(db: AsyncSession, token: str, actor: audit.Actor) -> Person | None:
    row = await email_tokens.consume(db, "verify_email", token)
    if row is None or row.person_id is None:
        return None
    person = await db.get(Person, row.person_id)
    if person is None:
        return None
    await people.update_person(
        db, None, person, {"email": row.email, "email_verified_at": utcnow()}, actor
    )
    return person


async def find_portal_account(db: AsyncSession, email: str) -> CitizenAccount | None:
    return await db.scalar(
        select(CitizenAccount)
        .join(Person, Person.id == CitizenAccount.person_id)
        .where(Person.email == email.strip().lower(), CitizenAccount.kind == "portal")
    )


async def request_password_reset(db: AsyncSession, email: str, locale: str, base_url: str) -> None:
    """Sends a reset link if the account exists; the caller answers the same either way."""
    account = await find_portal_account(db, email)
    if account is None:
        return
    token = email_tokens.issue(
        db, "password_reset", account.person.email or email, person_id=account.person_id
    )
    outbox.enqueue(
        db,
        "password_reset",
        account.person.email or email,
        language.email_language(profile=account.person.preferred_locale, page=locale),
        {
            "name": account.person.given_names,
            "link": links.absolute_url(base_url, "citizen_reset", token=token),
        },
    )


async def reset_password(
    db: AsyncSession, token: str, new_password: str, actor: audit.Actor
) -> bool:
    row = await email_tokens.consume(db, "password_reset", token)
    if row is None or row.person_id is None:
        return False
    await db.execute(
        update(CitizenAccount)
        .where(CitizenAccount.person_id == row.person_id)
        .values(
            password_hash=hash_password(new_password),
            session_epoch=CitizenAccount.session_epoch + 1,
        )
    )
    # The emailed link proves the owner: any sign-in delay on the address ends too.
    await throttle.forget(db, signin.email_key(signin.CITIZEN_SCOPE, row.email))
    audit.record(db, actor, "citizen_account.password_reset", "person", row.person_id)
    return True


def viewer_for(account: CitizenAccount) -> Viewer:
    return Viewer("citizen", account.id, account.person.full_name, person_id=account.person_id)


_ACCOUNTS, _PEOPLE = CitizenAccount.__table__, Person.__table__
# Columns, not objects: this runs on every page a signed-in person opens.
_VIEWER = (
    select(
        _ACCOUNTS.c.session_epoch,
        _ACCOUNTS.c.person_id,
        _PEOPLE.c.given_names,
        _PEOPLE.c.surnames,
    )
    .join(_PEOPLE, _PEOPLE.c.id == _ACCOUNTS.c.person_id)
    .where(_ACCOUNTS.c.id == bindparam("account_id"))
)


async def load_viewer(db: AsyncSession, account_id: int, epoch: int) -> Viewer | None:
    row = (await db.execute(_VIEWER, {"account_id": account_id})).first()
    if row is None or row.session_epoch != epoch:
        return None
    name = Person.name_from(row.given_names, row.surnames)
    return Viewer("citizen", account_id, name, person_id=row.person_id)


class ClaveUnicaError(ValueError):
    pass


@dataclass(frozen=True)
class ClaveUnicaIdentity:
    sub: str
    run: str
    given_names: str
    surnames: str


def parse_claveunica_userinfo(userinfo: dict[str, Any]) -> ClaveUnicaIdentity:
    """Reads ClaveÚnica's userinfo: RolUnico.numero (int), DV (str, may be 'K'), name arrays."""
    rol = userinfo.get("RolUnico")
    name = userinfo.get("name")
    if not isinstance(rol, dict) or not isinstance(name, dict):
        raise ClaveUnicaError("userinfo lacks RolUnico or name")
    numero, dv = rol.get("numero"), rol.get("DV")
    if not isinstance(numero, int | str) or not isinstance(dv, str):
        raise ClaveUnicaError("RolUnico is malformed")
    run = identity.run_from_claveunica(numero, dv)
    if run is None:
        raise ClaveUnicaError("RUN check digit does not match")
    nombres, apellidos = name.get("nombres") or [], name.get("apellidos") or []
    if not all(isinstance(part, str) for part in [*nombres, *apellidos]):
        raise ClaveUnicaError("names are malformed")
    return ClaveUnicaIdentity(
        sub=str(userinfo.get("sub", "")),
        run=run,
        given_names=" ".join(nombres),
        surnames=" ".join(apellidos),
    )


async def sign_in_with_claveunica(
    db: AsyncSession, ident: ClaveUnicaIdentity, locale: str, actor: audit.Actor
) -> CitizenAccount:
    """Keys the person on the RUN (not on ``sub``); creates person and account on first use."""
    person = await people.find_by_run(db, ident.run)
    if person is None:
        person = people.create_person(
            db,
            actor,
            run=ident.run,
            given_names=ident.given_names,
            surnames=ident.surnames,
            preferred_locale=locale,
        )
        await people.audit_created(db, actor, person)
    else:
        await people.update_person(
            db, None, person, {"given_names": ident.given_names, "surnames": ident.surnames}, actor
        )
    account = await db.scalar(select(CitizenAccount).where(CitizenAccount.person_id == person.id))
    if account is None:
        account = await _add_account(
            db, actor, person_id=person.id, kind="claveunica", claveunica_sub=ident.sub
        )
    account.last_login_at = utcnow()
    await db.refresh(account, ["person"])
    return account


def send_email_proof(
    db: AsyncSession, email: str, locale: str, base_url: str, next_path: str
) -> None:
    """For people without an account: a one-time link proves they own the address."""
    token = email_tokens.issue(db, "prove_email", email, payload={"next": next_path})
    link = links.absolute_url(base_url, "confirm_email_proof", token=token)
    locale = language.email_language(profile=None, page=locale)  # nobody known yet
    outbox.enqueue(db, "prove_email", email, locale, {"link": link})


async def confirm_email_proof(db: AsyncSession, token: str) -> tuple[str, str] | None:
    row = await email_tokens.consume(db, "prove_email", token)
    if row is None:
        return None
    return row.email, str(row.payload.get("next") or links.url_path("home"))
