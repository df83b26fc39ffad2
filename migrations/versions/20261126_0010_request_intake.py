"""request intake: routing and the automatic answer move to the worker

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy of the table), so SQLite keeps the search triggers.
    op.add_column(
        "requests",
        sa.Column("intake_pending", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_requests_intake_pending",
        "requests",
        ["id"],
        sqlite_where=sa.text("intake_pending"),
        postgresql_where=sa.text("intake_pending"),
    )


def downgrade() -> None:
    op.drop_index("ix_requests_intake_pending", table_name="requests")
    # Plain DROP COLUMN on both engines (SQLite 3.35+): a batch copy would lose the triggers.
    op.execute("ALTER TABLE requests DROP COLUMN intake_pending")
