"""/api/v1/requests and /api/v1/people/{id}/requests: open, read, reply, list, scoping."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.accounts.staff import create_api_token, find_by_email
from tests.helpdesk.api.test_api import assert_error
from tests.support import factories


def new_body(**changes: Any) -> dict[str, Any]:
    body = {
        "kind": "consulta",
        "subject": "Estado de mi residencia",
        "body": "¿Cuándo responden?",
        "region_code": "RM",
        "email": "integracion.api@test.portal",
        "channel": "municipio",
    }
    body.update(changes)
    return body


async def staff_token(sessionmaker, role: str = "supervisor", office: str | None = None) -> dict:
    email = await factories.staff_member(sessionmaker, role, office)
    async with sessionmaker() as db, db.begin():
        account = await find_by_email(db, email)
        assert account is not None
        token = await create_api_token(db, account.id, "test")
    return {"Authorization": f"Bearer {token}"}


async def test_open_read_and_reply(client, sessionmaker) -> None:
    auth = await staff_token(sessionmaker)
    created = await client.post("/api/v1/requests", json=new_body(), headers=auth)
    assert created.status_code == 201, created.text
    opened = created.json()
    assert opened["folio"].startswith("SIAC-") and opened["token"] and opened["status"] == "nuevo"

    url = f"/api/v1/requests/{opened['folio']}"
    read = await client.get(url, params={"token": opened["token"]})
    assert read.status_code == 200, read.text
    assert read.json()["legal_due_on"] == opened["legal_due_on"]
    assert [m["text"] for m in read.json()["messages"]] == ["¿Cuándo responden?"]

    # No account: the private token, with the CSRF token of the caller's session.
    csrf = {"X-CSRF-Token": await client.csrf("/")}
    added = await client.post(
        f"{url}/messages",
        params={"token": opened["token"]},
        json={"text": " Más datos "},
        headers=csrf,
    )
    assert added.status_code == 201, added.text
    assert added.json()["author"] == "citizen" and added.json()["text"] == "Más datos"
    again = await client.get(url.lower(), params={"token": opened["token"]})
    assert [m["text"] for m in again.json()["messages"]][-1] == "Más datos"


async def test_wrong_folio_or_token_is_the_same_404(client, sessionmaker) -> None:
    opened = (
        await client.post(
            "/api/v1/requests", json=new_body(), headers=await staff_token(sessionmaker)
        )
    ).json()
    wrong_token = await client.get(f"/api/v1/requests/{opened['folio']}", params={"token": "x"})
    wrong_folio = await client.get(
        "/api/v1/requests/SIAC-1999-000001", params={"token": opened["token"]}
    )
    assert wrong_token.json() == wrong_folio.json()
    assert_error(wrong_folio, 404, "not_found")
    assert_error(wrong_token, 404, "not_found")
    assert_error(await client.get(f"/api/v1/requests/{opened['folio']}"), 422, "invalid")
    assert_error(
        await client.post(
            f"/api/v1/requests/{opened['folio']}/messages",
            params={"token": "nope"},
            json={"text": "hola"},
            headers={"X-CSRF-Token": await client.csrf("/")},
        ),
        404,
        "not_found",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "nada"}, "kind"),
        ({"region_code": "XX"}, "region_code"),
        ({"subject": "   "}, "subject"),
        ({"body": ""}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"email": "no-es-correo"}, "email"),
        ({"channel": None}, "channel"),
        ({"channel": "paloma"}, "channel"),
        ({"kind": "multas"}, "kind"),  # needs an identity document: through the form only
        ({"kind": "regularizacion", "tramite_code": "rd-solicitud"}, "tramite_code"),
        ({"extra": 1}, "extra"),
        ({"subject": "\x00"}, "subject"),  # was a 500 on PostgreSQL (issue 13)
        ({"body": "hola\x00"}, "body"),
    ],
)
async def test_invalid_input_names_the_field(client, sessionmaker, changes, field) -> None:
    response = await client.post(
        "/api/v1/requests",
        json=new_body(**changes),
        headers={**await staff_token(sessionmaker), "Accept-Language": "en"},
    )
    error = assert_error(response, 422, "invalid")
    assert field in [d["field"] for d in error["details"]], error
    assert error["message"] != "Revise los datos ingresados"  # localized


async def test_empty_message_is_refused(client, sessionmaker) -> None:
    opened = (
        await client.post(
            "/api/v1/requests", json=new_body(), headers=await staff_token(sessionmaker)
        )
    ).json()
    csrf = {"X-CSRF-Token": await client.csrf("/")}
    url = f"/api/v1/requests/{opened['folio']}/messages"
    for body in ({"text": "  "}, {}, {"text": 3}):
        response = await client.post(
            url, params={"token": opened["token"]}, json=body, headers=csrf
        )
        assert assert_error(response, 422, "invalid")["details"][0]["field"] == "text"


async def test_region_scoping(client, sessionmaker) -> None:
    iquique = await staff_token(sessionmaker, "regional_agent", "iquique")  # Tarapacá
    santiago = await staff_token(sessionmaker, "regional_agent", "santiago")
    assert_error(
        await client.post("/api/v1/requests", json=new_body(), headers=iquique), 403, "forbidden"
    )
    assert (
        await client.post("/api/v1/requests", json=new_body(), headers=santiago)
    ).status_code == 201

    person_id = await factories.person(sessionmaker, "RM")
    url = f"/api/v1/people/{person_id}/requests"
    # Another region's record answers exactly as one that does not exist.
    other_region = await client.get(url, headers=iquique)
    missing = await client.get("/api/v1/people/99999999999/requests", headers=iquique)
    assert_error(other_region, 404, "not_found")
    assert (other_region.status_code, other_region.json()) == (missing.status_code, missing.json())
    assert (await client.get(url, headers=santiago)).json() == {"items": []}
    assert_error(await client.get(url), 401, "unauthorized")
    assert_error(
        await client.get("/api/v1/people/99999999999/requests", headers=santiago), 404, "not_found"
    )
    analyst = await staff_token(sessionmaker, "central_analyst")
    assert (await client.get(url, headers=analyst)).status_code == 200


async def test_citizen_opens_with_csrf_and_lists_their_own(client, sessionmaker) -> None:
    email, person_id = await factories.citizen(sessionmaker)
    other = await factories.person(sessionmaker, "RM")
    await factories.sign_in_citizen(client, email)
    body = new_body(email=None, channel=None)
    del body["email"], body["channel"]
    assert_error(await client.post("/api/v1/requests", json=body), 403, "forbidden")
    csrf = {"X-CSRF-Token": await client.csrf("/cuenta")}
    created = await client.post("/api/v1/requests", json=body, headers=csrf)
    assert created.status_code == 201, created.text
    assert_error(
        await client.post("/api/v1/requests", json={**body, "email": "x@y.cl"}, headers=csrf),
        422,
        "invalid",
    )
    # What the schema says staff must send, a citizen may send too: their own email, the web.
    own = {**body, "email": email.upper(), "channel": "web"}
    assert (await client.post("/api/v1/requests", json=own, headers=csrf)).status_code == 201
    assert_error(
        await client.post("/api/v1/requests", json={**own, "channel": "email"}, headers=csrf),
        422,
        "invalid",
    )

    mine = (await client.get(f"/api/v1/people/{person_id}/requests")).json()["items"]
    assert created.json()["folio"] in [r["folio"] for r in mine] and len(mine) == 2
    assert {r["channel"] for r in mine} == {"web"}
    assert_error(await client.get(f"/api/v1/people/{other}/requests"), 403, "forbidden")


async def test_operations_are_documented(client) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    paths = document["paths"]
    assert paths["/api/v1/requests"]["post"]["requestBody"]
    assert {p["name"] for p in paths["/api/v1/requests/{folio}"]["get"]["parameters"]} == {
        "folio",
        "token",
    }
    assert "post" in paths["/api/v1/requests/{folio}/messages"]
    assert "get" in paths["/api/v1/people/{person_id}/requests"]
    assert "NewRequestIn" in document["components"]["schemas"]


async def test_the_schema_states_what_the_api_refuses(client) -> None:
    """Issue 13: what staff must send, the kinds the API opens, no empty token, the KB's
    parameters, 201 for what a POST creates (schemathesis --checks all holds the rest)."""
    document = (await client.get("/api/v1/openapi.json")).json()
    paths, schemas = document["paths"], document["components"]["schemas"]
    opening = schemas["NewRequestIn"]
    assert {"email", "channel"} <= set(opening["required"])
    assert "null" not in str(opening["properties"]["email"])
    assert "multas" not in opening["properties"]["kind"]["enum"]  # it needs a document
    assert "consulta" in opening["properties"]["kind"]["enum"]
    token = next(
        p for p in paths["/api/v1/requests/{folio}"]["get"]["parameters"] if p["name"] == "token"
    )
    assert token["required"] and token["schema"]["minLength"] == 1
    assert "201" in paths["/api/v1/requests"]["post"]["responses"]
    assert "200" not in paths["/api/v1/requests"]["post"]["responses"]
    search = {p["name"]: p["schema"] for p in paths["/api/v1/kb/search"]["get"]["parameters"]}
    assert set(search["lang"]["enum"]) == {"es", "en", "fr", "ht", "zh", "ru"}
    assert search["limit"] == {"type": "integer", "minimum": 1, "maximum": 50}
    assert search["q"]["minLength"] == 1
