"""appointments: the trámites each office attends by appointment, each time's seats
(counted in the booking's transaction, so capacity holds under any race) and the people
booked, one active appointment per person and trámite (issue 16)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk.core.db import UTCDateTime

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _office(table: str) -> sa.Column:
    return sa.Column(
        "office_id",
        sa.Integer(),
        sa.ForeignKey("offices.id", name=f"fk_{table}_office_id_offices", ondelete="CASCADE"),
        nullable=False,
    )


def _tramite(table: str) -> sa.Column:
    return sa.Column(
        "tramite_code",
        sa.String(60),
        sa.ForeignKey(
            "tramites.code", name=f"fk_{table}_tramite_code_tramites", ondelete="CASCADE"
        ),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "appointment_services",
        sa.Column("id", sa.Integer(), primary_key=True),
        _office("appointment_services"),
        _tramite("appointment_services"),
        sa.Column("duration_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("counters", sa.SmallInteger(), nullable=False),
        sa.Column("priority_seats", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_appointment_services"),
        sa.UniqueConstraint("office_id", "tramite_code", name="uq_appointment_services"),
    )
    op.create_table(
        "appointment_slots",
        sa.Column("id", sa.Integer(), primary_key=True),
        _office("appointment_slots"),
        _tramite("appointment_slots"),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.SmallInteger(), nullable=False),
        sa.Column("priority_seats", sa.SmallInteger(), nullable=False),
        sa.Column("booked", sa.SmallInteger(), nullable=False),
        sa.Column("general_booked", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_appointment_slots"),
        sa.UniqueConstraint("office_id", "tramite_code", "starts_at", name="uq_appointment_slots"),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "office_id",
            sa.Integer(),
            sa.ForeignKey("offices.id", name="fk_appointments_office_id_offices"),
            nullable=False,
        ),
        sa.Column(
            "tramite_code",
            sa.String(60),
            sa.ForeignKey("tramites.code", name="fk_appointments_tramite_code_tramites"),
            nullable=False,
        ),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column(
            "person_id",
            sa.Integer(),
            sa.ForeignKey("people.id", name="fk_appointments_person_id_people"),
            nullable=True,
        ),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("locale", sa.String(5), nullable=False),
        sa.Column("priority_group", sa.String(20), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("access_digest", sa.String(64), nullable=False),
        sa.Column("reminder_sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_appointments"),
    )
    active = sa.text("status = 'booked'")
    op.create_index(
        "uq_appointments_active",
        "appointments",
        ["email", "tramite_code"],
        unique=True,
        sqlite_where=active,
        postgresql_where=active,
    )
    op.create_index("ix_appointments_office_day", "appointments", ["office_id", "local_day"])
    op.create_index("ix_appointments_reminder", "appointments", ["status", "starts_at"])
    op.create_index("ix_appointments_person_id", "appointments", ["person_id"])


def downgrade() -> None:
    op.drop_table("appointments")
    op.drop_table("appointment_slots")
    op.drop_table("appointment_services")
