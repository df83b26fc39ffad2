"""The one language rule, as tables: (person, request, browser, cookie) → language."""

from __future__ import annotations

import pytest

from helpdesk.core import language

# The person is a profile language when they hold an account (None: no account); the
# request is the language it was written in, when the page or email is about one.
PAGES = [
    # person, request, browser, cookie → page
    (None, None, None, None, "es"),
    (None, None, "ht,fr;q=0.8", None, "ht"),
    (None, None, "fr-CA,en;q=0.5", None, "fr"),
    (None, None, "zh-CN", None, "zh"),
    (None, None, "de-DE,pt;q=0.9", None, "es"),  # nothing the portal speaks
    (None, None, "es-CL", "ht", "ht"),  # the switcher beats the browser
    (None, None, "es-CL", "xx", "es"),  # a forged cookie is ignored
    # The private page of a Creole request, on a Spanish phone (issue 12).
    (None, "ht", "es-CL,es;q=0.9", None, "ht"),
    (None, "ht", None, None, "ht"),
    (None, "ht", "es-CL", "es", "es"),  # ... but the switcher still works there
    (None, "fr", "ht", "en", "en"),
    (None, "xx", "ru", None, "ru"),  # an unknown request language falls through
    # A signed-in person: their profile language reached the cookie at sign-in.
    ("ht", None, "es-CL", "ht", "ht"),
    ("ht", "es", "es-CL", "ht", "ht"),
]


@pytest.mark.parametrize(("person", "written_in", "browser", "cookie", "expected"), PAGES)
def test_page_language(person, written_in, browser, cookie, expected) -> None:
    del person  # pages see the profile through the cookie sign-in wrote (after_sign_in)
    chosen = language.page_language(
        cookie=cookie, accept_language=browser, request_language=written_in
    )
    assert chosen == expected


SIGN_IN = [
    # profile, the page's language before signing in → the interface after signing in
    ("ht", "es", "ht"),  # the Creole citizen who got Spanish after signing in (issue 12)
    ("es", "ht", "es"),
    ("zh", "zh", "zh"),
    (None, "fr", "fr"),
    ("xx", "en", "en"),
]


@pytest.mark.parametrize(("profile", "current", "expected"), SIGN_IN)
def test_after_sign_in(profile, current, expected) -> None:
    assert language.after_sign_in(profile=profile, current=current) == expected


EMAILS = [
    # person (profile when an account holder), request, page → email
    ("ht", "es", None, "ht"),  # her Creole profile decides her request's emails (issue 12)
    ("ht", None, "es", "ht"),
    (None, "ht", "es", "ht"),  # no account: the request's language
    (None, "ht", None, "ht"),
    (None, None, "fr", "fr"),  # an email about an address: the page that sent it
    (None, None, None, "es"),
    ("xx", "ru", None, "ru"),
    (None, "xx", "xx", "es"),
]


@pytest.mark.parametrize(("profile", "written_in", "page", "expected"), EMAILS)
def test_email_language(profile, written_in, page, expected) -> None:
    chosen = language.email_language(profile=profile, request_language=written_in, page=page)
    assert chosen == expected


def test_the_middleware_and_the_rule_agree() -> None:
    from helpdesk.core import i18n

    for _person, written_in, browser, cookie, expected in PAGES:
        if written_in is None:
            assert i18n.choose_locale(cookie, browser) == expected
