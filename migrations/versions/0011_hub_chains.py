"""hub: chains keyed by (commune, key chain, installation); key hand-over

Revision ID: 0011_hub_chains
Revises: 0010_person_unit
Create Date: 2026-12-07 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_hub_chains"
down_revision: str | None = "0010_person_unit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A pinned key belongs to a chain (its own key id, or the key it took over from);
    # every ledger row records the chain it was applied in. Rows written before this
    # release belong to the chain of the key that signed them.
    with op.batch_alter_table("sync_pinned_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("chain_key_id", sa.String(length=32), server_default="", nullable=False)
        )
    with op.batch_alter_table("sync_ledger", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("chain_key_id", sa.String(length=32), server_default="", nullable=False)
        )
    op.execute("UPDATE sync_pinned_key SET chain_key_id = key_id WHERE chain_key_id = ''")
    op.execute("UPDATE sync_ledger SET chain_key_id = key_id WHERE chain_key_id = ''")
    with op.batch_alter_table("sync_ledger", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sync_ledger_installation_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_sync_ledger_commune_code"),
            ["commune_code", "chain_key_id", "installation_id", "seq"],
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_ledger", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sync_ledger_commune_code", type_="unique")
        batch_op.create_unique_constraint(
            "uq_sync_ledger_installation_id", ["installation_id", "seq"]
        )
        batch_op.drop_column("chain_key_id")
    with op.batch_alter_table("sync_pinned_key", schema=None) as batch_op:
        batch_op.drop_column("chain_key_id")
