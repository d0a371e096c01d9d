"""Staff reminders (issue 14): each staff member's daily digest choice and quiet hours; the
outbox also carries a staff member's digest SMS (to a user instead of a returnee).

Revision ID: 5f2a9c8d1e34
Revises: d7a3b9e5c1f4
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '5f2a9c8d1e34'
down_revision = 'd7a3b9e5c1f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.Enum('none', 'sms', 'email', name='digestchannel', native_enum=False, length=8), nullable=False),
    sa.Column('quiet_start', sa.SmallInteger(), nullable=True),
    sa.Column('quiet_end', sa.SmallInteger(), nullable=True),
    sa.Column('last_digest_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('quiet_start BETWEEN 0 AND 23 AND quiet_end BETWEEN 0 AND 23', name=op.f('ck_reminder_preference_quiet_hours')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_reminder_preference_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_reminder_preference'))
    )
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.alter_column('beneficiary_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_outbound_message_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbound_message_user_id_user_account'), 'user_account', ['user_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint('has_recipient', 'beneficiary_id IS NOT NULL OR user_id IS NOT NULL')


def downgrade():
    op.execute("DELETE FROM outbound_message WHERE beneficiary_id IS NULL")
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbound_message_has_recipient'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_outbound_message_user_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbound_message_user_id'))
        batch_op.alter_column('beneficiary_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('user_id')
    op.drop_table('reminder_preference')
