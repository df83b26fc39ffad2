"""The reply box's tools on a request's staff page: files attached to a reply (the person's
limits and checks; downloadable by staff and by the person), "Enviar y siguiente" along the
queue the agent came from, and the person's context with its registry of sections."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from helpdesk.audit.models import AuditEvent
from helpdesk.people.sections import Section
from helpdesk.tickets.models import TicketAttachment, TicketMessage
from helpdesk.tickets.workbench import context as request_context
from tests.helpdesk.tickets.citizen.test_pages import PDF
from tests.helpdesk.tickets.workbench.test_pages import load, make_request, signed_in
from tests.helpdesk.tickets.workbench.test_presence import parsed
from tests.support.http import page_text


def url(folio: str) -> str:
    return f"/staff/solicitudes/{folio}"


async def reply(client, folio: str, data: dict[str, str], files=None, page: str | None = None):
    token = await client.csrf(page or url(folio))
    return await client.post(
        url(folio) + "/responder",
        data={"texto": "Le respondemos.", **data, "csrf_token": token},
        files=files or [("archivos", ("", b"", "application/octet-stream"))],
    )


async def test_a_reply_with_files_is_stored_listed_and_downloadable(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    sent = await reply(
        client, made["folio"], {}, [("archivos", ("resolucion.pdf", PDF, "application/pdf"))]
    )
    assert sent.status_code == 303
    ticket = await load(sessionmaker, made["folio"])
    async with sessionmaker() as db:
        [file] = (
            await db.scalars(
                select(TicketAttachment).where(TicketAttachment.request_id == ticket.id)
            )
        ).all()
        message = await db.get(TicketMessage, file.message_id)
        event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.entity_id == ticket.id, AuditEvent.action == "request.staff_attachments"
            )
        )
    assert message is not None and message.author_kind == "staff" and not message.internal
    assert event is not None and event.changes["attachments"] == [None, 1]
    # Listed under the reply on the staff page and downloadable there.
    page = parsed((await client.get(url(made["folio"]))).text)
    staff_link = f"{url(made['folio'])}/adjuntos/{file.id}"
    assert page.find("a", href=staff_link)
    download = await client.get(staff_link)
    assert download.status_code == 200 and download.content == PDF
    # The person reads it on their own page and downloads it by their private link.
    private = f"/solicitudes/{made['folio']}/{made['token']}"
    mine = f"{private}/adjuntos/{file.id}"
    assert parsed((await client.get(private)).text).find("a", href=mine)
    theirs = await client.get(mine)
    assert theirs.status_code == 200 and theirs.content == PDF


async def test_reply_files_keep_the_persons_limits(client, sessionmaker) -> None:
    made = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    too_many = [("archivos", (f"doc{i}.pdf", PDF, "application/pdf")) for i in range(6)]
    refused = await reply(client, made["folio"], {"texto": "Con seis archivos."}, too_many)
    assert refused.status_code == 422
    assert "como máximo 5 archivos" in parsed(refused.text).text["archivos-error"]
    fake = [("archivos", ("nota.pdf", b"<html>no soy un PDF</html>", "application/pdf"))]
    refused = await reply(client, made["folio"], {"texto": "Con un falso PDF."}, fake)
    assert refused.status_code == 422 and parsed(refused.text).text.get("archivos-error")
    # The draft stays; nothing was sent nor stored.
    assert "Con un falso PDF." in page_text(refused.text)
    ticket = await load(sessionmaker, made["folio"])
    async with sessionmaker() as db:
        assert not (
            await db.scalars(
                select(TicketAttachment).where(TicketAttachment.request_id == ticket.id)
            )
        ).all()
        staff = await db.scalar(
            select(TicketMessage.id).where(
                TicketMessage.request_id == ticket.id, TicketMessage.author_kind == "staff"
            )
        )
    assert staff is None


async def test_send_and_next_follows_the_queue_the_agent_came_from(client, sessionmaker) -> None:
    tag = f"sig{uuid.uuid4().hex[:6]}"
    older, newer = await make_request(sessionmaker), await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    for made in (older, newer):  # only these two carry the tag
        await client.submit(
            url(made["folio"]) + "/etiquetas", {"etiqueta": tag}, url(made["folio"])
        )
    cola = f"vista=all&etiqueta={tag}"
    # The queue's link brings its query along; the page keeps it in the reply form.
    page_url = f"{url(newer['folio'])}?cola=vista%3Dall%26etiqueta%3D{tag}"
    page = parsed((await client.get(page_url)).text)
    assert {"name": "cola", "type": "hidden", "value": cola}.items() <= page.find(
        "input", name="cola"
    )[0].items()
    [next_link] = [a for a in page.find("a") if "data-request-next" in a]
    assert next_link["href"].startswith(url(older["folio"]) + "?cola=")
    # Opened by a plain link from the queue, the queue's address (Referer) says the same.
    referred = await client.get(
        url(newer["folio"]),
        headers={"Referer": f"http://testserver/staff/solicitudes?{cola}&antes=99999999"},
    )
    kept = {i["value"] for i in parsed(referred.text).find("input", name="cola")}
    assert kept == {cola}  # every form keeps it; the queue's page is not part of it
    # Newest first: after the newer comes the older, with the queue still known.
    sent = await reply(client, newer["folio"], {"cola": cola, "siguiente": "1"}, page=page_url)
    assert sent.status_code == 303
    location = sent.headers["location"]
    assert location.startswith(url(older["folio"]) + "?")
    arrived = await client.get(location)
    assert f"Respuesta enviada en la solicitud {newer['folio']}" in page_text(arrived.text)
    [previous] = [a for a in parsed(arrived.text).find("a") if "data-request-prev" in a]
    assert previous["href"].startswith(url(newer["folio"]))
    # Only a folio goes in that notice and link.
    crafted = await client.get(url(older["folio"]) + "?enviada=Llame+al+600&anterior=x")
    assert "Llame al 600" not in page_text(crafted.text)
    assert not [a for a in parsed(crafted.text).find("a") if "data-request-prev" in a]
    # After the last one of that queue: back to the queue as it was filtered.
    last = await reply(client, older["folio"], {"cola": cola, "siguiente": "1"})
    assert last.status_code == 303
    assert last.headers["location"] == f"/staff/solicitudes?vista=all&etiqueta={tag}"
    # With htmx the queue is loaded as a page (its htmx answer is a region, not #main).
    token = await client.csrf(url(older["folio"]))
    with_htmx = await client.post(
        url(older["folio"]) + "/responder",
        data={"texto": "Y una más.", "cola": cola, "siguiente": "1"},
        files=[("archivos", ("", b"", "application/octet-stream"))],
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert with_htmx.status_code == 204
    assert with_htmx.headers["HX-Redirect"] == f"/staff/solicitudes?vista=all&etiqueta={tag}"
    # Plain "Enviar" stays on the request.
    plain = await reply(client, older["folio"], {"cola": cola, "texto": "Otra vez."})
    assert plain.headers["location"].startswith(url(older["folio"]) + "?hecho=respuesta")


async def test_person_context_lists_other_requests_and_registered_sections(
    client, sessionmaker
) -> None:
    first = await make_request(sessionmaker, subject="Primera consulta")
    async with sessionmaker() as db, db.begin():
        from helpdesk.audit.service import Actor
        from helpdesk.tickets.service import NewRequest, open_request

        again = NewRequest("consulta", "Segunda consulta", "Hola", "web", first["email"], "es",
                           region_code="RM")  # fmt: skip
        second = (await open_request(db, again, Actor("anonymous", None), "http://t")).ticket.folio
        far = NewRequest("consulta", "Consulta en Tarapacá", "Hola", "web", first["email"], "es",
                         region_code="TA")  # fmt: skip
        far_folio = (await open_request(db, far, Actor("anonymous", None), "http://t")).ticket.folio
    marker = f"MARCA-{uuid.uuid4().hex[:6]}"

    async def cases(db, viewer, ticket):  # a later domain's section
        rows = [request_context.OtherRequest(marker, "Expediente", "abierto")]
        return Section("tickets/workbench/_other_requests.html", rows)

    request_context.register_section(cases)
    request_context.register_section(cases)  # twice: once on the page
    try:
        await signed_in(client, sessionmaker, "regional_agent", "santiago")
        page = await client.get(url(second))
        [person] = [t for i, t in parsed(page.text).text.items() if i == "persona"]
        assert first["folio"] in person and "Primera consulta" in person
        assert far_folio not in person  # another region's request stays out of sight
        assert person.count(marker) == 1
    finally:
        request_context.SECTIONS.remove(cases)
    assert marker not in page_text((await client.get(url(second))).text)
