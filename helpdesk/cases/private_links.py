"""A case's private link, for the signed-in list and for every email about the case.

The token is the case's id signed with the site's secret (itsdangerous, HMAC-SHA256, this
module's salt): it opens the case's page without signing in and without typing the number
and document again. A wrong token and a case that does not exist answer alike. ``app.py``
configures the secret once per process, as for requests' links.
"""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, Signer

from helpdesk.core import links

SALT = "helpdesk.case-private-link"
UNFOLLOW_SALT = "helpdesk.case-unfollow"  # each status email's "stop following" link
_signer: Signer | None = None
_unfollow_signer: Signer | None = None
_base_url = ""


def configure(secret_key: str, base_url: str) -> None:
    global _signer, _unfollow_signer, _base_url
    _signer = Signer(secret_key, salt=SALT, digest_method=hashlib.sha256)
    _unfollow_signer = Signer(secret_key, salt=UNFOLLOW_SALT, digest_method=hashlib.sha256)
    _base_url = base_url


def _ready() -> Signer:
    if _signer is None:
        raise RuntimeError("app.py configures case links (create_app)")
    return _signer


def token_for(case_id: int) -> str:
    return _ready().sign(str(case_id)).decode()


def _unsigned_id(signer: Signer, token: str) -> int | None:
    if len(token) > 100:
        return None
    try:
        value = signer.unsign(token).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
    return int(value) if value.isdecimal() and len(value) < 19 else None


def case_id_from(token: str) -> int | None:
    """The case id a token was signed for; None for anything else."""
    return _unsigned_id(_ready(), token)


def unfollow_token(follower_id: int) -> str:
    _ready()
    assert _unfollow_signer is not None
    return _unfollow_signer.sign(str(follower_id)).decode()


def follower_id_from(token: str) -> int | None:
    _ready()
    assert _unfollow_signer is not None
    return _unsigned_id(_unfollow_signer, token)


def base_url() -> str:
    return _base_url


def url_for(case_id: int, base_url: str | None = None) -> str:
    return links.absolute_url(base_url or _base_url, "case_private", token=token_for(case_id))
