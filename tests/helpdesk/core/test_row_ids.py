"""Ids typed by visitors: only real ones reach the database (no 500 on PostgreSQL for a
number beyond its integer column, or for a digit that is not 0-9)."""

from __future__ import annotations

import pytest

from helpdesk.core.row_ids import MAX_ROW_ID, row_id
from tests.support.factories import sign_in_staff, staff_member


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        (str(MAX_ROW_ID), MAX_ROW_ID),
        (str(MAX_ROW_ID + 1), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-3", None),
        ("²", None),
        ("٣", None),
        ("", None),
        ("1e3", None),
    ],
)
def test_row_id(text: str, expected: int | None) -> None:
    assert row_id(text) == expected


async def test_out_of_range_ids_are_not_found_not_errors(client, sessionmaker) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "supervisor"))
    huge = "99999999999"
    assert (await client.get(f"/staff/personas/{huge}")).status_code == 404
    assert (await client.get(f"/staff/personas/{MAX_ROW_ID}")).status_code == 404
    # No such record: the audit log answers as for any record the viewer cannot see.
    assert (await client.get("/staff/auditoria", params={"persona": huge})).status_code == 404
    assert (await client.get("/staff/auditoria", params={"antes": huge})).status_code == 200
    queue = await client.get("/staff/solicitudes", params={"vista": "all", "antes": huge})
    assert queue.status_code == 200
    due = await client.get(
        "/staff/solicitudes", params={"vista": "overdue", "antes": f"2030-01-01.{huge}"}
    )
    assert due.status_code == 200
    api = await client.get(f"/api/v1/people/{huge}/requests")
    assert api.status_code == 404
