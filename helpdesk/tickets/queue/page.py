"""The staff queue's page: the list route and a refused bulk action render it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from helpdesk.accounts import session
from helpdesk.calendar.service import local_today
from helpdesk.core.htmx import wants_fragment
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.tickets import status_flow
from helpdesk.tickets.kinds import kind_names
from helpdesk.tickets.queue import forms as queue_forms
from helpdesk.tickets.queue import rows as queue_view
from helpdesk.tickets.queue import service as queues
from helpdesk.tickets.queue import tools as queue_tools


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
    query = queue_forms.parse_queue_query(request.query_params)
    today = local_today()
    # Search results when the search box is filled; tag, team and topic filters otherwise.
    rows = await queue_tools.rows(
        db(request), viewer, request.query_params, query, today, queues.PAGE_SIZE + 1
    )
    page = rows[: queues.PAGE_SIZE]
    more = len(rows) > queues.PAGE_SIZE
    next_before = str(queues.next_cursor(query.queue.view, page[-1])) if more else None
    names = kind_names()
    context = {
        "me": viewer,
        "view": query.queue.view,
        "kind": query.queue.kind or "",
        "views": queues.VIEWS,
        "view_names": queue_view.view_names(),
        "kinds": names,
        "next_before": next_before,
    }
    context |= await queue_tools.context(
        db(request), viewer, request.query_params, query.queue.kind, page, errors
    )
    context["rows"] = page
    context["bulk_chosen"] = chosen
    context["rows_html"] = queue_view.table_rows(
        page, today, names, status_flow.status_names(), context.pop("row_tags"), chosen.folios
    )
    # htmx swaps only the results region (views, filters, rows, paging) in place.
    name = "_results.html" if wants_fragment(request) else "queue.html"
    response = render(request, "tickets/queue/" + name, context, status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response
