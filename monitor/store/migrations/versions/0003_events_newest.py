"""The console lists events newest first: an index on when each event was opened.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("dedup_events_created", "dedup_events", ["created_at"])


def downgrade() -> None:
    op.drop_index("dedup_events_created", table_name="dedup_events")
