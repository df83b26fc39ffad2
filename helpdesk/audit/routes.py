"""The audit log, for supervisors and admins."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.accounts.permissions import can_read_audit
from helpdesk.audit.models import AuditEvent
from helpdesk.core.errors import PermissionDenied
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db

PAGE_SIZE = 100


async def audit_log(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    if not can_read_audit(viewer):
        raise PermissionDenied("audit log")
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
    before = request.query_params.get("antes")
    if before and before.isdigit():
        stmt = stmt.where(AuditEvent.id < int(before))
    entity = request.query_params.get("persona")
    if entity and entity.isdigit():
        stmt = stmt.where(AuditEvent.entity_type == "person", AuditEvent.entity_id == int(entity))
    events = list((await db(request).scalars(stmt)).all())
    return render(request, "audit/log.html", {"events": events, "me": viewer})


routes = [
    Route("/staff/auditoria", audit_log, name="audit_log"),
]
