"""Everything a person sees about one application, for the page and the API alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.cases import explanations, lookup, private_links, statuses
from helpdesk.cases.models import Case
from knowledge_base.article_cache import ArticleCache
from knowledge_base.service import ArticlePage


@dataclass(frozen=True)
class StageStep:
    name: str
    state: str  # done | current | next


@dataclass(frozen=True)
class CaseView:
    case: Case
    type_name: str
    status_name: str
    stages: list[StageStep]
    history: list[lookup.HistoryLine]
    explanation: ArticlePage | None
    deadline: explanations.Deadline | None
    private_url: str
    token: str  # the private link's: proves the person may see the case (request form, follow)
    final: bool


def stage_steps(case_type: str, status: str) -> list[StageStep]:
    """The type's stages with where the case is: stages before the current one are done."""
    stages = statuses.STAGES.get(case_type, ())
    current = statuses.stage_of(case_type, status)
    steps, seen = [], False
    for stage in stages:
        if stage == current:
            steps.append(StageStep(stage.name, "current"))
            seen = True
        else:
            steps.append(StageStep(stage.name, "next" if seen or current is None else "done"))
    return steps


async def case_view(
    db: AsyncSession, case: Case, locale: str, kept: ArticleCache | None = None
) -> CaseView:
    return CaseView(
        case=case,
        type_name=statuses.type_name(case.case_type),
        status_name=statuses.status_name(case.status),
        stages=stage_steps(case.case_type, case.status),
        history=await lookup.history(db, case),
        explanation=await explanations.explanation(db, case, locale, kept),
        deadline=await explanations.deadline(db, case),
        private_url=private_links.url_for(case.id),
        token=private_links.token_for(case.id),
        final=case.status in statuses.FINAL_STATUSES,
    )


@dataclass(frozen=True)
class CaseSummary:
    number: str
    type_name: str
    status_name: str
    status_on: date
    private_url: str


def summaries(cases: list[Case]) -> list[CaseSummary]:
    return [
        CaseSummary(
            c.number,
            statuses.type_name(c.case_type),
            statuses.status_name(c.status),
            c.status_on,
            private_links.url_for(c.id),
        )
        for c in cases
    ]
