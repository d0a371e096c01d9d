"""The scan of each signed agreement (agreement_copy: every upload kept, with its SHA-256), and
the committee's decision reasons as codes (session_dossier.decision_reason_code) translated when
shown: the reasons stored as English or French words are turned into their code; any other text
is kept as it was written.

Revision ID: a5c0e7f1d2b3
Revises: e6fd4b9ec3c9
Create Date: 2026-11-22 23:03:07.107939

"""
import sqlalchemy as sa
from alembic import op

# The words the ranking used to store (English source and French translation) and their code.
REASON_WORDS = {
    "chair": ("Decision of the chair", "Décision du président"),
    "not_scored": ("Not scored", "Non noté"),
    "eliminatory": ("Eliminatory criterion failed", "Critère éliminatoire non satisfait"),
    "below_pass_mark": ("Below the pass mark", "Sous la note de passage"),
    "holds_grant": ("Already holds a grant", "Bénéficie déjà d'une subvention"),
    "within_envelope": ("Within the envelope", "Dans la limite de l'enveloppe"),
    "envelope_used_up": ("Envelope used up", "Enveloppe épuisée"),
    "promoted": ("Promoted from the waiting list", "Repêché sur la liste d'attente"),
}
REASON_CODES = list(REASON_WORDS)
dossier = sa.table("session_dossier", sa.column("decision_reason", sa.String),
                   sa.column("decision_reason_code", sa.String))

# revision identifiers, used by Alembic.
revision = 'a5c0e7f1d2b3'
down_revision = 'e6fd4b9ec3c9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agreement_copy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('stored_name', sa.String(length=60), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['grant_id'], ['grant_agreement.id'], name=op.f('fk_agreement_copy_grant_id_grant_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_agreement_copy_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_copy')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_agreement_copy_stored_name'))
    )
    with op.batch_alter_table('agreement_copy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_copy_grant_id'), ['grant_id'], unique=False)

    with op.batch_alter_table('session_dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_reason_code', sa.Enum(*REASON_CODES, name='decisionreason', native_enum=False, length=20), nullable=True))
    for code, words in REASON_WORDS.items():
        op.execute(dossier.update().where(dossier.c.decision_reason.in_(words))
                   .values(decision_reason_code=code, decision_reason=None))


def downgrade():
    for code, (english, _french) in REASON_WORDS.items():
        op.execute(dossier.update().where(dossier.c.decision_reason_code == code)
                   .values(decision_reason=english))
    with op.batch_alter_table('session_dossier', schema=None) as batch_op:
        batch_op.drop_column('decision_reason_code')

    with op.batch_alter_table('agreement_copy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_copy_grant_id'))

    op.drop_table('agreement_copy')
