"""OpenID Connect clients (Authlib): ClaveÚnica for citizens and an optional staff provider.

ClaveÚnica, per its integration manual: scope exactly ``openid run name``; client secret in the
token request body; ``state`` and ``nonce`` always; PKCE only when the discovery document
advertises it; userinfo by POST with the bearer token.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import RedirectResponse

from helpdesk.core.settings import Settings

CLAVEUNICA = "claveunica"
STAFF = "staff_oidc"
CLAVEUNICA_SCOPE = "openid run name"


class OIDCFailure(Exception):
    """The provider's answer was refused; ``reason`` is for the logs, never for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OIDCCancelled(OIDCFailure):
    """The person chose not to sign in at the provider: nothing is wrong."""


def make_oauth(settings: Settings) -> OAuth:
    oauth = OAuth()
    if settings.claveunica_enabled:
        oauth.register(
            CLAVEUNICA,
            client_id=settings.claveunica_client_id,
            client_secret=settings.claveunica_client_secret,
            server_metadata_url=settings.claveunica_metadata_url,
            client_kwargs={
                "scope": CLAVEUNICA_SCOPE,
                "token_endpoint_auth_method": "client_secret_post",
            },
        )
    if settings.staff_oidc_enabled:
        oauth.register(
            STAFF,
            client_id=settings.staff_oidc_client_id,
            client_secret=settings.staff_oidc_client_secret,
            server_metadata_url=settings.staff_oidc_metadata_url,
            client_kwargs={"scope": "openid email profile"},
        )
    return oauth


def wants_pkce(metadata: dict[str, Any]) -> bool:
    return "S256" in (metadata.get("code_challenge_methods_supported") or [])


async def start_login(request: Request, name: str, redirect_uri: str) -> RedirectResponse:
    client = request.app.state.oauth.create_client(name)
    try:
        metadata = await client.load_server_metadata()
    except Exception as exc:  # provider down or answering garbage: say so, do not crash
        raise OIDCFailure(f"discovery failed: {type(exc).__name__}: {exc}") from exc
    if wants_pkce(metadata):
        client.client_kwargs["code_challenge_method"] = "S256"
    else:
        client.client_kwargs.pop("code_challenge_method", None)
    return await client.authorize_redirect(request, redirect_uri)


async def finish_login(request: Request, name: str, userinfo_by_post: bool) -> dict[str, Any]:
    """Exchanges the code, validates the id_token (signature, issuer, audience, nonce) and
    returns the userinfo claims. Raises OIDCFailure for anything refused."""
    client = request.app.state.oauth.create_client(name)
    if request.query_params.get("error") == "access_denied":
        raise OIDCCancelled("the person cancelled at the provider")
    try:
        token = await client.authorize_access_token(request)
        if "userinfo" not in token:
            raise OIDCFailure("no id_token in the token response")
        if userinfo_by_post:
            metadata = await client.load_server_metadata()
            response = await client.post(metadata["userinfo_endpoint"], token=token)
            response.raise_for_status()
            claims: dict[str, Any] = response.json()
        else:
            claims = dict(await client.userinfo(token=token))
    except OIDCFailure:
        raise
    except (OAuthError, JoseError) as exc:
        raise OIDCFailure(f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # network errors, malformed JSON: the page is the same
        raise OIDCFailure(f"{type(exc).__name__}: {exc}") from exc
    if claims.get("sub") != token["userinfo"].get("sub"):
        raise OIDCFailure("userinfo subject differs from the id_token's")
    return claims
