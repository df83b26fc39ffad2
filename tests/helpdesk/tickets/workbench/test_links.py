"""Merging duplicate requests and linking related ones: the service (history kept, status
recorded, audit events, links both ways) and the staff and citizen pages."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.core.errors import PermissionDenied
from helpdesk.tickets import status_flow
from helpdesk.tickets.citizen import service as citizen_service
from helpdesk.tickets.models import StatusChange, Ticket, TicketLink, TicketMessage
from helpdesk.tickets.service import NewRequest, open_request
from helpdesk.tickets.workbench import links as merging
from helpdesk.tickets.workbench import service as agent_service
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text

XSS_SUBJECT = "<script>alert('asunto')</script>"
XSS_BODY = "<img src=x onerror=alert('cuerpo')>"


async def staff_viewer(sessionmaker, role: str = "central_analyst") -> tuple[Viewer, str]:
    email = await staff_member(sessionmaker, role, "santiago" if role == "regional_agent" else None)
    async with sessionmaker() as db:
        staff_id = await db.scalar(select(StaffAccount.id).where(StaffAccount.email == email))
    assert staff_id is not None
    region = "RM" if role == "regional_agent" else None
    return Viewer("staff", staff_id, "Test", role=role, region_code=region), email


async def make_request(
    sessionmaker,
    region: str = "RM",
    subject: str = "Prórroga de visa",
    body: str = "Mensaje original",
    email: str | None = None,
) -> dict[str, str]:
    email = email or f"p.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        data = NewRequest("consulta", subject, body, "web", email, "es", region_code=region)
        opened = await open_request(db, data, Actor("anonymous", None), "http://testserver")
    return {"folio": opened.ticket.folio, "token": opened.access_token, "email": email}


async def by_folio(db, folio: str) -> Ticket:
    row = await db.scalar(select(Ticket).where(Ticket.folio == folio))
    assert row is not None
    return row


def actor_of(viewer: Viewer) -> Actor:
    return Actor("staff", viewer.id, "203.0.113.9")


async def merge(sessionmaker, viewer: Viewer, duplicate: str, kept: str) -> None:
    async with sessionmaker() as db, db.begin():
        await merging.merge_requests(
            db, viewer, await by_folio(db, duplicate), await by_folio(db, kept), actor_of(viewer)
        )


# --- Service.


async def test_merge_keeps_history_and_records_everything(sessionmaker) -> None:
    viewer, _ = await staff_viewer(sessionmaker)
    dup = await make_request(sessionmaker, body="Texto del duplicado")
    kept = await make_request(sessionmaker, body="Texto de la que queda")
    await merge(sessionmaker, viewer, dup["folio"], kept["folio"])

    async with sessionmaker() as db:
        duplicate, survivor = await by_folio(db, dup["folio"]), await by_folio(db, kept["folio"])
        assert duplicate.merged_into_id == survivor.id and survivor.merged_into_id is None
        assert duplicate.status == status_flow.CERRADO and duplicate.closed_at is not None
        assert status_flow.is_open(survivor.status)
        moves = (
            await db.scalars(
                select(StatusChange)
                .where(StatusChange.request_id == duplicate.id)
                .order_by(StatusChange.id)
            )
        ).all()
        assert (moves[-1].from_status, moves[-1].to_status) == ("nuevo", "cerrado")
        assert (moves[-1].actor_kind, moves[-1].actor_id) == ("agent", viewer.id)
        # Nothing moved: the duplicate's messages are still its own.
        bodies = (
            await db.scalars(
                select(TicketMessage.body).where(TicketMessage.request_id == duplicate.id)
            )
        ).all()
        assert "Texto del duplicado" in bodies
        link = await db.scalar(select(TicketLink).where(TicketLink.request_id == duplicate.id))
        assert link is not None
        assert (link.related_id, link.relation, link.created_by) == (
            survivor.id,
            "duplicate",
            viewer.id,
        )
        for row in (duplicate, survivor):
            notes = (
                await db.scalars(
                    select(TicketMessage.body).where(
                        TicketMessage.request_id == row.id, TicketMessage.internal.is_(True)
                    )
                )
            ).all()
            assert any(dup["folio"] in n and kept["folio"] in n for n in notes)
            actions = (
                await db.scalars(
                    select(AuditEvent.action).where(
                        AuditEvent.entity_type == "request", AuditEvent.entity_id == row.id
                    )
                )
            ).all()
            assert "request.merge" in actions
        # Both pages read the merge.
        kept_view = await merging.links_view(db, viewer, survivor)
        assert [m.folio for m in kept_view.merged] == [dup["folio"]]
        assert "Texto del duplicado" in [e.message.body for e in kept_view.merged[0].entries]
        dup_view = await merging.links_view(db, viewer, duplicate)
        assert dup_view.merged_into is not None and dup_view.merged_into.id == survivor.id
        # The flow and the agent's actions refuse a merged request.
        assert agent_service.allowed_targets(duplicate) == ()
        with pytest.raises(agent_service.AgentActionRefused):
            await agent_service.reply(db, viewer, duplicate, "Hola", actor_of(viewer), "http://x")


async def test_merge_of_a_waiting_or_closed_duplicate(sessionmaker) -> None:
    viewer, _ = await staff_viewer(sessionmaker)
    waiting, closed, kept = [await make_request(sessionmaker) for _ in range(3)]
    async with sessionmaker() as db, db.begin():
        row = await by_folio(db, waiting["folio"])
        await agent_service.change_status(db, viewer, row, "en_espera_ciudadano", actor_of(viewer))
        row = await by_folio(db, closed["folio"])
        await agent_service.change_status(db, viewer, row, "cerrado", actor_of(viewer))
    await merge(sessionmaker, viewer, waiting["folio"], kept["folio"])
    await merge(sessionmaker, viewer, closed["folio"], kept["folio"])
    async with sessionmaker() as db:
        for folio, expected_moves in ((waiting["folio"], 3), (closed["folio"], 2)):
            row = await by_folio(db, folio)
            moves = (
                await db.scalars(select(StatusChange).where(StatusChange.request_id == row.id))
            ).all()
            # The waiting one is closed (its clock pause ends); the closed one has no new move.
            assert row.status == "cerrado" and len(moves) == expected_moves
        view = await merging.links_view(db, viewer, await by_folio(db, kept["folio"]))
        assert {m.folio for m in view.merged} == {waiting["folio"], closed["folio"]}


async def test_merge_refusals(sessionmaker) -> None:
    viewer, _ = await staff_viewer(sessionmaker)
    regional, _ = await staff_viewer(sessionmaker, "regional_agent")
    a, b, c = [await make_request(sessionmaker) for _ in range(3)]
    other_region = await make_request(sessionmaker, region="TA")
    await merge(sessionmaker, viewer, a["folio"], b["folio"])
    async with sessionmaker() as db:
        ra, rb, rc = [await by_folio(db, x["folio"]) for x in (a, b, c)]
        cases = [(rc, rc, "consigo misma"), (ra, rc, "ya se fusionó"), (rc, ra, "elija")]
        for duplicate, kept, words in cases:
            with pytest.raises(merging.LinkRefused) as refused:
                await merging.merge_requests(db, viewer, duplicate, kept, actor_of(viewer))
            assert words in refused.value.message
        ta = await by_folio(db, other_region["folio"])
        with pytest.raises(PermissionDenied):
            await merging.merge_requests(db, regional, rc, ta, actor_of(regional))
        with pytest.raises(PermissionDenied):
            await merging.link_requests(db, regional, rc, ta, actor_of(regional))
        # The form's lookup answers an other-region folio like an unknown one.
        assert await merging.find_for_staff(db, regional, other_region["folio"]) is None
        assert await merging.find_for_staff(db, regional, "SIAC-1999-999999") is None
        assert (await merging.find_for_staff(db, regional, c["folio"].lower())) is not None
        assert rb.merged_into_id is None


async def test_links_are_symmetric_idempotent_and_audited(sessionmaker) -> None:
    viewer, _ = await staff_viewer(sessionmaker)
    a, b = await make_request(sessionmaker), await make_request(sessionmaker)
    async with sessionmaker() as db, db.begin():
        ra, rb = await by_folio(db, a["folio"]), await by_folio(db, b["folio"])
        first = await merging.link_requests(db, viewer, ra, rb, actor_of(viewer))
        again = await merging.link_requests(db, viewer, rb, ra, actor_of(viewer))
        assert again.id == first.id
        with pytest.raises(merging.LinkRefused):
            await merging.link_requests(db, viewer, ra, ra, actor_of(viewer))
        link_id = first.id
    async with sessionmaker() as db:
        ra, rb = await by_folio(db, a["folio"]), await by_folio(db, b["folio"])
        assert [x.folio for x in (await merging.links_view(db, viewer, ra)).related] == [b["folio"]]
        assert [x.folio for x in (await merging.links_view(db, viewer, rb)).related] == [a["folio"]]
        events = (
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "request.link", AuditEvent.entity_id.in_([ra.id, rb.id])
                )
            )
        ).all()
        assert len(events) == 2
    async with sessionmaker() as db, db.begin():
        rb = await by_folio(db, b["folio"])
        assert await merging.unlink_requests(db, viewer, rb, link_id, actor_of(viewer))
    async with sessionmaker() as db, db.begin():
        ra = await by_folio(db, a["folio"])
        assert not await merging.unlink_requests(db, viewer, ra, link_id, actor_of(viewer))
        assert (await merging.links_view(db, viewer, ra)).related == []
        unlinked = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "request.unlink", AuditEvent.entity_id == ra.id
            )
        )
        assert unlinked is not None and unlinked.changes == {"related": [b["folio"], None]}


async def test_a_related_link_becomes_the_merge_link_which_cannot_be_removed(sessionmaker) -> None:
    viewer, _ = await staff_viewer(sessionmaker)
    a, b, c = [await make_request(sessionmaker) for _ in range(3)]
    async with sessionmaker() as db, db.begin():
        ra, rb = await by_folio(db, a["folio"]), await by_folio(db, b["folio"])
        link_id = (await merging.link_requests(db, viewer, rb, ra, actor_of(viewer))).id
    await merge(sessionmaker, viewer, a["folio"], b["folio"])
    async with sessionmaker() as db, db.begin():
        ra, rc = await by_folio(db, a["folio"]), await by_folio(db, c["folio"])
        links = (
            await db.scalars(
                select(TicketLink).where(
                    TicketLink.request_id.in_([ra.id, ra.merged_into_id]),
                    TicketLink.related_id.in_([ra.id, ra.merged_into_id]),
                )
            )
        ).all()
        assert [(x.id, x.request_id, x.relation) for x in links] == [(link_id, ra.id, "duplicate")]
        with pytest.raises(merging.LinkRefused):
            await merging.unlink_requests(db, viewer, ra, link_id, actor_of(viewer))
        # Another request's link is answered as one already gone.
        assert not await merging.unlink_requests(db, viewer, rc, link_id, actor_of(viewer))


async def test_citizen_is_told_where_the_conversation_went(sessionmaker) -> None:
    viewer, _ = await staff_viewer(sessionmaker)
    email = f"same.{uuid.uuid4().hex[:8]}@test.portal"
    mine, kept_mine = (
        await make_request(sessionmaker, email=email),
        await make_request(sessionmaker, email=email),
    )
    theirs = await make_request(sessionmaker)
    await merge(sessionmaker, viewer, mine["folio"], kept_mine["folio"])
    await merge(sessionmaker, viewer, theirs["folio"], kept_mine["folio"])
    async with sessionmaker() as db:
        same = await merging.citizen_notice(db, await by_folio(db, mine["folio"]))
        other = await merging.citizen_notice(db, await by_folio(db, theirs["folio"]))
        assert same is not None and same.kept_folio == kept_mine["folio"]
        assert kept_mine["folio"] in same.message
        assert other is not None and other.kept_folio is None
        assert kept_mine["folio"] not in other.message
        assert await merging.citizen_notice(db, await by_folio(db, kept_mine["folio"])) is None
        with pytest.raises(citizen_service.CitizenActionRefused) as refused:
            await citizen_service.add_reply(
                db, await by_folio(db, mine["folio"]), "¿Hola?", [], Actor("citizen", None)
            )
        assert "fusionó" in refused.value.message


# --- Pages.


async def test_merge_form_and_both_pages(client, sessionmaker) -> None:
    email = f"same.{uuid.uuid4().hex[:8]}@test.portal"
    dup = await make_request(sessionmaker, body="Primera versión", email=email)
    kept = await make_request(sessionmaker, body="Segunda versión", email=email)
    _, staff_email = await staff_viewer(sessionmaker, "regional_agent")
    await sign_in_staff(client, staff_email)
    url = f"/staff/solicitudes/{dup['folio']}"
    page = page_text((await client.get(url)).text)
    assert "Solicitudes relacionadas" in page and "Fusionar esta solicitud con" in page

    response = await client.submit(url + "/fusionar", {"con": f" {kept['folio'].lower()} "}, url)
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/solicitudes/{kept['folio']}?hecho=fusionada"
    kept_page = page_text((await client.get(response.headers["location"])).text)
    assert "Fusionadas en esta solicitud" in kept_page
    assert dup["folio"] in kept_page and "Primera versión" in kept_page
    dup_page = page_text((await client.get(url)).text)
    assert f"Esta solicitud se fusionó con {kept['folio']}." in dup_page
    assert "Fusionar esta solicitud con" not in dup_page

    # The citizen's private link: told where it continues, and a reply is refused.
    private = f"/solicitudes/{dup['folio']}/{dup['token']}"
    citizen_page = page_text((await client.get(private)).text)
    assert f"Esta solicitud se fusionó con {kept['folio']}." in citizen_page
    assert "Escribir más" not in citizen_page
    refused = await client.submit(private + "/responder", {"texto": "¿Sigue?"}, private)
    assert refused.status_code == 422
    assert f"se fusionó con {kept['folio']}" in page_text(refused.text)


async def test_citizen_of_another_person_does_not_see_the_kept_folio(client, sessionmaker) -> None:
    viewer, _ = await staff_viewer(sessionmaker)
    dup, kept = await make_request(sessionmaker), await make_request(sessionmaker)
    await merge(sessionmaker, viewer, dup["folio"], kept["folio"])
    private = f"/solicitudes/{dup['folio']}/{dup['token']}"
    text = page_text((await client.get(private)).text)
    assert "se fusionó con otra solicitud" in text and kept["folio"] not in text


async def test_form_errors_are_4xx_with_a_message(client, sessionmaker) -> None:
    mine = await make_request(sessionmaker)
    elsewhere = await make_request(sessionmaker, region="TA")
    _, staff_email = await staff_viewer(sessionmaker, "regional_agent")
    await sign_in_staff(client, staff_email)
    url = f"/staff/solicitudes/{mine['folio']}"
    cases = [
        ("/fusionar", {"con": "no es un folio"}, 422, "Escriba un folio como"),
        ("/fusionar", {"con": ""}, 422, "Escriba el folio"),
        ("/fusionar", {"con": elsewhere["folio"]}, 404, "entre las que usted puede atender"),
        ("/fusionar", {"con": "SIAC-1999-999999"}, 404, "entre las que usted puede atender"),
        ("/fusionar", {"con": mine["folio"]}, 409, "consigo misma"),
        ("/vincular", {"folio": elsewhere["folio"]}, 404, "entre las que usted puede atender"),
        ("/vincular", {"folio": mine["folio"]}, 409, "consigo misma"),
        ("/vincular", {"folio": "x" * 300}, 422, "Escriba un folio como"),
    ]
    for path, data, status, words in cases:
        response = await client.submit(url + path, data, url)
        assert response.status_code == status, (path, data, response.status_code)
        assert words in page_text(response.text), (path, data)
    row = await load_request(sessionmaker, mine["folio"])
    assert row.merged_into_id is None and row.status == "nuevo"
    assert (await client.get(f"/staff/solicitudes/{elsewhere['folio']}")).status_code == 404


async def load_request(sessionmaker, folio: str) -> Ticket:
    async with sessionmaker() as db:
        return await by_folio(db, folio)


async def test_link_and_unlink_forms(client, sessionmaker) -> None:
    a, b = await make_request(sessionmaker), await make_request(sessionmaker)
    _, staff_email = await staff_viewer(sessionmaker)
    await sign_in_staff(client, staff_email)
    url_a, url_b = (f"/staff/solicitudes/{x['folio']}" for x in (a, b))
    response = await client.submit(url_a + "/vincular", {"folio": b["folio"]}, url_a)
    assert response.status_code == 303 and response.headers["location"].endswith("vinculada")
    assert a["folio"] in page_text((await client.get(url_b)).text)
    html = (await client.get(url_b)).text
    action = next(
        value for value in _form_actions(html) if value.startswith(url_b + "/desvincular/")
    )
    response = await client.submit(action, {}, url_b)
    assert response.status_code == 303 and response.headers["location"].endswith("desvinculada")
    assert "No hay solicitudes vinculadas." in page_text((await client.get(url_a)).text)


def _form_actions(html: str) -> list[str]:
    actions: list[str] = []

    class Forms(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "form":
                actions.append(dict(attrs).get("action") or "")

    Forms().feed(html)
    return actions


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.img_onerror = False
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        if tag == "img" and any(name == "onerror" for name, _ in attrs):
            self.img_onerror = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


async def test_subjects_and_bodies_of_linked_and_merged_requests_are_text(
    client, sessionmaker
) -> None:
    viewer, staff_email = await staff_viewer(sessionmaker)
    page_request = await make_request(sessionmaker)
    linked = await make_request(sessionmaker, subject=XSS_SUBJECT)
    merged = await make_request(sessionmaker, subject=XSS_SUBJECT, body=XSS_BODY)
    async with sessionmaker() as db, db.begin():
        await merging.link_requests(
            db,
            viewer,
            await by_folio(db, page_request["folio"]),
            await by_folio(db, linked["folio"]),
            actor_of(viewer),
        )
    await merge(sessionmaker, viewer, merged["folio"], page_request["folio"])
    await sign_in_staff(client, staff_email)
    html = (await client.get(f"/staff/solicitudes/{page_request['folio']}")).text
    found = _Scripts()
    found.feed(html)
    assert not any("alert" in script for script in found.scripts)
    assert not found.img_onerror
    text = page_text(html)
    assert XSS_SUBJECT in text and XSS_BODY in text


async def test_crossed_merges_at_the_same_time_keep_one(sessionmaker, backend) -> None:
    """Two agents merge A into B and B into A at once: one wins, the other is refused, and
    no pair of requests ends merged into each other. (Row locks: PostgreSQL. On SQLite the
    unit of work's write queue runs one writer at a time, tested in core.)"""
    if backend != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite writers take turns in the process")
    import asyncio

    viewer, _ = await staff_viewer(sessionmaker)
    a, b = await make_request(sessionmaker), await make_request(sessionmaker)
    loaded = asyncio.Event()
    ready = 0

    async def merge_one(duplicate: str, kept: str) -> str:
        nonlocal ready
        async with sessionmaker() as db, db.begin():
            dup, keep = await by_folio(db, duplicate), await by_folio(db, kept)
            ready += 1
            if ready == 2:
                loaded.set()
            await loaded.wait()  # both have read both rows before either merges
            try:
                await merging.merge_requests(db, viewer, dup, keep, actor_of(viewer))
            except merging.LinkRefused:
                return "refused"
        return "merged"

    outcomes = await asyncio.gather(
        merge_one(a["folio"], b["folio"]), merge_one(b["folio"], a["folio"])
    )
    assert sorted(outcomes) == ["merged", "refused"]
    async with sessionmaker() as db:
        rows = [await by_folio(db, a["folio"]), await by_folio(db, b["folio"])]
    assert sum(r.merged_into_id is not None for r in rows) == 1
