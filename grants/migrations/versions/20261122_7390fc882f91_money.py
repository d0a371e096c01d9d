"""Money: envelope accounting, grant agreements, tranches, payments, the append-only ledger and
idempotency keys.

Revision ID: 7390fc882f91
Revises: 7dfce616e0ba
Create Date: 2026-11-22 21:11:56.419002

"""
import uuid

import sqlalchemy as sa
from alembic import op

from grants.database import append_only_ddl, drop_append_only_ddl

# revision identifiers, used by Alembic.
revision = '7390fc882f91'
down_revision = '7dfce616e0ba'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('money_action',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_money_action_actor_id_user_account')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_money_action'))
    )
    op.create_table('grant_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('envelope_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('disbursed', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('status', sa.Enum('draft', 'signed', 'cancelled', name='grantstatus', native_enum=False, length=16), nullable=False),
    sa.Column('channel', sa.Enum('orange_money', 'moov_money', 'bank', 'cheque', 'supplier', 'cash', name='channel', native_enum=False, length=16), nullable=False),
    sa.Column('account', sa.String(length=80), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=300), nullable=True),
    sa.CheckConstraint('0 <= disbursed AND disbursed <= amount', name=op.f('ck_grant_agreement_disbursed_within')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_grant_agreement_amount_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_grant_agreement_application_id_application')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_grant_agreement_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['envelope_id'], ['budget_envelope.id'], name=op.f('fk_grant_agreement_envelope_id_budget_envelope')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user_account.id'], name=op.f('fk_grant_agreement_signed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_agreement')),
    sa.UniqueConstraint('application_id', name=op.f('uq_grant_agreement_application_id')),
    sa.UniqueConstraint('number', name=op.f('uq_grant_agreement_number'))
    )
    with op.batch_alter_table('grant_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_agreement_envelope_id'), ['envelope_id'], unique=False)

    op.create_table('tranche',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('condition', sa.Enum('signature', 'favourable_visit', 'previous_paid', name='tranchecondition', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('planned', 'eligible', 'ordered', 'paid', 'cancelled', name='tranchestatus', native_enum=False, length=16), nullable=False),
    sa.Column('order_number', sa.String(length=30), nullable=True),
    sa.Column('ordered_by_id', sa.Integer(), nullable=True),
    sa.Column('ordered_at', sa.DateTime(), nullable=True),
    sa.Column('channel', sa.Enum('orange_money', 'moov_money', 'bank', 'cheque', 'supplier', 'cash', name='channel', native_enum=False, length=16), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_tranche_amount_positive')),
    sa.ForeignKeyConstraint(['grant_id'], ['grant_agreement.id'], name=op.f('fk_tranche_grant_id_grant_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ordered_by_id'], ['user_account.id'], name=op.f('fk_tranche_ordered_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tranche')),
    sa.UniqueConstraint('grant_id', 'seq', name=op.f('uq_tranche_grant_id_seq')),
    sa.UniqueConstraint('order_number', name=op.f('uq_tranche_order_number'))
    )
    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tranche_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('payment', 'reversal', name='paymentkind', native_enum=False, length=12), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('maker_id', sa.Integer(), nullable=False),
    sa.Column('checker_id', sa.Integer(), nullable=False),
    sa.Column('reverses_payment_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('orange_money', 'moov_money', 'bank', 'cheque', 'supplier', 'cash', name='channel', native_enum=False, length=16), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payment_amount_positive')),
    sa.CheckConstraint('maker_id <> checker_id', name=op.f('ck_payment_maker_is_not_checker')),
    sa.ForeignKeyConstraint(['checker_id'], ['user_account.id'], name=op.f('fk_payment_checker_id_user_account')),
    sa.ForeignKeyConstraint(['maker_id'], ['user_account.id'], name=op.f('fk_payment_maker_id_user_account')),
    sa.ForeignKeyConstraint(['reverses_payment_id'], ['payment.id'], name=op.f('fk_payment_reverses_payment_id_payment')),
    sa.ForeignKeyConstraint(['tranche_id'], ['tranche.id'], name=op.f('fk_payment_tranche_id_tranche')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payment_idempotency_key')),
    sa.UniqueConstraint('reverses_payment_id', name=op.f('uq_payment_reverses_payment_id'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_tranche_id'), ['tranche_id'], unique=False)

    op.create_table('ledger_entry',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('operation', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('envelope_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('account', sa.Enum('appropriation', 'available', 'committed', 'spent', 'advances', 'treasury', name='account', native_enum=False, length=16), nullable=False),
    sa.Column('side', sa.String(length=1), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("side IN ('D', 'C')", name=op.f('ck_ledger_entry_side')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_ledger_entry_amount_positive')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_ledger_entry_actor_id_user_account')),
    sa.ForeignKeyConstraint(['envelope_id'], ['budget_envelope.id'], name=op.f('fk_ledger_entry_envelope_id_budget_envelope')),
    sa.ForeignKeyConstraint(['grant_id'], ['grant_agreement.id'], name=op.f('fk_ledger_entry_grant_id_grant_agreement')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_ledger_entry_payment_id_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entry'))
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entry_envelope_id'), ['envelope_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_operation'), ['operation'], unique=False)

    with op.batch_alter_table('budget_envelope', schema=None) as batch_op:
        batch_op.add_column(sa.Column('committed', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('disbursed', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_budget_envelope_within_total"),
            "0 <= disbursed AND disbursed <= committed AND committed <= total")

    # Envelopes that exist already get their appropriation in the ledger.
    bind = op.get_bind()
    ledger = sa.table("ledger_entry", *(sa.column(n) for n in (
        "operation", "kind", "envelope_id", "account", "side", "amount", "created_at")))
    now = sa.func.current_timestamp()
    for envelope_id, total in bind.execute(sa.text("SELECT id, total FROM budget_envelope")):
        operation = str(uuid.uuid4())
        for account, side in (("available", "D"), ("appropriation", "C")):
            op.execute(ledger.insert().values(operation=operation, kind="appropriation",
                                              envelope_id=envelope_id, account=account,
                                              side=side, amount=total, created_at=now))
    for table in ("payment", "ledger_entry"):
        for statement in append_only_ddl(bind.dialect.name, table):
            op.execute(statement)



def downgrade():
    for table in ("payment", "ledger_entry"):
        for statement in drop_append_only_ddl(op.get_bind().dialect.name, table):
            op.execute(statement)
    with op.batch_alter_table('budget_envelope', schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_budget_envelope_within_total"), type_="check")
        batch_op.drop_column('closed_at')
        batch_op.drop_column('disbursed')
        batch_op.drop_column('committed')

    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entry_operation'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_grant_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_envelope_id'))

    op.drop_table('ledger_entry')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_tranche_id'))

    op.drop_table('payment')
    op.drop_table('tranche')
    with op.batch_alter_table('grant_agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_agreement_envelope_id'))

    op.drop_table('grant_agreement')
    op.drop_table('money_action')
