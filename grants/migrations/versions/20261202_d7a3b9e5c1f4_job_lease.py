"""A job's lease: the worker running it says it is alive (heartbeat_at); a job whose worker died
is taken again or failed (attempts).

Revision ID: d7a3b9e5c1f4
Revises: c4d8e1f2a7b3
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from grants.database import UTCDateTime

revision = 'd7a3b9e5c1f4'
down_revision = 'c4d8e1f2a7b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job') as batch:
        batch.add_column(sa.Column('heartbeat_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('job') as batch:
        batch.drop_column('attempts')
        batch.drop_column('heartbeat_at')
