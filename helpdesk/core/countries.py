"""The list of countries people choose from (country of birth, the document's issuer).

Which entries: ISO 3166-1 countries only (``pycountry``'s list), so CLDR's other
territories (the Eurozone, the United Nations, "unknown region", pseudo-locales) never
appear. Their names: CLDR's, through Babel, in the page's language; Spanish where CLDR has
no name in it (Haitian Creole has none). Their order: the nationalities most common among
the service's users first, then the rest by ICU's collation for the language (PyICU), so
accented names sort with their letter and Chinese names sort by pinyin, as ICU's default
Chinese collation does.
"""

from __future__ import annotations

import pickle
from functools import cache
from typing import Any, Final

import icu
import pycountry
from babel import localedata
from babel.core import get_global

from helpdesk.core.i18n import BABEL_LOCALES, DEFAULT_LOCALE

# The service's users' most common nationalities, most common first.
COMMON: Final = ("VE", "PE", "HT", "CO", "BO", "AR", "CN", "EC", "DO")
ISO_CODES: Final = frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def cldr_names(babel_locale: str) -> dict[str, str]:
    """CLDR's territory names in the locale's own language: Babel's inheritance, but never
    from another language (CLDR makes Haitian Creole inherit French names)."""
    language = babel_locale.split("_")[0]
    chain: list[str] = []
    name: str | None = babel_locale
    while name and name.split("_")[0] == language:
        chain.append(name)
        name = get_global("parent_exceptions").get(name) or name.rpartition("_")[0]
    names: dict[str, str] = {}
    for identifier in reversed(chain):
        if localedata.exists(identifier):
            names.update(_own_data(identifier).get("territories", {}))
    return names


def _own_data(identifier: str) -> dict[str, Any]:
    """One CLDR locale's own data, without what it inherits. Not ``localedata.load(...,
    merge_inherited=False)``: Babel caches by name, so after any page in that language that
    call returns the merged data (Creole with French names)."""
    with open(localedata.resolve_locale_filename(identifier), "rb") as file:
        return dict(pickle.load(file))  # noqa: S301  (Babel's own data files)


@cache
def country_names(locale: str) -> tuple[tuple[str, str], ...]:
    """(ISO code, name) of every country for a page in ``locale``: the common ones first,
    then the rest in the language's alphabetical order."""
    spanish = cldr_names(BABEL_LOCALES[DEFAULT_LOCALE])
    own = cldr_names(BABEL_LOCALES[locale])
    names = {code: own.get(code) or spanish[code] for code in ISO_CODES}
    collation = BABEL_LOCALES[locale] if own else BABEL_LOCALES[DEFAULT_LOCALE]
    collator = icu.Collator.createInstance(icu.Locale(collation))
    rest = sorted(
        (c for c in ISO_CODES if c not in COMMON), key=lambda c: collator.getSortKey(names[c])
    )
    return tuple((code, names[code]) for code in (*COMMON, *rest))
