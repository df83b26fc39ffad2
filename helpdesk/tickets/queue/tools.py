"""What the queue page adds to the views: the search box, the tag, team and topic filters,
each row's tags and the bulk form. Called by ``queue.page.render_queue`` for the page and
for its htmx fragment alike, so both get the same rows and context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import QueryParams

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import PEOPLE_ROLES, Viewer
from helpdesk.core import links
from helpdesk.tickets import status_flow
from helpdesk.tickets.kinds import KINDS
from helpdesk.tickets.queue import forms as queue_forms
from helpdesk.tickets.queue import search, tags
from helpdesk.tickets.queue import service as queues
from helpdesk.tickets.workbench import service as agent_service

DONE_PARAM = "cambiadas"  # how many requests a bulk action changed, for the notice


async def rows(
    db: AsyncSession,
    viewer: Viewer,
    params: QueryParams,
    query: queue_forms.QueueQuery,
    today: date,
    limit: int,
    my_languages: tuple[str, ...] = (),
) -> list[queues.QueueRow]:
    """Search results when the search box is filled, else the queue with every filter."""
    tools = queue_forms.parse_queue_tools(params)
    if tools.text:
        before = queue_forms.search_before(params.get("antes", ""))
        return await search.search_requests(db, viewer, tools.text, before, limit)
    queue = tools.refine(query.queue, my_languages)
    return await queues.queue_page(db, viewer, queue, today, query.after, limit)


def _shown(params: QueryParams, changed: int | None = None) -> list[tuple[str, str]]:
    """The queue's query as it was shown (same view, filters and page), with the notice."""
    kept = [(k, v) for k, v in params.multi_items() if k != DONE_PARAM]
    if changed is not None:
        kept.append((DONE_PARAM, str(changed)))
    return kept


def back_to_queue(params: QueryParams, changed: int | None = None) -> str:
    """The queue as it was shown, with the bulk notice."""
    return links.url_path("staff_queue", query=_shown(params, changed))


# The filters' choices and the signed-in staff member's languages in one statement: the
# queue page asks on every load, before its rows ("my languages" filters them).
_FILTER_CHOICES = text(
    tags.TAGS_IN_USE  # noqa: S608 (constant SQL: no value is formatted in)
    + " SELECT 'tag', tag, tag FROM seen WHERE tag IS NOT NULL"
    " UNION ALL SELECT 'team', code, name FROM teams"
    " UNION ALL SELECT 'me', languages, '' FROM staff_accounts WHERE id = :me"
)
TAG_CHOICES_MAX = 200


@dataclass(frozen=True)
class Choices:
    tags: list[str]  # in use, alphabetically
    teams: list[tuple[str, str]]  # (code, name) by name
    my_languages: tuple[str, ...]  # the signed-in staff member's, as stored


async def choices(db: AsyncSession, me: int, tag_limit: int = TAG_CHOICES_MAX) -> Choices:
    tag_choices: list[str] = []
    teams: list[tuple[str, str]] = []
    mine: tuple[str, ...] = ()
    for what, code, name in await db.execute(_FILTER_CHOICES, {"limit": tag_limit, "me": me}):
        if what == "tag":
            tag_choices.append(code)
        elif what == "team":
            teams.append((code, name))
        else:
            mine = queue_forms.staff_languages(code)
    teams.sort(key=lambda team: (team[1], team[0]))
    return Choices(sorted(tag_choices), teams, mine)


async def filter_choices(
    db: AsyncSession, tag_limit: int = TAG_CHOICES_MAX
) -> tuple[list[str], list[tuple[str, str]]]:
    """The tags in use (at most ``tag_limit``), alphabetically, and the teams (code, name)
    by name."""
    found = await choices(db, 0, tag_limit)
    return found.tags, found.teams


async def _agent_choices(db: AsyncSession, viewer: Viewer) -> list[tuple[int, str]]:
    """Whom a supervisor may assign requests to; nobody for other roles (they take them)."""
    if viewer.role not in agent_service.REASSIGN_ROLES:
        return []
    rows = await db.execute(
        select(StaffAccount.id, StaffAccount.full_name)
        .where(StaffAccount.active.is_(True), StaffAccount.role.in_(PEOPLE_ROLES))
        .order_by(StaffAccount.full_name, StaffAccount.id)
    )
    return [(staff_id, name) for staff_id, name in rows]


def _done(params: QueryParams) -> int | None:
    value = params.get(DONE_PARAM, "")
    return int(value) if value.isdecimal() and len(value) < 4 else None


async def context(
    db: AsyncSession,
    viewer: Viewer,
    params: QueryParams,
    queue: queues.QueueFilter,
    page: Sequence[queues.QueueRow],
    found: Choices,
    errors: dict[str, str] | None = None,
) -> dict[str, object]:
    tools = queue_forms.parse_queue_tools(params)
    tag_choices = found.tags
    return {
        "search_text": tools.text,
        "tag": tools.tag or "",
        "team": tools.team_code or "",
        "topic": tools.topic or "",
        "language": tools.language or "",
        "my_languages": found.my_languages,
        "order": queue.order,
        "filter_qs": tools.query_string(queue.kind, queue.order),
        "tag_choices": tag_choices,
        "teams": found.teams,
        "topics": {k.topic: k.name for k in KINDS.values() if k.topic},
        # No tag in use anywhere (a new install, the benchmark): no query for the rows' tags.
        "row_tags": await tags.tags_of(db, (r.id for r in page)) if tag_choices else {},
        "bulk_url": links.url_path("staff_queue_bulk", query=_shown(params)),
        "bulk_statuses": status_flow.status_names(),
        "bulk_agents": await _agent_choices(db, viewer),
        "bulk_errors": errors or {},
        "bulk_done": _done(params),
    }
