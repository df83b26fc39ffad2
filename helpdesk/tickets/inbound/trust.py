"""Whether a received email may write into an existing request: proof beyond its From header.

A From header is whatever the sender typed. A reply is accepted into a request only with one
of two proofs, checked here as pure functions:

- **The receiving mail server says so.** Our MTA checks DKIM and DMARC and records the
  outcome in an ``Authentication-Results`` header (RFC 8601) under its own ``authserv-id``.
  Only headers with an id listed in ``INBOUND_TRUSTED_AUTHSERV_IDS`` count (the MTA removes
  any that arrive from outside with its id), and only the first of them, the one it added.
  Proof is ``dmarc=pass`` for the From domain (``header.from``), or ``dkim=pass`` signed by
  the From domain itself (``header.d``: strict alignment; DMARC covers relaxed alignment).
  Parsing is ``authres``'; a header it cannot parse proves nothing.
- **The reply was sent to the request's secret reply address** (``notifications.
  reply_address``), which only someone who received our email about that request knows.

The sender must still be the request's person (``service``); without proof, a message that
names a request opens a new one held for an agent instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import authres

from helpdesk.core.settings import Settings
from helpdesk.notifications.reply_address import ReplyAddresses
from helpdesk.tickets.inbound.parse import InboundMessage

log = logging.getLogger(__name__)

# Headers where a reply address shows up: the envelope is passed in apart (listener).
_ADDRESS_HEADERS = ("to", "cc", "delivered-to", "x-original-to")


@dataclass(frozen=True)
class InboundTrust:
    trusted_ids: frozenset[str]
    replies: ReplyAddresses

    @classmethod
    def from_settings(cls, settings: Settings) -> InboundTrust:
        ids = settings.inbound_trusted_authserv_ids.split(",")
        return cls(
            frozenset(i.strip().lower() for i in ids if i.strip()),
            ReplyAddresses.from_settings(settings),
        )


@dataclass(frozen=True)
class Proof:
    authenticated: bool  # the From domain checked by a trusted server
    reply_folios: tuple[str, ...]  # requests whose secret reply address it was sent to

    def covers(self, folio: str) -> bool:
        return self.authenticated or folio in self.reply_folios

    def describe(self) -> str:
        """For the log and the agent's note: never the token itself."""
        if self.authenticated:
            return "DKIM/DMARC"
        if self.reply_folios:
            return "dirección de respuesta de " + ", ".join(self.reply_folios)
        return "ninguna"


def from_domain(address: str) -> str:
    return address.strip().lower().rpartition("@")[2]


def is_authenticated(headers: Iterable[str], trusted_ids: frozenset[str], domain: str) -> bool:
    """True when the first Authentication-Results from a trusted server says DMARC passed
    for ``domain`` or DKIM passed with ``domain``'s own signature."""
    if not domain or not trusted_ids:
        return False
    for value in headers:
        try:
            parsed = authres.AuthenticationResultsHeader.parse_value(" ".join(value.split()))
        except authres.AuthResError:  # a broken header is not ours (ours parse): skip it
            continue
        if (parsed.authserv_id or "").lower() not in trusted_ids:
            continue
        return any(_aligned(result, domain) for result in parsed.results)
    return False


def _aligned(result: authres.core.AuthenticationResult, domain: str) -> bool:
    method, outcome = (result.method or "").lower(), (result.result or "").lower()
    if outcome != "pass":
        return False
    wanted = {"dmarc": ("header", "from"), "dkim": ("header", "d")}.get(method)
    if wanted is None:
        return False
    return any(
        ((p.type or "").lower(), (p.name or "").lower()) == wanted
        and (p.value or "").strip().lower().rstrip(".") == domain
        for p in result.properties
    )


def proof_of(
    message: InboundMessage, sender: str, recipients: Sequence[str], trust: InboundTrust
) -> Proof:
    authenticated = is_authenticated(
        message.header_values("Authentication-Results"), trust.trusted_ids, from_domain(sender)
    )
    addresses = [*recipients, *(v for h in _ADDRESS_HEADERS for v in message.header_values(h))]
    return Proof(authenticated, tuple(trust.replies.folios_in(addresses)))
