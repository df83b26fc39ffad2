"""cases: the portal's copy of applications in the case system and their status history
(issue 15), imported in bulk and looked up by number or by document

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk.core.db import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("case_type", sa.String(40), nullable=False),
        sa.Column("subcategory", sa.String(10), nullable=True),
        sa.Column("document_type", sa.String(10), nullable=False),
        sa.Column("document_number", sa.String(40), nullable=False),
        sa.Column("document_country", sa.String(2), nullable=False),
        sa.Column(
            "region_code",
            sa.String(2),
            sa.ForeignKey("regions.code", name="fk_cases_region_code_regions"),
            nullable=False,
        ),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("status_on", sa.Date(), nullable=False),
        sa.Column(
            "person_id",
            sa.Integer(),
            sa.ForeignKey("people.id", name="fk_cases_person_id_people"),
            nullable=True,
        ),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("number", name="uq_cases_number"),
    )
    op.create_index("ix_cases_document", "cases", ["document_type", "document_number"])
    op.create_index("ix_cases_person_id", "cases", ["person_id"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer(),
            sa.ForeignKey("cases.id", name="fk_case_events_case_id_cases", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("status_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("note_digest", sa.String(16), nullable=False),
        sa.Column(
            "imported_at",
            UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
        sa.UniqueConstraint(
            "case_id", "status", "status_on", "note_digest", name="uq_case_events_event"
        ),
    )


def downgrade() -> None:
    op.drop_table("case_events")
    op.drop_index("ix_cases_person_id", table_name="cases")
    op.drop_index("ix_cases_document", table_name="cases")
    op.drop_table("cases")
