"""case links: requests linked to applications, and addresses following an application's
status (issue 15, items 5 and 6)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk.core.db import UTCDateTime

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_cases",
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey(
                "requests.id", name="fk_request_cases_request_id_requests", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", name="fk_request_cases_case_id_cases", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "linked_by",
            sa.Integer(),
            sa.ForeignKey("staff_accounts.id", name="fk_request_cases_linked_by_staff_accounts"),
            nullable=True,
        ),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_id", "case_id", name="pk_request_cases"),
    )
    op.create_index("ix_request_cases_case_id", "request_cases", ["case_id"])
    op.create_table(
        "case_followers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", name="fk_case_followers_case_id_cases", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("locale", sa.String(5), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_followers"),
        sa.UniqueConstraint("case_id", "email", name="uq_case_followers_case_email"),
    )


def downgrade() -> None:
    op.drop_table("case_followers")
    op.drop_index("ix_request_cases_case_id", table_name="request_cases")
    op.drop_table("request_cases")
