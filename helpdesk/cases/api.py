"""/api/v1/cases/lookup: the same lookup as /estado, for the service's other channels.

A wrong number and a wrong document both answer 404 with the API's one error body; the
limits are the page's (per address and per application number, shared by every process).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpdesk.api.openapi import operation
from helpdesk.api.validation import InvalidInput, parse_body
from helpdesk.cases import lookup, view
from helpdesk.cases.limits import within_limits
from helpdesk.core import links
from helpdesk.core.errors import NotFound, TooManyRequests
from helpdesk.core.i18n import get_locale
from helpdesk.core.i18n import gettext as _
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import settings


class LookupIn(BaseModel):
    number: str = Field(min_length=1, max_length=lookup.MAX_NUMBER)
    document: str = Field(min_length=1, max_length=lookup.MAX_DOCUMENT)


class StageOut(BaseModel):
    name: str
    state: str


class EventOut(BaseModel):
    status: str
    status_name: str
    date: date
    note: str | None


class ExplanationOut(BaseModel):
    title: str
    language: str
    html: str
    url: str


class CaseOut(BaseModel):
    number: str
    type: str
    type_name: str
    status: str
    status_name: str
    status_date: date
    submitted_on: date
    final: bool
    stages: list[StageOut]
    history: list[EventOut]
    explanation: ExplanationOut | None
    documents_due_on: date | None
    url: str


@operation(
    "/cases/lookup",
    "POST",
    "Look up an application's status by its number and the applicant's document",
    "cases",
    request_model=LookupIn,
    response_model=CaseOut,
)
async def lookup_case(request: Request) -> Response:
    body = await parse_body(request, LookupIn)
    query, errors = lookup.parse_query(body.number, body.document)
    if query is None:
        details: list[dict[str, object]] = [
            {"field": {"numero": "number", "documento": "document"}[name], "problem": "invalid"}
            for name in errors
        ]
        raise InvalidInput(_("Revise los datos ingresados"), details)
    if not await within_limits(request, query.number):
        raise TooManyRequests(
            _("Hizo muchas consultas seguidas. Espere una hora e intente de nuevo.")
        )
    case = await lookup.find(db(request), query)
    if case is None:
        raise NotFound("case")
    shown = await view.case_view(db(request), case, get_locale(), request.app.state.article_cache)
    article = shown.explanation
    out = CaseOut(
        number=case.number,
        type=case.case_type,
        type_name=shown.type_name,
        status=case.status,
        status_name=shown.status_name,
        status_date=case.status_on,
        submitted_on=case.submitted_on,
        final=shown.final,
        stages=[StageOut(name=s.name, state=s.state) for s in shown.stages],
        history=[
            EventOut(status=h.status, status_name=h.status_name, date=h.on, note=h.note)
            for h in shown.history
        ],
        explanation=ExplanationOut(
            title=article.title,
            language=article.locale,
            html=str(article.body_html),
            url=links.absolute_url(settings(request).base_url, "kb_article", slug=article.slug),
        )
        if article
        else None,
        documents_due_on=shown.deadline.due_on if shown.deadline else None,
        url=shown.private_url,
    )
    response = JSONResponse(out.model_dump(mode="json"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


routes = [Route("/cases/lookup", lookup_case, methods=["POST"], name="api_case_lookup")]
