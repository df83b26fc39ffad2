"""The agent's pages through HTTP: queue scoping, the request page, actions, escaping,
CSRF and roles."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from helpdesk.audit.service import Actor
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets.models import Ticket, TicketMessage
from helpdesk.tickets.service import NewRequest, open_request
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text

XSS_SUBJECT = "<script>alert('asunto')</script>"
XSS_BODY = "<img src=x onerror=alert('cuerpo')>"


async def make_request(
    sessionmaker, region: str = "RM", subject: str = "Prórroga de visa", body: str = "Hola"
) -> dict[str, str]:
    email = f"p.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        data = NewRequest("consulta", subject, body, "web", email, "es", region_code=region)
        opened = await open_request(db, data, Actor("anonymous", None), "http://testserver")
    return {"folio": opened.ticket.folio, "token": opened.access_token, "email": email}


async def signed_in(client, sessionmaker, role: str = "regional_agent", office=None) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, role, office))


async def outbox_replies(sessionmaker, email: str) -> list[OutboxMessage]:
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == email, OutboxMessage.template == "request_reply")
            .order_by(OutboxMessage.id)
        )
        return list(rows.all())


async def load(sessionmaker, folio: str) -> Ticket:
    async with sessionmaker() as db:
        row = await db.scalar(select(Ticket).where(Ticket.folio == folio))
    assert row is not None
    return row


async def test_queue_and_detail_are_region_scoped(client, sessionmaker) -> None:
    rm = await make_request(sessionmaker, "RM")
    ta = await make_request(sessionmaker, "TA")
    await signed_in(client, sessionmaker, "regional_agent", "santiago")
    page = await client.get("/staff/solicitudes?vista=unassigned&tipo=consulta")
    assert page.status_code == 200
    text = page_text(page.text)
    assert rm["folio"] in text and ta["folio"] not in text
    assert (await client.get(f"/staff/solicitudes/{ta['folio']}")).status_code == 404
    detail = await client.get(f"/staff/solicitudes/{rm['folio']}")
    assert detail.status_code == 200 and "Prórroga de visa" in page_text(detail.text)


async def test_analyst_sees_every_region_and_pages_by_keyset(client, sessionmaker) -> None:
    rm = await make_request(sessionmaker, "RM")
    ta = await make_request(sessionmaker, "TA")
    await signed_in(client, sessionmaker, "central_analyst")
    text = page_text((await client.get("/staff/solicitudes")).text)
    assert rm["folio"] in text and ta["folio"] in text
    older = await client.get(
        f"/staff/solicitudes?antes={(await load(sessionmaker, ta['folio'])).id}"
    )
    assert older.status_code == 200 and ta["folio"] not in page_text(older.text)


async def test_reply_is_emailed_with_folio_and_threading(client, sessionmaker, app) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    url = f"/staff/solicitudes/{made['folio']}"
    first = await client.submit(url + "/responder", {"texto": "Su visa está en trámite."}, url)
    assert first.status_code == 303 and first.headers["location"].startswith(url)
    second = await client.submit(
        url + "/responder", {"texto": "Ya está lista.", "luego": "resuelto"}, url
    )
    assert second.status_code == 303
    sent = await outbox_replies(sessionmaker, made["email"])
    assert [m.context["folio"] for m in sent] == [made["folio"]] * 2
    assert sent[1].in_reply_to == sent[0].message_id
    email = EmailRenderer(app.state.templates.env, "portal@test").render(sent[1])
    assert email["Subject"].startswith(f"[{made['folio']}] ")
    assert email["In-Reply-To"] == sent[0].message_id
    row = await load(sessionmaker, made["folio"])
    assert row.status == "resuelto" and row.first_response_at is not None
    # The citizen sees the answer by their private link.
    private = await client.get(f"/solicitudes/{made['folio']}/{made['token']}")
    assert "Ya está lista." in page_text(private.text)


async def test_internal_note_is_not_emailed_nor_shown_to_the_citizen(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    url = f"/staff/solicitudes/{made['folio']}"
    response = await client.submit(url + "/nota", {"nota": "Nota secreta de RUN"}, url)
    assert response.status_code == 303
    assert await outbox_replies(sessionmaker, made["email"]) == []
    staff_text = page_text((await client.get(url)).text)
    assert "Nota secreta de RUN" in staff_text and "Nota interna" in staff_text
    private = await client.get(f"/solicitudes/{made['folio']}/{made['token']}")
    assert private.status_code == 200 and "Nota secreta" not in private.text


async def test_refused_status_move_is_409_and_changes_nothing(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    url = f"/staff/solicitudes/{made['folio']}"
    response = await client.submit(url + "/estado", {"estado": "resuelto"}, url)
    assert response.status_code == 409
    assert "no puede pasar a «Resuelto»" in page_text(response.text)
    assert (await load(sessionmaker, made["folio"])).status == "nuevo"
    ok = await client.submit(url + "/estado", {"estado": "abierto"}, url)
    assert ok.status_code == 303
    assert (await load(sessionmaker, made["folio"])).status == "abierto"
    bad = await client.submit(url + "/estado", {"estado": "inventado"}, url)
    assert bad.status_code == 422


async def test_claim_assigns_to_me(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    url = f"/staff/solicitudes/{made['folio']}"
    response = await client.submit(url + "/tomar", {}, url)
    assert response.status_code == 303
    row = await load(sessionmaker, made["folio"])
    assert row.assignee_id is not None and row.status == "abierto"
    mine = page_text((await client.get("/staff/solicitudes?vista=mine")).text)
    assert made["folio"] in mine
    assert (await client.submit(url + "/liberar", {}, url)).status_code == 303
    assert (await load(sessionmaker, made["folio"])).assignee_id is None


async def test_payloads_are_shown_as_text(client, sessionmaker) -> None:
    made = await make_request(sessionmaker, subject=XSS_SUBJECT, body=XSS_BODY)
    await signed_in(client, sessionmaker)
    url = f"/staff/solicitudes/{made['folio']}"
    await client.submit(url + "/nota", {"nota": XSS_BODY}, url)
    for page in (await client.get("/staff/solicitudes"), await client.get(url)):
        assert page.status_code == 200
        assert XSS_SUBJECT in page_text(page.text)  # text, not a script element
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
    # The message, its one-line preview (folded: the note is the last entry) and the note.
    assert page_text((await client.get(url)).text).count(XSS_BODY) == 3


async def test_actions_need_a_csrf_token(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    url = f"/staff/solicitudes/{made['folio']}"
    response = await client.post(url + "/responder", data={"texto": "sin token"})
    assert response.status_code == 403
    assert await outbox_replies(sessionmaker, made["email"]) == []
    async with sessionmaker() as db:
        count = len(
            (
                await db.scalars(
                    select(TicketMessage)
                    .join(Ticket, Ticket.id == TicketMessage.request_id)
                    .where(Ticket.folio == made["folio"])
                )
            ).all()
        )
    assert count == 1


@pytest.mark.parametrize("path", ["/staff/solicitudes", "/staff/solicitudes/{folio}"])
async def test_roles_without_requests_are_refused(client, sessionmaker, path) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker, "kb_editor")
    assert (await client.get(path.format(folio=made["folio"]))).status_code == 403


async def test_signed_out_staff_are_sent_to_sign_in(client) -> None:
    response = await client.get("/staff/solicitudes")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/ingresar")
