"""request intake and the reference generation

Routing and the automatic answer of a new request move to the worker (``intake_pending``);
``reference_generation`` tells each process when its in-memory reference data is stale.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

import uuid
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

    generation = op.create_table(
        "reference_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_generation")),
    )
    # Random, not a counter: a database created again never repeats a value a running
    # process may still hold.
    op.bulk_insert(generation, [{"id": 1, "value": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("reference_generation")
    op.drop_index("ix_requests_intake_pending", table_name="requests")
    # Plain DROP COLUMN on both engines (SQLite 3.35+): a batch copy would lose the triggers.
    op.execute("ALTER TABLE requests DROP COLUMN intake_pending")
