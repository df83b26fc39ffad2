"""The merge rules by table: which differences refuse a merge, need a supervisor's reason,
or only warn; and who may override or undo."""

from __future__ import annotations

from datetime import date

import pytest

from helpdesk.accounts.permissions import Viewer
from helpdesk.people import merge_rules
from helpdesk.people.models import Person

RUN_A, RUN_B = "12345678-5", "11111111-1"


def person(**fields: object) -> Person:
    values: dict[str, object] = {"given_names": "Rose", "surnames": "Pierre", "email": None}
    values.update(fields)
    return Person(**values)


@pytest.mark.parametrize(
    ("duplicate", "kept", "expected"),
    [
        ({}, {}, []),
        ({"run": RUN_A}, {"run": RUN_A}, []),
        ({"run": RUN_A}, {"run": None}, []),
        ({"run": RUN_A}, {"run": RUN_B}, [("run", "refused")]),
        ({"run": "12.345.678-5"}, {"run": RUN_A}, []),  # the same RUN, written differently
        # A RUN against a Chilean cédula carrying another RUN.
        (
            {"run": RUN_A},
            {
                "document_type": "national_id",
                "document_country": "CL",
                "document_number": "111111111",
            },
            [("run", "refused")],
        ),
        (
            {"document_type": "passport", "document_number": "AB123", "document_country": "HT"},
            {"document_type": "passport", "document_number": "ab-123", "document_country": "HT"},
            [],
        ),
        (
            {"document_type": "passport", "document_number": "AB123", "document_country": "HT"},
            {"document_type": "passport", "document_number": "CD456", "document_country": "HT"},
            [("document", "override")],
        ),
        (
            {"document_type": "passport", "document_number": "AB123", "document_country": "HT"},
            {"document_type": "other", "document_number": "CD456", "document_country": "HT"},
            [],
        ),
        ({"birth_date": date(1990, 1, 2)}, {"birth_date": date(1990, 1, 2)}, []),
        (
            {"birth_date": date(1990, 1, 2)},
            {"birth_date": date(1991, 1, 2)},
            [("birth_date", "warning")],
        ),
        ({"given_names": "Ana", "surnames": "Soto"}, {}, [("names", "warning")]),
        ({"given_names": "ROSE MARIE"}, {}, []),
        ({"email": "a@x.cl"}, {"email": "A@X.cl"}, []),
        ({"email": "a@x.cl"}, {"email": "b@x.cl"}, [("email", "warning")]),
        ({"email": "a@x.cl"}, {"email": None}, []),
        (
            {"run": RUN_A, "email": "a@x.cl", "birth_date": date(1990, 1, 2)},
            {"run": RUN_B, "email": "b@x.cl", "birth_date": date(1991, 1, 2)},
            [("run", "refused"), ("birth_date", "warning"), ("email", "warning")],
        ),
    ],
)
def test_conflicts(duplicate: dict, kept: dict, expected: list[tuple[str, str]]) -> None:
    found = merge_rules.conflicts(person(**duplicate), person(**kept))
    assert [(c.code, c.level) for c in found] == expected
    assert all(c.message for c in found)


def staff(role: str) -> Viewer:
    return Viewer(
        "staff", 1, "X", role=role, region_code="RM" if role == "regional_agent" else None
    )


REFUSED = merge_rules.Conflict("run", merge_rules.REFUSED, "RUN distintos")
OVERRIDE = merge_rules.Conflict("document", merge_rules.OVERRIDE, "documentos")
WARNING = merge_rules.Conflict("email", merge_rules.WARNING, "correos")
REASON = "Pasaporte renovado"


@pytest.mark.parametrize(
    ("role", "found", "reason", "allowed"),
    [
        ("regional_agent", [], None, True),
        ("regional_agent", [WARNING], None, True),
        ("regional_agent", [OVERRIDE], REASON, False),
        ("central_analyst", [OVERRIDE], REASON, False),
        ("supervisor", [OVERRIDE], None, False),
        ("supervisor", [OVERRIDE], "   corto   ", False),
        ("supervisor", [OVERRIDE, WARNING], REASON, True),
        ("admin", [OVERRIDE], REASON, True),
        ("supervisor", [REFUSED], REASON, False),
        ("admin", [REFUSED, OVERRIDE], REASON, False),
    ],
)
def test_refusal(role: str, found: list, reason: str | None, allowed: bool) -> None:
    assert (merge_rules.refusal(found, staff(role), reason) is None) is allowed


@pytest.mark.parametrize(
    ("role", "override", "undo"),
    [
        ("regional_agent", False, False),
        ("central_analyst", False, False),
        ("supervisor", True, True),
        ("kb_editor", False, False),
        ("admin", True, True),
    ],
)
def test_who_may_override_and_undo(role: str, override: bool, undo: bool) -> None:
    assert merge_rules.may_override(staff(role)) is override
    assert merge_rules.may_undo(staff(role)) is undo
    citizen = Viewer("citizen", 1, "C", person_id=1)
    assert not merge_rules.may_override(citizen) and not merge_rules.may_undo(citizen)
