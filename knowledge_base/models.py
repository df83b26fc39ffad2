"""Knowledge base content: articles, their translations, published versions, and reader signals.

An article is language-independent (type, category, trámites, tags, related articles); each
locale has one translation row that is the editors' working copy, and every publish freezes a
``TranslationVersion`` that readers see. A translation made from an older Spanish version than
the one now published is "outdated".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.core.db import Base, UTCDateTime, utcnow

ARTICLE_TYPES = ("ficha", "guia", "tip", "video")
TRANSLATION_STATUSES = ("draft", "in_review", "published", "archived")
SOURCE_LOCALE = "es"


class Article(Base):
    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    type: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(60), index=True)  # a trámite topic
    video_url: Mapped[str | None] = mapped_column(String(300))
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    translations: Mapped[list[Translation]] = relationship(
        back_populates="article", cascade="all, delete-orphan"
    )


class ArticleTramite(Base):
    __tablename__ = "kb_article_tramites"

    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), primary_key=True)
    tramite_code: Mapped[str] = mapped_column(ForeignKey("tramites.code"), primary_key=True)


class ArticleTag(Base):
    __tablename__ = "kb_article_tags"

    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)


class ArticleRelation(Base):
    __tablename__ = "kb_article_relations"

    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), primary_key=True)
    related_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Translation(Base):
    """One locale of an article: the working copy and its editorial state."""

    __tablename__ = "kb_translations"
    __table_args__ = (UniqueConstraint("article_id", "locale", name="uq_kb_translations_article"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"))
    locale: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(400), default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # guías
    transcript: Mapped[str] = mapped_column(Text, default="")  # material audiovisual
    # The Spanish version this text was translated from (None for Spanish itself).
    source_version: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"))
    last_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_translation_versions.id", use_alter=True)
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    article: Mapped[Article] = relationship(back_populates="translations")
    published_version: Mapped[TranslationVersion | None] = relationship(
        foreign_keys=[published_version_id], post_update=True
    )


class TranslationVersion(Base):
    """A frozen, published text. Never changed: a rollback publishes an old one again."""

    __tablename__ = "kb_translation_versions"
    __table_args__ = (
        UniqueConstraint("translation_id", "number", name="uq_kb_translation_versions_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    translation_id: Mapped[int] = mapped_column(ForeignKey("kb_translations.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(400), default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    transcript: Mapped[str] = mapped_column(Text, default="")
    source_version: Mapped[int | None] = mapped_column(Integer)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(200), default="")


class ArticleVote(Base):
    """'Was this helpful?': one vote per reader per article, changeable, counted without account."""

    __tablename__ = "kb_votes"
    __table_args__ = (UniqueConstraint("article_id", "reader_key", name="uq_kb_votes_reader"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5))
    reader_key: Mapped[str] = mapped_column(String(64))
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ArticleView(Base):
    """One row per reader, article and day: a view counts once per reader per day."""

    __tablename__ = "kb_views"

    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), primary_key=True)
    reader_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    locale: Mapped[str] = mapped_column(String(5))


class SearchStat(Base):
    """How often a normalized query was searched, and how often it found nothing."""

    __tablename__ = "kb_search_stats"

    query: Mapped[str] = mapped_column(String(200), primary_key=True)
    locale: Mapped[str] = mapped_column(String(5), primary_key=True)
    searches: Mapped[int] = mapped_column(Integer, default=0)
    zero_results: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeflectionEvent(Base):
    """Suggestions shown while someone writes a request, and what they did with them."""

    __tablename__ = "kb_deflection_events"
    __table_args__ = (Index("ix_kb_deflection_events_draft", "draft_key", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_key: Mapped[str] = mapped_column(String(64))  # one request being written
    kind: Mapped[str] = mapped_column(String(12))  # suggested | opened | submitted
    article_id: Mapped[int | None] = mapped_column(ForeignKey("kb_articles.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContentChange(Base):
    """Appended in the same transaction as every publish, archive or rollback.

    Each node's search index remembers the last change it applied and catches up from here, so
    an index on any host follows the database without a message bus.
    """

    __tablename__ = "kb_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
