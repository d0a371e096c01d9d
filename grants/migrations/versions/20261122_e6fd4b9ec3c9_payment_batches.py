"""Mobile-money payment batches and their lines.

Revision ID: e6fd4b9ec3c9
Revises: 7390fc882f91
Create Date: 2026-11-22 22:10:34.029617

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e6fd4b9ec3c9'
down_revision = '7390fc882f91'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('operator', sa.Enum('orange_money', 'moov_money', 'bank', 'cheque', 'supplier', 'cash', name='channel', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('prepared', 'approved', 'completed', name='batchstatus', native_enum=False, length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('approved_by_id IS NULL OR approved_by_id <> created_by_id', name=op.f('ck_payment_batch_approver_is_not_maker')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_payment_batch_approved_by_id_user_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_payment_batch_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_batch')),
    sa.UniqueConstraint('reference', name=op.f('uq_payment_batch_reference'))
    )
    op.create_table('batch_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('tranche_id', sa.Integer(), nullable=False),
    sa.Column('msisdn', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=170), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=30), nullable=False),
    sa.Column('result', sa.Enum('pending', 'paid', 'failed', name='lineresult', native_enum=False, length=12), nullable=False),
    sa.Column('operator_reference', sa.String(length=80), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_batch_line_amount_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batch.id'], name=op.f('fk_batch_line_batch_id_payment_batch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_batch_line_payment_id_payment')),
    sa.ForeignKeyConstraint(['tranche_id'], ['tranche.id'], name=op.f('fk_batch_line_tranche_id_tranche')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_line')),
    sa.UniqueConstraint('batch_id', 'tranche_id', name=op.f('uq_batch_line_batch_id_tranche_id'))
    )
    with op.batch_alter_table('batch_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_line_tranche_id'), ['tranche_id'], unique=False)



def downgrade():
    with op.batch_alter_table('batch_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_line_tranche_id'))

    op.drop_table('batch_line')
    op.drop_table('payment_batch')
