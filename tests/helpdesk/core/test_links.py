"""Links from route names (helpdesk/core/links.py): paths, queries, emails' absolute URLs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.convertors import PathConvertor, StringConvertor
from starlette.routing import BaseRoute, Mount, NoMatchFound

from app import route_table
from helpdesk.core import links
from helpdesk.core.row_ids import RowIdConvertor
from helpdesk.core.settings import Settings
from helpdesk.core.templating import make_environment


@pytest.fixture
def unregistered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(links, "_by_name", None)


def test_paths_from_route_names() -> None:
    assert links.url_path("home") == "/"
    assert links.url_path("staff_request", folio="SIAC-2025-000123") == (
        "/staff/solicitudes/SIAC-2025-000123"
    )
    assert links.url_path("request_private", folio="AYU-2025-000001", token="t-_0") == (
        "/solicitudes/AYU-2025-000001/t-_0"
    )
    assert links.url_path("staff_account_state", staff_id=7) == "/staff/admin/cuentas/7/estado"


def test_mounted_routes_and_static_files() -> None:
    assert links.url_path("api:api_request", folio="AYU-2025-000001") == (
        "/api/v1/requests/AYU-2025-000001"
    )
    assert links.url_path("static", path="css/site.css") == "/static/css/site.css"


def test_query_and_fragment() -> None:
    assert links.url_path("staff_queue", query={"vista": "mine", "etiqueta": None}) == (
        "/staff/solicitudes?vista=mine"
    )
    # Paths stay readable in a query (next=...); everything else is encoded.
    assert links.url_path("citizen_signin", query={"next": "/solicitudes/nueva"}) == (
        "/cuenta/ingresar?next=/solicitudes/nueva"
    )
    assert links.url_path("staff_queue", query=[("q", "a b&c"), ("q", "ñ")]) == (
        "/staff/solicitudes?q=a+b%26c&q=%C3%B1"
    )
    assert links.url_path("staff_queue", query={}) == "/staff/solicitudes"
    assert links.url_path("kb_article", slug="x", query={"gracias": 1}, fragment="voto") == (
        "/ayuda/articulo/x?gracias=1#voto"
    )


def test_text_params_are_percent_encoded() -> None:
    assert links.url_path("staff_request_untag", folio="F", tag="niño ok") == (
        "/staff/solicitudes/F/etiquetas/ni%C3%B1o%20ok/quitar"
    )
    # One segment whatever the text: no route is matched, no link breaks the page.
    assert links.url_path("staff_request_untag", folio="F", tag="</a>") == (
        "/staff/solicitudes/F/etiquetas/%3C%2Fa%3E/quitar"
    )


def test_absolute_urls_for_emails() -> None:
    url = links.absolute_url("https://ayuda.example.cl/", "request_private", folio="F", token="t")
    assert url == "https://ayuda.example.cl/solicitudes/F/t"
    assert links.absolute_url("http://x", "kb_home") == "http://x/ayuda"


def test_unknown_names_and_wrong_params_fail() -> None:
    with pytest.raises(NoMatchFound):
        links.url_path("no_such_route")
    with pytest.raises(NoMatchFound):
        links.url_path("staff_request")


def test_names_cover_the_route_table() -> None:
    names = links.route_names()
    assert {"home", "staff_request", "api:api_me", "static"} <= names
    assert len(names) >= len(route_table()) - 1  # the API's Mount counts once in the table


@pytest.mark.usefixtures("unregistered")
def test_a_link_before_the_routes_are_registered_says_so() -> None:
    with pytest.raises(links.LinksNotReady, match=r"app\.py"):
        links.url_path("home")


def test_templates_build_links_without_a_request() -> None:
    """Cached pages and emails render without a request: url_for is the project's helper."""
    env = make_environment(Settings(app_env="test", secret_key="k" * 40))
    template = env.from_string(
        "{{ url_for('kb_article', slug=s) }} {{ url_for('static', path='css/site.css') }}"
    )
    assert template.render(s="a<b") == "/ayuda/articulo/a%3Cb /static/css/site.css"


SAMPLES = {StringConvertor: "x-1", PathConvertor: "css/a.css", RowIdConvertor: 7}


def _named_routes(routes: list[BaseRoute], namespace: str = "") -> Iterator[tuple[str, Any]]:
    for route in routes:
        if isinstance(route, Mount) and route.routes:
            inner = f"{namespace}{route.name}:" if route.name else namespace
            yield from _named_routes(route.routes, inner)
        else:
            yield namespace + route.name, route.param_convertors  # type: ignore[attr-defined]


def test_every_route_builds_what_starlette_builds() -> None:
    """links builds paths itself (rather than asking every route in turn): the same paths."""
    app = Starlette(routes=route_table())
    named = list(_named_routes(app.routes))
    for name, convertors in named:
        params = {key: SAMPLES[type(c)] for key, c in convertors.items()}
        assert links.url_path(name, **params) == app.url_path_for(name, **params), name
    assert {name for name, _c in named} == links.route_names()
