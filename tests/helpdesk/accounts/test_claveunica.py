"""ClaveÚnica sign-in end to end, over real HTTP to a ClaveÚnica look-alike provider process.

The app talks to the provider through a recording proxy; the test plays the browser: it follows
the app's redirect to the provider, signs in there, and brings the code back to the callback.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import random
import uuid
from typing import Any

import httpx2
import pytest
from sqlalchemy import select
from stdnum.cl import rut

from helpdesk.accounts.models import CitizenAccount
from helpdesk.notifications.models import OutboxMessage
from helpdesk.people.models import Person
from tests.support.http import Browser, page_text
from tests.support.oidc_provider import (
    CLAVEUNICA_CLIENT_ID,
    CLAVEUNICA_CLIENT_SECRET,
    approve,
    set_user,
)

START = "/auth/claveunica"
CALLBACK = "/auth/claveunica/callback"
REFUSED = "La respuesta del servicio de identidad no era válida o ya había sido usada."


@pytest.fixture(autouse=True)
def refusals(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, logger="helpdesk.accounts.routes_citizen")
    return caplog


def userinfo(numero: int, dv: str, nombres: list[str], apellidos: list[str]) -> dict[str, Any]:
    """ClaveÚnica's claims: the RUN body is an int, the check digit a string, names are arrays."""
    return {
        "RolUnico": {"numero": numero, "DV": dv, "tipo": "RUN"},
        "name": {"nombres": nombres, "apellidos": apellidos},
    }


MARIA = {"nombres": ["María", "Carmen"], "apellidos": ["Del Río", "Gonzalez"]}


def run_body_with_check_digit_k() -> int:
    while True:
        body = random.randint(10_000_000, 29_999_999)
        if rut.calc_check_digit(str(body)) == "K":
            return body


def new_sub() -> str:
    return f"cu-{uuid.uuid4().hex}"


def jwt_payload(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def start(browser: Browser) -> tuple[str, dict[str, str]]:
    """Follows the sign-in button: returns the provider's authorize URL and its parameters."""
    response = await browser.get(START)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    return location, dict(httpx2.URL(location).params)


async def sign_in(browser: Browser, sub: str) -> tuple[httpx2.Response, str]:
    """A whole sign-in; returns the callback's response and the code it used."""
    location, _ = await start(browser)
    code, state = await approve(location, sub)
    return await browser.get(CALLBACK, params={"code": code, "state": state}), code


async def assert_refused(browser: Browser, response: httpx2.Response, caplog, reason: str) -> None:
    assert response.status_code == 400, response.text
    assert REFUSED in page_text(response.text)
    assert "ClaveÚnica sign-in refused" in caplog.text and reason in caplog.text, caplog.text
    # Nobody is signed in: the account page sends the browser to sign in.
    account_page = await browser.get("/cuenta")
    assert account_page.status_code == 303
    assert account_page.headers["location"].startswith("/cuenta/ingresar")


async def person_with_run(sessionmaker, run: str) -> tuple[Person, list[CitizenAccount]] | None:
    async with sessionmaker() as db:
        person = await db.scalar(select(Person).where(Person.run == run))
        if person is None:
            return None
        accounts = await db.scalars(
            select(CitizenAccount).where(CitizenAccount.person_id == person.id)
        )
        return person, list(accounts)


async def test_first_sign_in_creates_the_person_on_the_run_and_asks_for_an_email(
    browser, oidc_provider, provider_proxy, sessionmaker
) -> None:
    numero = run_body_with_check_digit_k()
    sub = new_sub()
    await set_user(oidc_provider.url, sub, userinfo(numero, "K", **MARIA))

    location, params = await start(browser)
    # ClaveÚnica's manual: scope exactly "openid run name", a long state, a nonce; no PKCE
    # because the discovery document does not advertise it.
    assert location.startswith(f"{provider_proxy.url}/oauth2/authorize?")
    assert params["response_type"] == "code"
    assert params["client_id"] == CLAVEUNICA_CLIENT_ID
    assert params["redirect_uri"] == "http://testserver/auth/claveunica/callback"
    assert params["scope"] == "openid run name"
    assert len(params["state"]) >= 30
    assert params["nonce"]
    assert "code_challenge" not in params and "code_challenge_method" not in params
    [discovery] = provider_proxy.to("/.well-known/openid-configuration")
    assert discovery.response_json is not None
    assert "code_challenge_methods_supported" not in discovery.response_json

    code, state = await approve(location, sub)
    assert state == params["state"]
    response = await browser.get(CALLBACK, params={"code": code, "state": state})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/cuenta/correo"  # ClaveÚnica gives no email

    # The client secret travels in the token request's body, and userinfo is asked by POST.
    [token_request] = provider_proxy.to("/oauth2/token")
    assert token_request.method == "POST" and token_request.auth_scheme == ""
    assert token_request.form["client_id"] == CLAVEUNICA_CLIENT_ID
    assert token_request.form["client_secret"] == CLAVEUNICA_CLIENT_SECRET
    assert token_request.form["grant_type"] == "authorization_code"
    assert token_request.form["code"] == code
    assert "code_verifier" not in token_request.form
    assert token_request.response_json is not None
    assert jwt_payload(token_request.response_json["id_token"])["nonce"] == params["nonce"]
    [userinfo_request] = provider_proxy.to("/userinfo")
    assert (userinfo_request.method, userinfo_request.auth_scheme) == ("POST", "Bearer")
    assert userinfo_request.response_json is not None
    assert userinfo_request.response_json["RolUnico"] == {
        "numero": numero,
        "DV": "K",
        "tipo": "RUN",
    }

    found = await person_with_run(sessionmaker, f"{numero}-K")
    assert found is not None
    person, [account] = found
    assert (person.given_names, person.surnames) == ("María Carmen", "Del Río Gonzalez")
    assert person.email is None
    assert (account.kind, account.claveunica_sub) == ("claveunica", sub)

    # Signed in, the person gives an email address and gets a link to verify it.
    assert (await browser.get("/cuenta/correo")).status_code == 200
    email = f"maria.{uuid.uuid4().hex[:8]}@test.portal"
    asked = await browser.submit("/cuenta/correo", {"email": email})
    assert asked.status_code == 303, asked.text
    async with sessionmaker() as db:
        [message] = await db.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email))
    assert message.template == "verify_email"
    assert "/cuenta/verificar/" in message.context["link"]


async def test_the_run_not_the_sub_identifies_the_person(
    open_browser, oidc_provider, provider_proxy, sessionmaker
) -> None:
    run = "44444444-4"  # one of the sandbox's test RUNs
    first_sub, second_sub = new_sub(), new_sub()
    await set_user(
        oidc_provider.url, first_sub, userinfo(44444444, "4", ["Juan"], ["Pérez", "Soto"])
    )
    await set_user(
        oidc_provider.url, second_sub, userinfo(44444444, "4", ["Juan", "Pablo"], ["Pérez", "Soto"])
    )

    first, _ = await sign_in(open_browser(), first_sub)
    assert first.status_code == 303, first.text
    found = await person_with_run(sessionmaker, run)
    assert found is not None
    person, [account] = found

    second, _ = await sign_in(open_browser(), second_sub)
    assert second.status_code == 303, second.text
    found_again = await person_with_run(sessionmaker, run)
    assert found_again is not None
    same_person, [same_account] = found_again
    assert (same_person.id, same_account.id) == (person.id, account.id)
    assert same_person.given_names == "Juan Pablo"


async def test_a_state_this_browser_did_not_start_is_refused(
    open_browser, oidc_provider, provider_proxy, sessionmaker, refusals
) -> None:
    sub = new_sub()
    numero = run_body_with_check_digit_k()
    await set_user(oidc_provider.url, sub, userinfo(numero, "K", **MARIA))
    browser, other_browser = open_browser(), open_browser()
    location, _ = await start(browser)
    code, state = await approve(location, sub)
    other_location, _ = await start(other_browser)
    other_code, other_state = await approve(other_location, sub)

    made_up = await browser.get(CALLBACK, params={"code": code, "state": "x" * len(state)})
    await assert_refused(browser, made_up, refusals, "MismatchingStateError")
    # A code and state from another browser (login CSRF) are refused the same way.
    refusals.clear()
    foreign = await browser.get(CALLBACK, params={"code": other_code, "state": other_state})
    await assert_refused(browser, foreign, refusals, "MismatchingStateError")

    assert provider_proxy.to("/oauth2/token") == []  # refused before any code was exchanged
    assert await person_with_run(sessionmaker, f"{numero}-K") is None


async def test_a_code_used_once_is_refused_the_second_time(
    browser, oidc_provider, provider_proxy, settings, refusals
) -> None:
    sub = new_sub()
    await set_user(oidc_provider.url, sub, userinfo(run_body_with_check_digit_k(), "K", **MARIA))
    first, code = await sign_in(browser, sub)
    assert first.status_code == 303, first.text
    signed_out = await browser.submit("/cuenta/salir", {}, page="/cuenta")
    assert signed_out.status_code == 303
    assert (
        signed_out.headers["location"]
        == f"{settings.claveunica_logout_url}?redirect=http://testserver/"
    )

    _, params = await start(browser)  # a fresh, valid state in this browser
    replay = await browser.get(CALLBACK, params={"code": code, "state": params["state"]})
    await assert_refused(browser, replay, refusals, "invalid_grant")
    used, replayed = provider_proxy.to("/oauth2/token")
    assert used.form["code"] == replayed.form["code"] == code
    assert replayed.status == 400 and replayed.response_json == {
        "error": "invalid_grant",
        "error_description": replayed.response_json["error_description"],
    }


def break_signature(token_response: dict[str, Any]) -> dict[str, Any]:
    header, payload, signature = token_response["id_token"].split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[0] ^= 0xFF
    forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    return {**token_response, "id_token": f"{header}.{payload}.{forged}"}


async def test_an_id_token_with_a_bad_signature_is_refused(
    browser, oidc_provider, provider_proxy, sessionmaker, refusals
) -> None:
    numero = run_body_with_check_digit_k()
    sub = new_sub()
    await set_user(oidc_provider.url, sub, userinfo(numero, "K", **MARIA))
    provider_proxy.rewrite("/oauth2/token", break_signature)

    response, _ = await sign_in(browser, sub)

    await assert_refused(browser, response, refusals, "BadSignatureError")
    assert provider_proxy.to("/userinfo") == []
    assert await person_with_run(sessionmaker, f"{numero}-K") is None


async def test_an_id_token_with_another_flows_nonce_is_refused(
    browser, oidc_provider, provider_proxy, sessionmaker, refusals
) -> None:
    numero = run_body_with_check_digit_k()
    sub = new_sub()
    await set_user(oidc_provider.url, sub, userinfo(numero, "K", **MARIA))
    location_a, flow_a = await start(browser)
    _, flow_b = await start(browser)  # the browser now holds flow B's state and nonce only
    assert flow_a["nonce"] != flow_b["nonce"]
    code_a, _ = await approve(location_a, sub)

    response = await browser.get(CALLBACK, params={"code": code_a, "state": flow_b["state"]})

    await assert_refused(browser, response, refusals, "Invalid claim: 'nonce'")
    # The provider did issue the tokens: the app itself refused flow A's nonce under flow B.
    [token_request] = provider_proxy.to("/oauth2/token")
    assert token_request.status == 200 and token_request.response_json is not None
    assert jwt_payload(token_request.response_json["id_token"])["nonce"] == flow_a["nonce"]
    assert provider_proxy.to("/userinfo") == []
    assert await person_with_run(sessionmaker, f"{numero}-K") is None


async def test_userinfo_about_someone_else_is_refused(
    browser, oidc_provider, provider_proxy, sessionmaker, refusals
) -> None:
    numero = run_body_with_check_digit_k()
    sub = new_sub()
    await set_user(oidc_provider.url, sub, userinfo(numero, "K", **MARIA))
    provider_proxy.rewrite("/userinfo", lambda claims: {**claims, "sub": new_sub()})

    response, _ = await sign_in(browser, sub)

    await assert_refused(browser, response, refusals, "userinfo subject differs")
    assert await person_with_run(sessionmaker, f"{numero}-K") is None


async def test_a_run_with_a_wrong_check_digit_is_refused(
    browser, oidc_provider, sessionmaker, refusals
) -> None:
    numero = run_body_with_check_digit_k()
    sub = new_sub()
    await set_user(oidc_provider.url, sub, userinfo(numero, "1", **MARIA))

    response, _ = await sign_in(browser, sub)

    await assert_refused(browser, response, refusals, "RUN check digit does not match")
    assert await person_with_run(sessionmaker, f"{numero}-K") is None


async def test_pkce_is_used_when_the_discovery_document_advertises_it(
    browser, oidc_provider, provider_proxy
) -> None:
    provider_proxy.rewrite(
        "/.well-known/openid-configuration",
        lambda document: {**document, "code_challenge_methods_supported": ["S256"]},
    )
    sub = new_sub()
    await set_user(oidc_provider.url, sub, userinfo(44444444, "4", ["Juan"], ["Pérez", "Soto"]))

    location, params = await start(browser)
    assert params["code_challenge_method"] == "S256"
    assert params["scope"] == "openid run name" and params["nonce"]
    code, state = await approve(location, sub)
    response = await browser.get(CALLBACK, params={"code": code, "state": state})
    assert response.status_code == 303, response.text

    [token_request] = provider_proxy.to("/oauth2/token")
    verifier = token_request.form["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert challenge.decode() == params["code_challenge"]
