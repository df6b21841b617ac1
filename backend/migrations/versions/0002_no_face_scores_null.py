"""A NO_FACE analysis has no confidence and no probability: the two columns take NULL.

Before, they were NOT NULL and a NO_FACE row stored 0.0 (read back as None); those rows now
hold NULL. On SQLite the table is copied (batch mode), rows and indexes with it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCORES = ("confidence", "fake_probability")
analyses = sa.table(
    "analyses", sa.column("prediction", sa.String), *(sa.column(name, sa.Float) for name in SCORES)
)


def upgrade() -> None:
    with op.batch_alter_table("analyses") as batch:
        for name in SCORES:
            batch.alter_column(name, existing_type=sa.Float(), nullable=True)
    op.execute(
        analyses.update()
        .where(analyses.c.prediction == "NO_FACE")
        .values(confidence=None, fake_probability=None)
    )


def downgrade() -> None:
    op.execute(
        analyses.update()
        .where(analyses.c.confidence.is_(None))
        .values(confidence=0.0, fake_probability=0.0)
    )
    with op.batch_alter_table("analyses") as batch:
        for name in SCORES:
            batch.alter_column(name, existing_type=sa.Float(), nullable=False)
