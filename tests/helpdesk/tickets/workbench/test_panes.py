"""A request's staff page in panes, read as HTML: the title row with the person's language
(and the emails' when they differ), earlier messages folded above the open last one and the
reply box, notes marked as notes, the status history folded, the side pane beside."""

from __future__ import annotations

from sqlalchemy import update

from helpdesk.audit.service import Actor
from helpdesk.people.models import Person
from helpdesk.tickets.service import NewRequest, open_request
from tests.helpdesk.tickets.workbench.test_pages import make_request, signed_in
from tests.helpdesk.tickets.workbench.test_presence import parsed
from tests.support.factories import citizen
from tests.support.http import page_text


async def test_panes_folded_messages_notes_and_history(client, sessionmaker) -> None:
    made = await make_request(sessionmaker, body="Primer mensaje de la persona.")
    await signed_in(client, sessionmaker)
    url = f"/staff/solicitudes/{made['folio']}"
    await client.submit(url + "/nota", {"nota": "Revisar antecedentes."}, url)
    await client.submit(url + "/responder", {"texto": "Le respondemos hoy."}, url)
    page = parsed((await client.get(url)).text)
    tags = [tag for tag, _ in page.tags]
    # Conversation and composer in the centre, properties and the person beside them.
    assert page.find("div", **{"class": "request-panes"})
    assert page.find("aside", **{"class": "request-side"})
    assert page.find("div", id="propiedades") and page.find("section", id="persona")
    # Two earlier entries folded, each with a one-line preview; the last one open, and the
    # reply box right after the conversation.
    folds = page.find("details", **{"class": "message-fold"})
    assert len(folds) == 2
    assert "Primer mensaje de la persona." in page.text[f"mensaje-{_first_id(page)}"]
    items = [v for t, v in page.tags if t == "li" and str(v.get("id", "")).startswith("mensaje-")]
    assert len(items) == 3
    last = page.text[str(items[-1]["id"])]
    assert "Le respondemos hoy." in last
    start = page.tags.index(("ol", {"class": "conversation conversation-folded"}))
    between = tags[start : tags.index("textarea")]
    assert between.count("details") == 2 and "aside" not in between and "table" not in between
    # The note reads as a note: its own class and the words "Nota interna".
    notes = [v for v in items if "internal-note" in str(v.get("class"))]
    assert len(notes) == 1 and "Nota interna" in page.text[str(notes[0]["id"])]
    # The shortcuts' help lists the request page's keys, save-and-next included.
    shortcuts = page.text["atajos"]
    for words in ("Abrir la solicitud siguiente", "Volver a la solicitud anterior",
                  "Escribir la respuesta", "Escribir una nota interna", "Asignármela",
                  "Enviar la respuesta y abrir la siguiente solicitud"):  # fmt: skip
        assert words in shortcuts
    # The status history folded, the audit log one link away.
    assert page.find("details", id="historial")
    assert "Historial de estados" in page.text["historial"]
    assert [a for a in page.find("a") if str(a.get("href", "")).startswith("/staff/auditoria")]


def _first_id(page) -> str:  # type: ignore[no-untyped-def]
    first = next(
        v for t, v in page.tags if t == "li" and str(v.get("id", "")).startswith("mensaje-")
    )
    return str(first["id"]).removeprefix("mensaje-")


async def test_language_badge_says_where_emails_go(client, sessionmaker) -> None:
    email, person_id = await citizen(sessionmaker)
    async with sessionmaker() as db, db.begin():
        await db.execute(update(Person).where(Person.id == person_id).values(preferred_locale="en"))
        data = NewRequest(
            "consulta", "Konsiltasyon", "Bonjou", "web", email, "ht", region_code="RM"
        )
        folio = (await open_request(db, data, Actor("anonymous", None), "http://t")).ticket.folio
    plain = await make_request(sessionmaker)
    await signed_in(client, sessionmaker)
    page = parsed((await client.get(f"/staff/solicitudes/{folio}")).text)
    badge = page.text["idioma-persona"]
    assert "Kreyòl" in badge and "correos en English" in badge
    assert page.find("span", lang="ht") and page.find("span", lang="en")
    # The same language for both: the badge says only the one.
    same = parsed((await client.get(f"/staff/solicitudes/{plain['folio']}")).text)
    assert "Español" in same.text["idioma-persona"] and "correos" not in same.text["idioma-persona"]


async def test_many_messages_fold_under_one_line(client, sessionmaker) -> None:
    made = await make_request(sessionmaker, body="El primero.")
    await signed_in(client, sessionmaker)
    url = f"/staff/solicitudes/{made['folio']}"
    for n in range(4):
        await client.submit(url + "/nota", {"nota": f"Nota {n}."}, url)
    html = (await client.get(url)).text
    page = parsed(html)
    # Five entries: the oldest three under one line, the fourth folded, the last open.
    [older] = page.find("li", **{"class": "conversation-older"})
    assert older is not None and "3 mensajes anteriores" in page_text(html)
    assert len(page.find("details", **{"class": "message-fold"})) == 4
    items = [v for t, v in page.tags if t == "li" and str(v.get("id", "")).startswith("mensaje-")]
    assert len(items) == 5 and "Nota 3." in page.text[str(items[-1]["id"])]
