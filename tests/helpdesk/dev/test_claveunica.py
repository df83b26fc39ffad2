"""The local ClaveÚnica look-alike that ``make run`` starts: on in development, never in
production, and a whole sign-in with a test RUN over HTTP."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Iterator
from html.parser import HTMLParser

import httpx2
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from stdnum.cl import rut

from helpdesk.core.settings import Settings, SettingsError
from helpdesk.dev import claveunica
from helpdesk.people.models import Person
from tests.conftest import make_app
from tests.support.http import Browser, page_text

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "x" * 40,
    "SESSION_HTTPS_ONLY": "true",
    "BASE_URL": "https://ayuda.example.cl",
}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, True),  # development is the default
        ({"APP_ENV": "development"}, True),
        ({"APP_ENV": "development", "DEV_CLAVEUNICA": "false"}, False),
        ({"APP_ENV": "development", "CLAVEUNICA_CLIENT_ID": "real-client"}, False),
        ({"APP_ENV": "test"}, False),
        (PRODUCTION, False),
    ],
)
def test_the_look_alike_is_on_in_development_only(environ: dict[str, str], expected: bool) -> None:
    assert Settings.from_env(environ).dev_claveunica is expected


def test_production_refuses_the_look_alike() -> None:
    with pytest.raises(SettingsError, match="DEV_CLAVEUNICA"):
        Settings.from_env({**PRODUCTION, "DEV_CLAVEUNICA": "true"})


@pytest.mark.parametrize("app_env", ["test", "production"])
def test_serve_never_starts_it_outside_development(app_env: str) -> None:
    settings = Settings.from_env({**PRODUCTION, "APP_ENV": app_env})
    with (
        pytest.raises(RuntimeError, match="only with APP_ENV=development"),
        claveunica.for_development(settings),
    ):
        pass


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("44.444.444-4", "444444444"),
        ("12.345.678-5", "123456785"),
        ("12345678-5", "123456785"),
        ("12.345.678-9", None),  # wrong check digit
        ("", None),
        ("abc", None),
    ],
)
def test_valid_run(raw: str, expected: str | None) -> None:
    assert claveunica.valid_run(raw) == expected


def test_the_sandbox_runs_are_valid_and_give_claveunica_claims() -> None:
    for person in claveunica.TEST_PEOPLE:
        assert rut.is_valid(person.run)
    claims = claveunica.claims_for(claveunica.subject_for("10.000.013-K"))
    assert claims == {
        "RolUnico": {"numero": 10000013, "DV": "K", "tipo": "RUN"},
        "name": {"nombres": ["Persona"], "apellidos": ["De Prueba"]},
    }
    assert claveunica.claims_for("someone-else") is None


class _Buttons(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.runs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "button" and values.get("name") == "run" and values.get("value"):
            self.runs.append(str(values["value"]))


@pytest.fixture(scope="module")
def dev_environment() -> Iterator[dict[str, str]]:
    """What `serve` does in development: starts the provider and returns the environment."""
    with claveunica.for_development(Settings.from_env({"APP_ENV": "development"})) as environ:
        yield environ


@pytest.fixture
async def dev_browser(
    settings: Settings, dev_environment: dict[str, str]
) -> AsyncIterator[Browser]:
    # The app reads the environment `serve` sets, as app.py does at start-up.
    from_environ = Settings.from_env({"APP_ENV": "development", **dev_environment})
    app: Starlette = make_app(
        settings,
        claveunica_client_id=from_environ.claveunica_client_id,
        claveunica_client_secret=from_environ.claveunica_client_secret,
        claveunica_metadata_url=from_environ.claveunica_metadata_url,
        claveunica_logout_url=from_environ.claveunica_logout_url,
    )
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Browser(http)
    await app.state.engine.dispose()


async def test_without_the_look_alike_the_route_is_a_404(client: Browser) -> None:
    assert (await client.get("/auth/claveunica")).status_code == 404


async def test_sign_in_with_a_test_run_over_http(
    dev_browser: Browser, dev_environment: dict[str, str], sessionmaker
) -> None:
    start = await dev_browser.get("/auth/claveunica")
    assert start.status_code == 302, start.text
    authorize_url = start.headers["location"]
    provider_url = dev_environment["CLAVEUNICA_METADATA_URL"].split("/.well-known")[0]
    assert authorize_url.startswith(f"{provider_url}/oauth2/authorize?")

    async with httpx2.AsyncClient() as provider:  # the person's browser at the provider
        page = await provider.get(authorize_url)
        assert page.status_code == 200
        assert "no es ClaveÚnica" in page_text(page.text)
        buttons = _Buttons()
        buttons.feed(page.text)
        assert buttons.runs == [p.run for p in claveunica.TEST_PEOPLE]

        wrong = await provider.post(authorize_url, data={"run": "12.345.678-9"})
        assert wrong.status_code == 200  # the page again, saying so; no code for the app
        assert "El RUN no es válido" in page_text(wrong.text)

        signed_in = await provider.post(authorize_url, data={"run": "44.444.444-4"})
    assert signed_in.status_code == 302, signed_in.text
    back = httpx2.URL(signed_in.headers["location"])
    assert back.path == "/auth/claveunica/callback"

    callback = await dev_browser.get(back.path, params=dict(back.params))
    assert callback.status_code == 303, callback.text
    assert callback.headers["location"] == "/cuenta/correo"  # ClaveÚnica gives no email
    async with sessionmaker() as db:
        person = await db.scalar(select(Person).where(Person.run == "44444444-4"))
    assert person is not None
    assert (person.given_names, person.surnames) == ("María Carmen", "Del Río González")

    # Signing out goes through the look-alike's ClaveÚnica logout and comes back home.
    token = await dev_browser.csrf("/cuenta/correo")
    signout = await dev_browser.post("/cuenta/salir", data={"csrf_token": token})
    assert signout.status_code == 303
    logout = signout.headers["location"]
    assert logout.startswith(dev_environment["CLAVEUNICA_LOGOUT_URL"])
    assert f"form-action 'self' {provider_url};" in signout.headers["content-security-policy"]
    async with httpx2.AsyncClient() as provider:
        home = await provider.get(logout)
    assert home.status_code == 302
    assert home.headers["location"] == "http://testserver/"


def test_serve_starts_the_look_alike_in_development_and_stops_it_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`make run` ends in `python -m helpdesk serve`: the provider answers while the server
    runs, the app's environment points at it, and it is gone when the server stops."""
    import os

    import uvicorn

    from helpdesk.__main__ import _serve

    monkeypatch.setattr(os, "environ", os.environ.copy())  # what _serve sets stays here
    seen: dict[str, str] = {}

    def server(*_args: object, **_kwargs: object) -> None:
        seen.update(os.environ)
        discovery = httpx2.get(os.environ["CLAVEUNICA_METADATA_URL"])
        assert discovery.status_code == 200
        assert "code_challenge_methods_supported" not in discovery.json()  # as ClaveÚnica

    monkeypatch.setattr(uvicorn, "run", server)
    args = argparse.Namespace(host="127.0.0.1", port=1, workers=1)
    _serve(Settings.from_env({"APP_ENV": "development"}), args)
    assert seen["CLAVEUNICA_CLIENT_ID"] == claveunica.CLIENT_ID
    with pytest.raises(httpx2.TransportError):
        httpx2.get(seen["CLAVEUNICA_METADATA_URL"])

    seen.clear()
    monkeypatch.setattr(os, "environ", {})
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: seen.update(os.environ))
    _serve(Settings.from_env(PRODUCTION), args)
    assert "CLAVEUNICA_METADATA_URL" not in seen
