"""What a new request is about, when the person came from another domain's page: "open a
request about this application" carries the case's private token to the form.

Domains register a resolver per form field from ``app.py`` (``register_reference``), so the
inbox never imports them. A resolver turns the value it was given into a ``Reference`` (what
the form shows, and what to write once the request exists, in the same transaction), or
None for a value it does not recognise: a forged or stale value is dropped without a word,
so the form tells nobody whether it named anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

# Called with the opening's session and the new request's id, before it commits.
AfterOpening = Callable[[AsyncSession, int], Awaitable[None]]


@dataclass(frozen=True)
class Reference:
    field: str  # the form field (and query parameter) that carried it
    value: str  # what it carried, kept in a hidden field until the form is sent
    label: str  # shown above the form, already translated
    after_opening: AfterOpening


Resolver = Callable[[AsyncSession, str], Awaitable[tuple[str, AfterOpening] | None]]

RESOLVERS: dict[str, Resolver] = {}
MAX_VALUE = 200


def register_reference(field: str, resolver: Resolver) -> None:
    """Registering again replaces the resolver (tests build several apps)."""
    RESOLVERS[field] = resolver


async def resolve(db: AsyncSession, given: Mapping[str, object]) -> list[Reference]:
    """The references among ``given`` (query parameters or form fields) that resolve."""
    found = []
    for field, resolver in RESOLVERS.items():
        value = given.get(field)
        if not isinstance(value, str) or not value or len(value) > MAX_VALUE:
            continue
        resolved = await resolver(db, value)
        if resolved is not None:
            found.append(Reference(field, value, *resolved))
    return found


def after_opening(references: list[Reference]) -> AfterOpening | None:
    """One callback running every reference's, or None without references."""
    if not references:
        return None

    async def run(db: AsyncSession, request_id: int) -> None:
        for reference in references:
            await reference.after_opening(db, request_id)

    return run
