"""Another region's record is answered exactly as a record that does not exist, on every
staff route that takes a person's number: role × region × (own, other region, missing)."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Route

from tests.support import factories

MISSING = 99_999_999
# Per-response values that differ between any two answers (CSP nonces, form tokens).
_VOLATILE = re.compile(r'(nonce|value|content)="[A-Za-z0-9_\-.=+/]{16,}"')


def person_routes(app) -> list[tuple[str, str, str]]:
    """(name, path, method) of every staff route with a {person_id} parameter."""
    return [
        (route.name, route.path, method)
        for route in app.routes
        if isinstance(route, Route) and route.path.startswith("/staff/")
        if "{person_id" in route.path
        for method in sorted(route.methods or {"GET"})
        if method != "HEAD"
    ]


async def answer(client, method: str, path: str, person_id: int, token: str) -> tuple[int, str]:
    url = re.sub(r"\{person_id[^}]*\}", str(person_id), path)
    if method == "GET":
        response = await client.get(url)
    else:
        response = await client.post(url, data={"csrf_token": token})
    return response.status_code, _VOLATILE.sub("", response.text).replace(url, "URL")


def test_the_table_covers_the_person_routes(app) -> None:
    assert {name for name, _p, _m in person_routes(app)} >= {"staff_person"}
    assert len(person_routes(app)) >= 3


@pytest.mark.parametrize(
    ("role", "office"),
    [("regional_agent", "santiago"), ("central_analyst", None), ("kb_editor", None)],
)
async def test_other_region_answers_as_missing(app, client, sessionmaker, role, office) -> None:
    await factories.sign_in_staff(client, await factories.staff_member(sessionmaker, role, office))
    token = await client.csrf("/staff/ingresar")
    own = await factories.person(sessionmaker, "RM")
    other = await factories.person(sessionmaker, "TA")
    for name, path, method in person_routes(app):
        got_own = await answer(client, method, path, own, token)
        got_other = await answer(client, method, path, other, token)
        got_missing = await answer(client, method, path, MISSING, token)
        where = (role, name, method)
        if role == "kb_editor":  # no records at all: refused alike before any lookup
            assert got_own[0] == got_other[0] == got_missing[0] == 403, where
            assert got_other == got_missing, where
        elif role == "regional_agent":
            assert got_missing[0] == 404 and got_own[0] != 404, where
            assert got_other == got_missing, where  # status and body
        else:
            assert got_missing[0] == 404 and got_other[0] == got_own[0] != 404, where
