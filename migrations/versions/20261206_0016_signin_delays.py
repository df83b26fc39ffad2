"""signin delays: sign-in failures are counted per email and address in rate_counters, with
growing delays instead of a lock, so the accounts' lock columns go

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk.core.db import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("staff_accounts", "citizen_accounts")


def upgrade() -> None:
    # SQLite (3.35+) drops a plain column in place: no copy of tables others point at.
    for table in TABLES:
        with op.batch_alter_table(table, recreate="never") as batch:
            batch.drop_column("locked_until")
            batch.drop_column("failed_logins")


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, recreate="never") as batch:
            batch.add_column(
                sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
            )
            batch.add_column(sa.Column("locked_until", UTCDateTime(timezone=True), nullable=True))
