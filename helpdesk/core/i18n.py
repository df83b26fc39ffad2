"""Locale selection and translation.

The active locale lives in a ContextVar set by ``LocaleMiddleware``; Jinja's gettext and the
Python ``gettext`` helpers read it, so a template never needs the request to translate.
Which language a page gets is decided in ``language.py`` (the one rule for pages and
emails); the middleware applies it to every request, and a page that knows more (a
request's private page knows the request's language) applies it again with
``use_page_language``.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime, timedelta, tzinfo
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import dates, numbers
from babel.support import NullTranslations, Translations
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from helpdesk.core import language
from helpdesk.core.settings import PROJECT_ROOT

LOCALES_DIR = PROJECT_ROOT / "locales"
DEFAULT_LOCALE = language.DEFAULT_LANGUAGE
SUPPORTED_LOCALES = language.LANGUAGES
# Names of each language in itself, for the switcher.
LANGUAGE_NAMES = {
    "es": "Español",
    "ht": "Kreyòl ayisyen",
    "en": "English",
    "fr": "Français",
    "zh": "中文",
    "ru": "Русский",
}
# Babel locale used for formatting: Chile's Spanish, simplified Chinese.
BABEL_LOCALES = {"es": "es_CL", "ht": "ht", "en": "en", "fr": "fr", "zh": "zh_Hans_CN", "ru": "ru"}
LOCALE_COOKIE = "lang"
DEFAULT_TIMEZONE = ZoneInfo("America/Santiago")

_current_locale: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)

# Babel's CLDR data for Haitian Creole is a skeleton (months print as "M01"): supply the names.
CREOLE_MONTHS = (
    "janvye",
    "fevriye",
    "mas",
    "avril",
    "me",
    "jen",
    "jiyè",
    "out",
    "septanm",
    "oktòb",
    "novanm",
    "desanm",
)
CREOLE_WEEKDAYS = ("lendi", "madi", "mèkredi", "jedi", "vandredi", "samdi", "dimanch")


def get_locale() -> str:
    return _current_locale.get()


def set_locale(locale: str) -> None:
    _current_locale.set(locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE)


@cache
def translations(locale: str) -> NullTranslations:
    # Source strings are Spanish; the es catalogue exists so wording can change without code.
    return Translations.load(str(LOCALES_DIR), [locale], domain="messages")


def gettext(message: str, **variables: object) -> str:
    text = translations(get_locale()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(get_locale()).ungettext(singular, plural, n)
    return text % {"num": n, **variables}


def lazy_gettext(message: str) -> str:
    """Marks a string for extraction where it is defined; translate it with gettext() at use."""
    return message


def negotiate(accept_language: str | None) -> str | None:
    return language.from_browser(accept_language)


def choose_locale(cookie_value: str | None, accept_language: str | None) -> str:
    return language.page_language(cookie=cookie_value, accept_language=accept_language)


def use_page_language(scope: Scope, request_language: str | None) -> str:
    """Decides the page's language again, now that the page knows which request it shows
    (``language.page_language``): the visitor's choice still wins, then the request's
    language, before the browser's. Returns the language now active."""
    locale = language.page_language(
        cookie=scope.get("locale_cookie"),
        accept_language=Headers(scope=scope).get("accept-language"),
        request_language=request_language,
    )
    _current_locale.set(locale)
    scope["locale"] = locale
    return locale


class LocaleMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookie_value = None
        for chunk in headers.get("cookie", "").split(";"):
            name, _, value = chunk.strip().partition("=")
            if name == LOCALE_COOKIE:
                cookie_value = value
        locale = choose_locale(cookie_value, headers.get("accept-language"))
        token = _current_locale.set(locale)
        scope["locale"] = locale
        scope["locale_cookie"] = cookie_value  # for use_page_language
        try:
            await self.app(scope, receive, send)
        finally:
            _current_locale.reset(token)


# --- Formatting: dates, times and numbers in the viewer's locale and the office's zone.


def _babel_locale(locale: str | None = None) -> str:
    return BABEL_LOCALES[locale or get_locale()]


# CLDR has no Creole: Babel would answer in French, as it does for months (above).
CREOLE_UNITS = ((86400, "jou"), (3600, "èdtan"), (60, "minit"), (1, "segonn"))


def format_duration(value: timedelta, locale: str | None = None) -> str:
    """A wait in words ("45 segundos", "3 minutos"), in whole units of the largest size."""
    if (locale or get_locale()) == "ht":
        seconds = max(value.total_seconds(), 0)
        size, unit = next(((s, u) for s, u in CREOLE_UNITS if seconds >= s), CREOLE_UNITS[-1])
        return f"{round(seconds / size)} {unit}"
    return dates.format_timedelta(value, threshold=1, locale=_babel_locale(locale))


def format_date(value: date, locale: str | None = None) -> str:
    return _format_date(value, locale or get_locale())


# A queue page shows fifty dates, most of them the same few days: Babel's formatting is
# the costliest part of rendering it, and a day's name in a language never changes.
@lru_cache(maxsize=4096)
def _format_date(value: date, loc: str) -> str:
    if loc == "ht":
        return f"{value.day} {CREOLE_MONTHS[value.month - 1]} {value.year}"
    return dates.format_date(value, format="long", locale=_babel_locale(loc))


def format_weekday_date(value: date, locale: str | None = None) -> str:
    loc = locale or get_locale()
    if loc == "ht":
        return f"{CREOLE_WEEKDAYS[value.weekday()]} {format_date(value, loc)}"
    return dates.format_date(value, format="full", locale=_babel_locale(loc))


def format_datetime(
    value: datetime, tz: tzinfo | str | None = None, locale: str | None = None
) -> str:
    zone = ZoneInfo(tz) if isinstance(tz, str) else (tz or DEFAULT_TIMEZONE)
    local = value.astimezone(zone)
    loc = locale or get_locale()
    time_text = dates.format_time(local, format="short", locale=_babel_locale(loc))
    if loc == "ht":
        return f"{format_date(local.date(), loc)}, {time_text}"
    day_text = dates.format_date(local, format="long", locale=_babel_locale(loc))
    return f"{day_text}, {time_text}"


def format_number(value: float, locale: str | None = None) -> str:
    return numbers.format_decimal(value, locale=_babel_locale(locale))
