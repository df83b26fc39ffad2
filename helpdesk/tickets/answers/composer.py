"""The respuestas tipo in the reply composer of a request's staff page.

An agent picks a template; its text is inserted in the reply box in the request's language
(``ticket.locale``). When the template has no text in that language nothing is inserted:
the page says which language is missing and offers the template's languages, and only the
language the agent then picks explicitly (``idioma``) is inserted, with a reminder that the
person will read it in that language. The select already marks the templates that lack the
request's language, so the agent knows before choosing one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.tickets.answers import templates as answer_templates
from helpdesk.tickets.answers.effects import CODE_MAX
from helpdesk.tickets.models import Ticket


@dataclass(frozen=True)
class Choice:
    code: str
    title: str
    has_language: bool  # a text in the request's language


@dataclass(frozen=True)
class Composer:
    """What the composer shows: the templates to pick from, the one picked, and either its
    text (``inserted``) or why it was not inserted (``missing``)."""

    request_locale: str
    choices: list[Choice]
    code: str = ""
    inserted: answer_templates.Rendered | None = None
    missing: answer_templates.MissingLanguage | None = None

    @property
    def other_language(self) -> str | None:
        """The language the agent chose instead of the request's, when text in it was
        inserted."""
        if self.inserted is None or self.inserted.locale == self.request_locale:
            return None
        return self.inserted.locale

    @property
    def usable_code(self) -> str:
        """The template the reply form may carry: never one still missing its language."""
        return "" if self.missing is not None else self.code


async def for_request(
    db: AsyncSession, ticket: Ticket, code: str, chosen: str | None, base_url: str
) -> Composer:
    """The composer for ``ticket`` with template ``code`` picked (``""``: none) and the
    language the agent ``chosen`` for it, if any."""
    choices = [
        Choice(c, title, ticket.locale in locales)
        for c, title, locales in await answer_templates.active_choices(db)
    ]
    code = code[:CODE_MAX]
    if not code:
        return Composer(ticket.locale, choices)
    prepared = await answer_templates.prepare(db, code, ticket, base_url, chosen)
    if isinstance(prepared, answer_templates.MissingLanguage):
        return Composer(ticket.locale, choices, code, missing=prepared)
    return Composer(ticket.locale, choices, code, inserted=prepared)
