"""`python -m helpdesk remove-demo` on a fresh database and on one staff have used: every demo
account and person goes with whatever hangs off them, real data stays, or it refuses, names
what blocks it and deletes nothing (issue 13)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import refuse_demo_accounts_in_production
from helpdesk.__main__ import _remove_demo
from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.staff import NewStaff, create_staff
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import SYSTEM
from helpdesk.cli_db import migrate
from helpdesk.core.db import Base, make_engine, make_sessionmaker, utcnow
from helpdesk.core.settings import Settings
from helpdesk.demo import removal
from helpdesk.demo.accounts import DEMO_CITIZENS, DEMO_STAFF, load_demo
from helpdesk.demo.requests import load_requests
from helpdesk.people.models import Person
from helpdesk.tickets.kinds import WEB
from helpdesk.tickets.models import Ticket, TicketMessage
from helpdesk.tickets.opening.writing import NewRequest, Opening, create_requests
from tests.support import database

T = Base.metadata.tables
DRIVER = os.environ.get("SQLITE_DRIVER", "custom")


def test_every_foreign_key_to_staff_or_people_has_a_rule() -> None:
    assert removal.unruled_foreign_keys() == []


@pytest.fixture
def cli_settings(backend: str, settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """A database of its own, migrated: the CLI's settings pointing at it."""
    if backend == "sqlite":
        url, name = database.sqlite_url(tmp_path), None
    else:
        url, name = asyncio.run(database.create_postgres_database())
    asyncio.run(_with(url, None))
    yield dataclasses.replace(settings, database_url=url)
    if name:
        asyncio.run(database.drop_postgres_database(name))


async def _with(url: str, work: Any) -> Any:
    engine = make_engine(url, sqlite_driver=DRIVER)
    try:
        if work is None:
            return await migrate(engine)
        async with make_sessionmaker(engine)() as db, db.begin():
            return await work(db)
    finally:
        await engine.dispose()


def run(settings: Settings, work: Any) -> Any:
    return asyncio.run(_with(settings.database_url, work))


def remove_demo_cli(settings: Settings) -> None:
    _remove_demo(settings, argparse.Namespace())


async def demo_ids(db: AsyncSession) -> tuple[list[int], list[int]]:
    staff = list(await db.scalars(select(StaffAccount.id).where(StaffAccount.is_demo)))
    people = list(await db.scalars(removal.demo_people()))
    return staff, people


async def pointing_at(db: AsyncSession, staff: list[int], people: list[int]) -> dict[str, int]:
    """How many rows of each ruled column point at the given accounts and people."""
    counts = {}
    for target, ids in (("staff_accounts", staff), ("people", people)):
        for table, column in removal.RULES[target]:
            if table not in T:
                continue
            col = T[table].c[column]
            counts[f"{table}.{column}"] = await db.scalar(
                select(func.count()).select_from(T[table]).where(col.in_(ids))
            )
    return counts


def test_on_a_fresh_database_every_demo_account_and_person_goes(
    cli_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run(cli_settings, load_demo)

    remove_demo_cli(cli_settings)

    assert "demo removed: 6 staff accounts, 3 people" in capsys.readouterr().out
    assert run(cli_settings, removal.demo_left) == 0
    emails = [c["email"] for c in DEMO_CITIZENS]
    left = run(
        cli_settings,
        lambda db: db.scalar(select(func.count(Person.id)).where(Person.email.in_(emails))),
    )
    assert left == 0
    asyncio.run(production_starts(cli_settings))


PRODUCTION = SimpleNamespace(is_production=True)


async def production_starts(settings: Settings) -> None:
    """Production's start-up check passes: it raises while demo accounts exist."""
    engine = make_engine(settings.database_url, sqlite_driver=DRIVER)
    try:
        await refuse_demo_accounts_in_production(PRODUCTION, make_sessionmaker(engine))
    finally:
        await engine.dispose()


async def use_as_staff(db: AsyncSession) -> dict[str, int]:
    """What weeks of use leave behind: a demo agent holds real requests, has an API token,
    sits in a team, was looking at a request, linked two; the demo editor wrote and published
    an article; a demo citizen asked for a link; records were merged; mail is waiting."""
    staff = {
        row.email: row.id for row in await db.execute(select(StaffAccount.id, StaffAccount.email))
    }
    agent, editor, admin = (
        staff[DEMO_STAFF[0].email],
        staff["editora@demo.portal"],
        staff["admin@demo.portal"],
    )
    real_agent = await create_staff(
        db, NewStaff("ana.real@sermig.example", "Ana Real", "regional_agent", "santiago"), SYSTEM
    )
    real = Person(
        given_names="Rosa",
        surnames="Real",
        email="rosa.real@example.cl",
        region_code="RM",
        email_verified_at=utcnow(),
    )
    db.add(real)
    await db.flush()
    openings = [
        Opening(
            NewRequest("consulta", f"Consulta {n}", "Texto", WEB, real.email, "es", real.id, "RM"),
            SYSTEM,
            "https://portal.example",
        )
        for n in range(2)
    ]
    first, second = (c.id for c in await create_requests(db, openings))
    await db.execute(update(Ticket).where(Ticket.id == first).values(assignee_id=agent))
    db.add(
        TicketMessage(request_id=first, author_kind="staff", author_id=agent, body="Le respondo.")
    )
    demo_request = await db.scalar(select(Ticket.id).where(Ticket.person_id != real.id).limit(1))
    demo_people = list(await db.scalars(removal.demo_people().order_by(Person.id)))
    marie = await db.scalar(select(Person.id).where(Person.email == DEMO_CITIZENS[0]["email"]))
    team = "mesa-rm"
    await db.execute(insert(T["teams"]).values(code=team, name="Mesa RM", region_code="RM"))
    now = utcnow()
    rows: list[tuple[str, dict[str, Any]]] = [
        ("api_tokens", {"staff_id": agent, "name": "integración", "token_digest": "a" * 64}),
        ("api_tokens", {"staff_id": real_agent.id, "name": "real", "token_digest": "b" * 64}),
        ("team_members", {"team_code": team, "staff_id": agent, "available": True}),
        ("team_members", {"team_code": team, "staff_id": real_agent.id, "available": True}),
        ("request_presence", {"request_id": first, "staff_id": agent, "seen_at": now}),
        ("request_links", {"request_id": first, "related_id": second, "relation": "related"}),
        ("request_links", {"request_id": first, "related_id": demo_request, "relation": "related"}),
        (
            "email_tokens",
            {"purpose": "sign_in", "token_digest": "c" * 64, "email": "m@demo.portal"}
            | {"person_id": marie, "expires_at": now + timedelta(hours=1)},
        ),
        ("person_merges", {"duplicate_id": demo_people[-1], "kept_id": marie, "merged_by": agent}),
        ("person_merges", {"duplicate_id": demo_people[-2], "kept_id": real.id}),
        ("outbox_messages", _mail(DEMO_CITIZENS[0]["email"], "<demo@x>")),
        ("outbox_messages", _mail(real.email, "<real@x>")),
    ]
    if "pending_person_links" in T:  # a real request opened for a demo person's email
        rows.append(("pending_person_links", {"request_id": second, "candidate_id": marie}))
    if "cases" in T:  # a demo person's application, linked to them: it stays, unlinked
        day = date(2025, 1, 2)
        application = {"number": "RT-REMOVAL-1", "case_type": "residencia_temporal"}
        application |= {"document_type": "pasaporte", "document_number": "HT1234567"}
        application |= {"document_country": "HT", "region_code": "RM", "submitted_on": day}
        application |= {"status": "ingresada", "status_on": day, "person_id": marie}
        rows.append(("cases", application | {"created_at": now, "updated_at": now}))
    if "appointments" in T:  # a demo person's appointment: it stays (its seat), unlinked
        office = await db.scalar(select(T["offices"].c.id).where(T["offices"].c.slug == "santiago"))
        booked = {"office_id": office, "tramite_code": "pt-prorroga", "starts_at": now}
        booked |= {"local_day": now.date(), "person_id": marie, "email": "m@demo.portal"}
        booked |= {"name": "", "locale": "fr", "status": "booked", "access_digest": "d" * 64}
        rows.append(("appointments", booked | {"created_at": now, "updated_at": now}))
    for table, values in rows:
        await db.execute(insert(T[table]).values(**values))
    if "request_cases" in T:  # a demo agent linked that application to a real request
        number = T["cases"].c.number
        case_id = await db.scalar(select(T["cases"].c.id).where(number == "RT-REMOVAL-1"))
        link = {"request_id": first, "case_id": case_id, "linked_by": agent, "created_at": now}
        await db.execute(insert(T["request_cases"]).values(**link))
    await db.execute(
        update(T["request_links"])
        .where(T["request_links"].c.request_id == first)
        .values(created_by=agent)
    )
    await db.execute(
        update(Person).where(Person.id == demo_people[-1]).values(merged_into_id=marie)
    )
    await db.execute(
        update(Person).where(Person.id == demo_people[-2]).values(merged_into_id=real.id)
    )
    article = (
        await db.execute(
            insert(T["kb_articles"]).values(slug="demo-escrita", type="ficha", category="visas")
        )
    ).inserted_primary_key[0]
    translation = (
        await db.execute(
            insert(T["kb_translations"]).values(
                article_id=article,
                locale="es",
                status="published",
                title="Visa temporaria",
                author_id=editor,
                submitted_by=editor,
                reviewer_id=admin,
            )
        )
    ).inserted_primary_key[0]
    version = (
        await db.execute(
            insert(T["kb_translation_versions"]).values(
                translation_id=translation,
                number=1,
                title="Visa temporaria",
                published_by=editor,
                reviewer_id=admin,
            )
        )
    ).inserted_primary_key[0]
    return {
        "real_person": real.id,
        "real_agent": real_agent.id,
        "first": first,
        "second": second,
        "translation": translation,
        "version": version,
    }


def _mail(to: str, message_id: str) -> dict[str, Any]:
    return {
        "template": "prove_email",
        "locale": "es",
        "to_address": to,
        "context": {},
        "message_id": message_id,
    }


def load_used(settings: Settings) -> dict[str, int]:
    run(settings, load_demo)
    run(settings, load_requests)  # the demo set, as `load-demo` writes it
    return run(settings, use_as_staff)


def test_on_a_used_database_the_demo_goes_with_what_hangs_off_it_and_real_data_stays(
    cli_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = load_used(cli_settings)
    staff, people = run(cli_settings, demo_ids)
    before = run(cli_settings, lambda db: pointing_at(db, staff, people))
    assert all(before.values()), before  # every rule has a row to act on

    remove_demo_cli(cli_settings)

    assert "1 real requests back in the queue" in capsys.readouterr().out
    assert run(cli_settings, removal.demo_left) == 0
    after = run(cli_settings, lambda db: pointing_at(db, staff, people))
    assert set(after.values()) == {0}, after

    async def check(db: AsyncSession) -> None:
        real = await db.get(Person, ids["real_person"])
        assert real is not None and real.merged_into_id is None
        assert await db.get(StaffAccount, ids["real_agent"]) is not None
        tickets = (await db.scalars(select(Ticket).order_by(Ticket.id))).all()
        assert [t.id for t in tickets] == [ids["first"], ids["second"]]
        assert tickets[0].assignee_id is None
        # The real request keeps its history, the demo agent's reply included.
        assert await db.scalar(
            select(func.count(TicketMessage.id)).where(
                TicketMessage.request_id == ids["first"], TicketMessage.author_kind == "staff"
            )
        )
        one = {"request_id": ids["first"], "related_id": ids["second"]}
        links = (await db.execute(select(T["request_links"]))).mappings().all()
        assert [(r["request_id"], r["related_id"], r["created_by"]) for r in links] == [
            (one["request_id"], one["related_id"], None)
        ]
        for table, who in (("api_tokens", "staff_id"), ("team_members", "staff_id")):
            assert list(await db.scalars(select(T[table].c[who]))) == [ids["real_agent"]]
        # The published article stays on the site, naming no one.
        translation = (
            await db.execute(
                select(T["kb_translations"]).where(T["kb_translations"].c.id == ids["translation"])
            )
        ).one()
        assert (translation.author_id, translation.submitted_by, translation.reviewer_id) == (
            None,
            None,
            None,
        )
        version = (
            await db.execute(
                select(T["kb_translation_versions"]).where(
                    T["kb_translation_versions"].c.id == ids["version"]
                )
            )
        ).one()
        assert (version.published_by, version.reviewer_id) == (None, None)
        waiting = list(await db.scalars(select(T["outbox_messages"].c.to_address)))
        assert "rosa.real@example.cl" in waiting
        assert not [a for a in waiting if a.endswith("demo.portal")]
        actions = list(await db.scalars(select(AuditEvent.action)))
        assert actions.count("staff.demo_removed") == len(DEMO_STAFF)
        assert actions.count("person.demo_removed") == len(people)
        assert "request.unassign" in actions
        if "cases" in T:
            kept = (await db.execute(select(T["cases"].c.number, T["cases"].c.person_id))).all()
            assert [tuple(row) for row in kept] == [("RT-REMOVAL-1", None)]
        if "appointments" in T:
            held = (
                await db.execute(select(T["appointments"].c.email, T["appointments"].c.person_id))
            ).all()
            assert [tuple(row) for row in held] == [("m@demo.portal", None)]

    run(cli_settings, check)
    asyncio.run(production_starts(cli_settings))


def test_it_refuses_naming_a_real_person_merged_into_a_demo_one_and_deletes_nothing(
    cli_settings: Settings,
) -> None:
    ids = load_used(cli_settings)

    async def merge_real_into_demo(db: AsyncSession) -> int:
        marie = await db.scalar(select(Person.id).where(Person.email == DEMO_CITIZENS[0]["email"]))
        await db.execute(
            update(Person).where(Person.id == ids["real_person"]).values(merged_into_id=marie)
        )
        return marie

    marie = run(cli_settings, merge_real_into_demo)
    staff, people = run(cli_settings, demo_ids)

    with pytest.raises(SystemExit) as refused:
        remove_demo_cli(cli_settings)

    message = str(refused.value.code)
    assert "nothing was deleted" in message
    assert f"person #{ids['real_person']} (not a demo person)" in message
    assert f"demo person #{marie}" in message
    assert run(cli_settings, demo_ids) == (staff, people)
    assert run(cli_settings, lambda db: db.scalar(select(func.count(Ticket.id)))) > 2
