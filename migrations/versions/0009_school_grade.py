"""the grade (lớp N) and its school system, kept when a spreadsheet writes "9/12" or "Lớp 6"

Revision ID: 0009_school_grade
Revises: 0008_household_circumstance
Create Date: 2026-12-08 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_school_grade"
down_revision: str | None = "0008_household_circumstance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("school_grade", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("school_system", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("school_system")
        batch_op.drop_column("school_grade")
