"""pending person links: requests a regional agent opened for an email whose record lies
outside their region, held for an analyst to link (issue 13)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk.core.db import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_person_links",
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("requests.id"), primary_key=True),
        sa.Column("candidate_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_pending_person_links_candidate_id", "pending_person_links", ["candidate_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_pending_person_links_candidate_id", table_name="pending_person_links")
    op.drop_table("pending_person_links")
