"""An appointment's private link, in its emails, to see, reschedule or cancel it without
signing in.

The token is the appointment's id and a random secret, signed with the site's secret
(itsdangerous, HMAC-SHA256, this module's salt). The appointment keeps only the secret's
SHA-256 (``access_digest``): a tampered token fails the signature, and a new secret
revokes every link sent before. A wrong token and an unknown appointment answer alike.
``app.py`` configures the secret once per process.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, Signer

from helpdesk.core import links

SALT = "helpdesk.appointment-private-link"
TOKEN_MAX = 200
_signer: Signer | None = None
_base_url = ""


def configure(secret_key: str, base_url: str) -> None:
    global _signer, _base_url
    _signer = Signer(secret_key, salt=SALT, digest_method=hashlib.sha256)
    _base_url = base_url


def _ready() -> Signer:
    if _signer is None:
        raise RuntimeError("app.py configures appointment links (create_app)")
    return _signer


def new_secret() -> str:
    return secrets.token_urlsafe(18)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_for(appointment_id: int, secret: str) -> str:
    return _ready().sign(f"{appointment_id}.{secret}").decode()


def parse(token: str) -> tuple[int, str] | None:
    """(appointment id, secret) a token was signed for; None for anything else."""
    if len(token) > TOKEN_MAX:
        return None
    try:
        value = _ready().unsign(token).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
    number, _dot, secret = value.partition(".")
    if not number.isdecimal() or len(number) > 18 or not secret:
        return None
    return int(number), secret


def matches(stored_digest: str, secret: str) -> bool:
    return hmac.compare_digest(stored_digest, digest(secret))


def base_url() -> str:
    return _base_url


def url_for(appointment_id: int, secret: str, base_url: str | None = None) -> str:
    return links.absolute_url(
        base_url or _base_url, "appointment_private", token=token_for(appointment_id, secret)
    )
