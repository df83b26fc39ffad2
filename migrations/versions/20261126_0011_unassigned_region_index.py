"""a region's unassigned open requests in id order: a partial index

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONDITION = (
    "assignee_id IS NULL AND status IN ('nuevo', 'abierto', 'en_espera_ciudadano', 'reabierto')"
)


def upgrade() -> None:
    op.create_index(
        "ix_requests_unassigned_region",
        "requests",
        ["region_code", "id"],
        sqlite_where=sa.text(CONDITION),
        postgresql_where=sa.text(CONDITION),
    )


def downgrade() -> None:
    op.drop_index("ix_requests_unassigned_region", table_name="requests")
