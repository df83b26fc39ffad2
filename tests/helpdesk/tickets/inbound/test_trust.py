"""Which Authentication-Results prove a sender, and which reply addresses name a request:
tables over the pure functions of ``inbound.trust`` and ``notifications.reply_address``."""

from __future__ import annotations

import pytest

from helpdesk.core.settings import Settings
from helpdesk.notifications.reply_address import ReplyAddresses
from helpdesk.tickets.inbound.trust import InboundTrust, is_authenticated

MX = "mx.migraciones.example"
TRUSTED = frozenset({MX, "mx2.migraciones.example"})
DOMAIN = "correo.example"


@pytest.mark.parametrize(
    ("headers", "trusted"),
    [
        ([f"{MX}; dmarc=pass header.from=correo.example"], True),
        ([f"{MX}; dkim=pass header.d=correo.example header.i=@correo.example"], True),
        (["MX.Migraciones.Example; DMARC=Pass header.from=Correo.Example"], True),
        (["mx2.migraciones.example 1; dkim=pass (2048-bit) header.d=correo.example"], True),
        ([f"{MX};\r\n dkim=pass header.d=correo.example;\r\n spf=fail"], True),
        # Not aligned with the From domain, or not a pass.
        ([f"{MX}; dkim=pass header.d=otro.example"], False),
        ([f"{MX}; dkim=pass header.d=example"], False),  # a parent: DMARC judges relaxed
        ([f"{MX}; dmarc=pass header.from=sub.correo.example"], False),
        ([f"{MX}; dmarc=fail header.from=correo.example"], False),
        ([f"{MX}; dkim=fail header.d=correo.example"], False),
        ([f"{MX}; dmarc=none header.from=correo.example"], False),
        ([f"{MX}; spf=pass smtp.mailfrom=correo.example"], False),  # SPF is the envelope's
        ([f"{MX}; none"], False),
        # Not from our server: whatever it says.
        (["mx.evil.example; dmarc=pass header.from=correo.example"], False),
        (["migraciones.example; dmarc=pass header.from=correo.example"], False),
        # Only the first trusted header counts: the one our server put on top.
        (
            [
                f"{MX}; dmarc=fail header.from=correo.example",
                f"{MX}; dmarc=pass header.from=correo.example",
            ],
            False,
        ),
        (
            [
                "mx.evil.example; dmarc=pass header.from=correo.example",
                f"{MX}; dkim=pass header.d=correo.example",
            ],
            True,
        ),
        # Garbage proves nothing and breaks nothing.
        ([f"{MX}; dmarc=pass header.from"], False),
        (["; ; ="], False),
        ([""], False),
        ([], False),
    ],
)
def test_which_authentication_results_prove_the_sender(headers: list[str], trusted: bool) -> None:
    assert is_authenticated(headers, TRUSTED, DOMAIN) is trusted


def test_nothing_is_trusted_without_a_configured_server_id() -> None:
    header = f"{MX}; dmarc=pass header.from=correo.example"
    assert not is_authenticated([header], frozenset(), DOMAIN)
    assert not is_authenticated([header], TRUSTED, "")


REPLIES = ReplyAddresses("a-secret-of-at-least-32-characters!", "respuestas", "migraciones.example")


def test_a_reply_address_names_its_folio_and_nothing_else() -> None:
    address = REPLIES.address("AYU-2026-000123")
    assert address is not None
    local, _, domain = address.partition("@")
    assert domain == "migraciones.example"
    assert local.startswith("respuestas+ayu-2026-000123.") and len(local.split(".")[-1]) == 20
    assert REPLIES.folio_of(address) == "AYU-2026-000123"
    assert REPLIES.folio_of(address.upper()) == "AYU-2026-000123"  # some servers shout
    assert REPLIES.folios_in([f"Portal <{address}>, oirs@migraciones.example"]) == [
        "AYU-2026-000123"
    ]
    other = ReplyAddresses(
        "another-secret-of-32-characters-yes", "respuestas", "migraciones.example"
    )
    assert other.address("AYU-2026-000123") != address  # the token is the app secret's


@pytest.mark.parametrize(
    "address",
    [
        "respuestas+ayu-2026-000124.{token}@migraciones.example",  # another folio, same token
        "respuestas+ayu-2026-000123.{token}@evil.example",
        "otra+ayu-2026-000123.{token}@migraciones.example",
        "respuestas+ayu-2026-000123.0000000000{short}@migraciones.example",
        "respuestas+ayu-2026-000123@migraciones.example",
        "respuestas+.{token}@migraciones.example",
        "respuestas@migraciones.example",
        "no es una dirección",
        "",
    ],
)
def test_a_wrong_reply_address_names_nothing(address: str) -> None:
    token = REPLIES.token("AYU-2026-000123")
    assert REPLIES.folio_of(address.format(token=token, short=token[10:])) is None


def test_reply_addresses_are_off_without_a_domain() -> None:
    trust = InboundTrust.from_settings(Settings())
    assert trust.replies.address("AYU-2026-000123") is None
    assert not trust.replies.is_ours("respuestas+x.y@")
    assert trust.trusted_ids == frozenset()
    configured = Settings(
        inbound_trusted_authserv_ids=" mx.a.example, MX.B.example ,",
        reply_address_domain="Migraciones.Example",
    )
    trust = InboundTrust.from_settings(configured)
    assert trust.trusted_ids == {"mx.a.example", "mx.b.example"}
    assert (trust.replies.address("AYU-2026-000001") or "").endswith("@migraciones.example")
