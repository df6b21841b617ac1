"""The face that decided an image's verdict is recorded (`analyses.deciding_face`, its index in
`faces`), as the predictor chose it, so that the history no longer picks it again.

Rows recorded before get it from their faces: the highest fake probability, the first on a tie,
which is the rule the predictor applied when they were recorded. Videos and NO_FACE rows keep
NULL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

analyses = sa.table(
    "analyses",
    sa.column("id", sa.String),
    sa.column("kind", sa.String),
    sa.column("faces", sa.JSON),
    sa.column("deciding_face", sa.Integer),
)


def most_suspicious(faces: list) -> int | None:
    """The index the predictor gave as the deciding face when these rows were recorded."""
    scores: list[float] = []
    for face in faces or []:
        p = face.get("fake_probability") if isinstance(face, dict) else None
        if not isinstance(p, int | float):
            return None
        scores.append(p)
    return scores.index(max(scores)) if scores else None  # index(): the first on a tie


def upgrade() -> None:
    with op.batch_alter_table("analyses") as batch:
        batch.add_column(sa.Column("deciding_face", sa.Integer(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(analyses.c.id, analyses.c.faces).where(analyses.c.kind == "image")
    ).all()
    for analysis_id, faces in rows:
        index = most_suspicious(faces)
        if index is not None:
            connection.execute(
                analyses.update().where(analyses.c.id == analysis_id).values(deciding_face=index)
            )


def downgrade() -> None:
    with op.batch_alter_table("analyses") as batch:
        batch.drop_column("deciding_face")
