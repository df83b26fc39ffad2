"""Which language a person gets: the one rule for every page and every email.

Pages (``page_language``), first that applies:
1. the language the visitor chose with the switcher (the ``lang`` cookie). Signing in
   writes the person's profile language into it (``after_sign_in``), and switching while
   signed in writes the profile too, so "the profile, until the person switches" is this
   same cookie;
2. on a request's private page, the language the request was written in: the link is the
   person's own, whatever browser opens it (a Creole request read on a Spanish phone);
3. the browser's Accept-Language;
4. Spanish.

Emails (``email_language``): the person's profile language when they chose one, else the
language the request was written in (for an email about a request), else the language of
the page that made the email leave (an email about an account or an address), else
Spanish. A person "chose" a language when they hold a citizen account: registering or
signing in with ClaveÚnica records the page's language, and the switcher and the profile
change it. Without an account, ``Person.preferred_locale`` (never empty, "es" by default)
is only a copy of their first request's language or a default, so the request's own
language says more about them; callers pass ``profile=None`` then.
"""

from __future__ import annotations

from babel import Locale

DEFAULT_LANGUAGE = "es"
LANGUAGES = ("es", "ht", "en", "fr", "zh", "ru")


def supported(value: str | None) -> str | None:
    """``value`` when it is one of the portal's languages, else None."""
    return value if value in LANGUAGES else None


def from_browser(accept_language: str | None) -> str | None:
    """The first of the browser's languages the portal speaks ("zh-CN" and "fr-CA" count
    as zh and fr); None when none is."""
    if not accept_language:
        return None
    preferred = []
    for part in accept_language.split(","):
        tag = part.split(";", 1)[0].strip()
        if tag and tag != "*":
            preferred.append(tag.replace("-", "_"))
    found = Locale.negotiate(preferred, list(LANGUAGES), sep="_")
    if found is not None:
        return str(found)
    for tag in preferred:
        language = tag.split("_", 1)[0].lower()
        if language in LANGUAGES:
            return language
    return None


def page_language(
    *,
    cookie: str | None,
    accept_language: str | None,
    request_language: str | None = None,
) -> str:
    """The language a page is shown in (see the module's docstring for the order)."""
    return (
        supported(cookie)
        or supported(request_language)
        or from_browser(accept_language)
        or DEFAULT_LANGUAGE
    )


def after_sign_in(*, profile: str | None, current: str) -> str:
    """The interface language once a person signs in: their profile's, which then stays
    (as the cookie) until they switch; the page's own when the profile has none."""
    return supported(profile) or supported(current) or DEFAULT_LANGUAGE


def email_language(
    *, profile: str | None, request_language: str | None = None, page: str | None = None
) -> str:
    """The language of an email to a person: ``profile`` is their chosen language (None
    when they have no account), ``request_language`` the request's when the email is about
    one, ``page`` the language of the page that made the email leave (a proof of address,
    a password reset asked for by someone the service does not know yet)."""
    return supported(profile) or supported(request_language) or supported(page) or DEFAULT_LANGUAGE
