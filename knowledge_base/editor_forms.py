"""Parsing and validating the editors' forms: pure functions returning (data, errors).

Checks that need the database (a slug already taken, related articles that do not exist) are
the service's; everything that can be decided from the form alone is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from helpdesk.core.i18n import gettext as _
from helpdesk.reference.data import TOPICS, TRAMITES
from knowledge_base.models import ARTICLE_TYPES

Errors = dict[str, str]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Step images live under /static/kb/: a relative path to an image file, nothing else.
IMAGE_RE = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_-]+)*\.(?:png|jpg|jpeg|webp|gif|svg)$")
VIDEO_URL_RE = re.compile(r"^https://[^\s\"'<>]+$")
TRAMITE_CODES = frozenset(t.code for t in TRAMITES)
SLUG_MAX = 120
TITLE_MAX = 200
SUMMARY_MAX = 400
BODY_MAX = 60_000
STEP_BODY_MAX = 10_000
TRANSCRIPT_MAX = 100_000
TAG_MAX = 60
MAX_TAGS = 20
MAX_RELATED = 10
MAX_STEPS = 30
NOTE_MAX = 200
SEND_BACK_NOTE_MAX = 1000
_STEP_KEY = re.compile(r"^step-(\d{1,2})-(title|body|image|position)$")


@dataclass(frozen=True)
class ArticleInput:
    type: str
    category: str
    tramites: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()  # slugs, in the order readers see them
    video_url: str | None = None
    slug: str = ""  # set on creation only: links to the article must keep working
    title: str = ""  # the Spanish title, on creation only


@dataclass(frozen=True)
class TranslationInput:
    title: str
    summary: str = ""
    body_md: str = ""
    steps: tuple[dict[str, str], ...] = ()  # title, body, image; in reading order
    transcript: str = ""


@dataclass(frozen=True)
class StepRow:
    """One step as the form showed it, kept in form order so errors stay next to their fields."""

    title: str = ""
    body: str = ""
    image: str = ""
    position: str = ""

    @property
    def blank(self) -> bool:
        return not (self.title or self.body or self.image)


@dataclass(frozen=True)
class TranslationForm:
    text: TranslationInput
    rows: list[StepRow] = field(default_factory=list)


def raw(form: Any, name: str) -> str:
    """A field's text with newlines normalized; not cut short (too long is an error)."""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_length(value: str, limit: int, name: str, errors: Errors) -> None:
    if len(value) > limit:
        errors[name] = _("Este campo admite hasta %(n)s caracteres.", n=limit)


def split_list(value: str) -> list[str]:
    """Comma- or line-separated values, trimmed, without blanks or repeats."""
    items = (item.strip() for item in re.split(r"[,\n]", value))
    return list(dict.fromkeys(item for item in items if item))


def article_values(form: Any) -> dict[str, Any]:
    """What the editor typed, to show the form again."""
    values: dict[str, Any] = {
        name: raw(form, name)
        for name in ("slug", "title", "type", "category", "tags", "related", "video_url")
    }
    values["tramites"] = [v for v in form.getlist("tramites") if isinstance(v, str)]
    return values


def parse_article(form: Any, creating: bool) -> tuple[ArticleInput | None, Errors]:
    errors: Errors = {}
    values = article_values(form)
    slug = values["slug"].lower() if creating else ""
    title = values["title"] if creating else ""
    if creating:
        if not slug:
            errors["slug"] = _("Escriba la dirección del artículo.")
        elif len(slug) > SLUG_MAX or not SLUG_RE.match(slug):
            errors["slug"] = _(
                "Use solo letras minúsculas sin tilde, números y guiones, "
                "por ejemplo: residencia-definitiva."
            )
        if not title:
            errors["title"] = _("Escriba el título en español.")
        _check_length(title, TITLE_MAX, "title", errors)
    article_type = values["type"]
    if article_type not in ARTICLE_TYPES:
        errors["type"] = _("Elija el tipo de artículo.")
    category = values["category"]
    if category not in TOPICS:
        errors["category"] = _("Elija un tema de la lista.")
    tramites = tuple(dict.fromkeys(values["tramites"]))
    if any(code not in TRAMITE_CODES for code in tramites):
        errors["tramites"] = _("Elija trámites de la lista.")
    tags = tuple(dict.fromkeys(tag.lower() for tag in split_list(values["tags"])))
    if len(tags) > MAX_TAGS:
        errors["tags"] = _("Use hasta %(n)s etiquetas.", n=MAX_TAGS)
    elif any(len(tag) > TAG_MAX for tag in tags):
        errors["tags"] = _("Cada etiqueta admite hasta %(n)s caracteres.", n=TAG_MAX)
    related = tuple(item.lower() for item in split_list(values["related"]))
    if len(related) > MAX_RELATED:
        errors["related"] = _("Indique hasta %(n)s artículos relacionados.", n=MAX_RELATED)
    elif any(not SLUG_RE.match(item) for item in related):
        errors["related"] = _("Escriba las direcciones de los artículos separadas por comas.")
    video_url = values["video_url"] or None
    if article_type == "video":
        if not video_url:
            errors["video_url"] = _("Un video necesita su enlace.")
        elif len(video_url) > 300 or not VIDEO_URL_RE.match(video_url):
            errors["video_url"] = _("El enlace debe comenzar con https://")
    else:
        video_url = None
    if errors:
        return None, errors
    return ArticleInput(
        type=article_type,
        category=category,
        tramites=tramites,
        tags=tags,
        related=related,
        video_url=video_url,
        slug=slug,
        title=title,
    ), errors


def step_rows(form: Any) -> list[StepRow]:
    found: dict[int, dict[str, str]] = {}
    for key in form:
        match = _STEP_KEY.match(key)
        if match:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = raw(form, key)
    return [StepRow(**found[index]) for index in sorted(found)]


def parse_translation(form: Any, article_type: str) -> tuple[TranslationForm, Errors]:
    """The working copy as typed; errors point at the fields (steps by their form index)."""
    errors: Errors = {}
    title = raw(form, "title")
    if not title:
        errors["title"] = _("Escriba el título.")
    _check_length(title, TITLE_MAX, "title", errors)
    summary = raw(form, "summary")
    _check_length(summary, SUMMARY_MAX, "summary", errors)
    body = raw(form, "body_md")
    _check_length(body, BODY_MAX, "body_md", errors)
    transcript = raw(form, "transcript") if article_type == "video" else ""
    _check_length(transcript, TRANSCRIPT_MAX, "transcript", errors)
    rows = step_rows(form) if article_type == "guia" else []
    steps: list[tuple[int, int, dict[str, str]]] = []
    for index, row in enumerate(rows):
        if row.blank:
            continue
        prefix = f"step-{index}"
        if not row.title:
            errors[f"{prefix}-title"] = _("Cada paso necesita un título.")
        _check_length(row.title, TITLE_MAX, f"{prefix}-title", errors)
        _check_length(row.body, STEP_BODY_MAX, f"{prefix}-body", errors)
        if row.image and (".." in row.image or not IMAGE_RE.match(row.image)):
            errors[f"{prefix}-image"] = _(
                "Indique la ruta de una imagen dentro de /static/kb/, por ejemplo: guias/paso-1.png"
            )
        try:
            position = int(row.position) if row.position else index + 1
        except ValueError:
            errors[f"{prefix}-position"] = _("El orden debe ser un número entero.")
            position = index + 1
        steps.append((position, index, {"title": row.title, "body": row.body, "image": row.image}))
    if len(steps) > MAX_STEPS:
        errors["steps"] = _("Una guía admite hasta %(n)s pasos.", n=MAX_STEPS)
    ordered = tuple(step for _position, _index, step in sorted(steps, key=lambda s: s[:2]))
    text = TranslationInput(title, summary, body, ordered, transcript)
    return TranslationForm(text, rows), errors


def parse_note(form: Any, required: bool, limit: int = NOTE_MAX) -> tuple[str, Errors]:
    errors: Errors = {}
    note = raw(form, "note")
    if required and not note:
        errors["note"] = _("Explique qué hay que corregir.")
    _check_length(note, limit, "note", errors)
    return note, errors
