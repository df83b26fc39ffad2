"""Catalogue upkeep for `make i18n` and the tests: the Spanish catalogue mirrors the source
strings, and every other catalogue must be complete (no untranslated or fuzzy entry).

python -m helpdesk.i18n_catalogues fill-source | check
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from helpdesk.core.i18n import DEFAULT_LOCALE, LOCALES_DIR, SUPPORTED_LOCALES


def catalogue_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def fill_source_catalogue() -> int:
    """Source strings are Spanish: es gets msgstr = msgid where empty. Returns how many."""
    path = catalogue_path(DEFAULT_LOCALE)
    catalogue = load(path, DEFAULT_LOCALE)
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            if not all(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalogue, sort_output=True, omit_header=False, ignore_obsolete=True)
    return filled


def problems(locale: str) -> list[str]:
    """Untranslated, fuzzy or missing entries of one catalogue against the template."""
    template = load(LOCALES_DIR / "messages.pot")
    catalogue = load(catalogue_path(locale), locale)
    found = []
    for message in template:
        if not message.id:
            continue
        entry = catalogue.get(message.id, message.context)
        key = message.id if isinstance(message.id, str) else message.id[0]
        if entry is None:
            found.append(f"{locale}: missing {key!r}")
        elif "fuzzy" in entry.flags:
            found.append(f"{locale}: fuzzy {key!r}")
        elif isinstance(entry.string, tuple | list):
            if not all(entry.string):
                found.append(f"{locale}: untranslated plural {key!r}")
        elif not entry.string:
            found.append(f"{locale}: untranslated {key!r}")
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["fill-source"]:
        print(f"es: {fill_source_catalogue()} source strings copied")
        return 0
    if argv[:1] == ["check"]:
        issues = [p for locale in SUPPORTED_LOCALES for p in problems(locale)]
        print("\n".join(issues) or "every catalogue is complete")
        return 1 if issues else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
