"""the issuing body of a recognition decision (UBND xã or Hội Khuyến học xã)

Revision ID: 0013_decision_issuer
Revises: 0012_accounts_audit
Create Date: 2026-12-08 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_decision_issuer"
down_revision: str | None = "0012_accounts_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "" for the decisions made before: they are printed with their model's body setting.
    with op.batch_alter_table("recognition_decision", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("issuer", sa.String(length=20), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("recognition_decision", schema=None) as batch_op:
        batch_op.drop_column("issuer")
