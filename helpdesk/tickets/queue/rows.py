"""The queue table's rows, rendered here rather than in Jinja.

A page has fifty rows of eight cells. In Jinja every value is its own ``escape()`` call and
its own ``Markup`` object, some 700 per page: more than half the page's rendering time
(measured with cProfile and py-spy under wrk). Here each value is escaped once with
``escape_text`` into one string per row; the labels are translated and escaped once per
page. Every value from the database goes through ``_text``: the XSS tests load each view
with markup in subjects, names and tags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup

from helpdesk.core import links
from helpdesk.core.i18n import format_date, gettext
from helpdesk.core.templating import escape_text as _text
from helpdesk.tickets import status_flow
from helpdesk.tickets.queue.service import DUE_SOON_DAYS, QueueRow

_FOLIO_MARK = "FOLIO"


@dataclass(frozen=True, slots=True)
class RowLabels:
    """The words every row repeats, in the page's language, escaped once."""

    select: str
    unnamed: str
    stopped: str
    overdue: str
    due_soon: str
    unassigned: str

    @classmethod
    def translated(cls) -> RowLabels:
        return cls(
            _text(gettext("Seleccionar")),
            _text(gettext("(sin nombre)")),
            '<span class="muted">' + _text(gettext("Detenido")) + "</span>",
            ' <strong class="badge due-overdue">' + _text(gettext("Vencida")) + "</strong>",
            ' <strong class="badge due-soon">' + _text(gettext("Por vencer")) + "</strong>",
            '<span class="muted">' + _text(gettext("Sin asignar")) + "</span>",
        )


def view_names() -> dict[str, str]:
    """The queue's views by name, in the page's language (the title and the view links)."""
    return {
        "all": gettext("Todas"),
        "mine": gettext("Mis solicitudes"),
        "unassigned": gettext("Sin asignar"),
        "due_soon": gettext("Por vencer"),
        "overdue": gettext("Vencidas"),
        "waiting": gettext("En espera del ciudadano"),
    }


def due_state(due: date | None, status: str, today: date) -> str | None:
    """ "overdue" or "due_soon" for an open request, shown as text beside the date."""
    if due is None or not status_flow.is_open(status):
        return None
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return None


def table_rows(
    rows: Sequence[QueueRow],
    today: date,
    kind_names: Mapping[str, str],
    status_names: Mapping[str, str],
    row_tags: Mapping[int, Sequence[str]],
    selected: Set[str] = frozenset(),
) -> Markup:
    """The table body's rows, escaped value by value; the ``selected`` folios ticked."""
    labels = RowLabels.translated()
    badges = {"overdue": labels.overdue, "due_soon": labels.due_soon, None: ""}
    # Kinds, statuses and dates repeat down the page: each escaped once.
    kinds = {code: _text(kind_names.get(code, code)) for code in {r.kind for r in rows}}
    statuses = {code: _text(status_names.get(code, code)) for code in {r.status for r in rows}}
    dates = {
        due: f'<time datetime="{due.isoformat()}">{_text(format_date(due))}</time>'
        for due in {r.legal_due_on for r in rows}
        if due
    }
    # The request page's path, built once per page around each folio: a folio is capital
    # letters, digits and dashes (folios.format_folio), the same escaped, quoted or not.
    page_path = links.url_path("staff_request", folio=_FOLIO_MARK)
    before, _mark, after = (_text(part) for part in page_path.partition(_FOLIO_MARK))
    html = []
    for r in rows:
        folio = _text(r.folio)
        link = f"{before}{folio}{after}"
        due = r.legal_due_on
        subject = _text(r.subject)
        if r.id in row_tags:
            subject += "".join(
                f' <span class="badge tag">{_text(t)}</span>' for t in row_tags[r.id]
            )
        assignee = _text(r.assignee_name) if r.assignee_id and r.assignee_name else None
        html.append(
            f'<tr><td><input type="checkbox" name="folio" value="{folio}" id="sel-{r.id:d}"'
            f"{' checked' if r.folio in selected else ''}"
            f' aria-label="{labels.select} {folio}"></td>'
            f'<td><a href="{link}" data-queue-row-link>{folio}</a></td>'
            f"<td>{subject}</td>"
            f"<td>{_text(r.person_name) if r.person_name else labels.unnamed}</td>"
            f"<td>{kinds[r.kind]}</td>"
            f"<td>{statuses[r.status]}</td>"
            f"<td>{dates[due] if due else labels.stopped}"
            f"{badges[due_state(due, r.status, today)]}</td>"
            f"<td>{assignee or labels.unassigned}</td>"
            "</tr>\n"
        )
    return Markup("".join(html))  # noqa: S704 (every value above went through _text)
