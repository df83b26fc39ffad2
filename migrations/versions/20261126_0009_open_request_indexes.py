"""open-request indexes: the due views walk partial indexes; "mine" in id order

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_CONDITION = "status IN ('nuevo', 'abierto', 'en_espera_ciudadano', 'reabierto')"


def upgrade() -> None:
    where = {"sqlite_where": sa.text(OPEN_CONDITION), "postgresql_where": sa.text(OPEN_CONDITION)}
    op.create_index("ix_requests_open_due", "requests", ["legal_due_on", "id"], **where)
    op.create_index(
        "ix_requests_open_region_due", "requests", ["region_code", "legal_due_on", "id"], **where
    )
    op.create_index("ix_requests_assignee_id", "requests", ["assignee_id", "id"])
    # Superseded by the indexes above; one index fewer to write on every new request.
    op.drop_index("ix_requests_status_legal_due", table_name="requests")
    op.drop_index("ix_requests_assignee_status", table_name="requests")


def downgrade() -> None:
    op.create_index("ix_requests_assignee_status", "requests", ["assignee_id", "status"])
    op.create_index("ix_requests_status_legal_due", "requests", ["status", "legal_due_on"])
    op.drop_index("ix_requests_assignee_id", table_name="requests")
    op.drop_index("ix_requests_open_region_due", table_name="requests")
    op.drop_index("ix_requests_open_due", table_name="requests")
