"""One rule for email addresses (core/email_address.py), used by every form, the API and
incoming mail; and what the forms and the API answer when an address is refused."""

from __future__ import annotations

import pytest

from helpdesk.accounts.forms import check_email
from helpdesk.accounts.staff import NewStaff, StaffInputError, create_staff
from helpdesk.audit.service import SYSTEM
from helpdesk.core.email_address import normalized
from tests.helpdesk.tickets.api.test_routes import new_body, staff_token
from tests.support.http import page_text

XSS = 'r"><svg/onload=alert(777)>@evil.cl'


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ana@correo.cl", "ana@correo.cl"),
        ("  Ana.Perez@Correo.CL ", "ana.perez@correo.cl"),
        ("rose+visa@gmail.com", "rose+visa@gmail.com"),
        ("o'brien@example.com", "o'brien@example.com"),
        ("jean-pierre_2@sub.dominio.gob.cl", "jean-pierre_2@sub.dominio.gob.cl"),
        ("ana@ñandú.cl", "ana@xn--and-6ma2c.cl"),  # the domain in the form SMTP servers read
    ],
)
def test_accepted_addresses(typed: str, stored: str) -> None:
    assert normalized(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        XSS,
        "<script>alert(1)</script>",
        "script",
        "",
        "   ",
        "ana@",
        "@correo.cl",
        "ana@correo",  # no top-level domain
        "ana@@correo.cl",
        "ana perez@correo.cl",
        "ana..perez@correo.cl",
        ".ana@correo.cl",
        '"ana perez"@correo.cl',  # quoted local parts: valid in RFC 5322, refused by many
        "ana@[192.0.2.1]",
        "Ana <ana@correo.cl>",
        "ana@correo.cl\r\nBcc: todos@correo.cl",
        "ana@localhost",
        "ana@portal.local",
        "ana@correo.test",
        "pérez@correo.cl",  # non-ASCII before the @ needs SMTPUTF8
        "ana@-correo.cl",
        "ana@" + "d" * 250 + ".cl",
    ],
)
def test_refused_addresses(typed: str) -> None:
    assert normalized(typed) is None


def test_forms_answer_with_the_rule() -> None:
    errors: dict[str, str] = {}
    assert check_email(" Ana@Correo.cl ", errors) == "ana@correo.cl" and not errors
    check_email(XSS, errors)
    assert errors["email"] == "El correo electrónico no es válido. Ejemplo: nombre@ejemplo.cl"
    errors.clear()
    check_email("", errors)
    assert errors["email"] == "Ingrese su correo electrónico."


@pytest.mark.parametrize("path", ["/correo", "/cuenta/recuperar", "/cuenta/registro"])
async def test_web_forms_refuse_a_malformed_address(client, path: str) -> None:
    response = await client.submit(path, {"email": XSS})
    assert response.status_code == 422, response.text
    assert "El correo electrónico no es válido." in page_text(response.text)
    assert "<svg" not in response.text


async def test_the_api_refuses_a_malformed_address(client, sessionmaker) -> None:
    auth = await staff_token(sessionmaker)
    client.http.cookies.clear()
    response = await client.post("/api/v1/requests", json=new_body(email=XSS), headers=auth)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert [detail["field"] for detail in error["details"]] == ["email"], error


async def test_staff_accounts_refuse_a_malformed_address(sessionmaker) -> None:
    """The command line (create-staff) reaches the service without a form."""
    with pytest.raises(StaffInputError, match="is not a valid email address"):
        async with sessionmaker() as db, db.begin():
            await create_staff(db, NewStaff(XSS, "X", "admin", password="p" * 12), SYSTEM)
