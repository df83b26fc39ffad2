"""Admins edit the respuestas tipo and the rules that send them automatically.

Every function checks the admin role itself, audits each change with its before and after,
and never commits (the request's unit of work does). The rule list carries each rule's
automatic answers and the people's yes/no, so the rules can be measured where they are
edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, require_staff
from helpdesk.audit import service as audit
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import SUPPORTED_LOCALES
from helpdesk.core.i18n import gettext as _
from helpdesk.reference.models import Tramite
from helpdesk.tickets.admin.forms import AnswerTemplateInput, RuleInput, body_field
from helpdesk.tickets.answers.models import AnswerTemplate, AutoAnswer, AutoRule
from helpdesk.tickets.answers.models import AnswerTemplateText as Text
from helpdesk.tickets.answers.templates import NO, YES, ordered
from helpdesk.tickets.kinds import KINDS


class AdminInputError(Exception):
    """Input the database refuses (a taken code, a missing template); ``message`` is for
    the admin, already translated, and belongs next to ``field``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def require_admin(viewer: Viewer) -> Viewer:
    return require_staff(viewer, "admin")


# --- Respuestas tipo.


# The list's filter: every template, those lacking any language, or one language (a code).
ANY_MISSING: Final = "alguno"


@dataclass(frozen=True)
class CannedRow:
    canned: AnswerTemplate
    locales: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """The languages it has no text in: a request in one of them gets no automatic
        answer from it, and an agent must choose another language to insert it."""
        return tuple(code for code in SUPPORTED_LOCALES if code not in self.locales)


def parse_lacking(value: str | None) -> tuple[str, str | None]:
    """The list's ``falta`` filter: ("", None) for every template, "alguno" for those that
    lack any language, or a language's code; an unknown value is an error for the admin."""
    value = (value or "").strip()
    if value in ("", ANY_MISSING) or value in SUPPORTED_LOCALES:
        return value, None
    return "", _("Elija un idioma de la lista.")


def lacking(rows: Sequence[CannedRow], which: str) -> list[CannedRow]:
    """The rows the ``falta`` filter keeps."""
    if not which:
        return list(rows)
    if which == ANY_MISSING:
        return [row for row in rows if row.missing]
    return [row for row in rows if which in row.missing]


async def list_canned(db: AsyncSession, viewer: Viewer, which: str = "") -> list[CannedRow]:
    """Every template with the languages it has (``which``: see ``lacking``)."""
    require_admin(viewer)
    templates = (await db.scalars(select(AnswerTemplate).order_by(AnswerTemplate.title))).all()
    rows = await db.execute(select(Text.canned_id, Text.locale))
    locales: dict[int, list[str]] = {}
    for row in rows:
        locales.setdefault(row.canned_id, []).append(row.locale)
    every = [CannedRow(t, ordered(locales.get(t.id, ()))) for t in templates]
    return lacking(every, which)


async def get_answer_template(
    db: AsyncSession, viewer: Viewer, canned_id: int
) -> tuple[AnswerTemplate, dict[str, str]]:
    require_admin(viewer)
    canned = await db.get(AnswerTemplate, canned_id)
    if canned is None:
        raise NotFound("canned response")
    rows = await db.execute(select(Text.locale, Text.body).where(Text.canned_id == canned_id))
    return canned, {row.locale: row.body for row in rows}


def answer_template_values(canned: AnswerTemplate, bodies: dict[str, str]) -> dict[str, Any]:
    """The template as the audit log and the form see it."""
    values: dict[str, Any] = {
        "titulo": canned.title,
        "activa": canned.active,
        "estado": canned.set_status,
        "tipo": canned.set_kind,
        "etiquetas": canned.add_tags or "",
    }
    values.update({body_field(locale): body for locale, body in bodies.items()})
    return values


async def _write_texts(
    db: AsyncSession, canned_id: int, before: dict[str, str], after: dict[str, str]
) -> None:
    for locale in before.keys() - after.keys():
        await db.execute(delete(Text).where(Text.canned_id == canned_id, Text.locale == locale))
    for locale, body in after.items():
        if locale not in before:
            db.add(Text(canned_id=canned_id, locale=locale, body=body))
        elif before[locale] != body:
            row = await db.scalar(
                select(Text).where(Text.canned_id == canned_id, Text.locale == locale)
            )
            if row is not None:
                row.body = body


def _apply(canned: AnswerTemplate, data: AnswerTemplateInput) -> None:
    canned.title = data.title
    canned.active = data.active
    canned.set_status = data.set_status
    canned.set_kind = data.set_kind
    canned.add_tags = ",".join(data.add_tags)


async def create_answer_template(
    db: AsyncSession, viewer: Viewer, data: AnswerTemplateInput, actor: audit.Actor
) -> AnswerTemplate:
    require_admin(viewer)
    if await db.scalar(select(AnswerTemplate.id).where(AnswerTemplate.code == data.code)):
        raise AdminInputError("codigo", _("Ya existe una respuesta tipo con ese código."))
    canned = AnswerTemplate(code=data.code)
    _apply(canned, data)
    db.add(canned)
    await db.flush()
    await _write_texts(db, canned.id, {}, data.bodies)
    changes = audit.diff({}, {"codigo": data.code, **answer_template_values(canned, data.bodies)})
    audit.record(db, actor, "canned.create", "canned_response", canned.id, changes)
    return canned


async def update_answer_template(
    db: AsyncSession, viewer: Viewer, canned_id: int, data: AnswerTemplateInput, actor: audit.Actor
) -> AnswerTemplate:
    canned, bodies = await get_answer_template(db, viewer, canned_id)
    before = answer_template_values(canned, bodies)
    _apply(canned, data)
    await _write_texts(db, canned.id, bodies, data.bodies)
    changes = audit.diff(before, answer_template_values(canned, data.bodies))
    if changes:
        audit.record(db, actor, "canned.update", "canned_response", canned.id, changes)
    return canned


# --- Reglas automáticas.


@dataclass(frozen=True)
class RuleRow:
    rule: AutoRule
    canned_title: str | None
    tramite_name: str | None
    sent: int
    yes: int
    no: int

    @property
    def pending(self) -> int:
        return self.sent - self.yes - self.no


async def list_rules(db: AsyncSession, viewer: Viewer) -> list[RuleRow]:
    """Every rule with how many automatic answers it sent and what people said (one
    grouped query over the log, not one per rule)."""
    require_admin(viewer)
    rows = await db.execute(
        select(AutoRule, AnswerTemplate.title, Tramite.name)
        .outerjoin(AnswerTemplate, AnswerTemplate.code == AutoRule.canned_code)
        .outerjoin(Tramite, Tramite.code == AutoRule.tramite_code)
        .order_by(AutoRule.id)
    )
    counts = await db.execute(
        select(
            AutoAnswer.rule_id,
            func.count(),
            func.sum(case((AutoAnswer.outcome == YES, 1), else_=0)),
            func.sum(case((AutoAnswer.outcome == NO, 1), else_=0)),
        ).group_by(AutoAnswer.rule_id)
    )
    stats = {rule_id: (sent, yes or 0, no or 0) for rule_id, sent, yes, no in counts}
    return [
        RuleRow(rule, title, tramite, *stats.get(rule.id, (0, 0, 0)))
        for rule, title, tramite in rows
    ]


async def get_rule(db: AsyncSession, viewer: Viewer, rule_id: int) -> AutoRule:
    require_admin(viewer)
    rule = await db.get(AutoRule, rule_id)
    if rule is None:
        raise NotFound("auto rule")
    return rule


async def rule_choices(db: AsyncSession, viewer: Viewer) -> tuple[list[Any], list[Tramite]]:
    """The templates and the trámites a rule may name."""
    require_admin(viewer)
    templates = (
        await db.execute(
            select(AnswerTemplate.code, AnswerTemplate.title, AnswerTemplate.active).order_by(
                AnswerTemplate.title
            )
        )
    ).all()
    tramites = (await db.scalars(select(Tramite).order_by(Tramite.topic, Tramite.ordinal))).all()
    return list(templates), list(tramites)


async def _check_rule(db: AsyncSession, data: RuleInput) -> None:
    exists = await db.scalar(
        select(AnswerTemplate.id).where(AnswerTemplate.code == data.canned_code)
    )
    if exists is None:
        raise AdminInputError("plantilla", _("Elija una respuesta tipo de la lista."))
    if data.tramite_code is not None:
        tramite = await db.get(Tramite, data.tramite_code)
        if tramite is None:
            raise AdminInputError("tramite", _("Elija un trámite de la lista."))
        if KINDS[data.kind].topic != tramite.topic:
            # The request's trámite is always one of its kind's topic: the rule would never fire.
            raise AdminInputError(
                "tramite", _("Ese trámite no pertenece al tipo elegido; la regla nunca se usaría.")
            )


def rule_values(rule: AutoRule) -> dict[str, Any]:
    return {
        "tipo": rule.kind,
        "tramite": rule.tramite_code,
        "palabras": rule.keywords or "",
        "plantilla": rule.canned_code,
        "activa": rule.active,
    }


def _apply_rule(rule: AutoRule, data: RuleInput) -> None:
    rule.kind = data.kind
    rule.tramite_code = data.tramite_code
    rule.keywords = data.keywords
    rule.canned_code = data.canned_code
    rule.active = data.active


async def create_rule(
    db: AsyncSession, viewer: Viewer, data: RuleInput, actor: audit.Actor
) -> AutoRule:
    require_admin(viewer)
    await _check_rule(db, data)
    rule = AutoRule()
    _apply_rule(rule, data)
    db.add(rule)
    await db.flush()
    audit.record(
        db, actor, "auto_rule.create", "auto_rule", rule.id, audit.diff({}, rule_values(rule))
    )
    return rule


async def update_rule(
    db: AsyncSession, viewer: Viewer, rule_id: int, data: RuleInput, actor: audit.Actor
) -> AutoRule:
    rule = await get_rule(db, viewer, rule_id)
    await _check_rule(db, data)
    before = rule_values(rule)
    _apply_rule(rule, data)
    changes = audit.diff(before, rule_values(rule))
    if changes:
        audit.record(db, actor, "auto_rule.update", "auto_rule", rule.id, changes)
    return rule


async def set_rule_active(
    db: AsyncSession, viewer: Viewer, rule_id: int, active: bool, actor: audit.Actor
) -> AutoRule:
    rule = await get_rule(db, viewer, rule_id)
    if rule.active != active:
        rule.active = active
        audit.record(
            db, actor, "auto_rule.update", "auto_rule", rule.id, {"activa": [not active, active]}
        )
    return rule
