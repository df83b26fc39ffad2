"""A strong knowledge-base match as an automatic-answer rule.

When no keyword rule answers a new question, the knowledge base may: its best article for the
request's subject and text answers it when the match is strong, i.e. the top hit scores at
least ``STRONG_SCORE`` and at least ``STRONG_LEAD`` times the second. The answer is the
seeded ``kb_match`` template in the person's language followed by the article's title (in
their language when the article has it) and link, logged against the seeded "*" rule.

Only questions are answered this way (a consulta, or a portal category about a trámite): a
complaint, a suggestion or a compliment is for a person to read, whatever the articles say.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.core import links
from helpdesk.tickets.answers import templates as answer_templates
from helpdesk.tickets.answers.kb_match_texts import KB_MATCH_CODE, KB_RULE_KIND
from helpdesk.tickets.answers.models import AutoRule
from helpdesk.tickets.kinds import KINDS, PORTAL
from helpdesk.tickets.models import Ticket
from knowledge_base import deflection
from knowledge_base.search.query import SearchHit

log = logging.getLogger(__name__)

# Chosen on the judged queries of tests/knowledge_base/relevance (140 questions in six
# languages over the shipped articles) plus a dozen vague or off-topic requests ("quiero
# felicitar a la funcionaria", "tengo un problema con el sistema"). A lead of 1.5 over the
# second hit with a top score of 25 keeps one wrong article and one off-topic request; 30
# keeps 59 questions, all rightly, but a bare "Necesito ayuda con mi trámite" already scores
# 27.5; 35 keeps 49 (a third of the questions), all rightly, with that margin. A wrong
# automatic answer costs the person more than none. Scores are BM25 sums scaled by the share
# of words matched, so they move with the corpus: re-check on the judged queries when the
# articles change a lot.
STRONG_SCORE: Final = 35.0
STRONG_LEAD: Final = 1.5
CONSULTA: Final = "consulta"
KB_MATCH_KINDS: Final = frozenset(
    code for code, kind in KINDS.items() if kind.family == PORTAL or code == CONSULTA
)


class ArticleSearch(Protocol):
    """``knowledge_base.search.index.KnowledgeIndex``, as far as this module needs it."""

    async def search(
        self,
        db: AsyncSession,
        query: str,
        locale: str,
        category: str | None = None,
        type: str | None = None,
        limit: int = 10,
    ) -> list[SearchHit]: ...


def strong_hits(hits: Sequence[SearchHit]) -> list[SearchHit]:
    """The articles that answer, best first: the top hit when it is a strong match."""
    if not hits or hits[0].score < STRONG_SCORE:
        return []
    if len(hits) > 1 and hits[0].score < STRONG_LEAD * hits[1].score:
        return []
    return [hits[0]]


def articles_text(hits: Sequence[SearchHit], base_url: str) -> str:
    return "\n\n".join(
        f"{hit.title}\n{links.absolute_url(base_url, 'kb_article', slug=hit.slug)}" for hit in hits
    )


async def find_kb_answer(
    db: AsyncSession, index: ArticleSearch, ticket: Ticket, body: str, base_url: str
) -> tuple[int, answer_templates.Rendered] | answer_templates.Skipped | None:
    """(the log rule's id, the answer) when the knowledge base answers the new request;
    Skipped when it would, but its template lacks the request's language."""
    if ticket.kind not in KB_MATCH_KINDS:
        return None
    rule_id = await db.scalar(
        select(AutoRule.id)
        .where(
            AutoRule.kind == KB_RULE_KIND,
            AutoRule.canned_code == KB_MATCH_CODE,
            AutoRule.active.is_(True),
        )
        .order_by(AutoRule.id)
        .limit(1)
    )
    text = f"{ticket.subject}\n{body}"
    if rule_id is None or len(text.strip()) < deflection.MIN_QUERY_LENGTH:
        return None
    try:
        hits = strong_hits(await index.search(db, text, ticket.locale, limit=2))
    except OSError:
        # The index is missing or unreadable on this node: the request opens unanswered.
        log.warning("knowledge base index unavailable; no automatic answer", exc_info=True)
        return None
    if not hits:
        return None
    rendered = await answer_templates.prepare(db, KB_MATCH_CODE, ticket, base_url)
    if rendered is None:
        return None  # the template was switched off or emptied by an admin
    if isinstance(rendered, answer_templates.MissingLanguage):
        return answer_templates.Skipped(rule_id, rendered)
    text = f"{rendered.text}\n\n{articles_text(hits, base_url)}"
    return rule_id, answer_templates.Rendered(rendered.code, rendered.locale, text)
