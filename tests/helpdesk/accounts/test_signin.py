"""The sign-in delay rule: failures in a row and the last failure's time give the wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.accounts import signin

POLICY = signin.BackoffPolicy(
    free_failures=5,
    address_free_failures=20,
    first_delay=timedelta(seconds=1),
    max_delay=timedelta(minutes=5),
    forget_after=timedelta(hours=1),
)
T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failures", "free", "seconds"),
    [
        (0, 5, 0),
        (4, 5, 0),
        (5, 5, 1),
        (6, 5, 2),
        (7, 5, 4),
        (10, 5, 32),
        (13, 5, 256),
        (14, 5, 300),  # the cap, never the old 15 minutes
        (10_000, 5, 300),  # no overflow however long it goes on
        (19, 20, 0),
        (20, 20, 1),
        (22, 20, 4),
    ],
)
def test_delay_doubles_after_the_free_failures_up_to_the_cap(failures, free, seconds) -> None:
    assert signin.delay(failures, free, POLICY) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("failures", "last_failure", "now", "seconds"),
    [
        (0, None, T0, 0),  # never failed
        (4, T0, T0, 0),  # still free
        (5, T0, T0, 1),
        (5, T0, T0 + timedelta(milliseconds=400), 0.6),
        (5, T0, T0 + timedelta(seconds=1), 0),  # the wait is over exactly then
        (8, T0, T0 + timedelta(seconds=3), 5),
        (50, T0, T0 + timedelta(minutes=4), 60),
        (50, T0, T0 + timedelta(minutes=5), 0),
        (50, T0, T0 + timedelta(hours=2), 0),  # forgotten
        (6, T0, T0 - timedelta(seconds=1), 3),  # a clock a little behind still waits
    ],
)
def test_wait_left_at_now(failures, last_failure, now, seconds) -> None:
    expected = timedelta(seconds=seconds)
    assert signin.wait(failures, last_failure, now, 5, POLICY) == expected


def test_email_key_ignores_case_and_spaces_and_stores_no_address() -> None:
    key = signin.email_key("staff-login", " Ana@Test.Portal ")
    assert key == signin.email_key("staff-login", "ana@test.portal")
    assert "ana" not in key and len(key) <= 200
    assert key != signin.email_key("citizen-login", "ana@test.portal")
