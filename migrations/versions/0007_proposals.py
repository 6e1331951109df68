"""hamlet proposal step of the yearly cycle

Revision ID: 0007_proposals
Revises: 0006_activities
Create Date: 2026-11-25 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_proposals"
down_revision: str | None = "0006_activities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("proposed_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("proposal_number", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("proposal_number")
        batch_op.drop_column("proposed_by")
        batch_op.drop_column("proposed_on")
