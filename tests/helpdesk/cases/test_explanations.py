"""Every status the demo data uses is explained, in the six languages, with the three parts
a person needs; the due date of a request for documents is counted in días hábiles."""

from __future__ import annotations

import re
from datetime import date

import pytest

from helpdesk.cases import explanations, statuses
from helpdesk.cases.demo import generate, own_applications
from helpdesk.cases.models import Case
from knowledge_base.content_loader import read_content

LANGUAGES = {"es", "ht", "en", "fr", "zh", "ru"}
ARTICLES = {article.slug: article for article in read_content()}
DEMO_PAIRS = sorted(
    {(row.case_type, row.status) for row in generate(5000)}
    | {(row.case_type, row.status) for row in own_applications()}
)


def explaining(case_type: str, status: str) -> str | None:
    return next((s for s in explanations.slugs_for(case_type, status) if s in ARTICLES), None)


@pytest.mark.parametrize(("case_type", "status"), DEMO_PAIRS)
def test_every_demo_status_is_explained_in_six_languages(case_type, status) -> None:
    slug = explaining(case_type, status)
    assert slug is not None, f"nothing explains {status} for {case_type}"
    texts = ARTICLES[slug].texts
    assert set(texts) == LANGUAGES, f"{slug} lacks {LANGUAGES - set(texts)}"
    for locale, text in texts.items():
        sections = re.findall(r"^## ", text.body_md, re.M)
        assert len(sections) == 3, f"{slug}/{locale}: {len(sections)} sections, not 3"


def test_the_demo_uses_many_statuses() -> None:
    # Guards the test above against a generator that stopped varying its statuses.
    assert len({status for _type, status in DEMO_PAIRS}) >= 8


@pytest.mark.parametrize(
    ("case_type", "status", "slugs"),
    [
        (
            "residencia_temporal",
            "otorgada",
            ("estado-otorgada-residencia-temporal", "estado-otorgada"),
        ),
        ("refugio", "no_acogida", ("estado-no-acogida-refugio", "estado-no-acogida")),
    ],
)
def test_slugs_most_specific_first(case_type, status, slugs) -> None:
    assert explanations.slugs_for(case_type, status) == slugs


def test_specific_explanation_wins() -> None:
    assert explaining("residencia_temporal", "otorgada") == "estado-otorgada-residencia-temporal"
    assert explaining("refugio", "rechazada") == "estado-rechazada-refugio"
    assert explaining("permanencia_transitoria", "rechazada") == "estado-rechazada"


async def test_documents_due_five_working_days_after_the_request(db) -> None:
    # Friday 4 December 2026: Mon 7, Tue 8 (Inmaculada Concepción, a holiday), Wed 9 ...
    case = Case(
        case_type="residencia_temporal",
        status=statuses.ANTECEDENTES_SOLICITADOS,
        status_on=date(2026, 12, 4),
        region_code="RM",
    )
    due = await explanations.deadline(db, case)
    assert due is not None and due.due_on == date(2026, 12, 14)
    case.status = statuses.EN_ANALISIS
    assert await explanations.deadline(db, case) is None
