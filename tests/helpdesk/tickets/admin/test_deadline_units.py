"""The deadlines admin: a kind's rule in días corridos with one extension, as Ley 21.719's
rights requests will need; it reaches new requests, the audit log, and bad input is a 422."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.calendar.working_days import CORRIDOS
from helpdesk.core.links import url_path
from helpdesk.tickets import deadline_rules
from helpdesk.tickets.admin.forms import parse_deadline
from helpdesk.tickets.kinds import DeadlineRule
from helpdesk.tickets.models import KindDeadline
from helpdesk.tickets.service import NewRequest, open_request
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text

SANTIAGO = ZoneInfo("America/Santiago")


@pytest.mark.parametrize(
    ("form", "rule", "errors"),
    [
        (
            {"legal": "30", "unidad": "corridos", "prorroga": "30"},
            DeadlineRule(30, None, CORRIDOS, 30),
            set(),
        ),
        ({"legal": "20", "prorroga": "10"}, DeadlineRule(20, extension_days=10), set()),
        ({"legal": "10", "meta": "5"}, DeadlineRule(10, 5), set()),
        ({"legal": "10", "unidad": "semanas"}, None, {"unidad"}),
        ({"legal": "10", "prorroga": "11"}, None, {"prorroga"}),
        ({"legal": "10", "prorroga": "0"}, None, {"prorroga"}),
        ({"legal": "10", "prorroga": "diez"}, None, {"prorroga"}),
        ({"legal": "0", "prorroga": "5"}, None, {"legal"}),
    ],
)
def test_parse_deadline(form, rule, errors) -> None:
    parsed, found = parse_deadline(form)
    assert set(found) == errors
    if rule is not None:
        assert parsed == rule


async def test_a_rule_in_dias_corridos_with_extension_reaches_new_requests(
    client, sessionmaker
) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "admin"))
    url = url_path("tickets_admin_deadline_edit", kind="sugerencia")
    bad = await client.submit(url, {"legal": "30", "unidad": "semanas", "prorroga": "31"})
    assert bad.status_code == 422
    assert "Elija días hábiles o días corridos." in page_text(bad.text)
    try:
        done = await client.submit(url, {"legal": "30", "unidad": "corridos", "prorroga": "30"})
        assert done.status_code == 303
        table = page_text((await client.get(url_path("tickets_admin_deadlines"))).text)
        assert "30 días corridos; prórroga 30" in table
        assert "20 días hábiles; prórroga 10" in table  # the transparency kind's default
        form = await client.get(url)
        assert 'value="corridos" selected' in form.text

        async with sessionmaker() as db, db.begin():
            assert await deadline_rules.rule_for(db, "sugerencia") == DeadlineRule(
                30, None, CORRIDOS, 30
            )
            email = f"u.{uuid.uuid4().hex[:8]}@test.portal"
            data = NewRequest("sugerencia", "Idea", "Hola", "web", email, "es", region_code="RM")
            received = datetime(2025, 12, 1, 10, tzinfo=SANTIAGO)
            opened = await open_request(db, data, Actor("anonymous", None), "http://t", received)
            assert opened.ticket.legal_due_on == date(2025, 12, 31)
            event = await db.scalar(
                select(AuditEvent)
                .where(AuditEvent.action == "kind_deadline.set")
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )
            assert event is not None
            assert event.changes["unidad"] == ["habiles", "corridos"]
            assert event.changes["prorroga"] == [None, 30]
    finally:
        async with sessionmaker() as db, db.begin():
            await db.execute(delete(KindDeadline).where(KindDeadline.kind == "sugerencia"))
