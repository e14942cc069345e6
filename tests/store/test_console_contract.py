"""The contract of what the web console reads and corrects, on SQLite and PostgreSQL: events
newest first, reports of many events at once with what detection found in each, moving reports
between events (wrong-event feedback), alerts of many events, the outbox a page at a time, and
per-feed activity; and the migration that added the reports' detail."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from monitor.store import Store
from monitor.store.db import connect
from monitor.store.events import EventRepo, EventRow, ReportDetail
from monitor.store.migrate import alembic_config, current, upgrade
from tests.notify.conftest import make_alert

T0 = datetime(2022, 1, 5, 2, 0, tzinfo=UTC)


def event(event_id: str, day: date, created: int, outlets: tuple[str, ...] = ("AP",)) -> EventRow:
    return EventRow(
        id=event_id,
        event_type="missile_launch",
        subtype="test",
        actor="north-korea",
        event_date=day,
        date_certain=True,
        weapon="ballistic missile",
        first_article="ap:1",
        created_at=created,
        updated_at=created,
        outlets=outlets,
        facts={"count": "2"},
    )


async def test_newest_pages_events_by_when_they_opened(store: Store) -> None:
    for n in range(5):
        # updated_at runs the other way: the list follows creation, not the latest report
        await store.events.create(
            event(f"e{n}", date(2022, 1, n + 1), 100 + n).evolve(updated_at=900 - n)
        )
    assert [e.id for e in await store.events.newest(2)] == ["e4", "e3"]
    assert [e.id for e in await store.events.newest(2, 2)] == ["e2", "e1"]
    assert [e.id for e in await store.events.newest(10, 4)] == ["e0"]
    assert await store.events.count() == 5


async def test_report_rows_of_several_events_in_the_order_added(store: Store) -> None:
    await store.events.create(event("a", date(2022, 1, 5), 100))
    await store.events.create(event("b", date(2022, 1, 11), 200))
    await store.events.add_report("a", "nw:1", "Newsweek", False, 120)
    await store.events.add_report("a", "ap:1", "AP", True, 110)
    await store.events.add_report("b", "ap:2", "AP", True, 210)
    rows = await store.events.report_rows(["b", "a", "a"])
    assert [(r.event_id, r.article_id, r.outlet, r.date_certain, r.added_at) for r in rows] == [
        ("a", "ap:1", "AP", True, 110),
        ("a", "nw:1", "Newsweek", False, 120),
        ("b", "ap:2", "AP", True, 210),
    ]
    assert await store.events.report_rows([]) == []


DETAIL = ReportDetail(
    title="North Korea fires ballistic missile into sea",
    url="https://apnews.example/nk",
    language="en",
    published=datetime(2022, 1, 5, 1, 20, tzinfo=UTC),
    role="peg",
    score=0.85,
    explanation=("rule actor-launch-missile: score 0.85", "actor: 'North Korea' at 0"),
)


async def test_report_rows_carry_the_detail_recorded_for_each_report(store: Store) -> None:
    events = store.events
    await events.create(event("a", date(2022, 1, 5), 100))
    await events.add_report("a", "ap:1", "AP", True, 110)
    await events.add_report("a", "nw:1", "Newsweek", True, 120)
    await events.add_detail("ap:1", "missile_launch", DETAIL, 110)
    # a second reading of the same article keeps the first; another event type is apart
    await events.add_detail("ap:1", "missile_launch", replace(DETAIL, score=0.5), 130)
    bare = ReportDetail("Nuclear test", None, None, None, "background", 1.0, ())
    await events.add_detail("ap:1", "nuclear_test", bare, 110)
    rows = await events.report_rows(["a"])
    assert [(r.article_id, r.detail) for r in rows] == [("ap:1", DETAIL), ("nw:1", None)]
    detail = rows[0].detail
    assert detail is not None and detail.published is not None
    assert detail.published.utcoffset() is not None
    # the detail is the article's: it follows the report to the event it is moved to
    await events.move_reports(["ap:1"], "a", event("b", date(2022, 1, 6), 200), 200)
    assert [r.detail for r in await events.report_rows(["b"])] == [DETAIL]
    # a background report parked with no event keeps its detail for the event that adopts it
    await events.add_detail("kcna:1", "missile_launch", bare, 140)
    await events.add_report("a", "kcna:1", "KCNA", False, 150)
    assert [(r.article_id, r.detail) for r in await events.report_rows(["a"])] == [
        ("nw:1", None),
        ("kcna:1", bare),
    ]


async def test_delete_older_forgets_details_recorded_before_the_cutoff(store: Store) -> None:
    events = store.events
    await events.create(event("a", date(2022, 1, 5), 300))
    await events.add_report("a", "ap:1", "AP", True, 300)
    await events.add_report("a", "nw:1", "Newsweek", True, 300)
    await events.add_detail("ap:1", "missile_launch", DETAIL, 100)
    await events.add_detail("nw:1", "missile_launch", DETAIL, 300)
    assert await events.delete_older(200) == 0
    assert [r.detail for r in await events.report_rows(["a"])] == [None, DETAIL]
    # once forgotten, a detail may be recorded again
    await events.add_detail("ap:1", "missile_launch", replace(DETAIL, score=0.5), 310)
    assert [r.detail.score for r in await events.report_rows(["a"]) if r.detail] == [0.5, 0.85]


async def test_the_details_migration_keeps_reports_recorded_before_it(store_url: str) -> None:
    """A store at 0003 has reports without detail: after 0004 they read with none; 0004's
    downgrade drops the table."""
    db = await connect(store_url)
    try:
        assert await upgrade(db, "0003") == ["0001", "0002", "0003"]
        events = EventRepo(db)
        await events.create(event("a", date(2022, 1, 5), 100))
        await events.add_report("a", "ap:1", "AP", True, 110)
        assert await upgrade(db) == ["0004"]
        assert [r.detail for r in await events.report_rows(["a"])] == [None]
        await events.add_detail("ap:1", "missile_launch", DETAIL, 120)
        assert [r.detail for r in await events.report_rows(["a"])] == [DETAIL]

        def downgrade(conn: Connection) -> bool:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0003")
            return inspect(conn).has_table("dedup_report_details")

        async with db.engine.connect() as conn:
            assert await conn.run_sync(downgrade) is False
            await conn.commit()
        assert await current(db) == "0003"
        assert await events.reports("a") == ["ap:1"]
    finally:
        await db.close()


async def test_moving_every_report_merges_and_deletes_the_emptied_event(store: Store) -> None:
    await store.events.create(event("a", date(2022, 1, 5), 100, ("AP",)))
    await store.events.create(event("b", date(2022, 1, 5), 150, ("Newsweek",)))
    await store.events.add_report("a", "ap:1", "AP", True, 110)
    await store.events.add_report("b", "nw:1", "Newsweek", True, 160)
    target = await store.events.get("a")
    assert target is not None
    moved = await store.events.move_reports([], "b", target, 500)
    assert moved == ["nw:1"]
    assert await store.events.get("b") is None
    merged = await store.events.get("a")
    assert merged is not None and merged.outlets == ("AP", "Newsweek")
    assert merged.updated_at == 500
    assert await store.events.reports("a") == ["ap:1", "nw:1"]


async def test_moving_some_reports_splits_them_into_a_new_event(store: Store) -> None:
    await store.events.create(event("a", date(2022, 1, 5), 100, ("AP", "Newsweek")))
    await store.events.add_report("a", "ap:1", "AP", True, 110)
    await store.events.add_report("a", "nw:1", "Newsweek", True, 120)
    new = event("a#split", date(2022, 1, 11), 600, ())
    assert await store.events.move_reports(["nw:1"], "a", new, 600) == ["nw:1"]
    kept, split = await store.events.get("a"), await store.events.get("a#split")
    assert kept is not None and kept.outlets == ("AP",)
    assert split is not None and split.outlets == ("Newsweek",)
    assert split.first_article == "nw:1" and split.event_date == date(2022, 1, 11)
    assert await store.events.reports("a#split") == ["nw:1"]
    # a report that is not the event's moves nothing
    assert await store.events.move_reports(["zz:9"], "a", new, 700) == []


async def test_by_events_and_page_read_the_outbox(store: Store) -> None:
    outbox = store.outbox
    first = make_alert("a000000000000000000000001", event_id="e1")
    second = make_alert("a000000000000000000000002", event_id="e2", destination="mail")
    third = make_alert("a000000000000000000000003", event_id="e3")
    for alert in (first, second, third):
        assert await outbox.enqueue(alert, T0)
    await outbox.mark_failed(second.id, "550 mailbox unavailable")
    rows = await outbox.by_events(["e2", "e1"])
    assert [r.alert.id for r in rows] == [first.id, second.id]
    assert await outbox.by_events([]) == []
    failed = await outbox.page(["failed"])
    assert [(r.alert.id, r.alert.last_error) for r in failed] == [
        (second.id, "550 mailbox unavailable")
    ]
    pending = await outbox.page(["pending"], limit=1)
    assert [r.alert.id for r in pending] == [third.id]  # newest first
    assert [r.alert.id for r in await outbox.page(["pending"], 1, 1)] == [first.id]


async def test_activity_counts_each_feeds_recent_items_and_its_latest(store: Store) -> None:
    await store.items.add("ap:1", "AP", "g1", None, None, 100)
    await store.items.add("ap:2", "AP", "g2", None, None, 300)
    await store.items.add("nw:1", "Newsweek", "g1", None, None, 150)
    assert await store.items.activity(200) == {"AP": (1, 300), "Newsweek": (0, 150)}
