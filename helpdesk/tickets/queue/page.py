"""The staff queue's page: the list route and a refused bulk action render it."""

from __future__ import annotations

import time
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from helpdesk.accounts import session
from helpdesk.accounts.permissions import Viewer
from helpdesk.calendar.service import local_today
from helpdesk.core.db import utcnow
from helpdesk.core.htmx import wants_fragment
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.tickets import status_flow
from helpdesk.tickets.kinds import kind_names
from helpdesk.tickets.queue import forms as queue_forms
from helpdesk.tickets.queue import rows as queue_view
from helpdesk.tickets.queue import service as queues
from helpdesk.tickets.queue import tools as queue_tools

# The tabs' counts, kept per agent for a few seconds: counting the six views was a fifth of
# the page (0.66 of 3.1 ms in-process at 1,000,000 requests), and on a tab that stops at
# "99+" a count seen ten seconds ago serves as well. Counted again after the agent's own
# bulk action (its notice's parameter), so that they see what they changed.
COUNTS_KEPT_FOR = 10.0
_kept: dict[tuple[int, str | None, str | None, date], tuple[float, dict[str, int]]] = {}


async def _view_counts(request: Request, viewer: Viewer, today: date) -> dict[str, int]:
    key = (viewer.id, viewer.role, viewer.region_code, today)
    now = time.monotonic()
    kept = _kept.get(key)
    if (
        kept
        and now - kept[0] < COUNTS_KEPT_FOR
        and queue_tools.DONE_PARAM not in request.query_params
    ):
        return kept[1]
    counts = await queues.view_counts(db(request), viewer, today)
    if len(_kept) >= 5000:  # agents come and go; no need to sort out whose are stale
        _kept.clear()
    _kept[key] = (now, counts)
    return counts


async def render_queue(
    request: Request,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    chosen: queue_forms.BulkInput | None = None,
) -> Response:
    """The queue; ``errors``, ``status_code`` and what was ``chosen`` when a refused bulk
    action re-renders it (the selection and the action stay as the agent left them)."""
    chosen = chosen or queue_forms.BulkInput()
    viewer = await session.staff_viewer(request)
    params = request.query_params
    query = queue_forms.parse_queue_query(params)
    now = utcnow()
    today = local_today(now)
    found = await queue_tools.choices(db(request), viewer.id)
    # Search results when the search box is filled; tag, team and topic filters otherwise.
    rows = await queue_tools.rows(
        db(request), viewer, params, query, today, queues.PAGE_SIZE + 1, found.my_languages
    )
    page = rows[: queues.PAGE_SIZE]
    more = len(rows) > queues.PAGE_SIZE
    next_before = str(queues.next_cursor(query.queue.view, page[-1])) if more else None
    counts = await _view_counts(request, viewer, today)
    names = kind_names()
    context = {
        "me": viewer,
        "view": query.queue.view,
        "kind": query.queue.kind or "",
        "views": queues.VIEWS,
        "view_names": queue_view.view_names(),
        "view_counts": queue_view.count_labels(counts),
        "kinds": names,
        "languages": queue_view.language_names(),
        "orders": queue_view.order_names(),
        "due_ordered": query.queue.view in queues.DUE_ORDERED_VIEWS,
        "next_before": next_before,
    }
    context |= await queue_tools.context(
        db(request), viewer, params, query.queue, page, found, errors
    )
    context["rows"] = page
    context["bulk_chosen"] = chosen
    context["rows_html"] = queue_view.table_rows(
        page,
        queue_view.RowClock(today, now),
        names,
        status_flow.status_names(),
        context.pop("row_tags"),
        chosen.folios,
    )
    # htmx swaps only the results region (views, filters, rows, paging) in place.
    name = "_results.html" if wants_fragment(request) else "queue.html"
    response = render(request, "tickets/queue/" + name, context, status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response
