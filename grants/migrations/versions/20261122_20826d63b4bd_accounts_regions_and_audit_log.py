"""Accounts, roles, regions (with Mali's 20 regions) and the append-only audit log.

Revision ID: 20826d63b4bd
Revises:
Create Date: 2026-11-22 20:11:39.734913

"""
import sqlalchemy as sa
from alembic import op

from grants.database import append_only_ddl, drop_append_only_ddl

# revision identifiers, used by Alembic.
revision = '20826d63b4bd'
down_revision = None
branch_labels = None
depends_on = None

# Bamako district and the 19 regions of the 2023 reform (DOMAIN.md).
REGIONS = [
    ("00", "District de Bamako"),
    ("01", "Kayes"),
    ("02", "Koulikoro"),
    ("03", "Sikasso"),
    ("04", "Ségou"),
    ("05", "Mopti"),
    ("06", "Tombouctou"),
    ("07", "Gao"),
    ("08", "Kidal"),
    ("09", "Taoudénit"),
    ("10", "Ménaka"),
    ("11", "Nioro"),
    ("12", "Kita"),
    ("13", "Dioïla"),
    ("14", "Nara"),
    ("15", "Bougouni"),
    ("16", "Koutiala"),
    ("17", "San"),
    ("18", "Douentza"),
    ("19", "Bandiagara"),
]


def upgrade():
    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region')),
    sa.UniqueConstraint('code', name=op.f('uq_region_code'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('phone', name=op.f('uq_user_account_phone')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.Enum('ok', 'denied', 'failed', name='outcome', native_enum=False, length=8), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)

    op.create_table('user_region',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_user_region_region_id_region')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_region_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'region_id', name=op.f('pk_user_region'))
    )
    op.create_table('user_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('admin', 'intake_agent', 'applicant', 'committee_member', 'committee_chair', 'finance_officer', 'accountant', 'field_officer', 'programme_manager', 'auditor', name='role', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_role_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_role'))
    )
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    region = sa.table("region", sa.column("code", sa.String), sa.column("name", sa.String))
    op.bulk_insert(region, [{"code": code, "name": name} for code, name in REGIONS])
    for statement in append_only_ddl(op.get_bind().dialect.name, "audit_event"):
        op.execute(statement)



def downgrade():
    for statement in drop_append_only_ddl(op.get_bind().dialect.name, "audit_event"):
        op.execute(statement)
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
    op.drop_table('user_role')
    op.drop_table('user_region')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    op.drop_table('user_account')
    op.drop_table('region')
