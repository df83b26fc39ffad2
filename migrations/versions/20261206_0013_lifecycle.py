"""deadline rules in días hábiles or corridos with one extension; the requests' prórroga,
warning of abandonment and lifecycle events

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk.core.db import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kind_deadlines") as batch:
        batch.add_column(sa.Column("unit", sa.String(10), nullable=False, server_default="habiles"))
        batch.add_column(sa.Column("extension_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("extension_days", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("abandonment_warned_at", UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "request_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("actor_kind", sa.String(10), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_request_events_request_id", "request_events", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_request_events_request_id", table_name="request_events")
    op.drop_table("request_events")
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("abandonment_warned_at")
        batch.drop_column("extension_days")
    with op.batch_alter_table("kind_deadlines") as batch:
        batch.drop_column("extension_days")
        batch.drop_column("unit")
