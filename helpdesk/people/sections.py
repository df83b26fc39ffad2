"""Parts of the people pages that other domains draw: sections of the person page (their
requests, later appointments and cases) and panels on the staff home (an agent's
availability). ``app.py`` registers the providers, so this domain imports none of them.

A provider returns a ``Section`` or ``None`` (nothing to show); the page includes each
section's template in registration order, and the template reads ``section.data``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer
from helpdesk.people.models import Person


@dataclass(frozen=True)
class Section:
    template: str  # included in place on the page
    data: Any = None  # the contributing domain's own context object, read as ``section.data``


# (db, viewer, person): the page has checked the viewer's access to the person.
PersonSection = Callable[[AsyncSession, Viewer, Person], Awaitable[Section | None]]
# (db, viewer): a staff member on their own home page.
StaffHomePanel = Callable[[AsyncSession, Viewer], Awaitable[Section | None]]

PERSON_SECTIONS: list[PersonSection] = []
STAFF_HOME_PANELS: list[StaffHomePanel] = []


def register_person_section(provider: PersonSection) -> None:
    """Registering a provider again changes nothing (tests build several apps)."""
    if provider not in PERSON_SECTIONS:
        PERSON_SECTIONS.append(provider)


def register_staff_home_panel(provider: StaffHomePanel) -> None:
    """Registering a provider again changes nothing (tests build several apps)."""
    if provider not in STAFF_HOME_PANELS:
        STAFF_HOME_PANELS.append(provider)


async def person_sections(db: AsyncSession, viewer: Viewer, person: Person) -> list[Section]:
    found = [await provider(db, viewer, person) for provider in PERSON_SECTIONS]
    return [section for section in found if section is not None]


async def staff_home_panels(db: AsyncSession, viewer: Viewer) -> list[Section]:
    found = [await provider(db, viewer) for provider in STAFF_HOME_PANELS]
    return [section for section in found if section is not None]
