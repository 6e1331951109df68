"""commune outbox: bundle sending state

Revision ID: 0005_outbox
Revises: 0004_fund
Create Date: 2026-11-25 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_outbox"
down_revision: str | None = "0004_fund"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Bundles written before this release enter the outbox too: those already
    # confirmed by a USB receipt count as received (confirmed_at), the rest are pending.
    with op.batch_alter_table("sync_export", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("send_state", sa.String(length=12), server_default="pending", nullable=False)
        )
        batch_op.add_column(
            sa.Column("send_attempts", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_attempt_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("hub_status", sa.String(length=20), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_export", schema=None) as batch_op:
        batch_op.drop_column("hub_status")
        batch_op.drop_column("last_error")
        batch_op.drop_column("last_attempt_at")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("send_attempts")
        batch_op.drop_column("send_state")
