"""staff languages: the languages a staff member answers in, so requests in those languages
reach them first (team routing, the queue's "my languages" filter)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch_op:
        batch_op.add_column(
            sa.Column("languages", sa.String(40), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch_op:
        batch_op.drop_column("languages")
