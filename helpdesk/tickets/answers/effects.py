"""Macros: a respuesta tipo sent by an agent also applies its effects to the request.

A template may move the request to a status (one a reply may reach), set its kind and add
tags. The reply and the effects share the caller's unit of work: the status moves are
checked before anything is written, so a refused move leaves no message, email, kind or
tag behind. The reply form carries the chosen template's code in the ``plantilla`` field,
and in ``idioma`` the language an agent chose for it when it has no text in the request's
language: without that choice such a template is refused, so nothing goes out in another
language by mistake (``templates.choose_locale``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit import service as audit
from helpdesk.core.db import utcnow
from helpdesk.core.i18n import LANGUAGE_NAMES
from helpdesk.core.i18n import gettext as _
from helpdesk.tickets import status_flow
from helpdesk.tickets.answers.models import AnswerTemplate, AnswerTemplateText
from helpdesk.tickets.answers.templates import choose_locale, ordered
from helpdesk.tickets.kinds import KINDS
from helpdesk.tickets.models import Ticket, TicketMessage, TicketTag
from helpdesk.tickets.status_moves import restart_clock
from helpdesk.tickets.workbench import service as agent_service

FIELD = "plantilla"
CODE_MAX = 60


@dataclass(frozen=True)
class TemplateEffects:
    code: str
    title: str
    set_status: str | None
    set_kind: str | None
    tags: tuple[str, ...]
    locales: tuple[str, ...] = ()

    @property
    def has_effects(self) -> bool:
        return bool(self.set_status or self.set_kind or self.tags)

    def effects(self) -> list[str]:
        return describe(self)


def parse_code(form: Mapping[str, Any]) -> str:
    value = form.get(FIELD)
    return value.strip()[:CODE_MAX] if isinstance(value, str) else ""


async def find(db: AsyncSession, code: str) -> TemplateEffects | None:
    """The active template ``code`` as a macro; None when missing or inactive."""
    if not code:
        return None
    canned = await db.scalar(
        select(AnswerTemplate).where(
            AnswerTemplate.code == code[:CODE_MAX], AnswerTemplate.active.is_(True)
        )
    )
    if canned is None:
        return None
    tags = tuple(t for t in (canned.add_tags or "").split(",") if t)
    # Values an admin can no longer save (a kind or status since removed) are ignored.
    status = canned.set_status if canned.set_status in agent_service.REPLY_TARGETS else None
    kind = canned.set_kind if canned.set_kind in KINDS else None
    locales = await db.scalars(
        select(AnswerTemplateText.locale).where(AnswerTemplateText.canned_id == canned.id)
    )
    return TemplateEffects(canned.code, canned.title, status, kind, tags, ordered(locales))


def describe(macro: TemplateEffects) -> list[str]:
    """What sending it also does, one phrase per effect, for the reply form."""
    effects = []
    if macro.set_status:
        name = status_flow.status_names()[macro.set_status]
        effects.append(_("cambia el estado a «%(status)s»", status=name))
    if macro.set_kind:
        effects.append(_("cambia el tipo a «%(kind)s»", kind=KINDS[macro.set_kind].name))
    if macro.tags:
        quoted = ", ".join(f"«{t}»" for t in macro.tags)
        if len(macro.tags) == 1:
            effects.append(_("agrega la etiqueta %(tags)s", tags=quoted))
        else:
            effects.append(_("agrega las etiquetas %(tags)s", tags=quoted))
    return effects


def missing_language_message(macro: TemplateEffects, wanted: str) -> str:
    return _(
        "La respuesta tipo «%(title)s» no tiene texto en %(language)s, el idioma de esta"
        " solicitud. Elija otro idioma para insertarla (la persona la recibirá en ese idioma),"
        " escriba la respuesta usted o quite la respuesta tipo.",
        title=macro.title,
        language=LANGUAGE_NAMES.get(wanted, wanted),
    )


async def for_form(db: AsyncSession, code: str, values: dict[str, str]) -> TemplateEffects | None:
    """The chosen macro for the reply form, its status preselected as the reply's next
    status unless the agent already chose one."""
    macro = await find(db, code)
    if macro is not None and macro.set_status and not values.get("luego"):
        values["luego"] = macro.set_status
    return macro


async def _add_tags(db: AsyncSession, ticket: Ticket, tags: tuple[str, ...]) -> list[str]:
    have = set(
        (await db.scalars(select(TicketTag.tag).where(TicketTag.request_id == ticket.id))).all()
    )
    added = [t for t in tags if t not in have]
    db.add_all(TicketTag(request_id=ticket.id, tag=t) for t in added)
    return added


async def reply_with_macro(
    db: AsyncSession,
    viewer: Viewer,
    ticket: Ticket,
    body: str,
    actor: audit.Actor,
    base_url: str,
    then_status: str | None,
    code: str,
    now: datetime | None = None,
    language: str | None = None,
) -> TicketMessage:
    """``agent_service.reply``, then the template's kind and tags. The template's status is
    the reply's next status; an agent who chose a different one is refused. A template
    without text in the request's language is refused unless the agent chose one of its
    languages (``language``)."""
    if not code:
        return await agent_service.reply(
            db, viewer, ticket, body, actor, base_url, then_status, now
        )
    agent_service.check_access(viewer, ticket)
    macro = await find(db, code)
    if macro is None:
        raise agent_service.AgentActionRefused(
            _("La respuesta tipo elegida ya no está disponible. Elíjala de nuevo o quítela.")
        )
    used = choose_locale(macro.locales, ticket.locale, language)
    if used is None:
        raise agent_service.AgentActionRefused(missing_language_message(macro, ticket.locale))
    if macro.set_status and then_status and then_status != macro.set_status:
        names = status_flow.status_names()
        raise agent_service.AgentActionRefused(
            _(
                "La respuesta tipo «%(title)s» cambia el estado a «%(status)s»: elija ese"
                " estado después de responder o use otra respuesta tipo.",
                title=macro.title,
                status=names[macro.set_status],
            )
        )
    new_kind = KINDS.get(macro.set_kind) if macro.set_kind else None
    old_kind = KINDS.get(ticket.kind)
    if new_kind and old_kind and new_kind.family != old_kind.family:
        # The folio (SIAC-… or AYU-…) names the family: a request never leaves it.
        raise agent_service.AgentActionRefused(
            _(
                "La respuesta tipo «%(title)s» cambia el tipo a «%(kind)s», que no corresponde"
                " a esta solicitud. Use otra respuesta tipo.",
                title=macro.title,
                kind=new_kind.name,
            )
        )
    now = now or utcnow()
    message = await agent_service.reply(
        db, viewer, ticket, body, actor, base_url, then_status or macro.set_status, now
    )
    changes: dict[str, list[Any]] = {"plantilla": [None, macro.code]}
    if used != ticket.locale:
        changes["plantilla_idioma"] = [ticket.locale, used]  # the agent's explicit choice
    if new_kind and new_kind.code != ticket.kind:
        changes["kind"] = [ticket.kind, new_kind.code]
        ticket.kind = new_kind.code
        if ticket.tramite_code and (old_kind is None or new_kind.topic != old_kind.topic):
            changes["tramite_code"] = [ticket.tramite_code, None]  # another topic's trámite
            ticket.tramite_code = None
        if status_flow.clock_running(ticket.status):
            # The new kind's deadlines, counted from the same reception and pauses.
            before = (ticket.legal_due_on, ticket.target_due_on)
            await restart_clock(db, ticket, now)
            if (ticket.legal_due_on, ticket.target_due_on) != before:
                changes["legal_due_on"] = [str(before[0]), str(ticket.legal_due_on)]
    added = await _add_tags(db, ticket, macro.tags)
    if added:
        changes["tags"] = [None, added]
    ticket.updated_at = now
    audit.record(db, actor, "request.macro", "request", ticket.id, changes)
    return message
