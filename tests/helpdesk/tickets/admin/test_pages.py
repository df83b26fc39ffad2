"""The inbox's admin pages through HTTP: admins only, bad input answered with 422 and a
message, changes audited, deadlines and closures reaching new requests, payloads as text.

The database is shared by the whole run: rules get unique keywords, closures fall in far
years, and kind deadlines, routing and trámites are put back as they were."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from html import escape as html_escape
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from helpdesk.accounts.models import StaffAccount
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.calendar.models import Closure
from helpdesk.calendar.service import working_calendar
from helpdesk.tickets.answers import templates as answer_templates
from helpdesk.tickets.answers.models import (
    AnswerTemplate,
    AnswerTemplateText,
    AutoAnswer,
    AutoRule,
)
from helpdesk.tickets.models import KindDeadline, Team, TeamKind, TeamMember, Ticket
from helpdesk.tickets.opening import intake
from helpdesk.tickets.service import NewRequest, open_request
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text

P = "/staff/admin/solicitudes"
ZONE = ZoneInfo("America/Santiago")
ANON = Actor("anonymous", None)
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"


class _Markup(HTMLParser):
    """Elements a payload could have injected: inline scripts and event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.injected: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and "src" not in names:
            self.injected.append(tag)
        self.injected += [f"{tag}[{n}]" for n in names if n.startswith("on")]


def injected(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    return parser.injected


async def as_admin(client, sessionmaker) -> int:
    email = await staff_member(sessionmaker, "admin")
    await sign_in_staff(client, email)
    async with sessionmaker() as db:
        return int(await db.scalar(select(StaffAccount.id).where(StaffAccount.email == email)))


async def add_canned(sessionmaker, active: bool = True, **fields: object) -> AnswerTemplate:
    async with sessionmaker() as db, db.begin():
        code = f"c-{uuid.uuid4().hex[:8]}"
        row = AnswerTemplate(code=code, title=f"Plantilla {code}", active=active, **fields)
        db.add(row)
        await db.flush()
        db.add(AnswerTemplateText(canned_id=row.id, locale="es", body="Hola {nombre}"))
    return row


async def events(sessionmaker, action: str, entity_id: int | None = None) -> list[AuditEvent]:
    async with sessionmaker() as db:
        stmt = select(AuditEvent).where(AuditEvent.action == action)
        if entity_id is not None:
            stmt = stmt.where(AuditEvent.entity_id == entity_id)
        return list((await db.scalars(stmt.order_by(AuditEvent.id))).all())


async def open_one(sessionmaker, kind: str, now: datetime, region: str, body: str = "Hola"):
    email = f"a.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        data = NewRequest(kind, "Asunto", body, "web", email, "es", region_code=region)
        opened = await open_request(db, data, ANON, "http://testserver", now)
        await intake.complete_intake(db, opened.ticket, "http://testserver", now=now)
        return opened.ticket


# --- Roles.


async def test_non_admins_get_403_on_every_admin_page(client, sessionmaker, unique) -> None:
    template = await add_canned(sessionmaker, active=False)
    async with sessionmaker() as db, db.begin():
        team = Team(code=f"t-{unique}", name="Equipo 403")
        rule = AutoRule(kind="multas", keywords=f"k{unique}", canned_code=template.code)
        rule.active = False
        db.add_all([team, rule])
        await db.flush()
        closure = Closure(day=date(2096, 3, 5), region_code="AI", reason="Cierre 403")
        db.add(closure)
        await db.flush()
        ids = {"rule": rule.id, "closure": closure.id}
    pages = [
        "",
        "/respuestas",
        "/respuestas/nueva",
        f"/respuestas/{template.id}",
        "/reglas",
        "/reglas/nueva",
        f"/reglas/{ids['rule']}",
        "/plazos",
        "/plazos/consulta",
        "/cierres",
        "/equipos",
        f"/equipos/t-{unique}",
        "/tramites",
        "/tramites/nuevo",
        "/tramites/pt-artistas",
        "/oficinas",
        "/oficinas/arica",
    ]
    posts = [
        "/respuestas/nueva",
        f"/respuestas/{template.id}",
        "/reglas/nueva",
        f"/reglas/{ids['rule']}",
        f"/reglas/{ids['rule']}/estado",
        "/plazos/consulta",
        "/plazos/consulta/restablecer",
        "/cierres",
        f"/cierres/{ids['closure']}/eliminar",
        "/equipos",
        "/enrutamiento",
        f"/equipos/t-{unique}/miembros",
        f"/equipos/t-{unique}/miembros/1/quitar",
        f"/equipos/t-{unique}/miembros/1/disponible",
        "/tramites/nuevo",
        "/tramites/pt-artistas",
        "/oficinas/arica",
    ]
    anonymous = await client.get(P + "/respuestas")
    assert anonymous.status_code == 303 and "/staff/ingresar" in anonymous.headers["location"]
    for role in ("supervisor", "regional_agent"):
        await sign_in_staff(client, await staff_member(sessionmaker, role))
        for path in pages:
            assert (await client.get(P + path)).status_code == 403, (role, path)
        for path in posts:
            form = {"legal": "20", "fecha": "2097-01-02", "motivo": "x", "codigo": "x"}
            response = await client.submit(P + path, form, page="/staff")
            assert response.status_code == 403, (role, path)
    async with sessionmaker() as db:
        assert await db.get(KindDeadline, "consulta") is None
        assert await db.get(Closure, ids["closure"]) is not None
    await as_admin(client, sessionmaker)
    for path in pages:
        assert (await client.get(P + path)).status_code == 200, path


async def test_staff_home_links_the_admin_pages_for_admins_only(client, sessionmaker) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "supervisor"))
    assert P not in (await client.get("/staff")).text
    await as_admin(client, sessionmaker)
    assert f'href="{P}"' in (await client.get("/staff")).text


# --- Respuestas tipo.


async def test_canned_answers_are_created_edited_and_audited(client, sessionmaker, unique) -> None:
    await as_admin(client, sessionmaker)
    code = f"resp-{unique}"
    form = {
        "codigo": code,
        "titulo": "Antecedentes recibidos",
        "activa": "1",
        "estado": "en_espera_ciudadano",
        "tipo": "reclamo",
        "etiquetas": " VIP, prensa ,vip",
        "texto_es": "Hola {nombre}, su folio {folio}. Vea {enlace_ayuda}",
        "texto_en": "Hello {nombre}",
    }
    created = await client.submit(P + "/respuestas/nueva", form)
    assert created.status_code == 303, created.text
    async with sessionmaker() as db:
        row = await db.scalar(select(AnswerTemplate).where(AnswerTemplate.code == code))
        assert row is not None
        texts = await db.execute(
            select(AnswerTemplateText.locale, AnswerTemplateText.body).where(
                AnswerTemplateText.canned_id == row.id
            )
        )
        assert dict(texts.all()) == {"es": form["texto_es"], "en": "Hello {nombre}"}
    assert (row.set_status, row.set_kind, row.add_tags) == (
        "en_espera_ciudadano",
        "reclamo",
        "vip,prensa",
    )
    assert created.headers["location"] == f"{P}/respuestas/{row.id}?hecho=creada"
    [event] = await events(sessionmaker, "canned.create", row.id)
    assert event.changes["codigo"] == [None, code] and event.changes["etiquetas"] == [
        None,
        "vip,prensa",
    ]

    again = await client.submit(P + "/respuestas/nueva", form)
    assert again.status_code == 422
    assert "Ya existe una respuesta tipo con ese código." in page_text(again.text)

    edit = {**form, "titulo": "Recibimos sus antecedentes", "texto_en": "", "estado": ""}
    edit.pop("activa")
    saved = await client.submit(f"{P}/respuestas/{row.id}", edit)
    assert saved.status_code == 303
    async with sessionmaker() as db:
        row = await db.get(AnswerTemplate, row.id)
        locales = await db.scalars(
            select(AnswerTemplateText.locale).where(AnswerTemplateText.canned_id == row.id)
        )
        assert list(locales) == ["es"]
    assert (row.title, row.active, row.set_status) == ("Recibimos sus antecedentes", False, None)
    [update] = await events(sessionmaker, "canned.update", row.id)
    assert update.changes["titulo"] == ["Antecedentes recibidos", "Recibimos sus antecedentes"]
    assert update.changes["activa"] == [True, False]
    assert update.changes["texto_en"] == ["Hello {nombre}", None]
    listing = page_text((await client.get(P + "/respuestas")).text)
    assert "Recibimos sus antecedentes" in listing and "Inactiva" in listing


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("codigo", "", "Escriba un código."),
        ("codigo", "Con Espacios", "Use solo letras minúsculas"),
        ("titulo", "", "Escriba un título."),
        ("estado", "cerrado", "Elija un estado de la lista."),
        ("tipo", "inventado", "Elija un tipo de la lista."),
        ("etiquetas", "bien, mal etiqueta!", "La etiqueta «mal etiqueta!» no es válida"),
        ("texto_es", "", "Escriba el texto en español"),
        ("texto_es", "Hola {apellido} {nombre}", "Marcador desconocido: {apellido}."),
        ("texto_fr", "Bonjour {0}", "Marcador desconocido: {0}."),
    ],
)
async def test_canned_form_refuses_bad_input(client, sessionmaker, field, value, message) -> None:
    await as_admin(client, sessionmaker)
    form = {"codigo": f"ok-{uuid.uuid4().hex[:8]}", "titulo": "T", "texto_es": "Hola", field: value}
    response = await client.submit(P + "/respuestas/nueva", form)
    assert response.status_code == 422
    text = page_text(response.text)
    assert message in text and "Revise los campos marcados." in text
    async with sessionmaker() as db:
        assert (
            await db.scalar(select(AnswerTemplate.id).where(AnswerTemplate.code == form["codigo"]))
            is None
        )


async def test_canned_title_and_body_are_shown_as_text(client, sessionmaker, unique) -> None:
    await as_admin(client, sessionmaker)
    form = {"codigo": f"xss-{unique}", "titulo": XSS, "texto_es": f"Hola {XSS}"}
    assert (await client.submit(P + "/respuestas/nueva", form)).status_code == 303
    async with sessionmaker() as db:
        row_id = await db.scalar(
            select(AnswerTemplate.id).where(AnswerTemplate.code == f"xss-{unique}")
        )
    for url in (P + "/respuestas", f"{P}/respuestas/{row_id}"):
        html = (await client.get(url)).text
        assert injected(html) == [], url
        # As text (the list's cells) or as an escaped form value (the edit page), never raw.
        assert XSS in page_text(html) or html_escape(XSS) in html, url
    edit_page = (await client.get(f"{P}/respuestas/{row_id}")).text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in edit_page


# --- Reglas automáticas.


async def test_rules_are_edited_and_show_their_outcomes(client, sessionmaker, unique) -> None:
    await as_admin(client, sessionmaker)
    template = await add_canned(sessionmaker)
    keyword = f"palabra{unique}"
    bad = await client.submit(
        P + "/reglas/nueva",
        {"tipo": "multas", "plantilla": template.code, "tramite": "pt-artistas", "activa": "1"},
    )
    assert bad.status_code == 422
    assert "Ese trámite no pertenece al tipo elegido" in page_text(bad.text)
    for form, message in (
        ({"tipo": "nada", "plantilla": template.code}, "Elija un tipo de la lista."),
        ({"tipo": "multas", "plantilla": ""}, "Elija una respuesta tipo."),
        ({"tipo": "multas", "plantilla": "no-existe"}, "Elija una respuesta tipo de la lista."),
        ({"tipo": "multas", "plantilla": template.code, "palabras": "x" * 501}, "más de 500"),
    ):
        response = await client.submit(P + "/reglas/nueva", form)
        assert response.status_code == 422 and message in page_text(response.text), form

    form = {
        "tipo": "multas",
        "palabras": f" {keyword} ,",
        "plantilla": template.code,
        "activa": "1",
    }
    assert (await client.submit(P + "/reglas/nueva", form)).status_code == 303
    async with sessionmaker() as db:
        rule = await db.scalar(select(AutoRule).where(AutoRule.keywords == keyword))
        assert rule is not None and rule.active
    [created] = await events(sessionmaker, "auto_rule.create", rule.id)
    assert created.changes["palabras"] == [None, keyword]

    now = datetime(2031, 4, 7, 10, tzinfo=ZONE)
    requests = [
        await open_one(sessionmaker, "multas", now, "RM", f"Sobre {keyword}") for _ in "abc"
    ]
    async with sessionmaker() as db, db.begin():
        for request, said in zip(requests[:2], (True, False), strict=True):
            row = await db.get(Ticket, request.id)
            assert row is not None
            await answer_templates.confirm(db, row, said, ANON, now)
    async with sessionmaker() as db:
        logged = await db.scalar(
            select(AutoAnswer.rule_id).where(AutoAnswer.request_id == requests[0].id)
        )
    assert logged == rule.id

    page = await client.get(P + "/reglas")
    assert page.status_code == 200
    cells = _row_cells(page.text, f"{P}/reglas/{rule.id}")
    assert cells[1:8] == ["—", keyword, template.title, "3", "1", "1", "1"]

    off = await client.submit(f"{P}/reglas/{rule.id}/estado", {"activa": "0"}, P + "/reglas")
    assert off.status_code == 303
    edited = await client.submit(
        f"{P}/reglas/{rule.id}", {**form, "palabras": f"{keyword}, otra"}, P + "/reglas"
    )
    assert edited.status_code == 303
    async with sessionmaker() as db:
        rule = await db.get(AutoRule, rule.id)
    assert rule.active and rule.keywords == f"{keyword}, otra"
    changes = [e.changes for e in await events(sessionmaker, "auto_rule.update", rule.id)]
    assert changes == [
        {"activa": [True, False]},
        {"activa": [False, True], "palabras": [keyword, f"{keyword}, otra"]},
    ]
    # Leave it inactive: the shared database must not answer other tests' requests.
    await client.submit(f"{P}/reglas/{rule.id}/estado", {"activa": "0"}, P + "/reglas")


class _Cells(HTMLParser):
    def __init__(self, href: str) -> None:
        super().__init__()
        self.href, self.row, self.inside, self.found = href, [], False, []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.row, self.inside = [], False
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a" and dict(attrs).get("href") == self.href:
            self.inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self.inside:
            self.found = self.row

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _row_cells(html: str, href: str) -> list[str]:
    parser = _Cells(href)
    parser.feed(html)
    return parser.found


# --- Plazos por tipo.


async def test_kind_deadline_change_reaches_new_requests(client, sessionmaker) -> None:
    await as_admin(client, sessionmaker)
    url = P + "/plazos/opinion"
    for form, message in (
        ({"legal": "0"}, "entre 1 y 60"),
        ({"legal": "61"}, "entre 1 y 60"),
        ({"legal": "diez"}, "entre 1 y 60"),
        ({"legal": "10", "meta": "12"}, "La meta interna no puede ser mayor que el plazo legal."),
        ({"legal": "10", "meta": "0"}, "entre 1 y 60"),
    ):
        response = await client.submit(url, form)
        assert response.status_code == 422 and message in page_text(response.text), form
    now = datetime(2077, 3, 16, 10, tzinfo=ZONE)
    try:
        before = await open_one(sessionmaker, "opinion", now, "AI")
        assert (await client.submit(url, {"legal": "20", "meta": "4"})).status_code == 303
        after = await open_one(sessionmaker, "opinion", now, "AI")
        assert after.legal_due_on > before.legal_due_on
        assert after.target_due_on is not None and before.target_due_on is None
        table = page_text((await client.get(P + "/plazos")).text)
        assert "20 días hábiles; meta 4" in table
        [event] = (await events(sessionmaker, "kind_deadline.set"))[-1:]
        assert event.changes == {
            "tipo": ["opinion", "opinion"],
            "legal": [10, 20],
            "meta": [None, 4],
        }
        reset = await client.submit(url + "/restablecer", {}, P + "/plazos")
        assert reset.status_code == 303
        again = await open_one(sessionmaker, "opinion", now, "AI")
        assert (again.legal_due_on, again.target_due_on) == (before.legal_due_on, None)
        [undo] = (await events(sessionmaker, "kind_deadline.reset"))[-1:]
        assert undo.changes["legal"] == [20, 10]
    finally:
        async with sessionmaker() as db, db.begin():
            await db.execute(delete(KindDeadline).where(KindDeadline.kind == "opinion"))


# --- Feriados y cierres.


async def test_closure_moves_due_dates_and_past_ones_stay(client, sessionmaker, unique) -> None:
    await as_admin(client, sessionmaker)
    year = random.randint(2060, 2095)  # its own year: no other test counts days there
    now = datetime(year, 6, 1, 10, tzinfo=ZONE)
    first = await open_one(sessionmaker, "consulta", now, "LR")
    async with sessionmaker() as db:
        calendar = await working_calendar(db, "LR")
    closed_day = calendar.next_working_day(now.date() + timedelta(days=2))
    reason = f"{XSS} {unique}"
    added = await client.submit(
        P + "/cierres", {"fecha": closed_day.isoformat(), "region": "LR", "motivo": reason}
    )
    assert added.status_code == 303, added.text
    second = await open_one(sessionmaker, "consulta", now, "LR")
    assert first.legal_due_on is not None
    assert second.legal_due_on == calendar.next_working_day(first.legal_due_on + timedelta(days=1))
    elsewhere = await open_one(sessionmaker, "consulta", now, "LL")
    assert elsewhere.legal_due_on == first.legal_due_on  # a regional closure stays regional

    html = (await client.get(P + "/cierres")).text
    assert injected(html) == [] and reason in page_text(html)
    async with sessionmaker() as db:
        closure = await db.scalar(select(Closure).where(Closure.reason == reason))
        assert closure is not None
    [event] = await events(sessionmaker, "closure.create", closure.id)
    assert event.changes["fecha"] == [None, closed_day.isoformat()]

    duplicate = await client.submit(
        P + "/cierres", {"fecha": closed_day.isoformat(), "region": "LR", "motivo": "Otra vez"}
    )
    assert duplicate.status_code == 422 and "ya es un cierre" in page_text(duplicate.text)
    removed = await client.submit(f"{P}/cierres/{closure.id}/eliminar", {}, P + "/cierres")
    assert removed.status_code == 303
    async with sessionmaker() as db, db.begin():
        assert await db.get(Closure, closure.id) is None
        past = Closure(day=date(2004, 3, 2), region_code="AI", reason=f"Pasado {unique}")
        db.add(past)
    assert len(await events(sessionmaker, "closure.delete", closure.id)) == 1
    kept = await client.submit(f"{P}/cierres/{past.id}/eliminar", {}, P + "/cierres")
    assert kept.status_code == 409 and "se conservan" in page_text(kept.text)
    async with sessionmaker() as db:
        assert await db.get(Closure, past.id) is not None


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"fecha": "2001-01-02", "motivo": "x"}, "Elija hoy o una fecha futura"),
        ({"fecha": "mañana", "motivo": "x"}, "Escriba la fecha como AAAA-MM-DD."),
        ({"fecha": "2090-02-30", "motivo": "x"}, "Escriba la fecha como AAAA-MM-DD."),
        ({"fecha": "2090-02-01", "motivo": ""}, "Escriba el motivo"),
        ({"fecha": "2090-02-01", "motivo": "x" * 201}, "hasta 200 caracteres"),
        ({"fecha": "2090-02-01", "motivo": "x", "region": "ZZ"}, "Elija una región de la lista."),
    ],
)
async def test_closure_form_refuses_bad_input(client, sessionmaker, form, message) -> None:
    await as_admin(client, sessionmaker)
    response = await client.submit(P + "/cierres", form)
    assert response.status_code == 422
    assert message in page_text(response.text)


# --- Equipos.


async def test_teams_members_and_routing(client, sessionmaker, unique) -> None:
    await as_admin(client, sessionmaker)
    code = f"eq-{unique}"
    bad = await client.submit(P + "/equipos", {"codigo": "Mal Código", "nombre": ""})
    assert bad.status_code == 422
    assert "Escriba el nombre del equipo." in page_text(bad.text)
    made = await client.submit(
        P + "/equipos", {"codigo": code, "nombre": "Multas RM", "region": "RM"}
    )
    assert made.status_code == 303 and made.headers["location"].startswith(f"{P}/equipos/{code}")
    taken = await client.submit(P + "/equipos", {"codigo": code, "nombre": "Otra"})
    assert taken.status_code == 422 and "Ya existe un equipo" in page_text(taken.text)

    async with sessionmaker() as db:
        ids = {
            role: await db.scalar(select(StaffAccount.id).where(StaffAccount.email == email))
            for role, email in (
                ("rm", await staff_member(sessionmaker, "regional_agent", "santiago")),
                ("ta", await staff_member(sessionmaker, "regional_agent", "iquique")),
                ("kb", await staff_member(sessionmaker, "kb_editor")),
            )
        }
    team_url = f"{P}/equipos/{code}"
    for who in ("ta", "kb"):
        refused = await client.submit(team_url + "/miembros", {"persona": str(ids[who])}, team_url)
        assert refused.status_code == 422, who
        assert "no atiende solicitudes de la región" in page_text(refused.text)
    garbage = await client.submit(team_url + "/miembros", {"persona": "x"}, team_url)
    assert garbage.status_code == 422 and "Elija una persona" in page_text(garbage.text)
    added = await client.submit(team_url + "/miembros", {"persona": str(ids["rm"])}, team_url)
    assert added.status_code == 303
    member = f"{team_url}/miembros/{ids['rm']}"
    assert (
        await client.submit(member + "/disponible", {"disponible": "0"}, team_url)
    ).status_code == 303
    async with sessionmaker() as db:
        row = await db.get(TeamMember, (code, ids["rm"]))
        assert row is not None and row.available is False
    listing = await client.get(P + "/equipos")
    assert _row_cells(listing.text, team_url)[1:] == [code, "Metropolitana de Santiago", "1", "0"]
    assert (await client.submit(member + "/quitar", {}, team_url)).status_code == 303
    async with sessionmaker() as db:
        assert await db.get(TeamMember, (code, ids["rm"])) is None
    actions = [e.action for e in await events(sessionmaker, "team.member_add", ids["rm"])]
    actions += [e.action for e in await events(sessionmaker, "team.member_available", ids["rm"])]
    actions += [e.action for e in await events(sessionmaker, "team.member_remove", ids["rm"])]
    assert actions == ["team.member_add", "team.member_available", "team.member_remove"]

    async with sessionmaker() as db:
        previous = await db.get(TeamKind, "felicitacion")
        previous_team = previous.team_code if previous else None
    try:
        unknown = await client.submit(
            P + "/enrutamiento", {"equipo_felicitacion": "no-hay"}, P + "/equipos"
        )
        assert unknown.status_code == 422 and "Elija equipos de la lista." in page_text(
            unknown.text
        )
        routed = await client.submit(
            P + "/enrutamiento", {"equipo_felicitacion": code}, P + "/equipos"
        )
        assert routed.status_code == 303
        async with sessionmaker() as db:
            assert (await db.get(TeamKind, "felicitacion")).team_code == code
        [event] = (await events(sessionmaker, "team.route_kind"))[-1:]
        assert event.changes == {"tipo": ["felicitacion"] * 2, "equipo": [previous_team, code]}
    finally:
        restore = {"equipo_felicitacion": previous_team or ""}
        assert (
            await client.submit(P + "/enrutamiento", restore, P + "/equipos")
        ).status_code == 303
