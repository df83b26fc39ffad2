"""A ClaveÚnica look-alike OpenID provider, for development (``make run``) and the tests.

It is ``oidc-provider-mock`` (Flask + Authlib, a development dependency) with ClaveÚnica's
scopes: ``run`` grants the ``RolUnico`` claim and ``name`` the ``name`` claim, and neither is
given without its scope. Like ClaveÚnica, its discovery document advertises no PKCE and its
id_tokens are RS256; it answers ClaveÚnica's logout path too.

Its sign-in page lists ClaveÚnica's sandbox test RUNs and takes any other RUN with a valid check
digit (python-stdnum); the person signs in as ``run-<RUN>`` with ClaveÚnica's claims.
The tests' API stays: ``PUT /users/<sub>`` sets a user's claims, and posting the authorize form
with ``sub=<subject>`` signs that user in.

    python -m helpdesk.dev.claveunica --port 9400

Development only: ``python -m helpdesk serve`` starts it when ``DEV_CLAVEUNICA`` is on, which
``APP_ENV=development`` makes the default and production refuses (core/settings.py).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
from stdnum import exceptions as stdnum_errors
from stdnum.cl import rut

from helpdesk.core.settings import PROJECT_ROOT, Settings

# The client the portal registers at the provider (which accepts any client and secret).
CLIENT_ID = "portal-de-ayuda"
CLIENT_SECRET = "claveunica-client-secret"  # noqa: S105 (the local look-alike accepts any)
# ClaveÚnica's logout path (its integration manual), as the portal's settings know it.
LOGOUT_PATH = urlsplit(Settings.claveunica_logout_url).path
AUTHORIZE_PATH = "/oauth2/authorize"
RUN_SUBJECT_PREFIX = "run-"


@dataclass(frozen=True)
class SandboxPerson:
    run: str
    nombres: tuple[str, ...]
    apellidos: tuple[str, ...]


# ClaveÚnica's sandbox accepts these RUNs (DOMAIN.md §4); the names are invented.
TEST_PEOPLE = (
    SandboxPerson("44.444.444-4", ("María", "Carmen"), ("Del Río", "González")),
    SandboxPerson("55.555.555-5", ("Jean", "Baptiste"), ("Pierre", "Louis")),
    SandboxPerson("88.888.888-8", ("Yelitza", "Carolina"), ("Rondón", "Pérez")),
    SandboxPerson("99.999.999-9", ("Wei",), ("Zhang", "Li")),
)
ANY_RUN_NAME = SandboxPerson("", ("Persona",), ("De Prueba",))


def valid_run(raw: str) -> str | None:
    """The RUN in its compact form (``444444444``), or None when its check digit is wrong."""
    try:
        return str(rut.validate(raw))
    except stdnum_errors.ValidationError:
        return None


def subject_for(run: str) -> str:
    return f"{RUN_SUBJECT_PREFIX}{valid_run(run)}"


def claims_for(subject: str) -> dict[str, Any] | None:
    """ClaveÚnica's userinfo claims for a ``run-<RUN>`` subject (None for other subjects)."""
    if not subject.startswith(RUN_SUBJECT_PREFIX):
        return None
    compact = valid_run(subject.removeprefix(RUN_SUBJECT_PREFIX))
    if compact is None:
        return None
    person = next((p for p in TEST_PEOPLE if valid_run(p.run) == compact), ANY_RUN_NAME)
    return {
        "RolUnico": {"numero": int(compact[:-1]), "DV": compact[-1], "tipo": "RUN"},
        "name": {"nombres": list(person.nombres), "apellidos": list(person.apellidos)},
    }


def portal_settings(provider_url: str) -> dict[str, str]:
    """The environment that points the portal's ClaveÚnica client at the provider."""
    return {
        "CLAVEUNICA_CLIENT_ID": CLIENT_ID,
        "CLAVEUNICA_CLIENT_SECRET": CLIENT_SECRET,
        "CLAVEUNICA_METADATA_URL": f"{provider_url}/.well-known/openid-configuration",
        "CLAVEUNICA_LOGOUT_URL": f"{provider_url}{LOGOUT_PATH}",
    }


# --- the provider process

SIGN_IN_PAGE = """<!doctype html>
<html lang="es"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ClaveÚnica (desarrollo local)</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f4f6fa;color:#1b1b1b}
header{background:#0f69b4;color:#fff;padding:1rem}main{max-width:30rem;margin:auto;padding:1rem}
.note{background:#fff4ce;border-left:4px solid #b58105;padding:.5rem 1rem}
.error{background:#fde8e8;border-left:4px solid #b71c1c;padding:.5rem 1rem}
button{font:inherit;padding:.6rem 1rem;margin:.25rem 0;cursor:pointer}
label,input{display:block;font:inherit}input{padding:.5rem;margin:.25rem 0 .5rem;width:100%}
</style></head><body>
<header><strong>ClaveÚnica</strong> · desarrollo local</header>
<main>
<p class="note">Proveedor de identidad local para desarrollo: <strong>no es ClaveÚnica</strong>.
Ingrese con un RUN de prueba; no se pide contraseña.</p>
{% if sub_missing %}<p class="error" id="run-error">El RUN no es válido: revise el dígito
verificador.</p>{% endif %}
<h1>Ingresar a {{ client_id }}</h1>
<form method="post">
<h2>RUN de prueba</h2>
{% for person in people %}<button type="submit" name="run" value="{{ person.run }}">
{{ person.run }} · {{ person.nombres|join(" ") }} {{ person.apellidos|join(" ") }}</button><br>
{% endfor %}</form>
<form method="post">
<label for="run">Otro RUN (con dígito verificador)</label>
<input id="run" name="run" required placeholder="12.345.678-5" autocomplete="off"
 {% if sub_missing %}aria-invalid="true" aria-describedby="run-error"{% endif %}>
<button type="submit">Ingresar</button>
</form>
<form method="post"><button type="submit" name="action" value="deny">Cancelar y volver
</button></form>
<p>Volverá a {{ redirect_uri }}</p>
</main></body></html>
"""


class _RunForm:
    """WSGI middleware: the sign-in page posts ``run``; the provider expects ``sub``. A valid
    RUN becomes its ``run-<RUN>`` subject; an invalid one posts no subject, which the provider
    answers with its form again (``sub_missing``), now saying that the RUN is wrong."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == AUTHORIZE_PATH:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            form = parse_qs(body.decode("utf-8", "replace"))
            if "run" in form:
                run = valid_run(form.pop("run")[0])
                if run is not None:
                    form["sub"] = [subject_for(run)]
                body = urlencode(form, doseq=True).encode()
            environ["wsgi.input"] = BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)


def provider_app() -> Any:
    import flask
    import jinja2
    import oidc_provider_mock
    from oidc_provider_mock import _app, _storage

    # The mock grants only standard scopes and standard claims of granted scopes.
    _storage.Client.SCOPES_SUPPORTED = (*_storage.Client.SCOPES_SUPPORTED, "run", "name")
    _app._SCOPES_TO_CLAIMS["run"] = ["RolUnico"]
    _app._SCOPES_TO_CLAIMS["name"] = ["name"]
    _app._STANDARD_CLAIMS.add("RolUnico")
    app = oidc_provider_mock.app(require_nonce=True)
    app.jinja_loader = jinja2.ChoiceLoader(
        [jinja2.DictLoader({"authorization_form.html": SIGN_IN_PAGE}), app.jinja_loader]
    )
    app.jinja_env.globals["people"] = TEST_PEOPLE

    @app.before_request
    def known_run_subject() -> None:
        if flask.request.method == "POST" and flask.request.path == AUTHORIZE_PATH:
            subject = flask.request.form.get("sub", "")
            claims = claims_for(subject)
            if claims is not None and _storage.storage.get_user(subject) is None:
                _storage.storage.store_user(_storage.User(sub=subject, claims=claims))

    @app.get(LOGOUT_PATH)
    def logout() -> Any:
        target = flask.request.args.get("redirect", "")
        if urlsplit(target).scheme not in ("http", "https"):
            return "redirect must be an http(s) URL", 400
        return flask.redirect(target)

    app.wsgi_app = _RunForm(app.wsgi_app)  # type: ignore[method-assign]
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain HTTP on loopback
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)

    from werkzeug.serving import run_simple

    run_simple("127.0.0.1", args.port, provider_app(), threaded=True)


# --- running it from another process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Provider:
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def running_provider(log_path: Path, timeout: float = 15.0) -> Iterator[Provider]:
    """Starts the provider process on a free loopback port and stops it when the block ends."""
    port = free_port()
    provider = Provider(f"http://127.0.0.1:{port}", log_path)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 (this module, fixed arguments)
            [sys.executable, "-m", "helpdesk.dev.claveunica", "--port", str(port)],
            cwd=PROJECT_ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_discovery(process, provider, timeout)
            yield provider
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_discovery(
    process: subprocess.Popen[bytes], provider: Provider, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    with httpx2.Client(timeout=1.0) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the OIDC provider exited ({process.returncode}):\n{provider.log()}"
                )
            with contextlib.suppress(httpx2.TransportError):
                if http.get(f"{provider.url}/.well-known/openid-configuration").status_code == 200:
                    return
            time.sleep(0.05)
    raise RuntimeError(f"the OIDC provider did not answer within {timeout} s:\n{provider.log()}")


@contextlib.contextmanager
def for_development(settings: Settings) -> Iterator[dict[str, str]]:
    """What ``serve`` runs in development: the provider, and the ClaveÚnica settings that point
    the portal at it (to put in the environment the app reads). Refused outside development."""
    if settings.app_env != "development" or not settings.dev_claveunica:
        raise RuntimeError("the local ClaveÚnica look-alike runs only with APP_ENV=development")
    log_dir = PROJECT_ROOT / "var"
    log_dir.mkdir(exist_ok=True)
    with running_provider(log_dir / "dev-claveunica.log") as provider:
        yield portal_settings(provider.url)


if __name__ == "__main__":
    main()
