"""Taking a tranche out of an open mobile-money batch is recorded on its line: who, when, why
(batch_line.removed_by_id, removed_at, removal_reason; the line's result becomes "removed").

Revision ID: 1352dd323e47
Revises: b7d41c9e2f06
Create Date: 2026-12-01 01:15:23.239312

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '1352dd323e47'
down_revision = 'b7d41c9e2f06'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('batch_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('removal_reason', sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_batch_line_removed_by_id_user_account'), 'user_account', ['removed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('batch_line', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_batch_line_removed_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('removal_reason')
        batch_op.drop_column('removed_at')
        batch_op.drop_column('removed_by_id')
