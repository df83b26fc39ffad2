"""axe-core on the public pages, in Spanish and Haitian Creole: no serious or critical violation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser

from tests.e2e.conftest import ConsoleLog, new_context

pytestmark = pytest.mark.e2e

PAGES = {
    "home": "/",
    "citizen sign-in": "/cuenta/ingresar",
    "staff sign-in": "/staff/ingresar",
    "help topics": "/ayuda",
    "help search": "/ayuda/buscar?q=estampado",
    "help article": "/ayuda/articulo/como-pagar-una-multa",
    "new request": "/solicitudes/nueva",
    "lost link": "/solicitudes/recuperar",
    "registration": "/cuenta/registro",
    "appointments": "/citas",
}


@pytest.fixture(scope="module", autouse=True)
async def shipped_content(sessionmaker) -> None:
    """The help pages need the sample articles (idempotent: other modules may load them too)."""
    from knowledge_base.content_loader import load_content

    async with sessionmaker() as db, db.begin():
        await load_content(db)


BLOCKING_IMPACTS = ("serious", "critical")


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"  {json.dumps(node['target'])}: {node['html']}")
            lines.append(f"    {node.get('failureSummary', '')}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("locale", ["es", "ht"])
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
async def test_page_has_no_serious_accessibility_violation(
    browser: Browser, live_server: str, axe: Axe, path: str, locale: str
) -> None:
    context = await new_context(browser, live_server, locale=locale)
    console = ConsoleLog()
    try:
        page = await context.new_page()
        console.watch(page)
        response = await page.goto(path)
        assert response is not None and response.status == 200
        assert await page.get_attribute("html", "lang") == locale
        results = await axe.run(page)
    finally:
        await context.close()
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {path} ({locale}):\n{describe(blocking)}"
    assert not console.errors, "\n".join(console.errors)
