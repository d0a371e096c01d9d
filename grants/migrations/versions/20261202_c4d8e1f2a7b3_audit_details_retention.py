"""The audit log's details may be cleared by the retention rule (RETENTION_MONTHS
"audit_details"); every other column stays append-only, and no row can be deleted.

Revision ID: c4d8e1f2a7b3
Revises: a166eda7ebe7
Create Date: 2026-12-02
"""
from alembic import op

from grants.database import audit_append_only_again_ddl, audit_details_clearable_ddl

revision = 'c4d8e1f2a7b3'
down_revision = 'a166eda7ebe7'
branch_labels = None
depends_on = None


def upgrade():
    for statement in audit_details_clearable_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in audit_append_only_again_ddl(op.get_bind().dialect.name):
        op.execute(statement)
