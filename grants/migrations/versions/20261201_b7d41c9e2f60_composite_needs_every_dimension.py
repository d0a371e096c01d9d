"""Composite sustainability scores are computed only when every dimension that weighs in the
weight set has a score: the composites stored while a whole dimension was unanswered are cleared
(the visit pages then say why). Data only; the downgrade cannot bring the old figures back, and
recomputing with the old rule is what loading a weight set would do.

Revision ID: b7d41c9e2f60
Revises: 425fcd8e2533
Create Date: 2026-12-01 01:30:00.000000

"""
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d41c9e2f60'
down_revision = '425fcd8e2533'
branch_labels = None
depends_on = None

# The questionnaire's item codes start with their dimension's prefix (grants/sustainability.py);
# copied here so that this migration keeps meaning what it meant when it was written.
PREFIXES = {"economic": "eco_", "social": "soc_", "psychosocial": "psy_"}
score = sa.table("sustainability_score", sa.column("id", sa.Integer),
                 sa.column("weight_set_id", sa.Integer), sa.column("economic", sa.Float),
                 sa.column("social", sa.Float), sa.column("psychosocial", sa.Float),
                 sa.column("composite", sa.Float))
weight_set = sa.table("weight_set", sa.column("id", sa.Integer), sa.column("weights", sa.JSON))


def _weighs(weights: dict, prefix: str) -> bool:
    return any(code.startswith(prefix) and float(value) > 0 for code, value in weights.items())


def upgrade():
    conn = op.get_bind()
    weights = {row.id: row.weights if isinstance(row.weights, dict) else json.loads(row.weights)
               for row in conn.execute(sa.select(weight_set.c.id, weight_set.c.weights))}
    partial = conn.execute(sa.select(score).where(score.c.composite.is_not(None), sa.or_(
        score.c.economic.is_(None), score.c.social.is_(None), score.c.psychosocial.is_(None))))
    cleared = [row.id for row in partial
               if any(getattr(row, name) is None and _weighs(weights[row.weight_set_id], prefix)
                      for name, prefix in PREFIXES.items())]
    if cleared:
        op.execute(score.update().where(score.c.id.in_(cleared)).values(composite=None))


def downgrade():
    pass
