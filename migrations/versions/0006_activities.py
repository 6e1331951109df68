"""fund programmes and association activities

Revision ID: 0006_activities
Revises: 0005_outbox
Create Date: 2026-11-25 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_activities"
down_revision: str | None = "0005_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sync_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    """The SyncMixin columns every syncable table carries."""
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('commune_code', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('change_seq', sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('fund_programme',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('school_year', sa.Integer(), nullable=False),
    sa.Column('criteria', sa.Text(), nullable=False),
    sa.Column('amount_per_recipient', sa.Integer(), nullable=True),
    sa.Column('level_amounts', sa.Text(), nullable=True),
    sa.Column('budget', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    *_sync_columns(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_programme')),
    sa.UniqueConstraint('uuid', name=op.f('uq_fund_programme_uuid'))
    )
    with op.batch_alter_table('fund_programme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_programme_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_programme_deleted'), ['deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_programme_school_year'), ['school_year'], unique=False)

    with op.batch_alter_table('fund_award', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('level', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('school_class', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_fund_award_programme_id'), ['programme_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_fund_award_programme_id_fund_programme'), 'fund_programme', ['programme_id'], ['id'])

    op.create_table('activity',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('hours', sa.Integer(), nullable=True),
    sa.Column('participants_count', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    *_sync_columns(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity')),
    sa.UniqueConstraint('uuid', name=op.f('uq_activity_uuid'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_deleted'), ['deleted'], unique=False)
        batch_op.create_index('ix_activity_kind_start', ['kind', 'start_date'], unique=False)

    op.create_table('activity_participant',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    *_sync_columns(),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_participant_activity_id_activity')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_activity_participant_member_id_member')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_activity_participant_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_participant')),
    sa.UniqueConstraint('uuid', name=op.f('uq_activity_participant_uuid'))
    )
    with op.batch_alter_table('activity_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_participant_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_participant_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_participant_deleted'), ['deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_participant_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_participant_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('activity_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_participant_person_id'))
        batch_op.drop_index(batch_op.f('ix_activity_participant_member_id'))
        batch_op.drop_index(batch_op.f('ix_activity_participant_deleted'))
        batch_op.drop_index(batch_op.f('ix_activity_participant_change_seq'))
        batch_op.drop_index(batch_op.f('ix_activity_participant_activity_id'))
    op.drop_table('activity_participant')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_kind_start')
        batch_op.drop_index(batch_op.f('ix_activity_deleted'))
        batch_op.drop_index(batch_op.f('ix_activity_change_seq'))
    op.drop_table('activity')
    with op.batch_alter_table('fund_award', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_fund_award_programme_id_fund_programme'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_fund_award_programme_id'))
        batch_op.drop_column('school_class')
        batch_op.drop_column('level')
        batch_op.drop_column('programme_id')
    with op.batch_alter_table('fund_programme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_programme_school_year'))
        batch_op.drop_index(batch_op.f('ix_fund_programme_deleted'))
        batch_op.drop_index(batch_op.f('ix_fund_programme_change_seq'))
    op.drop_table('fund_programme')
