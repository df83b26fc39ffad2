"""queue index: a region's requests in id order

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_requests_region_id", "requests", ["region_code", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_requests_region_id", table_name="requests")
