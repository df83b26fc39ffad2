"""Another region's folio is answered exactly as a folio that does not exist, on every staff
route that takes a folio and in the queue's bulk actions: role × region × (own, other
region, missing)."""

from __future__ import annotations

import re
import uuid

import pytest
from starlette.routing import Route

from helpdesk.audit.service import Actor
from helpdesk.tickets.service import NewRequest, open_request
from tests.support.factories import sign_in_staff, staff_member

MISSING = "SIAC-1999-999999"
# Per-response values that differ between any two answers (CSP nonces, form tokens).
_VOLATILE = re.compile(r'(nonce|value|content)="[A-Za-z0-9_\-.=+/]{16,}"')
# The queue's wait column ticks between two renders of the same rows.
_WAIT = re.compile(r"<td>\d+ (?:segundos?|minutos?|horas?|días?)</td>")


def folio_routes(app) -> list[tuple[str, str, str]]:
    """(name, path, method) of every staff route with a {folio} parameter."""
    found = []
    for route in app.routes:
        if (
            isinstance(route, Route)
            and route.path.startswith("/staff/")
            and "{folio}" in route.path
        ):
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    found.append((route.name, route.path, method))
    return found


async def request_in(sessionmaker, region: str) -> str:
    email = f"p.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        data = NewRequest("consulta", "Visa", "Hola", "web", email, "es", region_code=region)
        opened = await open_request(db, data, Actor("anonymous", None), "http://testserver")
    return opened.ticket.folio


def url_for(path: str, folio: str) -> str:
    return (
        path.replace("{folio}", folio)
        .replace("{attachment_id:id}", "1")
        .replace("{link_id:id}", "1")
        .replace("{tag}", "x")
        .replace("{number}", "RT-1")  # an application linked to the request (cases)
    )


async def answer(client, method: str, url: str, token: str) -> tuple[int, str]:
    if method == "GET":
        response = await client.get(url)
    else:
        response = await client.post(url, data={"csrf_token": token, "texto": "Hola"})
    return response.status_code, _VOLATILE.sub("", response.text)


def test_the_table_covers_every_folio_route(app) -> None:
    names = {name for name, _path, _method in folio_routes(app)}
    assert {
        "staff_request",
        "staff_request_reply",
        "staff_request_note",
        "staff_request_claim",
        "staff_request_unassign",
        "staff_request_status",
        "staff_request_attachment",
        "staff_request_merge",
        "staff_request_link",
        "staff_request_unlink",
    } <= names
    assert len(names) >= 14


@pytest.mark.parametrize(
    ("role", "office"),
    [
        ("regional_agent", "santiago"),
        ("central_analyst", None),
        ("supervisor", None),
        ("kb_editor", None),
    ],
)
async def test_other_region_answers_as_missing(app, client, sessionmaker, role, office) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, role, office))
    token = await client.csrf("/staff/ingresar")
    regional = role == "regional_agent"
    for name, path, method in folio_routes(app):
        # Fresh requests each time: an action on one must not change the next answer.
        own, other = await request_in(sessionmaker, "RM"), await request_in(sessionmaker, "TA")
        got_other = await answer(client, method, url_for(path, other), token)
        got_missing = await answer(client, method, url_for(path, MISSING), token)
        got_own = await answer(client, method, url_for(path, own), token)
        where = (role, name, method)
        if role == "kb_editor":  # no requests at all: refused alike before any lookup
            assert got_own[0] == got_other[0] == got_missing[0] == 403, where
            assert got_other == got_missing, where
        elif regional:
            assert got_missing[0] == 404, where
            assert got_other == got_missing, where  # status and body
        else:  # every region is theirs: the other region's folio is worked like their own
            assert got_missing[0] == 404, where
            assert got_other[0] == got_own[0], where
        if regional and path.count("{") == 1:  # their own folio is worked, not missing
            assert got_own[0] != 404, where


async def test_bulk_names_other_region_and_missing_folios_alike(client, sessionmaker) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "regional_agent", "santiago"))
    own, other = await request_in(sessionmaker, "RM"), await request_in(sessionmaker, "TA")
    token = await client.csrf("/staff/solicitudes")
    texts = []
    for folio in (other, MISSING):
        response = await client.post(
            "/staff/solicitudes/lote",
            data={"folio": [own, folio], "accion": "tomar", "csrf_token": token},
        )
        assert response.status_code == 409
        texts.append(_WAIT.sub("", _VOLATILE.sub("", response.text)).replace(folio, "FOLIO"))
        assert f"{folio}: no hay una solicitud con ese folio." in response.text
    assert texts[0] == texts[1]


async def test_the_audit_log_of_a_folio_answers_alike(client, sessionmaker) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "regional_agent", "santiago"))
    other = await request_in(sessionmaker, "TA")
    answers = []
    for folio in (other, MISSING):
        response = await client.get("/staff/auditoria", params={"solicitud": folio})
        answers.append((response.status_code, _VOLATILE.sub("", response.text).replace(folio, "F")))
    assert answers[0] == answers[1] and answers[0][0] == 404
