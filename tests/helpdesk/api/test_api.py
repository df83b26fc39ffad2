"""/api/v1: one error shape, validation, session or token authentication, OpenAPI document."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.accounts.staff import create_api_token, find_by_email
from helpdesk.people.models import Person
from tests.support import factories


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


async def test_openapi_document_lists_every_route(client) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    for path in (
        "/api/v1/me",
        "/api/v1/me/language",
        "/api/v1/regions",
        "/api/v1/offices",
        "/api/v1/tramites",
    ):
        assert path in document["paths"], path
    assert "ErrorBody" in document["components"]["schemas"]
    assert document["paths"]["/api/v1/me/language"]["put"]["requestBody"]


async def test_reference_data(client) -> None:
    regions = (await client.get("/api/v1/regions")).json()["items"]
    assert len(regions) == 16 and regions[0]["code"] == "AP" and regions[-1]["code"] == "MA"
    offices = (await client.get("/api/v1/offices")).json()["items"]
    punta_arenas = next(o for o in offices if o["slug"] == "punta-arenas")
    assert punta_arenas["timezone"] == "America/Punta_Arenas" and punta_arenas["address_pending"]
    coyhaique = next(o for o in offices if o["slug"] == "coyhaique")
    assert coyhaique["timezone"] == "America/Coyhaique"  # Aysén: UTC−3 all year since 2025
    others = {o["timezone"] for o in offices if o["slug"] not in ("punta-arenas", "coyhaique")}
    assert others == {"America/Santiago"}
    assert {"calama", "san-felipe"} <= {o["slug"] for o in offices}
    tramites = (await client.get("/api/v1/tramites")).json()["items"]
    assert any(t["code"] == "rd-ampliacion-certificado-menores" for t in tramites)


async def test_errors_share_one_shape(client) -> None:
    assert_error(await client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(await client.get("/api/v1/me"), 401, "unauthorized")
    client.http.cookies.clear()  # a bearer call without cookies is exempt from CSRF
    assert_error(
        await client.http.post("/api/v1/regions", headers={"Authorization": "Bearer x"}),
        405,
        "method_not_allowed",
    )


async def test_staff_api_token(client, sessionmaker) -> None:
    email = await factories.staff_member(sessionmaker, "regional_agent", "iquique")
    async with sessionmaker() as db, db.begin():
        account = await find_by_email(db, email)
        assert account is not None
        token = await create_api_token(db, account.id, "test")
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json() == {
        "kind": "staff",
        "id": account.id,
        "name": "Test regional_agent",
        "role": "regional_agent",
        "region_code": "TA",
    }
    assert_error(
        await client.get("/api/v1/me", headers={"Authorization": "Bearer wrong"}),
        401,
        "unauthorized",
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"locale": "de"}', "application/json"),
        (b'{"locale": "es", "extra": 1}', "application/json"),
        (b"{not json", "application/json"),
        (b"locale=es", "application/x-www-form-urlencoded"),
        (b"[]", "application/json"),
    ],
)
async def test_invalid_input_is_a_422_with_details(
    client, sessionmaker, body: bytes, content_type: str
) -> None:
    email, _ = await factories.citizen(sessionmaker)
    await factories.sign_in_citizen(client, email)
    token = await client.csrf("/cuenta")
    response = await client.http.put(
        "/api/v1/me/language",
        content=body,
        headers={"Content-Type": content_type, "X-CSRF-Token": token},
    )
    error = assert_error(response, 422, "invalid")
    assert "message" in error


async def test_language_is_saved_on_the_person(client, sessionmaker) -> None:
    email, person_id = await factories.citizen(sessionmaker)
    await factories.sign_in_citizen(client, email)
    token = await client.csrf("/cuenta")
    response = await client.http.put(
        "/api/v1/me/language", json={"locale": "zh"}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 204
    async with sessionmaker() as db:
        assert (
            await db.scalar(select(Person.preferred_locale).where(Person.id == person_id)) == "zh"
        )


async def test_api_errors_are_localized(client) -> None:
    error = assert_error(
        await client.get("/api/v1/me", headers={"Accept-Language": "en"}), 401, "unauthorized"
    )
    assert error["message"] != "Debe identificarse"
