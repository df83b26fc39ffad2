"""Tags: free labels agents put on requests ("vulnerable", "prensa"), to filter queues by.

A tag is normalized before it is stored (lowercase, trimmed, letters, digits, "-" and "_"),
so "Prensa " and "prensa" are one tag. Adding and removing are region-checked and audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit import service as audit
from helpdesk.core.i18n import gettext as _
from helpdesk.tickets.models import Ticket, TicketTag
from helpdesk.tickets.workbench.service import AgentActionRefused, check_access

TAG_MAX = 40
_TAG = re.compile(r"[\w-]+")  # letters, digits, "_" and "-"


class InvalidTag(AgentActionRefused):
    """A tag that cannot be stored; ``message`` says why, translated."""


def normalize_tag(raw: str) -> str:
    """The stored form of a tag, or InvalidTag."""
    tag = raw.strip().lower()
    if not tag:
        raise InvalidTag(_("Escriba la etiqueta."))
    if len(tag) > TAG_MAX:
        raise InvalidTag(
            _("La etiqueta puede tener como máximo %(max)s caracteres.", max=str(TAG_MAX))
        )
    if not _TAG.fullmatch(tag):
        raise InvalidTag(
            _("Use solo letras, números, guiones (-) y guiones bajos (_) en la etiqueta.")
        )
    return tag


async def tags_of(db: AsyncSession, request_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each request's tags in alphabetical order (requests without tags are left out). The
    caller has already scoped the ids to what the viewer may see."""
    wanted = set(request_ids)
    if not wanted:
        return {}
    rows = await db.execute(
        select(TicketTag.request_id, TicketTag.tag)
        .where(TicketTag.request_id.in_(wanted))
        .order_by(TicketTag.request_id, TicketTag.tag)
    )
    found: dict[int, list[str]] = {}
    for request_id, tag in rows:
        found.setdefault(request_id, []).append(tag)
    return found


async def _has(db: AsyncSession, ticket: Ticket, tag: str) -> bool:
    row = await db.scalar(
        select(TicketTag.tag).where(TicketTag.request_id == ticket.id, TicketTag.tag == tag)
    )
    return row is not None


async def add_tag(
    db: AsyncSession, viewer: Viewer, ticket: Ticket, raw: str, actor: audit.Actor
) -> bool:
    """Tags the request; False when it already had the tag (nothing recorded)."""
    check_access(viewer, ticket)
    tag = normalize_tag(raw)
    if await _has(db, ticket, tag):
        return False
    db.add(TicketTag(request_id=ticket.id, tag=tag))
    await db.flush()
    audit.record(db, actor, "request.tag", "request", ticket.id, {"tag": [None, tag]})
    return True


async def remove_tag(
    db: AsyncSession, viewer: Viewer, ticket: Ticket, raw: str, actor: audit.Actor
) -> bool:
    """Removes the tag; False when the request did not have it."""
    check_access(viewer, ticket)
    tag = raw.strip().lower()[:TAG_MAX]  # a stored tag is already normal: no need to refuse
    removed = await db.execute(
        delete(TicketTag).where(TicketTag.request_id == ticket.id, TicketTag.tag == tag)
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        return False
    audit.record(db, actor, "request.untag", "request", ticket.id, {"tag": [tag, None]})
    return True


# The tags in use, as the recursive table ``seen(tag, n)`` (queue_tools.filter_choices). A
# loose index scan: one probe of ix_request_tags_tag_request per distinct tag, however many
# requests carry them (a DISTINCT would read every row of request_tags).
TAGS_IN_USE = (
    "WITH RECURSIVE seen(tag, n) AS ("
    " SELECT (SELECT tag FROM request_tags ORDER BY tag LIMIT 1), 1"
    " UNION ALL"
    " SELECT (SELECT r.tag FROM request_tags r WHERE r.tag > seen.tag ORDER BY r.tag LIMIT 1),"
    " n + 1 FROM seen WHERE seen.tag IS NOT NULL AND n < :limit"
    ")"
)
