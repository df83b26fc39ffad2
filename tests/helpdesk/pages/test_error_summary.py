"""The error summary on the forms people fill in: registration, sign-in, password recovery and
reset, email proof, the lost link, the request's reply and rating forms and the profile. Each
4xx re-render starts with the summary, one link per field to a control marked invalid.
(The new-request form: tests/helpdesk/tickets/opening/test_routes.py; the help article's
vote: tests/knowledge_base/test_vote_errors.py.)"""

from __future__ import annotations

import pytest

from helpdesk.core.db import utcnow
from tests.helpdesk.tickets.citizen.test_pages import anonymous_request, set_status
from tests.support import factories
from tests.support.error_summary import check_summary

REGISTRATION_FIELDS = [
    "given_names",
    "surnames",
    "birth_date",
    "country_of_birth",
    "document_type",
    "document_number",
    "document_country",
    "email",
    "password",
]


@pytest.mark.parametrize(
    ("path", "fields", "expected"),
    [
        ("/cuenta/registro", {}, REGISTRATION_FIELDS),
        ("/cuenta/ingresar", {}, ["email", "password"]),
        ("/cuenta/recuperar", {"email": "no-es-un-correo"}, ["email"]),
        ("/correo", {"email": ""}, ["email"]),
        ("/solicitudes/recuperar", {}, ["email", "folio"]),
    ],
    ids=["registration", "sign-in", "recover-password", "prove-email", "lost-link"],
)
async def test_a_refused_form_opens_with_the_summary(
    client, path: str, fields: dict[str, str], expected: list[str]
) -> None:
    response = await client.submit(path, fields)
    assert response.status_code == 422
    check_summary(response.text, expected)


async def test_password_reset_lists_both_passwords(client) -> None:
    path = "/cuenta/restablecer/any-token"  # the fields are checked before the token
    token = await client.csrf("/cuenta/ingresar")
    short = await client.post(path, data={"csrf_token": token, "password": "corta"})
    assert short.status_code == 422
    check_summary(short.text, ["password"])
    different = {"password": "una-clave-larga-1", "password_confirm": "otra-clave-larga-2"}
    mismatch = await client.post(path, data={"csrf_token": token, **different})
    check_summary(mismatch.text, ["password_confirm"])


async def test_a_wrong_password_is_said_in_the_summary_without_a_link(client) -> None:
    response = await client.submit(
        "/cuenta/ingresar", {"email": "nadie@test.portal", "password": "no-es-la-clave"}
    )
    assert response.status_code == 401
    page = check_summary(response.text, [])
    assert page.items == ["El correo o la contraseña no son correctos."]


async def test_the_reply_and_rating_forms_link_their_fields(client, sessionmaker) -> None:
    _, link = await anonymous_request(client, sessionmaker)
    token = await client.csrf(link)
    empty_file = [("archivos", ("", b"", "application/octet-stream"))]
    reply = await client.post(
        f"{link}/responder", data={"csrf_token": token, "texto": " "}, files=empty_file
    )
    assert reply.status_code == 422
    check_summary(reply.text, ["texto"])

    folio = link.split("/")[2]
    await set_status(sessionmaker, folio, "resuelto", resolved_at=utcnow())
    rating = await client.post(f"{link}/evaluar", data={"csrf_token": token, "puntaje": "9"})
    assert rating.status_code == 422
    check_summary(rating.text, ["puntaje-1"])

    # Once the request is closed its reply form is gone: the error is listed without a link.
    await set_status(sessionmaker, folio, "cerrado")
    closed = await client.post(
        f"{link}/responder", data={"csrf_token": token, "texto": ""}, files=empty_file
    )
    assert closed.status_code == 422
    page = check_summary(closed.text, [])
    assert page.items == ["Escriba su mensaje."] and "texto" not in page.by_id


async def test_the_profile_links_its_fields(client, sessionmaker) -> None:
    email, _ = await factories.citizen(sessionmaker)
    await factories.sign_in_citizen(client, email)
    fields = {"phone": "llámeme", "preferred_locale": "xx", "sex_gender": "?", "region_code": "ZZ"}
    response = await client.submit("/cuenta", fields)
    assert response.status_code == 422
    check_summary(response.text, list(fields))
