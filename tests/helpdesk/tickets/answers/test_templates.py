"""Respuestas tipo: language choice, placeholders, rule matching, the automatic answer on
opening and the person's yes/no, and the agent's prefilled reply."""

from __future__ import annotations

import uuid
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.audit.service import Actor
from helpdesk.people.models import Person
from helpdesk.tickets import status_flow
from helpdesk.tickets.answers import templates as answer_templates
from helpdesk.tickets.answers.models import (
    AnswerTemplate,
    AnswerTemplateText,
    AutoAnswer,
    AutoRule,
)
from helpdesk.tickets.models import StatusChange, TicketMessage
from helpdesk.tickets.opening import intake
from helpdesk.tickets.service import NewRequest, open_request
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text

NOW = datetime(2030, 5, 6, 11, tzinfo=ZoneInfo("America/Santiago"))
ANON = Actor("anonymous", None, "203.0.113.9")
XSS_NAME = "<script>alert('x')</script> {folio}"


@pytest.mark.parametrize(
    ("available", "wanted", "chosen", "used"),
    [
        (["es", "ht"], "ht", None, "ht"),
        (["es", "ht"], "ht", "es", "ht"),  # the request's language whenever there is one
        # No silent fall back to Spanish, nor to any other language.
        (["es", "en"], "ht", None, None),
        (["es"], None, None, None),
        (["fr", "en"], "ht", None, None),
        ([], "ht", "es", None),
        # Only a language the agent chose explicitly, and only one the template has.
        (["es", "en"], "ht", "es", "es"),
        (["es", "en"], "ht", "en", "en"),
        (["es", "en"], "ht", "fr", None),
        (["es"], "ht", "xx", None),
    ],
)
def test_choose_locale_never_falls_back_without_the_agents_choice(
    available, wanted, chosen, used
) -> None:
    assert answer_templates.choose_locale(available, wanted, chosen) == used


def test_render_fills_placeholders_as_text_and_never_crashes() -> None:
    values = {"nombre": XSS_NAME + "\nFirma falsa", "folio": "AYU-2030-000001"}
    text = answer_templates.render(
        "Hola {nombre}, folio {folio}; {desconocido} {0} {nombre.__class__} {", values
    )
    # The name is inserted verbatim (escaped when shown), its braces are not expanded and
    # it cannot add lines; unknown or odd placeholders stay visible.
    assert text == (
        "Hola <script>alert('x')</script> {folio} Firma falsa, folio AYU-2030-000001;"
        " {desconocido} {0} {nombre.__class__} {"
    )


@pytest.mark.parametrize(
    ("rule", "kind", "subject", "body", "matches"),
    [
        ({"kind": "multas", "keywords": "pagar"}, "multas", "Multa", "¿Cómo PÁGAR?", True),
        ({"kind": "multas", "keywords": "pagó, pagar"}, "multas", "Ya pago", "", True),
        ({"kind": "multas", "keywords": "pagar"}, "multas", "Descargos", "Apelar", False),
        ({"kind": "multas", "keywords": "pagar"}, "consulta", "Pagar", "", False),
        ({"kind": "multas", "keywords": ""}, "multas", "Algo", "", True),
        ({"kind": "multas", "keywords": "pagar", "active": False}, "multas", "pagar", "", False),
        ({"kind": "multas", "topic": "refugio"}, "multas", "pagar", "", False),
        ({"kind": "multas", "topic": "multas"}, "multas", "x", "", True),
        ({"kind": "multas", "tramite_code": "t1"}, "multas", "pagar", "", False),
    ],
)
def test_rule_matching(rule, kind, subject, body, matches) -> None:
    values = {"active": True, "keywords": "", "topic": None, "tramite_code": None, **rule}
    assert answer_templates.rule_matches(AutoRule(**values), kind, None, subject, body) is matches


async def add_template(db: AsyncSession, texts: dict[str, str], keyword: str | None) -> str:
    code = f"t-{uuid.uuid4().hex[:8]}"
    template = AnswerTemplate(code=code, title=f"Plantilla {code}", active=True)
    db.add(template)
    await db.flush()
    db.add_all(
        AnswerTemplateText(canned_id=template.id, locale=k, body=v) for k, v in texts.items()
    )
    if keyword is not None:
        db.add(AutoRule(kind="multas", keywords=keyword, canned_code=code, active=True))
    await db.flush()
    return code


async def open_multa(db: AsyncSession, body: str, locale: str = "es", priority: str = "alta"):
    email = f"c.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(
        "multas", "Mi multa", body, "web", email, locale, region_code="RM", priority=priority
    )
    opened = await open_request(db, data, ANON, "https://ayuda.example.cl", NOW)
    await intake.complete_intake(db, opened.ticket, "https://ayuda.example.cl", now=NOW)
    await db.flush()
    return opened


TEXTS = {
    "es": "Hola {nombre}: su folio {folio}. Vea {enlace_ayuda}",
    "ht": "Bonjou {nombre} {folio}",
}


async def test_open_answers_automatically_and_logs_it(db) -> None:
    keyword = f"clave{uuid.uuid4().hex[:6]}"
    code = await add_template(db, TEXTS, keyword)
    opened = await open_multa(db, f"Quiero saber la {keyword.upper()}", locale="ht")
    request = opened.ticket
    assert request.status == status_flow.ABIERTO and request.priority == "alta"
    assert request.first_response_at is not None
    messages = (
        await db.scalars(
            select(TicketMessage)
            .where(TicketMessage.request_id == request.id)
            .order_by(TicketMessage.id)
        )
    ).all()
    assert [m.author_kind for m in messages] == ["citizen", "system"]
    # Creole text; the person has no name yet, so the fallback is used.
    assert messages[1].body.startswith("Bonjou ")
    assert request.folio in messages[1].body
    history = await db.scalars(
        select(StatusChange).where(StatusChange.request_id == request.id).order_by(StatusChange.id)
    )
    assert [(h.to_status, h.actor_kind) for h in history] == [
        ("nuevo", "anonymous"),
        ("abierto", "system"),
    ]
    log = await db.scalar(select(AutoAnswer).where(AutoAnswer.request_id == request.id))
    assert log is not None
    assert (log.canned_code, log.locale, log.awaiting_confirmation, log.outcome) == (
        code,
        "ht",
        True,
        None,
    )
    assert log.answered_at is not None


async def test_no_rule_matches_leaves_the_request_new(db) -> None:
    await add_template(db, TEXTS, f"clave{uuid.uuid4().hex[:6]}")
    opened = await open_multa(db, "Otra cosa")
    assert opened.ticket.status == status_flow.NUEVO
    assert await answer_templates.awaiting(db, opened.ticket) is None


async def test_prepare_says_which_language_is_missing_and_names_stay_text(db) -> None:
    keyword = f"clave{uuid.uuid4().hex[:6]}"
    code = await add_template(db, TEXTS, None)
    opened = await open_multa(db, keyword, locale="ru")
    person = await db.get(Person, opened.ticket.person_id)
    assert person is not None
    person.given_names = XSS_NAME
    missing = await answer_templates.prepare(db, code, opened.ticket, "http://x/")
    assert missing == answer_templates.MissingLanguage(
        code, f"Plantilla {code}", "ru", ("es", "ht")
    )
    assert await answer_templates.render_for(db, code, opened.ticket, "http://x/") is None
    chosen = await answer_templates.prepare(db, code, opened.ticket, "http://x/", "es")
    assert isinstance(chosen, answer_templates.Rendered) and chosen.locale == "es"
    assert chosen.text == (f"Hola {XSS_NAME}: su folio {opened.ticket.folio}. Vea http://x/ayuda")
    # A language the template lacks is no choice at all.
    assert isinstance(
        await answer_templates.prepare(db, code, opened.ticket, "http://x/", "fr"),
        answer_templates.MissingLanguage,
    )
    assert await answer_templates.prepare(db, "no-existe", opened.ticket, "http://x/") is None


async def test_yes_resolves_the_request(db) -> None:
    keyword = f"clave{uuid.uuid4().hex[:6]}"
    await add_template(db, TEXTS, keyword)
    request = (await open_multa(db, keyword)).ticket
    await answer_templates.confirm(db, request, True, ANON, NOW)
    assert request.status == status_flow.RESUELTO and request.resolved_at == NOW
    log = await db.scalar(select(AutoAnswer).where(AutoAnswer.request_id == request.id))
    assert log is not None and (log.outcome, log.awaiting_confirmation) == ("yes", False)
    last = await db.scalar(
        select(StatusChange)
        .where(StatusChange.request_id == request.id)
        .order_by(StatusChange.id.desc())
        .limit(1)
    )
    assert last is not None and (last.to_status, last.actor_kind) == ("resuelto", "system")
    with pytest.raises(answer_templates.ConfirmationRefused):
        await answer_templates.confirm(db, request, False, ANON, NOW)


async def test_no_sends_it_to_agents_with_its_priority(db) -> None:
    keyword = f"clave{uuid.uuid4().hex[:6]}"
    await add_template(db, TEXTS, keyword)
    request = (await open_multa(db, keyword, priority="urgente")).ticket
    await answer_templates.confirm(db, request, False, ANON, NOW)
    assert request.status == status_flow.ABIERTO and request.priority == "urgente"
    assert request.resolved_at is None
    log = await db.scalar(select(AutoAnswer).where(AutoAnswer.request_id == request.id))
    assert log is not None and (log.outcome, log.awaiting_confirmation) == ("no", False)


async def test_seed_defaults_is_idempotent(db) -> None:
    await answer_templates.seed_defaults(db)
    assert await answer_templates.seed_defaults(db) == 0
    codes = {code: locales for code, _, locales in await answer_templates.active_choices(db)}
    every = ("es", "ht", "en", "fr", "zh", "ru")
    assert codes["como-pagar-multa"] == codes["recibimos-antecedentes"] == every


class _Textarea(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.text = ""
        self.buttons: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.inside = tag == "textarea" and values.get("name") == "texto"
        if tag == "button" and values.get("name") == "resolvio":
            self.buttons.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text += data


async def test_pages_ask_the_citizen_and_prefill_the_agent_reply(client, sessionmaker) -> None:
    keyword = f"clave{uuid.uuid4().hex[:6]}"
    async with sessionmaker() as db, db.begin():
        code = await add_template(db, TEXTS, keyword)
        opened = await open_multa(db, keyword)
        person = await db.get(Person, opened.ticket.person_id)
        assert person is not None
        person.given_names = XSS_NAME
    folio, token = opened.ticket.folio, opened.access_token

    link = f"/solicitudes/{folio}/{token}"
    page = await client.get(link)
    parser = _Textarea()
    parser.feed(page.text)
    assert parser.buttons == ["si", "no"]
    # The question is the answer's last line; the form under it does not ask it again.
    assert page_text(page.text).count("¿Resolvió su consulta?") == 1
    answered = await client.submit(link + "/resolvio", {"resolvio": "no"}, page=link)
    assert answered.status_code == 303
    again = _Textarea()
    again.feed((await client.get(link)).text)
    assert again.buttons == []

    await sign_in_staff(client, await staff_member(sessionmaker, "supervisor"))
    staff_page = await client.get(f"/staff/solicitudes/{folio}?plantilla={code}")
    assert staff_page.status_code == 200
    form = _Textarea()
    form.feed(staff_page.text)
    assert form.text == f"Hola {XSS_NAME}: su folio {folio}. Vea http://testserver/ayuda"
    assert "<script>alert" not in staff_page.text
    assert "Hola" in page_text(staff_page.text)
