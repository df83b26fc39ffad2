"""Imports every domain's models so Base.metadata is complete (for Alembic and tests)."""

from helpdesk.accounts import models as accounts_models
from helpdesk.appointments import models as appointments_models
from helpdesk.audit import models as audit_models
from helpdesk.calendar import models as calendar_models
from helpdesk.calendar import snapshot as calendar_snapshot
from helpdesk.cases import models as cases_models
from helpdesk.core.db import Base
from helpdesk.notifications import models as notifications_models
from helpdesk.people import models as people_models
from helpdesk.reference import models as reference_models
from helpdesk.tickets import file_storage as tickets_file_storage
from helpdesk.tickets import folios as tickets_folios
from helpdesk.tickets import models as tickets_models
from helpdesk.tickets.answers import models as tickets_answers_models
from helpdesk.tickets.lifecycle import models as tickets_lifecycle_models
from knowledge_base import models as knowledge_base_models

metadata = Base.metadata
__all__ = [
    "accounts_models",
    "appointments_models",
    "audit_models",
    "calendar_models",
    "calendar_snapshot",
    "cases_models",
    "knowledge_base_models",
    "metadata",
    "notifications_models",
    "people_models",
    "reference_models",
    "tickets_answers_models",
    "tickets_file_storage",
    "tickets_folios",
    "tickets_lifecycle_models",
    "tickets_models",
]
