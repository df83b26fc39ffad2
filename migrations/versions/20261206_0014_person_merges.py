"""person merges: what each merge moved and changed, so that a supervisor can undo it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk.core.db import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_merges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("duplicate_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("kept_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("merged_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("merged_by", sa.Integer(), nullable=True),
        sa.Column("override_reason", sa.String(500), nullable=True),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("kept_changes", sa.JSON(), nullable=False),
        sa.Column("duplicate_changes", sa.JSON(), nullable=False),
        sa.Column("undone_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
    )
    op.create_index("ix_person_merges_duplicate_id", "person_merges", ["duplicate_id"])
    op.create_index("ix_person_merges_kept_id", "person_merges", ["kept_id"])


def downgrade() -> None:
    op.drop_index("ix_person_merges_kept_id", table_name="person_merges")
    op.drop_index("ix_person_merges_duplicate_id", table_name="person_merges")
    op.drop_table("person_merges")
