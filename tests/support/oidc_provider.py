"""Helpers to drive the ClaveÚnica look-alike OpenID provider (helpdesk/dev/claveunica.py,
the one ``make run`` starts) from the tests.

The provider runs in its own process (``running_provider``). Its test-only API: ``PUT
/users/<sub>`` with a JSON body sets that user's claims, and posting the authorize form with
``sub=<subject>`` signs that user in and redirects with ``code`` and ``state``.
"""

from __future__ import annotations

from typing import Any

import httpx2

from helpdesk.dev.claveunica import CLIENT_ID as CLAVEUNICA_CLIENT_ID
from helpdesk.dev.claveunica import CLIENT_SECRET as CLAVEUNICA_CLIENT_SECRET
from helpdesk.dev.claveunica import Provider, free_port, running_provider

# The staff client the app under test registers at the same provider (which accepts any client).
STAFF_CLIENT_ID = "portal-de-ayuda-staff"
STAFF_CLIENT_SECRET = "staff-client-secret"

__all__ = [
    "CLAVEUNICA_CLIENT_ID",
    "CLAVEUNICA_CLIENT_SECRET",
    "STAFF_CLIENT_ID",
    "STAFF_CLIENT_SECRET",
    "Provider",
    "approve",
    "free_port",
    "running_provider",
    "set_user",
]


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
