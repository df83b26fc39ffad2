"""The respuestas tipo the service ships with are written in all six languages, so the demo
never meets the missing-language warning; tests that need one build their own."""

from __future__ import annotations

import pytest

from helpdesk.core.i18n import SUPPORTED_LOCALES
from helpdesk.tickets.admin.forms import unknown_placeholders
from helpdesk.tickets.answers.demo_texts import DEMO_TEMPLATES
from helpdesk.tickets.answers.kb_match_texts import KB_MATCH_TEMPLATE

SHIPPED = (*DEMO_TEMPLATES, KB_MATCH_TEMPLATE)


@pytest.mark.parametrize(("code", "title", "texts"), SHIPPED, ids=[t[0] for t in SHIPPED])
def test_shipped_templates_have_every_language(code, title, texts) -> None:
    assert set(texts) == set(SUPPORTED_LOCALES)
    for locale, body in texts.items():
        assert body.strip() and "{folio}" in body and "{nombre}" in body, (code, locale)
        assert unknown_placeholders(body) == [], (code, locale)
        if locale != "es":
            assert body != texts["es"], (code, locale)  # translated, not copied


def test_the_one_the_issue_found_is_translated() -> None:
    [texts] = [t for c, title, t in DEMO_TEMPLATES if title == "Recibimos sus antecedentes"]
    assert texts["ht"].startswith("Bonjou {nombre}")
    assert "Recibimos" not in texts["ht"] and "antecedentes" not in texts["ht"]
