"""A ClaveÚnica look-alike OpenID provider in its own process, and helpers to drive it.

The provider is ``oidc-provider-mock`` (Flask + Authlib) with ClaveÚnica's scopes: ``run`` grants
the ``RolUnico`` claim and ``name`` the ``name`` claim, and neither is given without its scope.
Like ClaveÚnica, its discovery document advertises no PKCE and its id_tokens are RS256.

    python -m tests.support.oidc_provider --port 9400

Its test-only API: ``PUT /users/<sub>`` with a JSON body sets that user's claims, and posting the
authorize form with ``sub=<subject>`` signs that user in and redirects with ``code`` and ``state``.
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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The clients the app under test registers at the provider (which accepts any client).
CLAVEUNICA_CLIENT_ID = "portal-de-ayuda"
CLAVEUNICA_CLIENT_SECRET = "claveunica-client-secret"
STAFF_CLIENT_ID = "portal-de-ayuda-staff"
STAFF_CLIENT_SECRET = "staff-client-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- the provider process


def _claveunica_app() -> Any:
    import oidc_provider_mock
    from oidc_provider_mock import _app, _storage

    # The mock grants only standard scopes and standard claims of granted scopes.
    _storage.Client.SCOPES_SUPPORTED = (*_storage.Client.SCOPES_SUPPORTED, "run", "name")
    _app._SCOPES_TO_CLAIMS["run"] = ["RolUnico"]
    _app._SCOPES_TO_CLAIMS["name"] = ["name"]
    _app._STANDARD_CLAIMS.add("RolUnico")
    return oidc_provider_mock.app(require_nonce=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain HTTP on loopback
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)

    from werkzeug.serving import run_simple

    run_simple("127.0.0.1", args.port, _claveunica_app(), threaded=True)


# --- the test side


@dataclass(frozen=True)
class Provider:
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def running_provider(log_path: Path, timeout: float = 15.0) -> Iterator[Provider]:
    """Starts the provider process on a free port and stops it when the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.oidc_provider", "--port", str(port)],
            cwd=PROJECT_ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            provider = Provider(url, log_path)
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


async def set_user(provider_url: str, sub: str, claims: dict[str, Any]) -> None:
    async with httpx2.AsyncClient(verify=False) as http:  # loopback HTTP
        response = await http.put(f"{provider_url}/users/{sub}", json=claims)
    assert response.status_code == 204, response.text


async def approve(authorize_url: str, sub: str) -> tuple[str, str]:
    """Does what the person does at the provider: signs in as ``sub`` on the authorize page.

    Returns the ``code`` and ``state`` the provider sends back to the app's redirect URI.
    """
    async with httpx2.AsyncClient(verify=False) as http:  # loopback HTTP
        form = await http.get(authorize_url)
        assert form.status_code == 200, form.text
        response = await http.post(authorize_url, data={"sub": sub})
    assert response.status_code == 302, response.text
    params = httpx2.URL(response.headers["location"]).params
    assert "error" not in params, response.headers["location"]
    return params["code"], params["state"]


if __name__ == "__main__":
    main()
