"""The queue table's rows, rendered here rather than in Jinja.

A page has fifty rows of eleven cells. In Jinja every value is its own ``escape()`` call and
its own ``Markup`` object, some 700 per page: more than half the page's rendering time
(measured with cProfile and py-spy under wrk). Here each value is escaped once with
``escape_text`` into one string per row; the labels are translated and escaped once per
page. Every value from the database goes through ``_text``: the XSS tests load each view
with markup in subjects, names and tags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from babel import dates
from markupsafe import Markup

from helpdesk.core import links
from helpdesk.core.i18n import (
    BABEL_LOCALES,
    LANGUAGE_NAMES,
    format_duration,
    get_locale,
    gettext,
)
from helpdesk.core.templating import escape_text as _text
from helpdesk.tickets import status_flow
from helpdesk.tickets.queue.service import COUNT_CAP, DUE_SOON_DAYS, NEWEST, OLDEST, QueueRow

_FOLIO_MARK = "FOLIO"


@dataclass(frozen=True, slots=True)
class RowClock:
    """The page's today (deadlines, the service's calendar) and now (waits)."""

    today: date
    now: datetime


def _muted(text: str) -> str:
    return '<span class="muted">' + _text(text) + "</span>"


def _state(css: str, text: str) -> str:
    return f' <strong class="due-state {css}">' + _text(text) + "</strong>"


@dataclass(frozen=True, slots=True)
class RowLabels:
    """The words every row repeats, in the page's language, escaped once."""

    select: str
    unnamed: str
    stopped: str
    overdue: str
    due_soon: str
    on_time: str
    unassigned: str
    not_waiting: str
    no_region: str

    @classmethod
    def translated(cls) -> RowLabels:
        return cls(
            _text(gettext("Seleccionar")),
            _text(gettext("(sin nombre)")),
            _state("due-stopped", gettext("Detenido")),
            _state("due-overdue", gettext("Vencida")),
            _state("due-soon", gettext("Por vencer")),
            _state("due-ok", gettext("En plazo")),
            _muted(gettext("Sin asignar")),
            '<span class="muted" title="' + _text(gettext("No espera respuesta")) + '">—</span>',
            '<span class="muted">—</span>',
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


def count_labels(counts: Mapping[str, int]) -> dict[str, str]:
    """Each view's count as its tab shows it: "999+" from the cap on."""
    return {
        view: f"{COUNT_CAP - 1}+" if count >= COUNT_CAP else str(count)
        for view, count in counts.items()
    }


def order_names() -> dict[str, str]:
    return {NEWEST: gettext("Más recientes primero"), OLDEST: gettext("Más antiguas primero")}


def language_names() -> dict[str, str]:
    """The languages a request may be written in, each named in itself."""
    return dict(LANGUAGE_NAMES)


def due_state(due: date | None, status: str, today: date) -> str | None:
    """ "overdue" or "due_soon" for an open request, shown as text beside the date (the
    request page's badge)."""
    if due is None or not status_flow.is_open(status):
        return None
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return None


def deadline_state(due: date | None, status: str, today: date) -> str | None:
    """The queue's word for the legal deadline of an open request: "overdue", "due_soon",
    "on_time", or "stopped" (no date while the clock is stopped); None for a closed one."""
    if not status_flow.is_open(status):
        return None
    return due_state(due, status, today) or ("on_time" if due else "stopped")


# Babel's wording of a wait is slow, and a page's waits fall on a few values once rounded
# to their largest unit, as the words are.
_UNITS = (86400, 3600, 60, 1)


@lru_cache(maxsize=2048)
def _wait_words(rounded: int, locale: str) -> str:
    return _text(format_duration(timedelta(seconds=rounded), locale))


def wait_words(waited: timedelta, locale: str) -> str:
    seconds = max(int(waited.total_seconds()), 0)
    size = next((s for s in _UNITS if seconds >= s), 1)
    return _wait_words(round(seconds / size) * size, locale)


@lru_cache(maxsize=1024)
def _short_date(day: date, locale: str) -> str:
    """A deadline in digits, to keep the column narrow."""
    digits = dates.format_date(day, format="short", locale=BABEL_LOCALES[locale])
    return f'<time datetime="{day.isoformat()}">{_text(digits)}</time>'


def _language_badges(rows: Sequence[QueueRow]) -> dict[str, str]:
    """The code, named in full in its title (an abbreviation, as screen readers know it)."""
    badges = {}
    for code in {r.locale for r in rows}:
        name = _text(LANGUAGE_NAMES.get(code, code))
        badges[code] = f'<abbr class="badge lang" title="{name}">{_text(code)}</abbr>'
    return badges


def table_rows(
    rows: Sequence[QueueRow],
    clock: RowClock,
    kind_names: Mapping[str, str],
    status_names: Mapping[str, str],
    row_tags: Mapping[int, Sequence[str]],
    selected: Set[str] = frozenset(),
) -> Markup:
    """The table body's rows, escaped value by value; the ``selected`` folios ticked."""
    labels = RowLabels.translated()
    states = {
        "overdue": labels.overdue,
        "due_soon": labels.due_soon,
        "on_time": labels.on_time,
        "stopped": labels.stopped,
        None: "",
    }
    # Kinds, statuses, languages and dates repeat down the page: each escaped once.
    kinds = {code: _text(kind_names.get(code, code)) for code in {r.kind for r in rows}}
    statuses = {code: _text(status_names.get(code, code)) for code in {r.status for r in rows}}
    languages = _language_badges(rows)
    locale = get_locale()
    due_dates = {due: _short_date(due, locale) for due in {r.legal_due_on for r in rows} if due}
    # The request page's path, built once per page around each folio: a folio is capital
    # letters, digits and dashes (folios.format_folio), the same escaped, quoted or not.
    page_path = links.url_path("staff_request", folio=_FOLIO_MARK)
    before, _mark, after = (_text(part) for part in page_path.partition(_FOLIO_MARK))
    html = []
    for r in rows:
        folio = _text(r.folio)
        due = r.legal_due_on
        subject = _text(r.subject)
        tags = ""
        if r.id in row_tags:
            tags = "".join(f' <span class="badge tag">{_text(t)}</span>' for t in row_tags[r.id])
        assignee = _text(r.assignee_name) if r.assignee_id and r.assignee_name else None
        since = r.waiting_since
        wait = labels.not_waiting if since is None else wait_words(clock.now - since, locale)
        state = deadline_state(due, r.status, clock.today)
        html.append(
            f'<tr><td><input type="checkbox" name="folio" value="{folio}" id="sel-{r.id:d}"'
            f"{' checked' if r.folio in selected else ''}"
            f' aria-label="{labels.select} {folio}"></td>'
            f'<td><a href="{before}{folio}{after}" data-queue-row-link>{folio}</a></td>'
            f'<td><span class="clip" title="{subject}">{subject}{tags}</span></td>'
            f"<td>{_text(r.person_name) if r.person_name else labels.unnamed}</td>"
            f"<td>{languages[r.locale]}</td>"
            f"<td>{_text(r.region_code) if r.region_code else labels.no_region}</td>"
            f"<td>{kinds[r.kind]}</td>"
            f"<td>{statuses[r.status]}</td>"
            f"<td>{wait}</td>"
            f'<td class="due">{due_dates[due] if due else ""}{states[state]}</td>'
            f"<td>{assignee or labels.unassigned}</td>"
            "</tr>\n"
        )
    return Markup("".join(html))  # noqa: S704 (every value above went through _text)
