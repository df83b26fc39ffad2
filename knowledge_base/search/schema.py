"""The index schema: one document per article, with title, summary and body in each language."""

from __future__ import annotations

from typing import Any

from whoosh.fields import ID, KEYWORD, TEXT, Schema

from helpdesk.core.i18n import SUPPORTED_LOCALES
from knowledge_base.documents import IndexDocument
from knowledge_base.models import SOURCE_LOCALE
from knowledge_base.search.analyzers import analyzer_for

LOCALES: tuple[str, ...] = SUPPORTED_LOCALES
# Bump when fields or text analysis change: start-up rebuilds an index of an older version.
SCHEMA_VERSION = 1
TEXT_PARTS = ("title", "summary", "body")


def field(part: str, locale: str) -> str:
    return f"{part}_{locale}"


def build_schema() -> Schema:
    fields: dict[str, Any] = {
        "id": ID(stored=True, unique=True),
        "slug": ID(stored=True),
        "type": ID(stored=True),
        "category": ID(stored=True),
        # Exact tags for filtering, and their words (Spanish) for matching a query.
        "tags": KEYWORD(stored=True, commas=True, lowercase=True),
        "tags_text": TEXT(analyzer=analyzer_for(SOURCE_LOCALE), phrase=False),
        "locales": KEYWORD(stored=True),  # which languages the article has
    }
    for locale in LOCALES:
        analyzer = analyzer_for(locale)
        fields[field("title", locale)] = TEXT(analyzer=analyzer, stored=True, phrase=False)
        # Character offsets let snippets mark matched words without analysing the text again.
        fields[field("summary", locale)] = TEXT(analyzer=analyzer, stored=True, chars=True)
        fields[field("body", locale)] = TEXT(analyzer=analyzer, stored=True, chars=True)
    return Schema(**fields)


def document_fields(document: IndexDocument) -> dict[str, Any]:
    """What ``writer.add_document`` receives for one article."""
    values: dict[str, Any] = {
        "id": str(document.article_id),
        "slug": document.slug,
        "type": document.type,
        "category": document.category,
        "tags": ",".join(document.tags),
        "tags_text": " ; ".join(document.tags),
        "locales": " ".join(sorted(document.texts)),
    }
    for locale, text in document.texts.items():
        if locale not in LOCALES:
            continue
        values[field("title", locale)] = text.title
        values[field("summary", locale)] = text.summary
        values[field("body", locale)] = text.text
    return values
