"""Finding an application for the person who asks: by number and document, or by who they are.

Nobody may learn whether an application exists: a wrong number and a wrong document give the
same answer, after the same work (one indexed read by number, then a constant-time
comparison of the document whether or not a row came back). The document may be typed as a
RUN with or without dots and dash, or as a passport or other number with any spacing; it
matches the case's document in either form.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.cases import statuses
from helpdesk.cases.documents import RUN, normalize_number, normalize_run
from helpdesk.cases.models import Case, CaseEvent
from helpdesk.core.i18n import gettext, lazy_gettext

MAX_NUMBER = 40
MAX_DOCUMENT = 40
# Compared against when no case came back, so that both answers cost the same.
_NOBODY = "\x00" * 12


@dataclass(frozen=True)
class Query:
    number: str
    document: str


NO_NUMBER = lazy_gettext("Escriba el número de su solicitud.")
LONG_NUMBER = lazy_gettext("El número de solicitud es demasiado largo.")
NO_DOCUMENT = lazy_gettext("Escriba su RUN o el número de su pasaporte o documento.")
LONG_DOCUMENT = lazy_gettext("El número de documento es demasiado largo.")


def parse_query(number: object, document: object) -> tuple[Query | None, dict[str, str]]:
    """The typed number and document, trimmed, or the fields' errors (in the page's
    language)."""
    errors: dict[str, str] = {}
    typed_number = number.strip() if isinstance(number, str) else ""
    typed_document = document.strip() if isinstance(document, str) else ""
    if not typed_number:
        errors["numero"] = gettext(NO_NUMBER)
    elif len(typed_number) > MAX_NUMBER:
        errors["numero"] = gettext(LONG_NUMBER)
    if not typed_document:
        errors["documento"] = gettext(NO_DOCUMENT)
    elif len(typed_document) > MAX_DOCUMENT:
        errors["documento"] = gettext(LONG_DOCUMENT)
    if errors:
        return None, errors
    return Query(typed_number, typed_document), {}


def document_forms(typed: str) -> tuple[str, str]:
    """What a typed document may be stored as: a RUN ("12345678-5", when the check digit
    holds) and letters and digits only (passports and other documents)."""
    return normalize_run(typed) or _NOBODY, normalize_number(typed) or _NOBODY


def _same(stored: str, candidate: str) -> bool:
    return hmac.compare_digest(stored.encode(), candidate.encode())


def document_matches(case: Case | None, typed: str) -> bool:
    """Both comparisons always run, in constant time."""
    as_run, as_number = document_forms(typed)
    stored = case.document_number if case is not None else _NOBODY
    is_run = case is not None and case.document_type == RUN
    run_ok = _same(stored, as_run)
    number_ok = _same(stored, as_number)
    return case is not None and (run_ok if is_run else number_ok)


async def find(db: AsyncSession, query: Query) -> Case | None:
    """The case with this number whose document is the one typed, or None (either wrong)."""
    numbers = {query.number, query.number.upper()}
    found = await db.scalar(select(Case).where(Case.number.in_(numbers)).limit(1))
    return found if document_matches(found, query.document) else None


async def cases_of_person(
    db: AsyncSession, person_id: int, run: str | None, limit: int = 50
) -> list[Case]:
    """A signed-in person's applications: those under their RUN (ClaveÚnica proved it) and
    those linked to them (a lookup they made signed in, or staff linked them)."""
    mine = Case.person_id == person_id
    if run:
        mine = or_(mine, (Case.document_type == RUN) & (Case.document_number == run))
    rows = await db.scalars(
        select(Case).where(mine).order_by(Case.submitted_on.desc(), Case.id.desc()).limit(limit)
    )
    return list(rows.all())


@dataclass(frozen=True)
class HistoryLine:
    status: str
    status_name: str
    on: date
    note: str | None


async def history(db: AsyncSession, case: Case) -> list[HistoryLine]:
    """The status history, newest first."""
    rows = await db.execute(
        select(CaseEvent.status, CaseEvent.status_on, CaseEvent.note)
        .where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.status_on.desc(), CaseEvent.id.desc())
    )
    return [
        HistoryLine(status, statuses.status_name(status), on, note) for status, on, note in rows
    ]
