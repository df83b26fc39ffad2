"""The queue's rows rendered in Python (queue/rows.py): the new columns, each value escaped."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest

from helpdesk.tickets.queue.rows import RowClock, count_labels, deadline_state, table_rows
from helpdesk.tickets.queue.service import COUNT_CAP, QueueRow

TODAY = date(2030, 5, 6)
NOW = datetime(2030, 5, 6, 15, tzinfo=UTC)
XSS = '<script>alert(1)</script>"'


class _Cells(HTMLParser):
    """Each row's cells as text, the elements seen with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self.rows[-1].append("")

    def handle_data(self, data: str) -> None:
        if self.rows and self.rows[-1]:
            self.rows[-1][-1] += data.strip("\n")


def row(**values: object) -> QueueRow:
    base: dict[str, object] = {
        "id": 7,
        "folio": "AYU-2030-0000007",
        "kind": "consulta",
        "subject": "Asunto",
        "status": "abierto",
        "priority": "normal",
        "region_code": "RM",
        "legal_due_on": TODAY + timedelta(days=10),
        "assignee_id": None,
        "person_name": "Ana",
        "assignee_name": None,
        "locale": "ht",
        "waiting_since": NOW - timedelta(hours=3),
    }
    return QueueRow(**(base | values))  # type: ignore[arg-type]


def render(*rows: QueueRow) -> _Cells:
    html = table_rows(rows, RowClock(TODAY, NOW), {"consulta": "Consulta"}, {}, {})
    cells = _Cells()
    cells.feed(str(html))
    return cells


def test_a_row_shows_language_region_wait_and_deadline_state() -> None:
    cells = render(row())
    (texts,) = cells.rows
    assert len(texts) == 11
    assert texts[4] == "ht"  # the code shown, the name in full as the abbreviation's title
    assert ("abbr", {"class": "badge lang", "title": "Kreyòl ayisyen"}) in cells.elements
    assert texts[5] == "RM"
    assert texts[8] == "3 horas"
    assert texts[9].endswith("En plazo")
    assert texts[10] == "Sin asignar"


@pytest.mark.parametrize(
    ("values", "wait", "state"),
    [
        ({"waiting_since": None}, "—", "En plazo"),
        ({"legal_due_on": TODAY - timedelta(days=1)}, "3 horas", "Vencida"),
        ({"legal_due_on": TODAY + timedelta(days=2)}, "3 horas", "Por vencer"),
        ({"legal_due_on": None, "status": "en_espera_ciudadano"}, "3 horas", "Detenido"),
    ],
)
def test_wait_and_deadline_in_words(values, wait, state) -> None:
    (texts,) = render(row(**values)).rows
    assert texts[8] == wait
    assert texts[9].endswith(state)


def test_deadline_state_of_closed_requests_is_not_said() -> None:
    assert deadline_state(TODAY - timedelta(days=3), "cerrado", TODAY) is None
    assert deadline_state(None, "abierto", TODAY) == "stopped"


def test_every_database_value_is_escaped() -> None:
    cells = render(
        row(
            subject=XSS,
            person_name=XSS,
            region_code=XSS,
            locale=XSS,
            assignee_id=1,
            assignee_name=XSS,
        )
    )
    assert all(tag != "script" for tag, _attrs in cells.elements)
    (texts,) = cells.rows
    assert texts[2] == texts[3] == texts[5] == texts[10] == XSS
    titles = [attrs.get("title") for tag, attrs in cells.elements if tag == "span"]
    assert XSS in titles  # the subject's full text as its title, escaped in the attribute


def test_counts_say_999_plus_from_the_cap() -> None:
    labels = count_labels({"all": COUNT_CAP, "mine": COUNT_CAP - 1, "waiting": 0})
    assert labels == {"all": f"{COUNT_CAP - 1}+", "mine": str(COUNT_CAP - 1), "waiting": "0"}
