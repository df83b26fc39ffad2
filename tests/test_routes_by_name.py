"""Links come from route names, never path literals (STYLE.md; issue 11).

Paths are written once, in the route tables (``Route(...)``, ``Mount(...)``) and in static
files. Templates link with ``url_for('name', ...)``; Python redirects with ``redirect_to`` or
``links.url_path``; emails carry ``links.absolute_url``. These tests read the sources: a
hard-coded internal path in a template or in Python fails, as does a route name that no
route of the app has.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount

from helpdesk.core.settings import PROJECT_ROOT
from helpdesk.tickets.citizen.routes import BY_ACCOUNT, BY_LINK

TEMPLATES = PROJECT_ROOT / "templates"
PYTHON_ROOTS = (PROJECT_ROOT / "helpdesk", PROJECT_ROOT / "knowledge_base", PROJECT_ROOT / "app.py")

# The site's own top-level paths: what a hard-coded internal link starts with.
INTERNAL = r"/(?:$|[?#]|(?:staff|cuenta|solicitudes|ayuda|api|correo|static|auth|idioma)\b)"
INTERNAL_PATH = re.compile(INTERNAL)
LINK_ATTRIBUTE = re.compile(
    r"""\b(href|action|src|formaction|hx-[a-z-]+)\s*=\s*(["'])(.*?)\2""", re.IGNORECASE
)
# A quoted internal path anywhere in a template: a Jinja string (`{% set x = "/staff" %}`,
# `default('/ayuda')`) builds a link just as well as an attribute.
QUOTED_PATH = re.compile(r"""(["'])(""" + INTERNAL + r"""[^"'\s]*)\1""")
# HTML written in Python (the queue's rows): the same attributes inside string literals.
HTML_LINK_IN_TEXT = re.compile(r"""\b(?:href|action|src|formaction|hx-[a-z-]+)=["']/""")

# Names in templates: url_for('name', ...); a table partial takes its rows' route as
# link_route="name".
TEMPLATE_NAME = re.compile(r"""\b(?:url_for\(\s*|link_route\s*=\s*)(["'])([^"']+)\1""")
# Python calls that take a route name, and the position of that argument.
NAME_ARGUMENT = {
    "url_for": 0,
    "url_path_for": 0,
    "url_path": 0,
    "redirect_to": 0,
    "absolute_url": 1,
    "done": 1,  # tickets/admin/web.py: a 303 to a named page with a notice
}

# Path literals allowed outside Route/Mount calls, each with the reason.
ALLOWED_PATH_LITERALS: dict[tuple[str, str], str] = {
    # Matched against incoming requests' paths (CSRF and error format of the JSON API), not
    # a link: the API's Mount in app.py starts with it.
    ("helpdesk/core/security.py", "/api/"): "incoming-path test for the API",
    ("helpdesk/core/error_pages.py", "/api/"): "incoming-path test for the API",
    # The admin wing's prefix, shared by the thirty routes of admin/routes.py and
    # answers/routes.py; ROUTE_PREFIX_CONSTANTS below checks it is used in Route paths only.
    ("helpdesk/tickets/admin/web.py", "/staff/admin/solicitudes"): "route table prefix",
}
# Module constants that hold a path prefix, allowed only where every use of them is the path
# of a Route: the admin wing's thirty routes share theirs. Checked below.
ROUTE_PREFIX_CONSTANTS = {"PREFIX"}


def _templates() -> Iterator[Path]:
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".txt", ".xml", ".svg"):
            yield path


def _python_files() -> Iterator[Path]:
    for root in PYTHON_ROOTS:
        yield from [root] if root.is_file() else sorted(root.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(PROJECT_ROOT).as_posix()


# --- a. No hard-coded internal path in a template.


def test_templates_link_by_route_name() -> None:
    found = []
    for path in _templates():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            paths = {value for _a, _q, value in LINK_ATTRIBUTE.findall(line) if value[:1] == "/"}
            paths.update(value for _quote, value in QUOTED_PATH.findall(line))
            found += [f"{_relative(path)}:{number}: {value!r}" for value in sorted(paths)]
    assert not found, "hard-coded paths (use url_for('route_name', ...)):\n" + "\n".join(found)


# --- b. Every route name used is one the app has.


def _route_names(routes: list[BaseRoute], namespace: str = "") -> Iterator[str]:
    for route in routes:
        name = getattr(route, "name", None)
        if isinstance(route, Mount) and route.routes:
            yield from _route_names(route.routes, f"{namespace}{name}:" if name else namespace)
        elif name:
            yield namespace + name


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _names_in_python() -> Iterator[tuple[str, str]]:
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            position = NAME_ARGUMENT.get(_called_name(node) or "")
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                yield argument.value, f"{_relative(path)}:{node.lineno}"


def _names_in_templates() -> Iterator[tuple[str, str]]:
    for path in _templates():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for _quote, name in TEMPLATE_NAME.findall(line):
                yield name, f"{_relative(path)}:{number}"


def test_every_route_name_used_exists(app: Starlette) -> None:
    known = set(_route_names(app.routes))
    assert {"home", "staff_request", "api:api_me", "static"} <= known
    used = [*_names_in_templates(), *_names_in_python()]
    used += [(name, "helpdesk/tickets/citizen/routes.py") for name in BY_LINK.values()]
    used += [(name, "helpdesk/tickets/citizen/routes.py") for name in BY_ACCOUNT.values()]
    # The scan finds what it should: every page links somewhere.
    assert len({name for name, _where in used}) > 80
    unknown = [f"{where}: {name!r}" for name, where in used if name not in known]
    assert not unknown, "route names no route has:\n" + "\n".join(unknown)


# --- c. No path literal in Python outside the route tables.


def _route_table_strings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are a Route's or Mount's path (first argument)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node) in ("Route", "Mount") and node.args:
            inside.update(id(n) for n in ast.walk(node.args[0]))
    return inside


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _leading_text(node: ast.AST) -> str | None:
    """A string literal's text, or an f-string's text before its first placeholder."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def _texts(node: ast.AST) -> list[str]:
    """A string literal's text; an f-string's pieces between placeholders, each of which may
    be a path (f"{base_url}/solicitudes/{folio}" is one)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        ]
    return []


def _prefix_constants_outside_routes(tree: ast.AST, in_routes: set[int]) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Name)
        and node.id in ROUTE_PREFIX_CONSTANTS
        and isinstance(node.ctx, ast.Load)
        and id(node) not in in_routes
    ]


def test_python_builds_links_from_route_names() -> None:
    found = []
    for path in _python_files():
        where = _relative(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        in_routes = _route_table_strings(tree)
        skip = in_routes | _docstrings(tree)
        parts_of_fstrings = {
            id(part)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for part in node.values
        }
        for node in ast.walk(tree):
            if id(node) in skip or id(node) in parts_of_fstrings:
                continue
            for text in _texts(node):
                if INTERNAL_PATH.match(text) and text != "/":
                    if (where, text) not in ALLOWED_PATH_LITERALS:
                        found.append(f"{where}:{node.lineno}: {text!r}")
                elif HTML_LINK_IN_TEXT.search(text):
                    found.append(f"{where}:{node.lineno}: HTML link {text[:60]!r}")
        for line in _prefix_constants_outside_routes(tree, in_routes):
            found.append(f"{where}:{line}: a route prefix constant used outside a Route")
    assert not found, "path literals outside route tables:\n" + "\n".join(found)


def test_redirects_to_the_home_page_use_its_name() -> None:
    """A bare "/" is too common a string to scan for everywhere (split("/"), rstrip("/")):
    here it is refused where it would be a link: redirects, sign-in targets, defaults."""
    found = []
    link_calls = {"redirect", "RedirectResponse", "safe_next", "PasswordSignIn"}
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called_name(node) in link_calls:
                arguments = [*node.args, *(k.value for k in node.keywords)]
                if any(_leading_text(a) == "/" for a in arguments):
                    found.append(f"{_relative(path)}:{node.lineno}")
    assert not found, 'links to "/" (use the route "home"):\n' + "\n".join(found)
