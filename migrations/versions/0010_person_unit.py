"""person.unit_id: the learning unit (agency, school, enterprise) a person works in

Lets the TT 24/2023 and QĐ 448 section D unit criteria count the share of a unit's
members who are recognised learning citizens, and the targets report divide the
learning citizens among staff of learning units (QĐ 387, QĐ 677).

Revision ID: 0010_person_unit
Revises: 0009_school_grade
Create Date: 2026-12-07 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_person_unit"
down_revision: str | None = "0009_school_grade"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_person_unit_id"), ["unit_id"], unique=False)
        batch_op.create_foreign_key("fk_person_unit_id_unit", "unit", ["unit_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_constraint("fk_person_unit_id_unit", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_person_unit_id"))
        batch_op.drop_column("unit_id")
