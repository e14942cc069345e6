"""The store as it stood before Alembic: feeds, items, events, outbox, identity.

A store created by an earlier version (its steps listed in `schema_migrations`) is stamped at
this revision instead of running it (monitor.store.migrate).

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Text = sa.Text
BigInt = sa.BigInteger
Double = sa.Float(precision=53)
# SQLite's rowid alias must be spelled INTEGER; PostgreSQL gets an identity column.
Serial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "feed_state",
        sa.Column("url", Text, primary_key=True),
        sa.Column("name", Text, nullable=False, server_default=""),
        sa.Column("etag", Text),
        sa.Column("last_modified", Text),
        sa.Column("body_hash", Text),
        sa.Column("last_poll", Double),
        sa.Column("last_success", Double),
        sa.Column("last_outcome", Text),
        sa.Column("next_poll", Double),
        sa.Column("error_streak", BigInt, nullable=False, server_default="0"),
        sa.Column("item_count", BigInt, nullable=False, server_default="0"),
        sa.Column("new_items", BigInt, nullable=False, server_default="0"),
        sa.Column("last_error", Text),
        sa.Column("health_alerted", BigInt, nullable=False, server_default="0"),
    )
    op.create_table(
        "dedup_items",
        sa.Column("id", Text, primary_key=True),
        sa.Column("feed", Text, nullable=False),
        sa.Column("guid", Text),
        sa.Column("url", Text),
        sa.Column("content_hash", Text),
        sa.Column("shingles", BigInt, nullable=False, server_default="0"),
        sa.Column("sketch", sa.LargeBinary),
        sa.Column("seen_at", BigInt, nullable=False),
    )
    op.create_index("dedup_items_url", "dedup_items", ["url"])
    op.create_index("dedup_items_seen", "dedup_items", ["seen_at"])
    op.create_index("dedup_items_guid_feed", "dedup_items", ["guid", "feed"])
    op.create_index("dedup_items_hash_seen", "dedup_items", ["content_hash", "seen_at", "id"])
    op.create_table(
        "dedup_item_keys",
        sa.Column("lookup", BigInt, nullable=False),
        sa.Column("item_id", Text, nullable=False),
        sa.PrimaryKeyConstraint("lookup", "item_id"),
    )
    op.create_index("dedup_item_keys_item", "dedup_item_keys", ["item_id"])
    op.create_table(
        "dedup_events",
        sa.Column("id", Text, primary_key=True),
        sa.Column("event_type", Text, nullable=False),
        sa.Column("subtype", Text),
        sa.Column("actor", Text),
        sa.Column("event_date", Text, nullable=False),
        sa.Column("date_certain", BigInt, nullable=False),
        sa.Column("weapon", Text),
        sa.Column("first_article", Text, nullable=False),
        sa.Column("facts", Text, nullable=False),
        sa.Column("outlets", Text, nullable=False),
        sa.Column("created_at", BigInt, nullable=False),
        sa.Column("updated_at", BigInt, nullable=False),
    )
    op.create_index("dedup_events_key", "dedup_events", ["event_type", "actor", "event_date"])
    op.create_index("dedup_events_updated", "dedup_events", ["updated_at"])
    op.create_index("dedup_events_latest", "dedup_events", ["event_type", "actor", "updated_at"])
    op.create_table(
        "dedup_event_reports",
        sa.Column("event_id", Text, nullable=False),
        sa.Column("article_id", Text, nullable=False),
        sa.Column("outlet", Text, nullable=False),
        sa.Column("date_certain", BigInt, nullable=False),
        sa.Column("added_at", BigInt, nullable=False),
        sa.PrimaryKeyConstraint("event_id", "article_id"),
    )
    op.create_index("dedup_event_reports_article", "dedup_event_reports", ["article_id"])
    op.create_table(
        "dedup_parked",
        sa.Column("article_id", Text, nullable=False),
        sa.Column("event_type", Text, nullable=False),
        sa.Column("actor", Text, nullable=False),
        sa.Column("event_date", Text, nullable=False),
        sa.Column("outlet", Text, nullable=False),
        sa.Column("parked_at", BigInt, nullable=False),
        sa.PrimaryKeyConstraint("article_id", "event_type"),
    )
    op.create_index("dedup_parked_key", "dedup_parked", ["event_type", "actor", "event_date"])
    op.create_table(
        "outbox_alerts",
        sa.Column("seq", Serial, primary_key=True, autoincrement=True),
        sa.Column("id", Text, nullable=False, unique=True),
        sa.Column("event_id", Text, nullable=False),
        sa.Column("destination", Text, nullable=False),
        sa.Column("kind", Text, nullable=False),
        sa.Column("parent", Text),
        sa.Column("route", BigInt),
        sa.Column("role", Text, nullable=False, server_default="alert"),
        sa.Column("status", Text, nullable=False, server_default="pending"),
        sa.Column("attempts", BigInt, nullable=False, server_default="0"),
        sa.Column("next_at", Double, nullable=False),
        sa.Column("created_at", Double, nullable=False),
        sa.Column("sent_at", Double),
        sa.Column("remote_ref", Text),
        sa.Column("last_error", Text),
        sa.Column("payload", Text, nullable=False),
    )
    op.create_index("outbox_alerts_due", "outbox_alerts", ["status", "next_at"])
    op.create_index("outbox_alerts_event", "outbox_alerts", ["event_id", "destination"])
    op.create_table(
        "store_meta",
        sa.Column("id", Text, primary_key=True),
        sa.Column("created_at", Double, nullable=False),
        sa.Column("probed_at", Double),
    )


def downgrade() -> None:
    for table in (
        "store_meta",
        "outbox_alerts",
        "dedup_parked",
        "dedup_event_reports",
        "dedup_events",
        "dedup_item_keys",
        "dedup_items",
        "feed_state",
    ):
        op.drop_table(table)
