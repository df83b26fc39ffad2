"""Following an application (issue 15, item 5): an address hears of each status change.

Following needs a proven address: a signed-in account's verified email, or the one the
session proved (the request form's proof), follows at once; any other gets a one-time link
first (``follow_case`` email token) and follows once it is opened. Each follower keeps the
language of their emails (``core.language.email_language``: the account's, else the page's
when they followed).

The import calls ``notify_changes`` inside each batch's transaction with the cases whose
status moved (``importing.BatchHook``): one email per follower per changed case, in their
language, with the status, its explanation's title and summary and the private link, and
a signed link to stop following. An import that changes nothing reports no change, so it
sends nothing; a batch rolled back takes its emails with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts import email_tokens
from helpdesk.accounts.permissions import Viewer
from helpdesk.cases import explanations, private_links, statuses
from helpdesk.cases.models import Case, CaseFollower
from helpdesk.cases.writing import StatusChange
from helpdesk.core import language, links
from helpdesk.core.db import utcnow
from helpdesk.core.i18n import format_date, translations
from helpdesk.notifications import outbox
from helpdesk.people.models import Person
from knowledge_base.service import ArticlePage

PURPOSE: Final = "follow_case"
CONFIRM_TEMPLATE: Final = "case_follow"
STATUS_TEMPLATE: Final = "case_status"
IN_CHUNK: Final = 5000  # case ids per IN list, under the drivers' parameter limits


@dataclass(frozen=True)
class Address:
    """The address a visitor has proven (None without one) and their profile's language."""

    email: str | None
    profile_locale: str | None = None


async def proven_address(db: AsyncSession, viewer: Viewer | None, session_email: object) -> Address:
    """A signed-in person's verified email, or the address the session proved."""
    if viewer is not None and viewer.kind == "citizen" and viewer.person_id is not None:
        person = await db.get(Person, viewer.person_id)
        if person is None:
            return Address(None)
        verified = person.email if person.email and person.email_verified_at else None
        return Address(verified, person.preferred_locale)
    if viewer is None and isinstance(session_email, str) and session_email:
        return Address(session_email)
    return Address(None)


def email_locale(address: Address, page: str) -> str:
    return language.email_language(profile=address.profile_locale, page=page)


async def is_following(db: AsyncSession, case_id: int, email: str | None) -> bool:
    if not email:
        return False
    found = await db.scalar(
        select(CaseFollower.id).where(CaseFollower.case_id == case_id, CaseFollower.email == email)
    )
    return found is not None


async def follow(db: AsyncSession, case_id: int, email: str, locale: str) -> None:
    """Idempotent: following again keeps one row (and the language chosen last)."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(CaseFollower.__table__).values(
        case_id=case_id, email=email, locale=locale, created_at=utcnow()
    )
    await db.execute(
        stmt.on_conflict_do_update(index_elements=["case_id", "email"], set_={"locale": locale})
    )


def ask_to_confirm(db: AsyncSession, case: Case, email: str, locale: str, base_url: str) -> None:
    """A one-time link to an address not proven yet: it follows once opened."""
    token = email_tokens.issue(db, PURPOSE, email, payload={"case_id": case.id, "locale": locale})
    link = links.absolute_url(base_url, "case_follow_confirm", token=token)
    outbox.enqueue(db, CONFIRM_TEMPLATE, email, locale, {"link": link, "number": case.number})


async def confirm(db: AsyncSession, token: str) -> int | None:
    """Follows what the link was sent for; the case's id, or None for a link unknown,
    expired or used."""
    row = await email_tokens.consume(db, PURPOSE, token)
    if row is None:
        return None
    case_id = row.payload.get("case_id")
    if not isinstance(case_id, int) or await db.get(Case, case_id) is None:
        return None
    locale = language.supported(row.payload.get("locale")) or language.DEFAULT_LANGUAGE
    await follow(db, case_id, row.email, locale)
    return case_id


async def unfollow(db: AsyncSession, token: str) -> int | None:
    """Stops the follower a signed link names; the case's id, or None (unknown, or done)."""
    follower_id = private_links.follower_id_from(token)
    if follower_id is None:
        return None
    follower = await db.get(CaseFollower, follower_id)
    if follower is None:
        return None
    await db.execute(delete(CaseFollower).where(CaseFollower.id == follower_id))
    return follower.case_id


def _translated(locale: str, source: str | None, fallback: str) -> str:
    return translations(locale).ugettext(source) if source else fallback


def _status_email(
    follower: CaseFollower, case: Case, article: ArticlePage | None, base_url: str | None
) -> dict[str, Any]:
    locale = follower.locale
    unfollow_link = links.absolute_url(
        base_url or private_links.base_url(),
        "case_unfollow",
        token=private_links.unfollow_token(follower.id),
    )
    context = {
        "number": case.number,
        "type_name": _translated(locale, statuses.TYPE_NAMES.get(case.case_type), case.case_type),
        "status_name": _translated(locale, statuses.STATUS_NAMES.get(case.status), case.status),
        "status_on": format_date(case.status_on, locale),
        "title": article.title if article else "",
        "summary": article.summary if article else "",
        "link": private_links.url_for(case.id, base_url),
        "unfollow_link": unfollow_link,
    }
    return outbox.message_values(STATUS_TEMPLATE, follower.email, locale, context)


async def notify_changes(
    db: AsyncSession, changes: list[StatusChange], base_url: str | None = None
) -> None:
    """The import's batch hook: enqueues the status emails."""
    moved = sorted({c.case_id for c in changes if c.old_status is not None})
    followers: list[CaseFollower] = []
    for start in range(0, len(moved), IN_CHUNK):
        chunk = moved[start : start + IN_CHUNK]
        rows = await db.scalars(
            select(CaseFollower)
            .where(CaseFollower.case_id.in_(chunk))
            .order_by(CaseFollower.case_id, CaseFollower.id)
        )
        followers.extend(rows.all())
    if not followers:
        return
    wanted = sorted({f.case_id for f in followers})
    cases = {c.id: c for c in await db.scalars(select(Case).where(Case.id.in_(wanted)))}
    # One explanation per type, status and language, however many follow.
    explained: dict[tuple[str, str, str], ArticlePage | None] = {}
    messages = []
    for follower in followers:
        case = cases[follower.case_id]
        key = (case.case_type, case.status, follower.locale)
        if key not in explained:
            explained[key] = await explanations.explanation(db, case, follower.locale)
        messages.append(_status_email(follower, case, explained[key], base_url))
    await outbox.write(db, messages)
