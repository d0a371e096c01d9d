"""Issued versions of the donor and CNRM indicator report and their files (xlsx, PDF, CSV)
with each file's SHA-256; both tables append-only, like the ledger.

Revision ID: 9e4c2b7a1d53
Revises: 3c6a1f0d9b21
Create Date: 2026-12-02 02:00:00

"""
import sqlalchemy as sa
from alembic import op

from grants.database import append_only_ddl, drop_append_only_ddl

revision = '9e4c2b7a1d53'
down_revision = '3c6a1f0d9b21'
branch_labels = None
depends_on = None

TABLES = ('indicator_report', 'indicator_report_file')


def upgrade():
    op.create_table(
        'indicator_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=True),
        sa.Column('period_end', sa.Date(), nullable=True),
        sa.Column('envelope_id', sa.Integer(), nullable=True),
        sa.Column('call_id', sa.Integer(), nullable=True),
        sa.Column('region_id', sa.Integer(), nullable=True),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['call_id'], ['call.id'],
                                name=op.f('fk_indicator_report_call_id_call')),
        sa.ForeignKeyConstraint(['envelope_id'], ['budget_envelope.id'],
                                name=op.f('fk_indicator_report_envelope_id_budget_envelope')),
        sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'],
                                name=op.f('fk_indicator_report_issued_by_id_user_account')),
        sa.ForeignKeyConstraint(['region_id'], ['region.id'],
                                name=op.f('fk_indicator_report_region_id_region')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_report')),
        sa.UniqueConstraint('version', name=op.f('uq_indicator_report_version')),
    )
    with op.batch_alter_table('indicator_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_report_issued_at'), ['issued_at'],
                              unique=False)
    op.create_table(
        'indicator_report_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('format', sa.String(length=8), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['indicator_report.id'],
                                name=op.f('fk_indicator_report_file_report_id_indicator_report')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_report_file')),
        sa.UniqueConstraint('report_id', 'format',
                            name=op.f('uq_indicator_report_file_report_id_format')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_indicator_report_file_stored_name')),
    )
    with op.batch_alter_table('indicator_report_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_report_file_report_id'), ['report_id'],
                              unique=False)
    for table in TABLES:
        for statement in append_only_ddl(op.get_bind().dialect.name, table):
            op.execute(statement)


def downgrade():
    for table in TABLES:
        for statement in drop_append_only_ddl(op.get_bind().dialect.name, table):
            op.execute(statement)
    with op.batch_alter_table('indicator_report_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_report_file_report_id'))
    op.drop_table('indicator_report_file')
    with op.batch_alter_table('indicator_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_report_issued_at'))
    op.drop_table('indicator_report')
