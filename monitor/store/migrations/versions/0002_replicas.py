"""Replicas: who is running, which feed each one polls, which alert each one sends.

    replicas                 one row per running `monitor run`, its heartbeat in `seen_at`
    feed_state.lease_*       the replica polling the feed, until when
    outbox_alerts.claim_*    the replica sending the alert, until when

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Double = sa.Float(precision=53)


def upgrade() -> None:
    op.create_table(
        "replicas",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("host", sa.Text, nullable=False),
        sa.Column("pid", sa.BigInteger, nullable=False),
        sa.Column("started_at", Double, nullable=False),
        sa.Column("seen_at", Double, nullable=False),
    )
    with op.batch_alter_table("feed_state") as batch:
        batch.add_column(sa.Column("lease_holder", sa.Text))
        batch.add_column(sa.Column("lease_until", Double))
    with op.batch_alter_table("outbox_alerts") as batch:
        batch.add_column(sa.Column("claim_holder", sa.Text))
        batch.add_column(sa.Column("claim_until", Double))
    op.create_index("feed_state_due", "feed_state", ["next_poll"])


def downgrade() -> None:
    op.drop_index("feed_state_due", "feed_state")
    with op.batch_alter_table("outbox_alerts") as batch:
        batch.drop_column("claim_until")
        batch.drop_column("claim_holder")
    with op.batch_alter_table("feed_state") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_holder")
    op.drop_table("replicas")
