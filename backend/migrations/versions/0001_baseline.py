"""The history as `Base.metadata.create_all` made it before there were migrations.

A database made then has this table and no alembic_version: backend/core/migrate.py recognises it
by its columns and stamps it with this revision instead of running it.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

INDEXED = ("created_at", "sha256", "prediction", "batch_id")


def columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("prediction", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("fake_probability", sa.Float(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("model_scores", sa.JSON(), nullable=False),
        sa.Column("faces", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=True),
    ]


def upgrade() -> None:
    op.create_table("analyses", *columns(), sa.PrimaryKeyConstraint("id"))
    for column in INDEXED:
        op.create_index(f"ix_analyses_{column}", "analyses", [column])


def downgrade() -> None:
    op.drop_table("analyses")
