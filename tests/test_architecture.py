"""The shape docs/architecture.md promises, checked: route modules stand alone, the inbox's
wings stay small, and the lower layers import no domain."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("helpdesk", "knowledge_base")
MAX_LINES = 400
MAX_MODULES_PER_FOLDER = 15


def _modules() -> dict[str, Path]:
    """Every project module by dotted name (``app`` included)."""
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def is_route_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last == "routes" or last.startswith("routes_") or last.endswith("_routes")


def imported_modules(path: Path) -> set[str]:
    """The project modules ``path`` imports, including ``from package import module``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n in MODULES}


def test_the_checks_see_the_project() -> None:
    routes = [n for n in MODULES if is_route_module(n)]
    assert "helpdesk.tickets.workbench.routes" in routes
    assert "knowledge_base.routes_reader" in routes
    assert imported_modules(MODULES["app"]) >= {"helpdesk.tickets.workbench.routes"}


@pytest.mark.parametrize("name", sorted(n for n in MODULES if is_route_module(n)))
def test_no_route_module_imports_another(name: str) -> None:
    """Only app.py assembles routes: a page two wings share lives in a page module."""
    others = sorted(m for m in imported_modules(MODULES[name]) if is_route_module(m))
    assert not others, f"{name} imports route module(s) {others}"


def test_inbox_modules_stay_small() -> None:
    tickets = ROOT / "helpdesk" / "tickets"
    too_long = {
        str(p.relative_to(ROOT)): n
        for p in tickets.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"
    crowded = {
        str(folder.relative_to(ROOT)): n
        for folder in [tickets, *(p for p in tickets.rglob("*") if p.is_dir())]
        if (n := len([p for p in folder.glob("*.py") if p.name != "__init__.py"]))
        > MAX_MODULES_PER_FOLDER
    }
    assert not crowded, f"folders over {MAX_MODULES_PER_FOLDER} modules: {crowded}"


@pytest.mark.parametrize("package", ["helpdesk.core", "helpdesk.calendar", "helpdesk.reference"])
def test_lower_layers_import_no_domain_above(package: str) -> None:
    """core imports no domain; the calendar and the reference data know nothing of the
    inbox (or of appointments and escalations, which will build on them)."""
    above = ("helpdesk.tickets", "helpdesk.people", "helpdesk.appointments")
    above += ("helpdesk.escalations", "helpdesk.cases", "knowledge_base")
    if package == "helpdesk.core":
        above += ("helpdesk.accounts", "helpdesk.calendar", "helpdesk.notifications")
    for name, path in MODULES.items():
        if name == package or name.startswith(package + "."):
            wrong = sorted(m for m in imported_modules(path) if m.startswith(above))
            assert not wrong, f"{name} imports {wrong}"


def test_cases_import_nothing_of_the_inbox() -> None:
    """Applications and requests meet through services that app.py wires (issue 15): the
    cases domain never imports the inbox."""
    for name, path in MODULES.items():
        if name == "helpdesk.cases" or name.startswith("helpdesk.cases."):
            wrong = sorted(m for m in imported_modules(path) if m.startswith("helpdesk.tickets"))
            assert not wrong, f"{name} imports {wrong}"


def test_appointments_import_neither_the_inbox_nor_cases() -> None:
    """Appointments build on the calendar and reference data (issue 16); requests and cases
    reach them through what app.py wires, never by import."""
    for name, path in MODULES.items():
        if name == "helpdesk.appointments" or name.startswith("helpdesk.appointments."):
            wrong = sorted(
                m
                for m in imported_modules(path)
                if m.startswith(("helpdesk.tickets", "helpdesk.cases"))
            )
            assert not wrong, f"{name} imports {wrong}"
            lines = len(path.read_text().splitlines())
            assert lines <= MAX_LINES, f"{name} has {lines} lines"
