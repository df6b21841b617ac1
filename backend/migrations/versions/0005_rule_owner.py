"""The rule a record kept names whose rule it is (`details.decision.owner`: "ensemble" or a
model's name), as the API has said since 2026-12-04, so that the app and the report read it
instead of each guessing it.

Rows recorded before get the guess both made until now: the ensemble's when several models
ran, else the one model's (the two rules had the same numbers then). Rows without a recorded
rule are left as they are.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

analyses = sa.table(
    "analyses",
    sa.column("id", sa.String),
    sa.column("models", sa.JSON),
    sa.column("details", sa.JSON),
)


def guessed_owner(models: list) -> str | None:
    """Whose rule a record made before the API named it kept; None without a model."""
    if not models:
        return None
    return "ensemble" if len(models) > 1 else str(models[0])


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(analyses.c.id, analyses.c.models, analyses.c.details)).all()
    for analysis_id, models, details in rows:
        decision = details.get("decision") if isinstance(details, dict) else None
        if not isinstance(decision, dict) or decision.get("owner"):
            continue
        owner = guessed_owner(models)
        if owner is None:
            continue
        connection.execute(
            analyses.update()
            .where(analyses.c.id == analysis_id)
            .values(details={**details, "decision": {**decision, "owner": owner}})
        )


def downgrade() -> None:
    """Nothing to undo: the code before this revision reads the owner where it is there."""
