"""Links from route names: the one way pages, redirects and emails build a URL.

``url_path("staff_request", folio="RM-1")`` is ``/staff/solicitudes/RM-1``: a path, not a
full URL, so pages work the same behind a proxy or under the test client. Emails need the
site's address in front: ``absolute_url(settings.base_url, "request_private", ...)``.
Templates call the same function as ``url_for`` (``helpdesk/core/templating.py``).

Links are built outside requests too (the mail worker's jobs, the command line), so the route
table is registered once per process by the composition root (``app.py``) instead of being
read from a request. Every app the process builds has the same table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from starlette.convertors import Convertor, PathConvertor
from starlette.routing import PARAM_FORMAT_REGEX, BaseRoute, Mount, NoMatchFound, Route

Query = Mapping[str, object] | Iterable[tuple[str, object]]


class LinksNotReady(RuntimeError):
    """A link was asked for before ``app.py`` registered the routes."""


@dataclass(frozen=True, slots=True)
class _Path:
    """A route's path under its Mounts' paths, split at its parameters (odd items: their
    names). Builds what Starlette's ``url_path_for`` builds without asking every route in
    turn: a queue page makes fifty links."""

    parts: tuple[str, ...]
    convertors: Mapping[str, Convertor[Any]]

    def build(self, params: Mapping[str, Any]) -> str | None:
        if params.keys() != self.convertors.keys():
            return None
        parts = list(self.parts)
        for i in range(1, len(parts), 2):
            convertor, value = self.convertors[parts[i]], params[parts[i]]
            if isinstance(value, str):
                # Text is encoded, "/" too: a tag "a/b" is one path segment.
                value = quote(value, safe="/" if isinstance(convertor, PathConvertor) else "")
            parts[i] = convertor.to_string(value)
        return "".join(parts)


# name -> the ways to build it: a route's _Path, or the route itself (static files' Mount).
_by_name: dict[str, list[_Path | BaseRoute]] | None = None
_fixed: dict[str, str] = {}


def register(routes: Sequence[BaseRoute]) -> None:
    """The process's route table; registering again replaces it."""
    global _by_name
    global _fixed
    by_name: dict[str, list[_Path | BaseRoute]] = {}
    for name, target in _targets(routes, "", ""):
        by_name.setdefault(name, []).append(target)
    _by_name = by_name
    # Routes without parameters have one path: the site's menus ask for them on every page.
    _fixed = {
        name: targets[0].parts[0]
        for name, targets in by_name.items()
        if len(targets) == 1 and isinstance(targets[0], _Path) and len(targets[0].parts) == 1
    }


def _targets(
    routes: Sequence[BaseRoute], prefix: str, namespace: str
) -> Iterable[tuple[str, _Path | BaseRoute]]:
    for route in routes:
        if isinstance(route, Route) or (isinstance(route, Mount) and not route.routes):
            # A Mount without routes (the static files) builds "/static/{path}" like a route.
            parts = tuple(PARAM_FORMAT_REGEX.split(prefix + route.path_format))
            yield namespace + route.name, _Path(parts, route.param_convertors)
        elif isinstance(route, Mount) and route.routes:
            inner = f"{namespace}{route.name}:" if route.name else namespace
            yield from _targets(route.routes, prefix + route.path, inner)
        elif name := getattr(route, "name", None):
            # Starlette builds these itself, which is right at the top level only.
            assert not prefix, f"{name}: its links would miss the enclosing Mount's path"
            yield namespace + name, route


def route_names() -> frozenset[str]:
    """Every name a link can be built from."""
    return frozenset(_index())


def _index() -> dict[str, list[_Path | BaseRoute]]:
    if _by_name is None:
        raise LinksNotReady(
            "no route table registered: app.py registers it (create_app, register_links)"
        )
    return _by_name


def _path(name: str, params: dict[str, Any]) -> str:
    for target in _index().get(name, ()):
        if isinstance(target, _Path):
            path = target.build(params)
            if path is not None:
                return path
        else:
            try:
                quoted = {
                    k: quote(v, safe="/") if isinstance(v, str) else v for k, v in params.items()
                }
                return str(target.url_path_for(name, **quoted))
            except NoMatchFound:
                continue
    raise NoMatchFound(name, params)


def url_path(name: str, /, *, query: Query | None = None, fragment: str = "", **params: Any) -> str:
    """The path of the route ``name`` with its ``params``, text params percent-encoded ("/"
    too, but in a ``{name:path}`` param); then ``?query``, pairs whose value is None left
    out and "/" left as is (``next=/a/b`` stays readable); then ``#fragment``."""
    path = _fixed.get(name) if not params and _by_name is not None else None
    if path is None:
        path = _path(name, params)
    if query is not None:
        pairs = query.items() if isinstance(query, Mapping) else query
        encoded = urlencode([(k, v) for k, v in pairs if v is not None], safe="/")
        if encoded:
            path = f"{path}?{encoded}"
    return f"{path}#{fragment}" if fragment else path


def absolute_url(
    base_url: str, name: str, /, *, query: Query | None = None, fragment: str = "", **params: Any
) -> str:
    """``url_path`` under the site's public address (``BASE_URL``): for links in emails."""
    return base_url.rstrip("/") + url_path(name, query=query, fragment=fragment, **params)
