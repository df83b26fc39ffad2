"""queue language: a region's requests and all requests by language in id order, so the
queue's language filter reads only the rows it shows (a rare language walked about a
thousand of a region's ids for one page)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_requests_locale_region_id", "requests", ["locale", "region_code", "id"])
    op.create_index("ix_requests_locale_id", "requests", ["locale", "id"])


def downgrade() -> None:
    op.drop_index("ix_requests_locale_id", table_name="requests")
    op.drop_index("ix_requests_locale_region_id", table_name="requests")
