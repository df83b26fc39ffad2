"""A respuesta tipo in the reply composer is inserted in the request's language. One without
that language inserts nothing: the agent is warned, before sending, with and without htmx,
and may choose one of its languages explicitly; a reply that carries it without that choice
is refused, so nothing reaches the person in another language by mistake."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.tickets.answers.models import AnswerTemplate, AnswerTemplateText
from helpdesk.tickets.models import Ticket, TicketMessage, TicketTag
from helpdesk.tickets.service import NewRequest, open_request
from tests.helpdesk.tickets.workbench.test_pages import outbox_replies, signed_in
from tests.helpdesk.tickets.workbench.test_presence import parsed
from tests.support.http import page_text

HX = {"HX-Request": "true"}
SPANISH = "Estimada/o {nombre}: recibimos los antecedentes de su solicitud {folio}."
ENGLISH = "Dear {nombre}, we received the documents for your request {folio}."
CREOLE = "Bonjou {nombre}, nou resevwa dokiman pou demann ou an {folio}."
MISSING = "no tiene texto en Kreyòl ayisyen, el idioma de esta solicitud"


async def add_template(sessionmaker, texts: dict[str, str], **effects: object) -> str:
    code = f"c-{uuid.uuid4().hex[:8]}"
    async with sessionmaker() as db, db.begin():
        row = AnswerTemplate(code=code, title=f"Recibimos sus antecedentes {code}", **effects)
        db.add(row)
        await db.flush()
        db.add_all(AnswerTemplateText(canned_id=row.id, locale=k, body=v) for k, v in texts.items())
    return code


async def creole_request(sessionmaker) -> dict[str, str]:
    email = f"r.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        data = NewRequest("consulta", "Dokiman", "Bonjou", "web", email, "ht", region_code="RM")
        opened = await open_request(db, data, Actor("anonymous", None), "http://testserver")
    return {"folio": opened.ticket.folio, "email": email, "id": str(opened.ticket.id)}


def reply_inputs(html: str) -> dict[str, str]:
    """The hidden inputs the reply form would send."""
    page = parsed(html)
    return {
        str(tag["name"]): str(tag.get("value"))
        for tag in page.find("input", type="hidden")
        if tag.get("name") in ("plantilla", "idioma")
    }


async def test_a_template_is_inserted_in_the_requests_language(client, sessionmaker) -> None:
    made = await creole_request(sessionmaker)
    code = await add_template(sessionmaker, {"es": SPANISH, "ht": CREOLE})
    await signed_in(client, sessionmaker)
    page = await client.get(f"/staff/solicitudes/{made['folio']}?plantilla={code}")
    assert page.status_code == 200
    html = parsed(page.text)
    assert html.text["texto"].startswith("Bonjou ")
    assert made["folio"] in html.text["texto"]
    assert not html.find("div", id="plantilla-sin-idioma")
    assert reply_inputs(page.text) == {"plantilla": code}
    # The hint says which language that is.
    hint = " ".join(html.text["plantilla-hint"].split())
    assert "Idioma de esta solicitud: Kreyòl ayisyen." in hint


async def test_a_missing_language_warns_before_anything_is_inserted(client, sessionmaker) -> None:
    made = await creole_request(sessionmaker)
    code = await add_template(sessionmaker, {"es": SPANISH, "en": ENGLISH}, add_tags="docs")
    complete = await add_template(sessionmaker, {"es": SPANISH, "ht": CREOLE})
    await signed_in(client, sessionmaker)
    url = f"/staff/solicitudes/{made['folio']}"

    # The list already says which templates lack the request's language.
    options = {str(o["value"]): o for o in parsed((await client.get(url)).text).find("option")}
    assert code in options and complete in options
    listing = page_text((await client.get(url)).text)
    assert f"Recibimos sus antecedentes {code} (sin texto en Kreyòl ayisyen)" in listing
    assert f"Recibimos sus antecedentes {complete} (sin texto" not in listing

    # Picking it inserts nothing and says why, naming the missing language.
    page = await client.get(f"{url}?plantilla={code}")
    assert page.status_code == 200
    html = parsed(page.text)
    [alert] = html.find("div", id="plantilla-sin-idioma")
    assert alert["role"] == "alert"
    assert MISSING in " ".join(html.text["plantilla-sin-idioma"].split())
    assert html.text["texto"] == ""
    assert reply_inputs(page.text) == {"plantilla": code}  # the picker's, not the reply's
    assert [o["value"] for o in html.find("option") if o.get("lang")] == ["es", "en"]
    assert not html.find("p", id="plantilla-idioma")

    # Choosing Spanish explicitly inserts it, with a reminder of what the person will read.
    chosen = await client.get(f"{url}?plantilla={code}&idioma=es")
    html = parsed(chosen.text)
    assert html.text["texto"].startswith("Estimada/o ") and made["folio"] in html.text["texto"]
    assert not html.find("div", id="plantilla-sin-idioma")
    note = " ".join(html.text["plantilla-idioma"].split())
    assert "en Español, no en Kreyòl ayisyen" in note
    [hidden] = html.find("input", name="idioma")
    assert hidden["value"] == "es"
    # A language the template lacks is no choice: the warning again, nothing inserted.
    again = parsed((await client.get(f"{url}?plantilla={code}&idioma=fr")).text)
    assert again.find("div", id="plantilla-sin-idioma") and again.text["texto"] == ""


async def sent(sessionmaker, made: dict[str, str]) -> tuple[int, list[str], list[AuditEvent]]:
    async with sessionmaker() as db:
        messages = await db.scalars(
            select(TicketMessage.id).where(
                TicketMessage.request_id == int(made["id"]),
                TicketMessage.author_kind == "staff",
            )
        )
        tags = await db.scalars(
            select(TicketTag.tag).where(TicketTag.request_id == int(made["id"]))
        )
        events = await db.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == int(made["id"]), AuditEvent.action == "request.macro"
            )
        )
        return len(messages.all()), list(tags), list(events)


async def test_a_reply_without_the_agents_choice_is_refused(client, sessionmaker) -> None:
    made = await creole_request(sessionmaker)
    code = await add_template(sessionmaker, {"es": SPANISH}, add_tags="docs")
    await signed_in(client, sessionmaker)
    url = f"/staff/solicitudes/{made['folio']}"
    draft = {"texto": "Recibimos sus antecedentes.", "plantilla": code}

    # A stale or hand-made form: plain post, then htmx; the draft stays, nothing is sent.
    refused = await client.submit(url + "/responder", draft, page=url)
    assert refused.status_code == 409
    assert MISSING in page_text(refused.text)
    assert parsed(refused.text).text["texto"] == draft["texto"]
    swapped = await client.submit(url + "/responder", draft, page=url, headers=HX)
    assert swapped.status_code == 409 and MISSING in page_text(swapped.text)
    bad = await client.submit(url + "/responder", {**draft, "idioma": "xx"}, page=url)
    assert bad.status_code == 422 and "Elija un idioma de la lista" in page_text(bad.text)
    assert await sent(sessionmaker, made) == (0, [], [])
    assert await outbox_replies(sessionmaker, made["email"]) == []

    # With Spanish chosen explicitly it goes out, in Spanish, and the choice is audited.
    spanish = f"Estimada/o: recibimos los antecedentes de su solicitud {made['folio']}."
    ok = await client.submit(
        url + "/responder", {"texto": spanish, "plantilla": code, "idioma": "es"}, page=url
    )
    assert ok.status_code == 303
    count, tags, [event] = await sent(sessionmaker, made)
    assert (count, tags) == (1, ["docs"])
    assert event.changes["plantilla"] == [None, code]
    assert event.changes["plantilla_idioma"] == ["ht", "es"]
    [email] = await outbox_replies(sessionmaker, made["email"])
    assert email.context["body"] == spanish


async def test_a_complete_template_needs_no_choice(client, sessionmaker) -> None:
    made = await creole_request(sessionmaker)
    code = await add_template(sessionmaker, {"es": SPANISH, "ht": CREOLE}, add_tags="docs")
    await signed_in(client, sessionmaker)
    url = f"/staff/solicitudes/{made['folio']}"
    ok = await client.submit(
        url + "/responder", {"texto": "Bonjou.", "plantilla": code}, page=url, headers=HX
    )
    assert ok.status_code == 303
    count, tags, [event] = await sent(sessionmaker, made)
    assert (count, tags) == (1, ["docs"]) and "plantilla_idioma" not in event.changes
    async with sessionmaker() as db:
        ticket = await db.get(Ticket, int(made["id"]))
        assert ticket is not None and ticket.locale == "ht"
