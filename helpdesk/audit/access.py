"""Who reads which audit log: a rule per role, tested by a table
(tests/helpdesk/audit/test_access.py).

- Anyone who can see a request or a person record (agents within their region, analysts,
  supervisors, admins) reads that record's history, in words: it is the record's own story,
  and the person asking about it is often the one answering the request.
- The whole log (every record, accounts, teams, settings, the knowledge base's editorial
  steps) and the address each change came from are for supervisors and admins, who answer
  for the service's conduct; the IP address is personal data the others do not need.
- Knowledge-base editors see neither requests nor persons, so no history of them.

A record outside the viewer's region answers exactly like one that does not exist (404):
the log reveals nothing about what the viewer may not see.
"""

from __future__ import annotations

from typing import Final

from helpdesk.accounts.permissions import PEOPLE_ROLES, Viewer

FULL_LOG_ROLES: Final = frozenset({"supervisor", "admin"})
RECORD_LOG_ROLES: Final = PEOPLE_ROLES


def may_read_full_log(viewer: Viewer) -> bool:
    return viewer.is_staff and viewer.role in FULL_LOG_ROLES


def may_read_record_log(viewer: Viewer) -> bool:
    return viewer.is_staff and viewer.role in RECORD_LOG_ROLES


def shows_addresses(viewer: Viewer) -> bool:
    """The IP address each change came from."""
    return may_read_full_log(viewer)
