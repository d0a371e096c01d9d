"""Indexes for the figures' funnel and map, drawn cold at national size: the submitted
dossiers by region and status (partial, covering), the moves of dossiers to a status.

Revision ID: 5c0a1d7e9f21
Revises: 2b19c786da54
Create Date: 2026-12-02 13:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c0a1d7e9f21'
down_revision = '2b19c786da54'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index('ix_application_submitted_region_status',
                              ['region_id', 'status', 'id'], unique=False,
                              postgresql_where=sa.text('submitted_at IS NOT NULL'),
                              sqlite_where=sa.text('submitted_at IS NOT NULL'))
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.create_index('ix_application_event_to_status_application_id',
                              ['to_status', 'application_id'], unique=False)


def downgrade():
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.drop_index('ix_application_event_to_status_application_id')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index('ix_application_submitted_region_status')
