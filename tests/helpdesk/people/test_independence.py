"""The people domain imports none of the domains that feed a person's pages: their timeline
sources, page sections and merge hooks are registered from app.py."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from app import register_contributions
from helpdesk.core.settings import PROJECT_ROOT
from helpdesk.people import merging, sections, timeline

PEOPLE = PROJECT_ROOT / "helpdesk" / "people"
FEEDERS = ("tickets", "appointments", "escalations", "cases")
FORBIDDEN = tuple(f"helpdesk.{name}" for name in FEEDERS)


def _imported(source: str, package: str) -> Iterator[str]:
    """Every module the source imports (at any depth), relative ones made absolute against
    ``package``, and ``from helpdesk import tickets`` read as ``helpdesk.tickets`` too."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *filter(None, [base])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _forbidden(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


def test_people_imports_no_domain_that_feeds_it() -> None:
    modules = sorted(PEOPLE.rglob("*.py"))
    assert len(modules) > 5
    found = []
    for path in modules:
        package = ".".join(path.relative_to(PROJECT_ROOT).parts[:-1])
        for module in _imported(path.read_text(encoding="utf-8"), package):
            if _forbidden(module):
                found.append(f"{path.relative_to(PROJECT_ROOT)} imports {module}")
    assert found == []


def test_the_check_sees_every_form_of_import() -> None:
    source = (
        "import helpdesk.tickets.models\n"
        "from helpdesk.cases import service\n"
        "from helpdesk import appointments\n"
        "from ..escalations import models\n"
        "def later():\n    from helpdesk.tickets import service\n"
        "from helpdesk.people import timeline\n"
        "from . import service\n"
        "import helpdesk.ticketsfoo\n"
    )
    found = {m for m in _imported(source, "helpdesk.people") if _forbidden(m)}
    assert found == {
        "helpdesk.tickets.models",
        "helpdesk.cases",
        "helpdesk.cases.service",
        "helpdesk.appointments",
        "helpdesk.escalations",
        "helpdesk.escalations.models",
        "helpdesk.tickets",
        "helpdesk.tickets.service",
    }


def test_registering_again_changes_nothing() -> None:
    before = (
        list(timeline.SOURCES),
        dict(merging.MERGE_HOOKS),
        list(sections.PERSON_SECTIONS),
        list(sections.STAFF_HOME_PANELS),
    )
    register_contributions()
    register_contributions()
    after = (
        list(timeline.SOURCES),
        dict(merging.MERGE_HOOKS),
        list(sections.PERSON_SECTIONS),
        list(sections.STAFF_HOME_PANELS),
    )
    assert after == before
    assert timeline.SOURCES[-1] is timeline.person_events  # the record's own events last
    assert "requests" in merging.MERGE_HOOKS
