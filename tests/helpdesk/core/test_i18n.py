"""Languages: catalogues complete and current, locale choice, formatting, Creole dates."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from helpdesk.core import i18n
from helpdesk.core.settings import PROJECT_ROOT
from helpdesk.i18n_catalogues import problems
from tests.support.http import page_text


@pytest.mark.parametrize("locale", i18n.SUPPORTED_LOCALES)
def test_catalogue_has_no_untranslated_or_fuzzy_entry(locale: str) -> None:
    assert problems(locale) == []


def test_detection_finds_an_untranslated_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above can fail: an emptied entry is reported."""
    import shutil

    from helpdesk import i18n_catalogues

    shutil.copytree(i18n.LOCALES_DIR, tmp_path / "locales")
    path = tmp_path / "locales" / "ht" / "LC_MESSAGES" / "messages.po"
    text = path.read_text().replace(
        'msgid "Ingresar"\nmsgstr "', 'msgid "Ingresar"\nmsgstr "" #', 1
    )
    text = text.replace('msgstr "" #', 'msgstr ""\n#', 1)
    path.write_text(text)
    monkeypatch.setattr(i18n_catalogues, "LOCALES_DIR", tmp_path / "locales")
    assert "ht: untranslated 'Ingresar'" in i18n_catalogues.problems("ht")


def test_template_is_current(tmp_path: Path) -> None:
    """Every string in the code is in messages.pot (run `make i18n` after changing UI text)."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "--no-location",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with (PROJECT_ROOT / "locales" / "messages.pot").open("rb") as handle:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert wanted - have == set(), "run `make i18n`: new strings are missing from the catalogues"


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, None, "es"),
        (None, "ht-HT,ht;q=0.9,fr;q=0.8", "ht"),
        (None, "zh-CN,zh;q=0.9", "zh"),
        (None, "fr-CA", "fr"),
        (None, "de-DE,de;q=0.9", "es"),
        (None, "pt-BR,en;q=0.5", "en"),
        ("ru", "en", "ru"),
        ("xx", "en", "en"),
    ],
)
def test_locale_choice(cookie: str | None, accept: str | None, expected: str) -> None:
    assert i18n.choose_locale(cookie, accept) == expected


def test_creole_dates_use_creole_names() -> None:
    assert i18n.format_date(date(2026, 11, 26), "ht") == "26 novanm 2026"
    assert i18n.format_weekday_date(date(2026, 11, 26), "ht") == "jedi 26 novanm 2026"


def test_dates_times_and_numbers_follow_locale_and_office_zone() -> None:
    moment = datetime(2026, 1, 15, 15, 30, tzinfo=UTC)
    assert "12:30" in i18n.format_datetime(moment, "America/Santiago", "es")  # UTC-3 in summer
    assert "12:30" in i18n.format_datetime(moment, "America/Punta_Arenas", "es")
    assert "enero" in i18n.format_datetime(moment, "America/Santiago", "es")
    assert "January" in i18n.format_datetime(moment, "America/Santiago", "en")
    assert "1月" in i18n.format_datetime(moment, "America/Santiago", "zh")
    winter = datetime(2026, 7, 15, 15, 30, tzinfo=UTC)
    assert "11:30" in i18n.format_datetime(winter, "America/Santiago", "es")  # UTC-4 in winter
    assert "12:30" in i18n.format_datetime(winter, "America/Punta_Arenas", "es")  # no DST
    assert i18n.format_number(1388906, "es") == "1.388.906"
    assert i18n.format_number(1388906, "en") == "1,388,906"


async def test_language_switch_sets_cookie_and_page_language(client) -> None:
    response = await client.submit("/idioma", {"lang": "ht", "next": "/cuenta/ingresar"}, page="/")
    assert response.status_code == 303 and response.headers["location"] == "/cuenta/ingresar"
    page = await client.get("/cuenta/ingresar")
    from tests.support.http import parse

    assert parse(page.text).html_lang == "ht"
    assert "Antre" in page_text(page.text) or page_text(page.text) != ""


@pytest.mark.parametrize("locale", [loc for loc in i18n.SUPPORTED_LOCALES if loc != "es"])
async def test_pages_have_no_spanish_left(client, locale: str) -> None:
    """Every visible string of the sign-in page comes from the catalogue, not the source."""
    spanish = page_text((await client.get("/cuenta/ingresar", headers={"Cookie": "lang=es"})).text)
    other = page_text(
        (await client.get("/cuenta/ingresar", headers={"Cookie": f"lang={locale}"})).text
    )
    left = [
        s
        for s in ("Correo electrónico", "Contraseña", "¿Olvidó su contraseña?", "Sin cuenta")
        if s in other
    ]
    assert spanish != other and left == []


def test_template_gettext_escapes_placeholders_only_in_html(settings) -> None:
    from helpdesk.core.templating import make_environment

    env = make_environment(settings)
    source = (
        '{{ _("Hola, %(name)s.", name=who) }} '
        '{{ ngettext("%(num)s mensaje", "%(num)s mensajes", 2) }}'
    )
    i18n.set_locale("en")
    html = env.from_string(source).render(who="<b>Rosa</b>")
    text = env.overlay(autoescape=False).from_string(source).render(who="<b>Rosa</b>")
    i18n.set_locale("es")
    assert "&lt;b&gt;Rosa&lt;/b&gt;" in html and "<b>" not in html
    assert "<b>Rosa</b>" in text and "&lt;" not in text
    assert "2" in html


@pytest.mark.parametrize(
    ("seconds", "locale", "expected"),
    [
        (1, "ht", "1 segonn"),
        (45, "ht", "45 segonn"),
        (90, "ht", "2 minit"),
        (7200, "ht", "2 èdtan"),
        (90000, "ht", "1 jou"),
        (90, "es", "2 minutos"),
        (90, "fr", "2 minutes"),
    ],
)
def test_waits_in_words_creole_included(seconds: int, locale: str, expected: str) -> None:
    """A sign-in wait in words: Creole has its own units, not Babel's French fallback."""
    assert i18n.format_duration(timedelta(seconds=seconds), locale) == expected
