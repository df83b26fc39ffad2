"""Folios stay unique when many requests are created at once, on both databases, and are
found again in the subject or body of an email."""

from __future__ import annotations

import asyncio
import re

import pytest

from helpdesk.tickets.folios import find_folio, format_folio, next_folio, next_folios

CONCURRENT = 50


async def test_fifty_concurrent_creations_get_fifty_folios(sessionmaker) -> None:
    year = 2900 + (id(sessionmaker) % 90)  # a year no other test uses

    async def create() -> str:
        async with sessionmaker() as db, db.begin():
            folio = await next_folio(db, "AYU", year)
            await asyncio.sleep(0.001)  # hold the transaction open while others try
            return folio

    folios = await asyncio.gather(*(create() for _ in range(CONCURRENT)))
    assert len(set(folios)) == CONCURRENT
    assert sorted(folios) == [format_folio("AYU", year, n) for n in range(1, CONCURRENT + 1)]


async def test_prefixes_and_years_count_apart(sessionmaker) -> None:
    async with sessionmaker() as db, db.begin():
        siac = await next_folio(db, "SIAC", 2801)
        ayu = await next_folio(db, "AYU", 2801)
        later = await next_folio(db, "SIAC", 2802)
    assert re.fullmatch(r"SIAC-2801-\d{6}", siac) and siac.endswith("000001")
    assert ayu == "AYU-2801-000001" and later == "SIAC-2802-000001"


async def test_a_rolled_back_request_gives_its_number_back(sessionmaker) -> None:
    async with sessionmaker() as db:
        async with db.begin():
            first = await next_folio(db, "SIAC", 2803)
        with pytest.raises(RuntimeError):
            async with db.begin():
                await next_folio(db, "SIAC", 2803)
                raise RuntimeError("the request failed")
        async with db.begin():
            third = await next_folio(db, "SIAC", 2803)
    assert first == "SIAC-2803-000001" and third == "SIAC-2803-000002"


async def test_unknown_prefix_is_refused(db) -> None:
    with pytest.raises(ValueError, match="unknown folio prefix"):
        await next_folio(db, "XYZ", 2026)


async def test_a_group_gets_consecutive_numbers_in_one_step(sessionmaker) -> None:
    async with sessionmaker() as db, db.begin():
        first = await next_folio(db, "SIAC", 2803)
        group = await next_folios(db, "SIAC", 2803, 3)
        after = await next_folio(db, "SIAC", 2803)
    n = int(first.rsplit("-", 1)[1])  # the database is shared by every run of the tests
    assert group == [format_folio("SIAC", 2803, n + i) for i in (1, 2, 3)]
    assert after == format_folio("SIAC", 2803, n + 4)


@pytest.mark.parametrize(
    ("subject", "body", "folio"),
    [
        ("Re: [AYU-2026-004567] Estampado", "", "AYU-2026-004567"),
        ("re: [ayu-2026-004567] estampado", "", "AYU-2026-004567"),
        ("RV: Siac-2026-000123", "", "SIAC-2026-000123"),
        ("Sobre AYU-2025-000001 [SIAC-2026-000123]", "", "SIAC-2026-000123"),
        ("Consulta", "> Su solicitud AYU-2026-004567 fue respondida", "AYU-2026-004567"),
        ("Consulta", "Mi RUN es 12.345.678-5", None),
        ("XAYU-2026-004567 AYU-26-004567 AYU-2026-0045", "", None),
        ("", "", None),
    ],
)
def test_find_folio(subject: str, body: str, folio: str | None) -> None:
    assert find_folio(subject, body) == folio
