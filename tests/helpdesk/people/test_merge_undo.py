"""Undoing a person merge: the reported bug (after merging two unrelated people, a reply on
one's request was emailed to the other), exact restoration, who may merge and undo, and the
pages' undo button."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.accounts.models import CitizenAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.core.db import utcnow
from helpdesk.core.errors import NotFound, PermissionDenied
from helpdesk.notifications.models import OutboxMessage
from helpdesk.people import merging, unmerging
from helpdesk.people.models import Person, PersonMerge
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.workbench import service as workbench
from tests.helpdesk.people.test_merging import (
    NO_DOCUMENT,
    get,
    new_email,
    new_run,
    open_for,
    sign_in,
)
from tests.support import factories
from tests.support.http import page_text
from tests.support.markup import parse_page

SUPERVISOR = Viewer("staff", 5, "Supervisora", role="supervisor")
ADMIN = Viewer("staff", 6, "Admin", role="admin")
ANALYST = Viewer("staff", 1, "Analista", role="central_analyst")
RM_AGENT = Viewer("staff", 2, "Agente", role="regional_agent", region_code="RM")
TA_AGENT = Viewer("staff", 3, "Agente TA", role="regional_agent", region_code="TA")
EDITOR = Viewer("staff", 4, "Editora", role="kb_editor")
ACTOR = Actor("staff", 5, "203.0.113.9")


async def merge(sessionmaker, duplicate: int, kept: int, viewer: Viewer = SUPERVISOR, **kw):
    async with sessionmaker() as db, db.begin():
        dup, keep = await db.get(Person, duplicate), await db.get(Person, kept)
        assert dup is not None and keep is not None
        return await merging.merge_people(db, viewer, dup, keep, ACTOR, **kw)


async def undo(sessionmaker, merge_id: int, viewer: Viewer = SUPERVISOR) -> dict[str, int]:
    async with sessionmaker() as db, db.begin():
        record = await unmerging.get_merge(db, viewer, merge_id)
        return await unmerging.undo_merge(db, viewer, record, ACTOR)


async def reply_goes_to(sessionmaker, folio: str, body: str) -> str:
    """Where a staff reply on the request is emailed (the outbox row's address)."""
    async with sessionmaker() as db, db.begin():
        ticket = await db.scalar(select(Ticket).where(Ticket.folio == folio))
        assert ticket is not None
        await workbench.reply(db, SUPERVISOR, ticket, body, ACTOR, "http://testserver")
    async with sessionmaker() as db:
        rows = (await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    sent = [r for r in rows if body in str(r.context)]
    assert len(sent) == 1
    return sent[0].to_address


async def test_after_merge_and_undo_replies_reach_each_person_again(sessionmaker) -> None:
    """The issue's report: two unrelated people merged; the next reply on one's request went
    to the other. The preview warns of it; the undo puts each request back with its person."""
    ana_email, rosa_email = new_email(), new_email()
    ana = await factories.person(
        sessionmaker, "RM", given_names="Ana", surnames="Soto", email=ana_email, **NO_DOCUMENT
    )
    rosa = await factories.person(sessionmaker, "RM", given_names="Rosa", surnames="Pierre",
                                  email=rosa_email)  # fmt: skip
    ana_folio, rosa_folio = await open_for(sessionmaker, ana), await open_for(sessionmaker, rosa)

    async with sessionmaker() as db:
        a, r = await db.get(Person, ana), await db.get(Person, rosa)
        assert a is not None and r is not None
        codes = {c.code for c in merging.merge_rules.conflicts(r, a)}
    assert {"names", "email"} <= codes  # shown loudly on the preview

    result = await merge(sessionmaker, rosa, ana, ANALYST)
    assert result.merge_id is not None and result.requests_moved == 1
    # What the issue saw: Rosa's request now answers to Ana's address.
    assert await reply_goes_to(sessionmaker, rosa_folio, "Primera respuesta") == ana_email

    assert await undo(sessionmaker, result.merge_id) == {"requests": 1}
    assert await reply_goes_to(sessionmaker, rosa_folio, "Respuesta tras deshacer") == rosa_email
    assert await reply_goes_to(sessionmaker, ana_folio, "Respuesta a Ana") == ana_email
    restored = await get(sessionmaker, rosa)
    assert restored.merged_into_id is None and restored.email == rosa_email


async def test_undo_restores_exactly_what_moved(sessionmaker) -> None:
    run = new_run()
    email, dup = await factories.citizen(sessionmaker, "RM")
    async with sessionmaker() as db, db.begin():
        row = await db.get(Person, dup)
        assert row is not None
        row.run, row.phone = run, "+56 9 5555 0000"
        fields = ("document_type", "document_number", "document_country", "email", "birth_date")
        before = {k: getattr(row, k) for k in fields}
    kept = await factories.person(
        sessionmaker, "RM", email=None, phone=None, birth_date=None, **NO_DOCUMENT
    )
    dup_folios = [await open_for(sessionmaker, dup) for _ in range(2)]
    kept_folio = await open_for(sessionmaker, kept)
    result = await merge(sessionmaker, dup, kept)
    assert result.account_moved
    merged = await get(sessionmaker, kept)
    assert merged.run == run and merged.email == email and merged.document_number
    # After the merge, the kept record gets a request of its own and a new phone.
    later_folio = await open_for(sessionmaker, kept)
    async with sessionmaker() as db, db.begin():
        row = await db.get(Person, kept)
        assert row is not None
        row.phone = "+56 2 2222 2222"

    assert result.merge_id is not None
    await undo(sessionmaker, result.merge_id)
    restored, back = await get(sessionmaker, dup), await get(sessionmaker, kept)
    assert restored.merged_into_id is None and restored.run == run
    assert {k: getattr(restored, k) for k in before} == before
    assert back.run is None and back.document_number is None and back.email is None
    assert back.birth_date is None
    assert back.phone == "+56 2 2222 2222"  # changed since the merge: left as it is
    async with sessionmaker() as db:
        owners = dict(
            (await db.execute(select(Ticket.folio, Ticket.person_id).where(
                Ticket.folio.in_([*dup_folios, kept_folio, later_folio])
            ))).all()
        )  # fmt: skip
        account = await db.scalar(select(CitizenAccount).where(CitizenAccount.person_id == dup))
        record = await db.get(PersonMerge, result.merge_id)
        events = (
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "person.unmerge",
                    AuditEvent.entity_id.in_([dup, kept]),
                )
            )
        ).all()
    assert owners == {**dict.fromkeys(dup_folios, dup), kept_folio: kept, later_folio: kept}
    assert account is not None
    assert record is not None and record.undone_at is not None and record.undone_by == ACTOR.id
    assert {e.entity_id: e.changes for e in events} == {
        dup: {"merged_into": [kept, None]},
        kept: {"merged_from": [dup, None]},
    }
    # Undone once; a second undo is refused, and the pair can be merged again.
    with pytest.raises(merging.PersonMergeRefused):
        await undo(sessionmaker, result.merge_id)
    again = await merge(sessionmaker, dup, kept)
    assert again.requests_moved == 2


@pytest.mark.parametrize(
    ("viewer", "outcome"),
    [
        (RM_AGENT, "merged"),
        (TA_AGENT, PermissionDenied),
        (ANALYST, "merged"),
        (SUPERVISOR, "merged"),
        (ADMIN, "merged"),
        (EDITOR, PermissionDenied),
    ],
)
async def test_who_may_merge(sessionmaker, viewer: Viewer, outcome) -> None:
    dup = await factories.person(sessionmaker, "RM")
    kept = await factories.person(sessionmaker, "RM", **NO_DOCUMENT)
    if outcome == "merged":
        assert (await merge(sessionmaker, dup, kept, viewer)).merge_id is not None
    else:
        with pytest.raises(outcome):
            await merge(sessionmaker, dup, kept, viewer)


@pytest.mark.parametrize(
    ("viewer", "reason", "outcome"),
    [
        (RM_AGENT, "Pasaporte renovado en 2025", "refused"),
        (ANALYST, "Pasaporte renovado en 2025", "refused"),
        (SUPERVISOR, "", "refused"),
        (SUPERVISOR, "corto", "refused"),
        (SUPERVISOR, "Pasaporte renovado en 2025", "merged"),
        (ADMIN, "Pasaporte renovado en 2025", "merged"),
    ],
)
async def test_different_documents_need_a_supervisor_and_a_reason(
    sessionmaker, viewer: Viewer, reason: str, outcome: str
) -> None:
    dup, kept = await factories.person(sessionmaker, "RM"), await factories.person(sessionmaker)
    if outcome == "refused":
        with pytest.raises(merging.PersonMergeRefused):
            await merge(sessionmaker, dup, kept, viewer, override_reason=reason)
        assert (await get(sessionmaker, dup)).merged_into_id is None
        return
    result = await merge(sessionmaker, dup, kept, viewer, override_reason=reason)
    async with sessionmaker() as db:
        record = await db.get(PersonMerge, result.merge_id)
        event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "person.merge", AuditEvent.entity_id == dup
            )
        )
    assert record is not None and record.override_reason == reason
    assert event is not None and event.changes["reason"] == [None, reason]
    assert event.changes["override"] == [None, ["document"]]


async def test_a_different_run_is_refused_even_to_a_supervisor(sessionmaker) -> None:
    dup = await factories.person(sessionmaker, "RM", run=new_run(), **NO_DOCUMENT)
    kept = await factories.person(sessionmaker, "RM", run=new_run(), **NO_DOCUMENT)
    with pytest.raises(merging.PersonMergeRefused) as refused:
        await merge(sessionmaker, dup, kept, SUPERVISOR, override_reason="Es la misma persona")
    assert "RUN distintos" in refused.value.message


@pytest.mark.parametrize(
    ("viewer", "outcome"),
    [
        (RM_AGENT, PermissionDenied),
        (TA_AGENT, NotFound),  # records outside their region: as if there were no merge
        (ANALYST, PermissionDenied),
        (EDITOR, NotFound),
        (SUPERVISOR, "undone"),
        (ADMIN, "undone"),
    ],
)
async def test_who_may_undo(sessionmaker, viewer: Viewer, outcome) -> None:
    dup = await factories.person(sessionmaker, "RM")
    kept = await factories.person(sessionmaker, "RM", **NO_DOCUMENT)
    result = await merge(sessionmaker, dup, kept, RM_AGENT)
    assert result.merge_id is not None
    if outcome == "undone":
        await undo(sessionmaker, result.merge_id, viewer)
        assert (await get(sessionmaker, dup)).merged_into_id is None
        return
    with pytest.raises(outcome):
        await undo(sessionmaker, result.merge_id, viewer)
    assert (await get(sessionmaker, dup)).merged_into_id == kept


async def test_a_chained_merge_is_undone_last_first(sessionmaker) -> None:
    a = await factories.person(sessionmaker, "RM")
    b = await factories.person(sessionmaker, "RM", **NO_DOCUMENT)
    c = await factories.person(sessionmaker, "RM", **NO_DOCUMENT)
    first = await merge(sessionmaker, a, b)
    second = await merge(sessionmaker, b, c)
    assert first.merge_id and second.merge_id
    with pytest.raises(merging.PersonMergeRefused) as refused:
        await undo(sessionmaker, first.merge_id)
    assert "deshaga primero" in refused.value.message
    await undo(sessionmaker, second.merge_id)
    await undo(sessionmaker, first.merge_id)
    assert (await get(sessionmaker, a)).merged_into_id is None


async def test_undo_button_for_supervisors_only(client, sessionmaker) -> None:
    email = new_email()
    dup = await factories.person(sessionmaker, "RM", email=email, email_verified_at=utcnow())
    kept = await factories.person(sessionmaker, "RM", **NO_DOCUMENT)
    folio = await open_for(sessionmaker, dup, "Solicitud por restaurar")
    result = await merge(sessionmaker, dup, kept, ANALYST)
    undo_url = f"/staff/fusiones/{result.merge_id}/deshacer"
    page_url = f"/staff/personas/{kept}"

    await sign_in(client, sessionmaker, "central_analyst")
    page = await client.get(page_url)
    assert "Fusiones" in page_text(page.text) and undo_url not in page.text
    assert (await client.submit(undo_url, {}, page_url)).status_code == 403
    await client.post("/staff/salir", data={"csrf_token": await client.csrf("/staff")})

    await sign_in(client, sessionmaker, "supervisor")
    page = await client.get(page_url)
    assert undo_url in parse_page(page.text).values("action")
    assert (await client.post(undo_url, data={})).status_code == 403  # no CSRF token
    assert (
        await client.submit("/staff/fusiones/999999999/deshacer", {}, page_url)
    ).status_code == 404
    response = await client.submit(undo_url, {}, page_url)
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/personas/{dup}?hecho=restaurada"
    restored = page_text((await client.get(response.headers["location"])).text)
    assert "La fusión se deshizo" in restored and folio in restored
    assert f"Fusión con la ficha N° {kept} deshecha" in restored
    again = await client.submit(undo_url, {}, page_url)
    assert again.status_code == 409 and "ya se deshizo" in page_text(again.text)
