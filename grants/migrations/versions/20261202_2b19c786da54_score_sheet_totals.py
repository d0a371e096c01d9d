"""Score sheets keep their total, their social-priority points and whether they fail an
eliminatory criterion (the tallies read these instead of every score); filled from the scores.

Revision ID: 2b19c786da54
Revises: b96dbccf2fab
Create Date: 2026-12-02 13:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '2b19c786da54'
down_revision = 'b96dbccf2fab'
branch_labels = None
depends_on = None

# Each sheet's figures from its scores and its grid's criteria (locked since the first score).
FILL = """
UPDATE score_sheet SET
  total = (SELECT COALESCE(SUM(s.points), 0) FROM score s WHERE s.sheet_id = score_sheet.id),
  social_points = (SELECT COALESCE(SUM(s.points), 0) FROM score s
                   JOIN criterion c ON c.id = s.criterion_id
                   WHERE s.sheet_id = score_sheet.id AND c.social_priority),
  eliminatory_failed = EXISTS (SELECT 1 FROM score s JOIN criterion c ON c.id = s.criterion_id
                               WHERE s.sheet_id = score_sheet.id AND c.eliminatory
                                 AND s.points = 0)
"""


def upgrade():
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.add_column(sa.Column('total', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('social_points', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('eliminatory_failed', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    op.execute(FILL)


def downgrade():
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.drop_column('eliminatory_failed')
        batch_op.drop_column('social_points')
        batch_op.drop_column('total')
