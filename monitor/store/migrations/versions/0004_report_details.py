"""What detection found in each report, for the console: title, link, language, score, why.

    dedup_report_details  one row per article and event type, the first reading kept; an
                          alert carries this only for the report it was sent about

The score is TEXT (its repr, "1.5"), so it reads back the same on both backends; the
explanation is a JSON list of lines, `published` epoch seconds.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Text = sa.Text
BigInt = sa.BigInteger


def upgrade() -> None:
    op.create_table(
        "dedup_report_details",
        sa.Column("article_id", Text, nullable=False),
        sa.Column("event_type", Text, nullable=False),
        sa.Column("title", Text, nullable=False),
        sa.Column("url", Text),
        sa.Column("language", Text),
        sa.Column("published", BigInt),
        sa.Column("role", Text, nullable=False),
        sa.Column("score", Text, nullable=False),
        sa.Column("explanation", Text, nullable=False),
        sa.Column("recorded_at", BigInt, nullable=False),
        sa.PrimaryKeyConstraint("article_id", "event_type"),
    )
    op.create_index("dedup_report_details_recorded", "dedup_report_details", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("dedup_report_details_recorded", table_name="dedup_report_details")
    op.drop_table("dedup_report_details")
