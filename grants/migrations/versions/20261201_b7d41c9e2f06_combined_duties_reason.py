"""Why an account holds both the finance officer and the accountant roles.

Revision ID: b7d41c9e2f06
Revises: b7d41c9e2f60
Create Date: 2026-11-23 01:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d41c9e2f06'
down_revision = 'b7d41c9e2f60'
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite >= 3.35 drops a column in place): a batch copy of
# user_account would cascade-delete its roles and sessions on SQLite.
def upgrade():
    op.add_column('user_account', sa.Column('combined_duties_reason', sa.String(length=500),
                                            nullable=True))


def downgrade():
    op.drop_column('user_account', 'combined_duties_reason')
