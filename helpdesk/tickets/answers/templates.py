"""Respuestas tipo: answer templates with a text per language, the rules that send one
automatically to a new request, and the log of every automatic answer.

A template's text is data (written by admins in each language), so it is not in the
catalogue; only the question appended to an automatic answer is a UI string. Placeholders
are ``{nombre}``, ``{folio}`` and ``{enlace_ayuda}``; anything else between braces stays as
written, and the values are inserted as plain text (templates escape them when shown).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.audit import service as audit
from helpdesk.core import links
from helpdesk.core.db import utcnow
from helpdesk.core.i18n import SUPPORTED_LOCALES, lazy_gettext, translations
from helpdesk.core.i18n import gettext as _
from helpdesk.people.models import Person
from helpdesk.tickets import status_flow, status_moves
from helpdesk.tickets.answers.demo_texts import DEMO_TEMPLATES
from helpdesk.tickets.answers.kb_match_texts import KB_MATCH_CODE, KB_MATCH_TEMPLATE, KB_RULE_KIND
from helpdesk.tickets.answers.models import AnswerTemplate, AnswerTemplateText, AutoAnswer, AutoRule
from helpdesk.tickets.kinds import KINDS
from helpdesk.tickets.models import Ticket, TicketMessage

SYSTEM = status_flow.SYSTEM
YES: Final = "yes"
NO: Final = "no"
QUESTION: Final = lazy_gettext("¿Resolvió su consulta?")
NAME_FALLBACK: Final = lazy_gettext("persona usuaria")


class ConfirmationRefused(Exception):
    """The yes/no no longer applies; ``message`` is for the person, already translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Pure rules.


def choose_locale(
    available: Sequence[str], wanted: str | None, chosen: str | None = None
) -> str | None:
    """The request's language when the template has it; otherwise only the language an
    agent explicitly ``chosen`` among the available ones. None: nothing may be used yet
    (never a silent fall back to Spanish: the person would get a language they may not read).
    """
    if wanted in available:
        return wanted
    if chosen in available:
        return chosen
    return None


_PLACEHOLDER = re.compile(r"\{([^\W\d]\w*)\}|[{}]")
# Line breaks and other control characters would let a name forge lines of the answer.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class _KeepUnknown(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _as_text(value: str) -> str:
    return _CONTROL.sub(" ", value).strip()


def render(body: str, values: Mapping[str, str]) -> str:
    """``body`` with its ``{name}`` placeholders filled. Braces that are not a simple
    placeholder are doubled first, so ``format_map`` never sees attribute or index lookups
    nor unbalanced braces; unknown names stay visible; values are inserted verbatim."""
    safe = _PLACEHOLDER.sub(lambda m: m.group(0) if m.group(1) else m.group(0) * 2, body)
    return safe.format_map(_KeepUnknown({k: _as_text(v) for k, v in values.items()}))


def normalize(text: str) -> str:
    """Casefolded, without accents: "Págar" matches "pagar"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def keywords_of(rule: AutoRule) -> list[str]:
    return [k for k in (normalize(w.strip()) for w in (rule.keywords or "").split(",")) if k]


def rule_matches(
    rule: AutoRule, kind: str, tramite_code: str | None, subject: str, body: str
) -> bool:
    if not rule.active or rule.kind != kind:
        return False
    topic = KINDS[kind].topic if kind in KINDS else None
    if rule.topic is not None and rule.topic != topic:
        return False
    if rule.tramite_code is not None and rule.tramite_code != tramite_code:
        return False
    words = keywords_of(rule)
    text = normalize(f"{subject}\n{body}")
    return not words or any(w in text for w in words)


# --- Reading templates.


@dataclass(frozen=True)
class Rendered:
    code: str
    locale: str
    text: str


@dataclass(frozen=True)
class MissingLanguage:
    """The template has no text in the request's language (``wanted``); ``available``: the
    languages it has, in the order of ``SUPPORTED_LOCALES``."""

    code: str
    title: str
    wanted: str
    available: tuple[str, ...]


@dataclass(frozen=True)
class Skipped:
    """A rule matched a new request, but its template lacks the request's language: no
    automatic answer, an agent answers (``auto_reply.send_answer`` records why)."""

    rule_id: int
    missing: MissingLanguage


def ordered(locales: Iterable[str]) -> tuple[str, ...]:
    have = set(locales)
    return tuple(code for code in SUPPORTED_LOCALES if code in have)


async def active_choices(db: AsyncSession) -> list[tuple[str, str, tuple[str, ...]]]:
    """(code, title, languages) of the active templates, for the agent's select."""
    rows = await db.execute(
        select(AnswerTemplate.code, AnswerTemplate.title, AnswerTemplateText.locale)
        .outerjoin(AnswerTemplateText, AnswerTemplateText.canned_id == AnswerTemplate.id)
        .where(AnswerTemplate.active.is_(True))
        .order_by(AnswerTemplate.title, AnswerTemplate.code)
    )
    found: dict[str, tuple[str, list[str]]] = {}
    for code, title, locale in rows:
        entry = found.setdefault(code, (title, []))
        if locale is not None:
            entry[1].append(locale)
    return [(code, title, ordered(locales)) for code, (title, locales) in found.items()]


async def prepare(
    db: AsyncSession, code: str, ticket: Ticket, base_url: str, chosen: str | None = None
) -> Rendered | MissingLanguage | None:
    """The template filled for the request, in its language or in the one an agent
    ``chosen``; MissingLanguage when it has neither; None when it is missing or inactive."""
    canned = await db.scalar(
        select(AnswerTemplate).where(AnswerTemplate.code == code, AnswerTemplate.active.is_(True))
    )
    if canned is None:
        return None
    rows = await db.execute(
        select(AnswerTemplateText.locale, AnswerTemplateText.body).where(
            AnswerTemplateText.canned_id == canned.id
        )
    )
    texts = {row.locale: row.body for row in rows}
    if not texts:
        return None
    locale = choose_locale(sorted(texts), ticket.locale, chosen)
    if locale is None:
        return MissingLanguage(canned.code, canned.title, ticket.locale, ordered(texts))
    person = await db.get(Person, ticket.person_id)
    name = (person.full_name if person else None) or translations(locale).ugettext(NAME_FALLBACK)
    values = {
        "nombre": name,
        "folio": ticket.folio,
        "enlace_ayuda": links.absolute_url(base_url, "kb_home"),
    }
    return Rendered(code, locale, render(texts[locale], values))


async def render_for(db: AsyncSession, code: str, ticket: Ticket, base_url: str) -> Rendered | None:
    """The template in the request's language, filled for it; None when it lacks that
    language (``prepare`` says which), or is missing or inactive."""
    prepared = await prepare(db, code, ticket, base_url)
    return prepared if isinstance(prepared, Rendered) else None


# --- The automatic answer and the person's yes or no.


async def find_rule_answer(
    db: AsyncSession, ticket: Ticket, body: str, base_url: str
) -> tuple[int, Rendered] | Skipped | None:
    """The first active rule (by id) that matches the new request, with its template
    rendered for it; None when no rule applies. When that rule's template lacks the
    request's language the answer is Skipped: a later rule would be a guess, and the
    person must not get a language they may not read, so an agent answers."""
    rules = (
        await db.scalars(
            select(AutoRule)
            .where(AutoRule.active.is_(True), AutoRule.kind == ticket.kind)
            .order_by(AutoRule.id)
        )
    ).all()
    for rule in rules:
        if not rule_matches(rule, ticket.kind, ticket.tramite_code, ticket.subject, body):
            continue
        prepared = await prepare(db, rule.canned_code, ticket, base_url)
        if prepared is None:
            continue  # an inactive template or one with no text: try the next rule
        if isinstance(prepared, MissingLanguage):
            return Skipped(rule.id, prepared)
        return rule.id, prepared
    return None


def answer_text(rendered: Rendered) -> str:
    """The automatic answer as the person reads it: the template, then the question."""
    return f"{rendered.text}\n\n{translations(rendered.locale).ugettext(QUESTION)}"


async def record_answer(
    db: AsyncSession,
    ticket: Ticket,
    rule_id: int,
    rendered: Rendered,
    now: datetime,
    email_message_id: str | None = None,
) -> AutoAnswer:
    """A system message with the answer and the question, the request opened, the answer
    logged (``email_message_id``: the email that carries it, for threading)."""
    db.add(
        TicketMessage(
            request_id=ticket.id,
            author_kind=SYSTEM,
            body=answer_text(rendered),
            via="web",
            email_message_id=email_message_id,
            created_at=now,
        )
    )
    if ticket.status == status_flow.NUEVO:
        await status_moves.move(db, ticket, status_flow.ABIERTO, SYSTEM, audit.SYSTEM, now)
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    answer = AutoAnswer(
        request_id=ticket.id,
        rule_id=rule_id,
        canned_code=rendered.code,
        locale=rendered.locale,
        answered_at=now,
        awaiting_confirmation=True,
    )
    db.add(answer)
    await db.flush()
    audit.record(
        db,
        audit.Actor(SYSTEM, None),
        "request.auto_answer",
        "request",
        ticket.id,
        {"canned_code": [None, rendered.code], "rule_id": [None, rule_id]},
    )
    return answer


async def auto_answer(
    db: AsyncSession, ticket: Ticket, body: str, base_url: str, now: datetime
) -> AutoAnswer | None:
    """The first matching rule answers the new request (without email: see ``auto_reply``)."""
    found = await find_rule_answer(db, ticket, body, base_url)
    if found is None or isinstance(found, Skipped):
        return None
    return await record_answer(db, ticket, *found, now)


async def awaiting(db: AsyncSession, ticket: Ticket) -> AutoAnswer | None:
    """The automatic answer still waiting for the person's yes or no."""
    return await db.scalar(
        select(AutoAnswer)
        .where(AutoAnswer.request_id == ticket.id, AutoAnswer.awaiting_confirmation.is_(True))
        .order_by(AutoAnswer.id.desc())
        .limit(1)
    )


async def confirm(
    db: AsyncSession,
    ticket: Ticket,
    resolved: bool,
    actor: audit.Actor,
    now: datetime | None = None,
) -> None:
    """Yes: the request is resolved (by the system). No: it stays open for an agent, with
    its priority as it was."""
    now = now or utcnow()
    answer = await awaiting(db, ticket)
    if answer is None:
        raise ConfirmationRefused(_("Esta respuesta ya fue contestada."))
    if resolved:
        if not status_flow.is_allowed(ticket.status, status_flow.RESUELTO, SYSTEM):
            raise ConfirmationRefused(_("El equipo de atención ya está revisando su solicitud."))
        # She said so herself, on her page: no email tells her back (citizen.emails).
        await status_moves.move(
            db, ticket, status_flow.RESUELTO, SYSTEM, audit.SYSTEM, now, notify=False
        )
    elif ticket.status != status_flow.ABIERTO and status_flow.is_allowed(
        ticket.status, status_flow.ABIERTO, SYSTEM
    ):
        await status_moves.move(db, ticket, status_flow.ABIERTO, SYSTEM, audit.SYSTEM, now)
    answer.awaiting_confirmation = False
    answer.outcome = YES if resolved else NO
    answer.outcome_at = now
    ticket.updated_at = now
    audit.record(
        db,
        actor,
        "request.auto_answer_outcome",
        "request",
        ticket.id,
        {"outcome": [None, answer.outcome]},
    )


# --- Demo content (texts in ``demo_texts``).


async def seed_defaults(db: AsyncSession) -> int:
    """Two demo templates and one rule (multas + "pagar"), and the knowledge-base match's
    template and log rule; idempotent. Returns rows added."""
    added = 0
    for code, title, texts in (*DEMO_TEMPLATES, KB_MATCH_TEMPLATE):
        canned = await db.scalar(select(AnswerTemplate).where(AnswerTemplate.code == code))
        if canned is None:
            canned = AnswerTemplate(code=code, title=title, active=True)
            db.add(canned)
            await db.flush()
            added += 1
        have = set(
            (
                await db.scalars(
                    select(AnswerTemplateText.locale).where(
                        AnswerTemplateText.canned_id == canned.id
                    )
                )
            ).all()
        )
        for locale, body in texts.items():
            if locale not in have:
                db.add(AnswerTemplateText(canned_id=canned.id, locale=locale, body=body))
                added += 1
    rule = await db.scalar(
        select(AutoRule).where(
            AutoRule.kind == "multas", AutoRule.canned_code == "como-pagar-multa"
        )
    )
    if rule is None:
        db.add(AutoRule(kind="multas", keywords="pagar, pago", canned_code="como-pagar-multa"))
        added += 1
    kb_rule = await db.scalar(select(AutoRule.id).where(AutoRule.canned_code == KB_MATCH_CODE))
    if kb_rule is None:
        db.add(AutoRule(kind=KB_RULE_KIND, keywords="", canned_code=KB_MATCH_CODE))
        added += 1
    await db.flush()
    return added
