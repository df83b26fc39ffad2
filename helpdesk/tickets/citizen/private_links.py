"""The private link of a request, for every email to its person.

A request's first link is a random token, emailed with the confirmation; the database keeps
only its digest (``Ticket.access_digest``), so that link cannot be written again later.
Every later email carries a second form of the same link: the token is the signature, by
the site's secret key (itsdangerous, HMAC-SHA256 with this module's salt), of the folio and
that digest. So:

- any email can carry a link that opens the request without signing in, with nothing more
  stored;
- asking for a new link (``citizen.service.renew_link``) replaces the digest, which
  revokes the random token and every signed one at once;
- the database alone gives no working link (the signature needs the secret), and the
  secret alone gives none either (it needs the digest); a folio without either opens
  nothing, and a wrong one answers exactly like a wrong token (no enumeration).

Links are built outside requests too (the mail worker's jobs, a status change made by a
timer), so the composition root (``app.py``) configures the secret and the site's address
once per process, as it registers the route table for ``core.links``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from itsdangerous import BadSignature, Signer

from helpdesk.core import links
from helpdesk.tickets.models import Ticket

SALT = "helpdesk.request-private-link"


class PrivateLinksNotReady(RuntimeError):
    """A private link was asked for before ``app.py`` configured the secret."""


@dataclass(frozen=True)
class _Config:
    signer: Signer
    base_url: str


_config: _Config | None = None


def configure(secret_key: str, base_url: str) -> None:
    """The process's secret and public address; configuring again replaces them."""
    global _config
    _config = _Config(Signer(secret_key, salt=SALT, digest_method=hashlib.sha256), base_url)


def _ready() -> _Config:
    if _config is None:
        raise PrivateLinksNotReady("app.py configures private links (create_app)")
    return _config


def _signed_value(folio: str, access_digest: str) -> bytes:
    return f"{folio.upper()}:{access_digest}".encode()


def token_for(ticket: Ticket) -> str:
    """The signed token of ``ticket``'s current link."""
    signature = _ready().signer.get_signature(_signed_value(ticket.folio, ticket.access_digest))
    return signature.decode()


def url_for(ticket: Ticket, base_url: str | None = None, fragment: str = "") -> str:
    """The full address of ``ticket``'s private page, for an email."""
    config = _ready()
    return links.absolute_url(
        base_url or config.base_url,
        "request_private",
        fragment=fragment,
        folio=ticket.folio,
        token=token_for(ticket),
    )


def signed_token_matches(folio: str, access_digest: str, token: str) -> bool:
    """Whether ``token`` is the signed form of the link with this digest (constant time)."""
    try:
        return _ready().signer.verify_signature(_signed_value(folio, access_digest), token)
    except BadSignature:  # not base64, for one
        return False
