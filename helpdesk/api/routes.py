"""/api/v1: the JSON API skeleton (identity, reference data, language) and its OpenAPI document."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.api.errors import Unauthorized
from helpdesk.api.openapi import document, operation
from helpdesk.api.validation import parse_body
from helpdesk.core.unit_of_work import db
from helpdesk.people import service as people
from helpdesk.reference import service as reference


class MeOut(BaseModel):
    kind: Literal["staff", "citizen"]
    id: int
    name: str
    role: str | None
    region_code: str | None


class RegionOut(BaseModel):
    code: str
    name: str


class OfficeOut(BaseModel):
    slug: str
    name: str
    region_code: str
    city: str
    address: str | None
    address_pending: bool
    timezone: str
    attends_in_person: bool


class TramiteOut(BaseModel):
    code: str
    topic: str
    name: str


class RegionList(BaseModel):
    items: list[RegionOut]


class OfficeList(BaseModel):
    items: list[OfficeOut]


class TramiteList(BaseModel):
    items: list[TramiteOut]


class LanguageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locale: Literal["es", "ht", "en", "fr", "zh", "ru"]


def _json(model: BaseModel, status: int = 200) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), status_code=status)


async def openapi_json(request: Request) -> Response:
    # Operations are declared relative to the API's Mount (app.py), whose path Starlette gives
    # this request as its root path: the document lists them under it.
    return JSONResponse(document(request.scope.get("root_path", "")))


@operation("/me", "GET", "Who is calling", "identity", response_model=MeOut, auth=True)
async def me(request: Request) -> Response:
    viewer = await session.current_viewer(request)
    if viewer is None:
        raise Unauthorized("sign in")
    return _json(
        MeOut(
            kind=viewer.kind,
            id=viewer.id,
            name=viewer.name,
            role=viewer.role,  # type: ignore[arg-type]
            region_code=viewer.region_code,
        )
    )


@operation(
    "/me/language",
    "PUT",
    "Set the citizen's preferred language",
    "identity",
    request_model=LanguageIn,
    auth=True,
)
async def set_language(request: Request) -> Response:
    viewer = await session.current_viewer(request)
    if viewer is None:
        raise Unauthorized("sign in")
    body = await parse_body(request, LanguageIn)
    await people.set_preferred_locale(
        db(request), viewer, body.locale, session.actor(request, viewer)
    )
    return Response(status_code=204)


@operation("/regions", "GET", "Chile's 16 regions", "reference", response_model=RegionList)
async def regions(request: Request) -> Response:
    rows = await reference.list_regions(db(request))
    return _json(RegionList(items=[RegionOut(code=r.code, name=r.name) for r in rows]))


@operation("/offices", "GET", "Regional offices", "reference", response_model=OfficeList)
async def offices(request: Request) -> Response:
    rows = await reference.list_offices(db(request))
    return _json(
        OfficeList(items=[OfficeOut.model_validate(o, from_attributes=True) for o in rows])
    )


@operation("/tramites", "GET", "The catalogue of trámites", "reference", response_model=TramiteList)
async def tramites(request: Request) -> Response:
    rows = await reference.list_tramites(db(request))
    return _json(
        TramiteList(items=[TramiteOut(code=t.code, topic=t.topic, name=t.name) for t in rows])
    )


routes = [
    Route("/openapi.json", openapi_json, name="openapi"),
    Route("/me", me, name="api_me"),
    Route("/me/language", set_language, methods=["PUT"], name="api_set_language"),
    Route("/regions", regions, name="api_regions"),
    Route("/offices", offices, name="api_offices"),
    Route("/tramites", tramites, name="api_tramites"),
]
