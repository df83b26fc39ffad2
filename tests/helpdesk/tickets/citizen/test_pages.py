"""The citizen's pages: opening a request (with email proof or an account), the private link,
replies, closure, rating, attachments and the lost-link form, over HTTP."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select, update

from helpdesk.audit.models import AuditEvent
from helpdesk.core.db import utcnow
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets.models import StatusChange, Ticket, TicketAttachment, TicketMessage
from tests.support import factories
from tests.support.http import Browser, page_text, parse

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
XSS = '<script>alert("x")</script>'


class _Elements(HTMLParser):
    """Every start tag with its attributes, to check markup without matching strings."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(html: str, tag: str) -> list[dict[str, str | None]]:
    finder = _Elements()
    finder.feed(html)
    return [attrs for name, attrs in finder.tags if name == tag]


async def outbox(sessionmaker, email: str, template: str | None = None) -> list[OutboxMessage]:
    async with sessionmaker() as db:
        query = select(OutboxMessage).where(OutboxMessage.to_address == email)
        if template:
            query = query.where(OutboxMessage.template == template)
        return list((await db.scalars(query.order_by(OutboxMessage.id))).all())


async def prove_email(client: Browser, sessionmaker, email: str) -> None:
    """The no-account path: ask for a link at /correo, then open it."""
    response = await client.submit(
        "/correo", {"email": email, "next": "/solicitudes/nueva"}, page="/correo"
    )
    assert response.status_code == 303
    [message] = await outbox(sessionmaker, email, "prove_email")
    token = str(message.context["link"]).rsplit("/", 1)[1]
    confirmed = await client.submit(f"/correo/confirmar/{token}", {})
    assert confirmed.headers["location"] == "/solicitudes/nueva"


def form(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "tipo": "consulta",
        "region": "RM",
        "asunto": "Estado de mi residencia",
        "texto": "¿Cuándo sale mi residencia temporal? La pedí en marzo.",
    }
    values.update(changes)
    return values


async def open_one(
    client: Browser, files: list[tuple[str, tuple[str, bytes, str]]] | None = None, **changes: Any
):
    token = await client.csrf("/solicitudes/nueva")
    return await client.post(
        "/solicitudes/nueva",
        data={**form(**changes), "csrf_token": token},
        files=files or [("archivos", ("", b"", "application/octet-stream"))],
    )


async def private_link(sessionmaker, email: str) -> str:
    messages = await outbox(sessionmaker, email, "request_received")
    return "/" + str(messages[-1].context["link"]).split("/", 3)[3]


async def anonymous_request(client: Browser, sessionmaker, **changes: Any) -> tuple[str, str]:
    """(email, private link path) of a request opened after email proof."""
    email = f"anon.{uuid.uuid4().hex[:8]}@test.portal"
    await prove_email(client, sessionmaker, email)
    response = await open_one(client, **changes)
    assert response.status_code == 303, page_text(response.text)
    return email, await private_link(sessionmaker, email)


async def set_status(sessionmaker, folio: str, status: str, **fields: Any) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(
            update(Ticket).where(Ticket.folio == folio).values(status=status, **fields)
        )


async def test_without_account_or_proof_the_two_ways_in_are_explained(client) -> None:
    response = await client.get("/solicitudes/nueva")
    assert response.status_code == 200
    hrefs = {a.get("href") for a in elements(response.text, "a")}
    assert {"/cuenta/ingresar?next=/solicitudes/nueva", "/correo?next=/solicitudes/nueva"} <= hrefs
    assert not elements(response.text, "textarea")
    refused = await client.submit("/solicitudes/nueva", form(), page="/solicitudes/nueva")
    assert refused.status_code == 403


async def test_open_anonymously_with_a_pdf(client, sessionmaker) -> None:
    email = f"anon.{uuid.uuid4().hex[:8]}@test.portal"
    await prove_email(client, sessionmaker, email)
    page = await client.get("/solicitudes/nueva")
    assert page.status_code == 200
    [textarea] = elements(page.text, "textarea")
    assert textarea["hx-get"] == "/ayuda/sugerencias" and "delay:600ms" in str(
        textarea["hx-trigger"]
    )
    [draft] = [i for i in elements(page.text, "input") if i.get("name") == "borrador"]
    assert draft["value"] and len(str(draft["value"])) >= 20
    assert len(elements(page.text, "option")) >= 17  # 16 regions and the empty choice

    response = await open_one(
        client, files=[("archivos", ("certificado.pdf", PDF, "application/pdf"))]
    )
    assert response.status_code == 303 and response.headers["location"] == "/solicitudes/recibida"
    receipt = await client.get("/solicitudes/recibida")
    [mail] = await outbox(sessionmaker, email, "request_received")
    assert mail.context["folio"] in page_text(receipt.text)
    async with sessionmaker() as db:
        request = await db.scalar(select(Ticket).where(Ticket.folio == mail.context["folio"]))
        assert request is not None and request.region_code == "RM" and request.channel == "web"
        [attachment] = (
            await db.scalars(
                select(TicketAttachment).where(TicketAttachment.request_id == request.id)
            )
        ).all()
        first = await db.scalar(
            select(TicketMessage.id).where(TicketMessage.request_id == request.id)
        )
    assert attachment.message_id == first and attachment.content_type == "application/pdf"

    link = await private_link(sessionmaker, email)
    page = await client.get(link)
    assert page.status_code == 200
    assert "certificado.pdf" in page_text(page.text)
    download = await client.get(f"{link}/adjuntos/{attachment.id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"


async def test_file_refused_by_content_keeps_values(client, sessionmaker) -> None:
    email = f"anon.{uuid.uuid4().hex[:8]}@test.portal"
    await prove_email(client, sessionmaker, email)
    html_as_pdf = (
        "archivos",
        ("documento.pdf", b"<html><script>x</script></html>", "application/pdf"),
    )
    response = await open_one(client, files=[html_as_pdf], asunto="Mi asunto guardado")
    assert response.status_code == 422
    assert "no es PDF, JPEG ni PNG" in page_text(response.text)
    [subject] = [i for i in elements(response.text, "input") if i.get("name") == "asunto"]
    assert subject["value"] == "Mi asunto guardado"
    [files] = [i for i in elements(response.text, "input") if i.get("name") == "archivos"]
    assert files["aria-invalid"] == "true" and "archivos-error" in str(files["aria-describedby"])
    assert "Vuelva a elegir los archivos" in page_text(response.text)
    assert await outbox(sessionmaker, email, "request_received") == []


async def test_too_many_files(client, sessionmaker) -> None:
    email = f"anon.{uuid.uuid4().hex[:8]}@test.portal"
    await prove_email(client, sessionmaker, email)
    files = [("archivos", (f"f{n}.png", PNG, "image/png")) for n in range(6)]
    response = await open_one(client, files=files)
    assert response.status_code == 422
    assert "como máximo 5 archivos" in page_text(response.text)


async def test_multas_requires_an_identity_document(client, sessionmaker) -> None:
    email = f"anon.{uuid.uuid4().hex[:8]}@test.portal"
    await prove_email(client, sessionmaker, email)
    response = await open_one(client, tipo="multas")
    assert response.status_code == 422
    assert "documento de identidad" in page_text(response.text)
    ok = await open_one(client, tipo="multas", files=[("archivos", ("id.png", PNG, "image/png"))])
    assert ok.status_code == 303


async def test_form_errors_are_explained(client, sessionmaker) -> None:
    email = f"anon.{uuid.uuid4().hex[:8]}@test.portal"
    await prove_email(client, sessionmaker, email)
    response = await open_one(client, tipo="nada", region="XX", asunto="", texto="a" * 10_001)
    assert response.status_code == 422
    text = page_text(response.text)
    for message in ("Elija el tipo", "Elija la región", "Escriba el asunto", "como máximo"):
        assert message in text
    [region] = elements(response.text, "select")[:1]
    assert region["aria-invalid"] == "true"


async def test_signed_in_citizen_opens_two_and_sees_both(client, sessionmaker) -> None:
    email, _ = await factories.citizen(sessionmaker)
    await factories.sign_in_citizen(client, email)
    first = await open_one(client, asunto="Primera solicitud")
    second = await open_one(client, asunto="Segunda solicitud", tipo="reclamo")
    assert first.status_code == second.status_code == 303
    mine = await client.get("/cuenta/solicitudes")
    assert mine.status_code == 200
    text = page_text(mine.text)
    assert "Primera solicitud" in text and "Segunda solicitud" in text
    folios = [m.context["folio"] for m in await outbox(sessionmaker, email, "request_received")]
    assert len(folios) == 2 and all(f in text for f in folios)
    own = await client.get(f"/cuenta/solicitudes/{folios[0]}")
    assert own.status_code == 200 and "Primera solicitud" in page_text(own.text)


async def test_others_cannot_see_a_request_through_the_account(client, sessionmaker) -> None:
    _, link = await anonymous_request(client, sessionmaker)
    folio = link.split("/")[2]
    email, _ = await factories.citizen(sessionmaker)
    await factories.sign_in_citizen(client, email)
    assert (await client.get(f"/cuenta/solicitudes/{folio}")).status_code == 404


async def test_private_link_shows_the_conversation_without_internal_notes(
    client, sessionmaker
) -> None:
    _, link = await anonymous_request(client, sessionmaker)
    folio = link.split("/")[2]
    async with sessionmaker() as db, db.begin():
        request = await db.scalar(select(Ticket).where(Ticket.folio == folio))
        assert request is not None
        db.add(TicketMessage(request_id=request.id, author_kind="staff", author_id=1,
                              body="Su residencia está en revisión."))  # fmt: skip
        db.add(TicketMessage(request_id=request.id, author_kind="staff", author_id=1,
                              body="NOTA INTERNA secreta", internal=True))  # fmt: skip
    page = await client.get(link)
    text = page_text(page.text)
    assert "¿Cuándo sale mi residencia temporal?" in text
    assert "Su residencia está en revisión." in text
    assert "Servicio Nacional de Migraciones" in text
    assert "NOTA INTERNA" not in text
    assert folio in text and "Nuevo" in text
    assert page.headers["cache-control"] == "private, no-store"


async def test_wrong_token_or_folio_is_the_same_404(client, sessionmaker) -> None:
    _, link = await anonymous_request(client, sessionmaker)
    _, _, folio, token = link.split("/")
    wrong_token = await client.get(f"/solicitudes/{folio}/{'x' * len(token)}")
    wrong_folio = await client.get(f"/solicitudes/SIAC-1999-000001/{token}")
    assert wrong_token.status_code == wrong_folio.status_code == 404
    assert page_text(wrong_token.text) == page_text(wrong_folio.text)
    attachment = await client.get(f"/solicitudes/{folio}/{'x' * len(token)}/adjuntos/1")
    assert attachment.status_code == 404


async def test_reply_with_a_file_ends_the_wait(client, sessionmaker) -> None:
    _, link = await anonymous_request(client, sessionmaker)
    folio = link.split("/")[2]
    await set_status(sessionmaker, folio, "en_espera_ciudadano", legal_due_on=None)
    page = await client.get(link)
    assert "Detenido mientras esperamos su respuesta." in page_text(page.text)
    token = parse(page.text).csrf
    response = await client.post(
        f"{link}/responder",
        data={"texto": "Adjunto el comprobante.", "csrf_token": token},
        files=[("archivos", ("comprobante.png", PNG, "image/png"))],
    )
    assert response.status_code == 303 and response.headers["location"] == f"{link}?hecho=respuesta"
    async with sessionmaker() as db:
        request = await db.scalar(select(Ticket).where(Ticket.folio == folio))
        assert request is not None and request.status == "abierto"
        assert request.legal_due_on is not None  # the clock runs again
        moves = (
            await db.scalars(select(StatusChange).where(StatusChange.request_id == request.id))
        ).all()
        assert ("en_espera_ciudadano", "abierto") in [(m.from_status, m.to_status) for m in moves]
        files = (
            await db.scalars(
                select(TicketAttachment).where(TicketAttachment.request_id == request.id)
            )
        ).all()
        assert [f.display_name for f in files] == ["comprobante.png"]
        events = (
            await db.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.entity_type == "request", AuditEvent.entity_id == request.id
                )
            )
        ).all()
        assert {"request.citizen_reply", "request.status"} <= set(events)
    page = await client.get(link)
    assert "Adjunto el comprobante." in page_text(page.text)


async def test_empty_reply_is_refused(client, sessionmaker) -> None:
    _, link = await anonymous_request(client, sessionmaker)
    response = await client.submit(f"{link}/responder", {"texto": "  "}, page=link)
    assert response.status_code == 422 and "Escriba su mensaje." in page_text(response.text)


async def test_close_then_no_more_replies(client, sessionmaker) -> None:
    _, link = await anonymous_request(client, sessionmaker)
    response = await client.submit(f"{link}/cerrar", {}, page=link)
    assert response.status_code == 303
    page = await client.get(link)
    assert "Cerrado" in page_text(page.text)
    assert not [f for f in elements(page.text, "form") if str(f.get("action")).endswith("/cerrar")]
    refused = await client.submit(f"{link}/responder", {"texto": "Otra cosa"}, page=link)
    assert refused.status_code == 422
    again = await client.submit(f"{link}/cerrar", {}, page=link)
    assert again.status_code == 409


async def test_rating_only_when_resolved_and_once(client, sessionmaker) -> None:
    _, link = await anonymous_request(client, sessionmaker)
    folio = link.split("/")[2]
    early = await client.submit(f"{link}/evaluar", {"puntaje": "5"}, page=link)
    assert early.status_code == 409
    await set_status(sessionmaker, folio, "resuelto", resolved_at=utcnow())
    page = await client.get(link)
    assert [f for f in elements(page.text, "form") if str(f.get("action")).endswith("/evaluar")]
    bad = await client.submit(f"{link}/evaluar", {"puntaje": "9"}, page=link)
    assert bad.status_code == 422 and "del 1 al 5" in page_text(bad.text)
    ok = await client.submit(f"{link}/evaluar", {"puntaje": "4", "comentario": "Rápido"}, page=link)
    assert ok.status_code == 303
    twice = await client.submit(f"{link}/evaluar", {"puntaje": "1"}, page=link)
    assert twice.status_code == 409
    async with sessionmaker() as db:
        request = await db.scalar(select(Ticket).where(Ticket.folio == folio))
        assert request is not None and (request.csat_score, request.csat_comment) == (4, "Rápido")


async def test_lost_link_same_answer_and_mail_only_for_the_right_pair(client, sessionmaker) -> None:
    email, link = await anonymous_request(client, sessionmaker)
    folio = link.split("/")[2]
    wrong = await client.submit(
        "/solicitudes/recuperar", {"email": "otra@test.portal", "folio": folio}
    )
    right = await client.submit("/solicitudes/recuperar", {"email": email, "folio": folio.lower()})
    assert wrong.status_code == right.status_code == 303
    assert wrong.headers["location"] == right.headers["location"]
    assert await outbox(sessionmaker, "otra@test.portal") == []
    [mail] = await outbox(sessionmaker, email, "request_link")
    new_link = "/" + str(mail.context["link"]).split("/", 3)[3]
    assert new_link != link
    assert (await client.get(link)).status_code == 404  # the old link stops working
    assert (await client.get(new_link)).status_code == 200
    bad = await client.submit("/solicitudes/recuperar", {"email": "no-es-correo", "folio": ""})
    assert bad.status_code == 422


async def test_xss_is_shown_as_text(client, sessionmaker) -> None:
    email = f"anon.{uuid.uuid4().hex[:8]}@test.portal"
    await prove_email(client, sessionmaker, email)
    response = await open_one(
        client,
        asunto=XSS,
        texto=f"Texto {XSS} suficientemente largo",
        files=[("archivos", (f"{XSS}.pdf", PDF, "application/pdf"))],
    )
    assert response.status_code == 303
    link = await private_link(sessionmaker, email)
    page = await client.get(link)
    assert XSS not in page.text
    assert "&lt;script&gt;" in page.text
    assert not [s for s in elements(page.text, "script") if not s.get("src")]
    refused = await open_one(client, asunto=XSS, tipo="nada")
    assert refused.status_code == 422 and XSS not in refused.text


async def test_csrf_is_required(client, sessionmaker) -> None:
    _, link = await anonymous_request(client, sessionmaker)
    response = await client.post(f"{link}/responder", data={"texto": "sin token"})
    assert response.status_code == 403
    response = await client.post(f"{link}/cerrar", data={"csrf_token": "falso"})
    assert response.status_code == 403
