"""Each request's secret reply address: ``respuestas+<folio>.<token>@<domain>``.

Every email about a request (its outbox context names the folio) carries this address as
``Reply-To``. The token is an HMAC of the folio under the app's secret key, so only someone
who received our email knows it: a reply sent to it proves it answers that request, whatever
its From header says (``tickets.inbound.trust``). The address is off while
``REPLY_ADDRESS_DOMAIN`` is empty; the mail server must deliver the domain's
``<local>+*`` addresses to the OIRS listener (docs/mail.md).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from email.utils import getaddresses

from helpdesk.core.settings import Settings

TOKEN_LENGTH = 20  # hex digits: 80 bits, short enough for every mail client's address field
_PURPOSE = b"reply-address:"


@dataclass(frozen=True)
class ReplyAddresses:
    secret: str
    local: str
    domain: str

    @classmethod
    def from_settings(cls, settings: Settings) -> ReplyAddresses:
        return cls(
            settings.secret_key,
            settings.reply_address_local.strip().lower(),
            settings.reply_address_domain.strip().lower(),
        )

    @property
    def enabled(self) -> bool:
        return bool(self.local and self.domain)

    def token(self, folio: str) -> str:
        digest = hmac.new(
            self.secret.encode(), _PURPOSE + folio.strip().upper().encode(), hashlib.sha256
        )
        return digest.hexdigest()[:TOKEN_LENGTH]

    def address(self, folio: str) -> str | None:
        """The request's reply address, or None when the scheme is off."""
        if not self.enabled:
            return None
        return f"{self.local}+{folio.strip().lower()}.{self.token(folio)}@{self.domain}"

    def is_ours(self, address: str) -> bool:
        """Shaped like a reply address (the token unchecked): for the listener's RCPT."""
        local, _, domain = address.strip().lower().rpartition("@")
        return self.enabled and domain == self.domain and local.startswith(f"{self.local}+")

    def folio_of(self, address: str) -> str | None:
        """The folio a reply address names, only when its token is right."""
        if not self.is_ours(address):
            return None
        local = address.strip().lower().rpartition("@")[0]
        named, _, token = local[len(self.local) + 1 :].rpartition(".")
        if not named or len(token) != TOKEN_LENGTH:
            return None
        folio = named.upper()  # the HMAC vouches for it: no folio is made up here
        return folio if hmac.compare_digest(token, self.token(folio)) else None

    def folios_in(self, addresses: list[str]) -> list[str]:
        """Folios named by correct reply addresses among header values or bare addresses."""
        found: list[str] = []
        for _name, address in getaddresses(addresses):
            folio = self.folio_of(address)
            if folio is not None and folio not in found:
                found.append(folio)
        return found
