"""Selection committees: grids, sessions, members, declarations, score sheets, minutes.

Revision ID: 7dfce616e0ba
Revises: d5e83f3c4861
Create Date: 2026-11-22 20:53:38.672990

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7dfce616e0ba'
down_revision = 'd5e83f3c4861'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('committee_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('meeting_on', sa.Date(), nullable=True),
    sa.Column('scoring_due_on', sa.Date(), nullable=True),
    sa.Column('quorum', sa.Integer(), nullable=False),
    sa.Column('spread_threshold', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('scoring', 'finalised', name='sessionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('chair_id', sa.Integer(), nullable=False),
    sa.Column('secretary_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finalised_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('quorum > 0', name=op.f('ck_committee_session_quorum')),
    sa.CheckConstraint('spread_threshold > 0', name=op.f('ck_committee_session_spread_threshold')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_committee_session_call_id_call')),
    sa.ForeignKeyConstraint(['chair_id'], ['user_account.id'], name=op.f('fk_committee_session_chair_id_user_account')),
    sa.ForeignKeyConstraint(['secretary_id'], ['user_account.id'], name=op.f('fk_committee_session_secretary_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_session')),
    sa.UniqueConstraint('reference', name=op.f('uq_committee_session_reference'))
    )
    with op.batch_alter_table('committee_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_session_call_id'), ['call_id'], unique=False)

    op.create_table('scoring_grid',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('locked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('pass_mark BETWEEN 0 AND 100', name=op.f('ck_scoring_grid_pass_mark')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_scoring_grid_call_id_call')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoring_grid')),
    sa.UniqueConstraint('call_id', name=op.f('uq_scoring_grid_call_id'))
    )
    op.create_table('criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('label_fr', sa.String(length=200), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=False),
    sa.Column('guidance', sa.Text(), nullable=True),
    sa.Column('max_points', sa.Integer(), nullable=False),
    sa.Column('eliminatory', sa.Boolean(), nullable=False),
    sa.Column('social_priority', sa.Boolean(), nullable=False),
    sa.CheckConstraint('max_points > 0', name=op.f('ck_criterion_max_points')),
    sa.ForeignKeyConstraint(['grid_id'], ['scoring_grid.id'], name=op.f('fk_criterion_grid_id_scoring_grid'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion')),
    sa.UniqueConstraint('grid_id', 'code', name=op.f('uq_criterion_grid_id_code'))
    )
    op.create_table('minutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('generated_by_id', sa.Integer(), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['generated_by_id'], ['user_account.id'], name=op.f('fk_minutes_generated_by_id_user_account')),
    sa.ForeignKeyConstraint(['session_id'], ['committee_session.id'], name=op.f('fk_minutes_session_id_committee_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes')),
    sa.UniqueConstraint('session_id', 'version', name=op.f('uq_minutes_session_id_version')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_minutes_stored_name'))
    )
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_session_id'), ['session_id'], unique=False)

    op.create_table('session_dossier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('granted_amount', sa.BigInteger(), nullable=True),
    sa.Column('amount_reason', sa.String(length=300), nullable=True),
    sa.Column('forced_decision', sa.Enum('selected', 'waitlisted', 'rejected', name='decision', native_enum=False, length=16), nullable=True),
    sa.Column('justification', sa.Text(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('decision', sa.Enum('selected', 'waitlisted', 'rejected', name='decision', native_enum=False, length=16), nullable=True),
    sa.Column('decision_reason', sa.String(length=300), nullable=True),
    sa.CheckConstraint('granted_amount IS NULL OR granted_amount > 0', name=op.f('ck_session_dossier_granted_amount')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_session_dossier_application_id_application')),
    sa.ForeignKeyConstraint(['session_id'], ['committee_session.id'], name=op.f('fk_session_dossier_session_id_committee_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_dossier')),
    sa.UniqueConstraint('session_id', 'application_id', name=op.f('uq_session_dossier_session_id_application_id'))
    )
    with op.batch_alter_table('session_dossier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_dossier_application_id'), ['application_id'], unique=False)

    op.create_table('session_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seat', sa.Enum('voting', 'observer', name='seat', native_enum=False, length=16), nullable=False),
    sa.Column('organisation', sa.String(length=120), nullable=True),
    sa.Column('declared_at', sa.DateTime(), nullable=True),
    sa.Column('declaration', sa.Text(), nullable=True),
    sa.Column('present', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['committee_session.id'], name=op.f('fk_session_member_session_id_committee_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_session_member_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_member')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_session_member_session_id_user_id'))
    )
    with op.batch_alter_table('session_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_member_user_id'), ['user_id'], unique=False)

    op.create_table('interest_declaration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('conflicted', sa.Boolean(), nullable=False),
    sa.Column('details', sa.String(length=300), nullable=True),
    sa.Column('declared_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_interest_declaration_application_id_application')),
    sa.ForeignKeyConstraint(['member_id'], ['session_member.id'], name=op.f('fk_interest_declaration_member_id_session_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_declaration')),
    sa.UniqueConstraint('member_id', 'application_id', name=op.f('uq_interest_declaration_member_id_application_id'))
    )
    with op.batch_alter_table('interest_declaration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_declaration_application_id'), ['application_id'], unique=False)

    op.create_table('score_sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', name='sheetstatus', native_enum=False, length=16), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('general_comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_score_sheet_application_id_application')),
    sa.ForeignKeyConstraint(['member_id'], ['session_member.id'], name=op.f('fk_score_sheet_member_id_session_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_sheet')),
    sa.UniqueConstraint('member_id', 'application_id', name=op.f('uq_score_sheet_member_id_application_id'))
    )
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_sheet_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_sheet_member_id'), ['member_id'], unique=False)

    op.create_table('score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.CheckConstraint('points >= 0', name=op.f('ck_score_points')),
    sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], name=op.f('fk_score_criterion_id_criterion')),
    sa.ForeignKeyConstraint(['sheet_id'], ['score_sheet.id'], name=op.f('fk_score_sheet_id_score_sheet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score')),
    sa.UniqueConstraint('sheet_id', 'criterion_id', name=op.f('uq_score_sheet_id_criterion_id'))
    )


def downgrade():
    op.drop_table('score')
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_sheet_member_id'))
        batch_op.drop_index(batch_op.f('ix_score_sheet_application_id'))

    op.drop_table('score_sheet')
    with op.batch_alter_table('interest_declaration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_declaration_application_id'))

    op.drop_table('interest_declaration')
    with op.batch_alter_table('session_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_member_user_id'))

    op.drop_table('session_member')
    with op.batch_alter_table('session_dossier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_dossier_application_id'))

    op.drop_table('session_dossier')
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_session_id'))

    op.drop_table('minutes')
    op.drop_table('criterion')
    op.drop_table('scoring_grid')
    with op.batch_alter_table('committee_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_session_call_id'))

    op.drop_table('committee_session')
