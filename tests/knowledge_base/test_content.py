"""Facts the shipped articles (knowledge_base/content/) must get right, in every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from knowledge_base.content_loader import ContentArticle, ContentText, read_content

ARTICLES = read_content()
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The service's name in Creole: the one the interface uses (locales/ht).
CREOLE_SERVICE_NAME = "Sèvis Nasyonal Migrasyon"
CREOLE_NAME_RE = re.compile(r"Sèvis\s+(?:Nasyonal\s+)?\w*igrasyon\b", re.IGNORECASE)

# Trámites are done at tramites.serviciomigraciones.cl, never on this portal: no article may
# say that no one may charge "on this site" for them.
ON_THIS_SITE = {
    "es": ["en este sitio"],
    "en": ["on this site"],
    "fr": ["sur ce site"],
    "ht": ["sou sit sa a"],
    "zh": ["本网站"],
    "ru": ["на этом сайте"],
}

# The IPE (identificador provisorio escolar) is assigned by Mineduc at its Ayuda Mineduc
# offices, not by the school.
IPE_BY_SCHOOL = {
    "es": "el colegio les asigna",
    "en": "the school gives them",
    "fr": "l'école leur attribue",
    "ht": "lekòl la ba yo",
    "zh": "学校会给他们分配",
    "ru": "школа присвоит",
}

# A link to one video, not to a channel's home page.
SINGLE_VIDEO_RE = re.compile(
    r"^https://(?:www\.youtube\.com/watch\?v=[\w-]{11}|youtu\.be/[\w-]{11}|vimeo\.com/\d+)$"
)


def _all_text(text: ContentText) -> str:
    steps = "\n".join(f"{s['title']}\n{s['body']}" for s in text.steps)
    return "\n".join((text.title, text.summary, text.body_md, steps, text.transcript))


def _texts() -> list[tuple[ContentArticle, ContentText]]:
    return [(article, text) for article in ARTICLES for text in article.texts.values()]


def test_the_content_is_there() -> None:
    assert len(ARTICLES) >= 30
    assert all({"es", "en", "ht"} <= set(a.texts) for a in ARTICLES)


@pytest.mark.parametrize("locale", sorted(ON_THIS_SITE))
def test_no_article_says_tramites_are_done_on_this_site(locale: str) -> None:
    offending = [
        article.slug
        for article, text in _texts()
        if text.locale == locale and any(p in _all_text(text).lower() for p in ON_THIS_SITE[locale])
    ]
    assert offending == []


def test_the_creole_name_of_the_service_is_written_one_way() -> None:
    names = {
        match.group(0): article.slug
        for article, text in _texts()
        if text.locale == "ht"
        for match in CREOLE_NAME_RE.finditer(_all_text(text))
    }
    assert set(names) == {CREOLE_SERVICE_NAME}, names


def test_the_creole_name_is_the_one_the_interface_uses() -> None:
    path = PROJECT_ROOT / "locales" / "ht" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="ht")
    assert catalog["Servicio Nacional de Migraciones"].string == CREOLE_SERVICE_NAME
    for message in catalog:
        if isinstance(message.string, str):
            for match in CREOLE_NAME_RE.finditer(message.string):
                assert match.group(0) == CREOLE_SERVICE_NAME, message.id


def test_the_ipe_is_assigned_by_mineduc_in_every_language() -> None:
    article = next(a for a in ARTICLES if a.slug == "regularizacion-ninos-ninas-adolescentes")
    assert set(article.texts) == set(IPE_BY_SCHOOL)
    for locale, text in article.texts.items():
        body = _all_text(text)
        assert "IPE" in body, locale
        assert "Ayuda Mineduc" in body, locale
        assert IPE_BY_SCHOOL[locale] not in body, locale


def test_video_articles_link_one_video_or_none() -> None:
    videos = [a for a in ARTICLES if a.type == "video"]
    assert videos
    for article in videos:
        assert article.video_url == "" or SINGLE_VIDEO_RE.match(article.video_url), (
            article.slug,
            article.video_url,
        )
        assert all(text.transcript for text in article.texts.values()), article.slug


def test_no_page_says_tramites_are_done_on_this_site() -> None:
    """The footer on every page said it too; the trámites are done on the service's
    trámites platform, and the help here is free."""
    templates = PROJECT_ROOT / "templates"
    offending = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if "en este sitio" in path.read_text(encoding="utf-8")
    ]
    assert offending == []
