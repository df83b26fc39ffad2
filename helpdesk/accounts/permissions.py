"""Who may do what. Pure functions over a Viewer, called by the service layer."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.core.errors import PermissionDenied

ALL_REGIONS_ROLES = frozenset({"central_analyst", "supervisor", "admin"})
PEOPLE_ROLES = ALL_REGIONS_ROLES | {"regional_agent"}


@dataclass(frozen=True)
class Viewer:
    kind: str  # staff | citizen
    id: int
    name: str
    role: str | None = None  # staff only
    region_code: str | None = None  # regional agents: the region of their office
    person_id: int | None = None  # citizens only

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


def require_staff(viewer: Viewer | None, *roles: str) -> Viewer:
    if viewer is None or not viewer.is_staff:
        raise PermissionDenied("staff only")
    if roles and viewer.role not in roles:
        raise PermissionDenied(f"role {viewer.role} may not do this")
    return viewer


def require_citizen(viewer: Viewer | None) -> Viewer:
    if viewer is None or viewer.kind != "citizen" or viewer.person_id is None:
        raise PermissionDenied("citizens only")
    return viewer


def region_scope(viewer: Viewer) -> str | None:
    """The region a staff member is limited to, or None for every region."""
    require_staff(viewer, *PEOPLE_ROLES)
    if viewer.role == "regional_agent":
        if not viewer.region_code:
            raise PermissionDenied("regional agent without an office")
        return viewer.region_code
    return None


def check_person_access(viewer: Viewer, person_id: int, person_region: str | None) -> None:
    if viewer.kind == "citizen":
        if viewer.person_id != person_id:
            raise PermissionDenied("not your record")
        return
    scope = region_scope(viewer)
    if scope is not None and person_region != scope:
        raise PermissionDenied("outside your region")


def can_manage_staff(viewer: Viewer) -> bool:
    return viewer.is_staff and viewer.role == "admin"


def can_read_audit(viewer: Viewer) -> bool:
    return viewer.is_staff and viewer.role in ("supervisor", "admin")
