"""trámite names per language, the trámites an admin edited, offices' opening hours

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.core.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tramites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("edited_at", helpdesk.core.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "tramite_names",
        sa.Column("tramite_code", sa.String(length=60), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["tramite_code"],
            ["tramites.code"],
            name=op.f("fk_tramite_names_tramite_code_tramites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tramite_code", "locale", name=op.f("pk_tramite_names")),
    )
    op.create_table(
        "office_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_office_hours_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_hours")),
    )
    with op.batch_alter_table("office_hours", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_office_hours_office_id"), ["office_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("office_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_hours_office_id"))
    op.drop_table("office_hours")
    op.drop_table("tramite_names")
    with op.batch_alter_table("tramites", schema=None) as batch_op:
        batch_op.drop_column("edited_at")
