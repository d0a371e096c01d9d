"""Messages to returnees: contact preferences, message templates and the outbox (issue 14).

Revision ID: a166eda7ebe7
Revises: 9e4c2b7a1d53
Create Date: 2026-12-02 01:31:50.266149

"""
import sqlalchemy as sa
from alembic import op

revision = 'a166eda7ebe7'
down_revision = '9e4c2b7a1d53'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event', sa.Enum('registered', 'submitted', 'incomplete', 'eligible', 'ineligible', 'selected', 'waitlisted', 'not_selected', 'agreement_ready', 'tranche_paid', 'visit_result', name='messageevent', native_enum=False, length=24), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('body', sa.String(length=480), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_message_template_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_template')),
    sa.UniqueConstraint('event', 'language', name=op.f('uq_message_template_event_language'))
    )
    op.create_table('contact_preference',
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('channel', sa.Enum('sms', 'call', name='contactchannel', native_enum=False, length=8), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_contact_preference_beneficiary_id_beneficiary'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('beneficiary_id', name=op.f('pk_contact_preference'))
    )
    op.create_table('outbound_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=120), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('event', sa.Enum('registered', 'submitted', 'incomplete', 'eligible', 'ineligible', 'selected', 'waitlisted', 'not_selected', 'agreement_ready', 'tranche_paid', 'visit_result', name='messageevent', native_enum=False, length=24), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('channel', sa.Enum('sms', 'call', name='contactchannel', native_enum=False, length=8), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'sent', 'delivered', 'failed', 'cancelled', name='messagestate', native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('gateway_id', sa.String(length=100), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('called_by_id', sa.Integer(), nullable=True),
    sa.Column('called_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_outbound_message_application_id_application')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_outbound_message_beneficiary_id_beneficiary'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['called_by_id'], ['user_account.id'], name=op.f('fk_outbound_message_called_by_id_user_account')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_outbound_message_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_message')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbound_message_idempotency_key'))
    )
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbound_message_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_message_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_message_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_message_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_message_state'), ['state'], unique=False)



def downgrade():
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_message_state'))
        batch_op.drop_index(batch_op.f('ix_outbound_message_region_id'))
        batch_op.drop_index(batch_op.f('ix_outbound_message_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_outbound_message_created_at'))
        batch_op.drop_index(batch_op.f('ix_outbound_message_beneficiary_id'))
        batch_op.drop_index(batch_op.f('ix_outbound_message_application_id'))

    op.drop_table('outbound_message')
    op.drop_table('contact_preference')
    op.drop_table('message_template')
