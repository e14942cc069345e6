"""The contract of the dedup repositories; every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.store.db import Database
from monitor.store.events import EventRepo, EventRow
from monitor.store.items import KEY_POSTINGS, MAX_CANDIDATES, ItemRepo, TextRecord


def text(content_hash: str, *keys: int, shingles: int = 50) -> TextRecord:
    return TextRecord(content_hash, shingles, bytes(range(256)) * 4, keys)


SEEN = [
    # (case, stored (feed, guid, url), asked (feed, guid, url, guid_global), expected)
    ("guid-same-feed", ("ap", "g1", None), ("ap", "g1", None, False), True),
    ("guid-other-feed-local", ("ap", "1", None), ("nyt", "1", None, False), False),
    (
        "guid-other-feed-global",
        ("ap", "tag:ap.org,1", None),
        ("nyt", "tag:ap.org,1", None, True),
        True,
    ),
    (
        "url-any-feed",
        ("ap", None, "https://x.com/a"),
        ("nyt", None, "https://x.com/a", False),
        True,
    ),
    ("url-differs", ("ap", None, "https://x.com/a"), ("ap", None, "https://x.com/b", False), False),
    (
        "guid-differs-url-same",
        ("ap", "g1", "https://x.com/a"),
        ("ap", "g2", "https://x.com/a", False),
        True,
    ),
    ("nothing-to-match", ("ap", "g1", "https://x.com/a"), ("ap", None, None, False), False),
]


@pytest.mark.parametrize(
    ("stored", "asked", "expected"), [c[1:] for c in SEEN], ids=[c[0] for c in SEEN]
)
def test_seen_matches_guid_within_its_scope_and_url_anywhere(
    db: Database,
    stored: tuple[str, str | None, str | None],
    asked: tuple[str, str | None, str | None, bool],
    expected: bool,
) -> None:
    items = ItemRepo(db)
    items.add("item-1", *stored, text=None, seen_at=100)
    assert items.seen(*asked) is expected


def test_a_second_add_fills_in_what_the_first_lacked(db: Database) -> None:
    items = ItemRepo(db)
    items.add("ap:1", "ap", None, "https://x.com/a", text("h1", 11, 12), seen_at=100)
    items.add("ap:1", "ap", "guid-1", "https://x.com/other", None, seen_at=200)
    assert items.seen("ap", "guid-1", None, False)
    assert items.seen("nyt", None, "https://x.com/a", False)
    assert not items.seen("nyt", None, "https://x.com/other", False)
    assert items.with_content_hash("h1", exclude="other") == "ap:1"
    assert [c.item_id for c in items.candidates([11], exclude="other")] == ["ap:1"]
    assert items.count() == 1


def test_content_hash_lookup_skips_the_item_itself_and_prefers_the_earliest(db: Database) -> None:
    items = ItemRepo(db)
    items.add("b", "f", None, None, text("same"), seen_at=200)
    items.add("a", "f", None, None, text("same"), seen_at=300)
    items.add("c", "f", None, None, text("same"), seen_at=100)
    assert items.with_content_hash("same", exclude="c") == "b"
    assert items.with_content_hash("same", exclude="x") == "c"
    assert items.with_content_hash("other", exclude="x") is None


def test_candidates_rank_by_shared_keys_and_carry_the_sketch(db: Database) -> None:
    items = ItemRepo(db)
    items.add("one", "f", None, None, text("h1", 1, 2, 3, shingles=40), seen_at=1)
    items.add("two", "f", None, None, text("h2", 1, 2, 9), seen_at=2)
    items.add("none", "f", None, None, text("h3", 7, 8), seen_at=3)
    found = items.candidates([1, 2, 3, 4], exclude="self")
    assert [(c.item_id, c.shared_keys) for c in found] == [("one", 3), ("two", 2)]
    assert found[0].shingles == 40
    assert found[0].sketch == bytes(range(256)) * 4
    assert items.candidates([1, 2, 3], exclude="one")[0].item_id == "two"
    assert items.candidates([], exclude="self") == []


def test_a_boilerplate_key_stops_growing_so_lookups_stay_bounded(db: Database) -> None:
    items = ItemRepo(db)
    common = 42
    for i in range(KEY_POSTINGS + 10):
        items.add(f"item-{i:03d}", "f", None, None, text(f"h{i}", common, 1000 + i), seen_at=i)
    postings = db.one("SELECT COUNT(*) FROM dedup_item_keys WHERE lookup = ?", (common,))
    assert postings == (KEY_POSTINGS,)
    assert len(items.candidates([common], exclude="x")) <= min(KEY_POSTINGS, MAX_CANDIDATES)
    # the item's own, rarer keys are still recorded
    assert [c.item_id for c in items.candidates([1000 + KEY_POSTINGS + 5], exclude="x")] == [
        f"item-{KEY_POSTINGS + 5:03d}"
    ]


def test_delete_older_removes_items_and_their_keys(db: Database) -> None:
    items = ItemRepo(db)
    items.add("old", "f", "g-old", None, text("h1", 5), seen_at=100)
    items.add("new", "f", "g-new", None, text("h2", 5), seen_at=300)
    assert items.delete_older(200) == 1
    assert not items.seen("f", "g-old", None, False)
    assert items.seen("f", "g-new", None, False)
    assert db.execute("SELECT item_id FROM dedup_item_keys") == [("new",)]


def row(
    event_id: str,
    day: date,
    *,
    certain: bool = True,
    actor: str | None = "north-korea",
    updated: int = 100,
) -> EventRow:
    return EventRow(
        id=event_id,
        event_type="missile_launch",
        subtype="test",
        actor=actor,
        event_date=day,
        date_certain=certain,
        weapon="ballistic missile",
        first_article="ap:1",
        created_at=updated,
        updated_at=updated,
        outlets=("AP",),
        facts={"weapon": "ballistic missile", "count": "2"},
    )


def test_event_round_trip_keeps_facts_outlets_and_date(db: Database) -> None:
    events = EventRepo(db)
    ev = row("missile_launch:north-korea:~2022-01-05", date(2022, 1, 5), certain=False)
    events.create(ev)
    got = events.get(ev.id)
    assert got == ev
    assert got is not None and got.facts == ev.facts
    changed = ev.evolve(
        event_date=date(2022, 1, 4),
        date_certain=True,
        outlets=("AP", "Newsweek"),
        facts={**ev.facts, "place": "Jagang"},
        updated_at=200,
    )
    events.update(changed)
    got = events.get(ev.id)
    assert got == changed
    assert got is not None and got.facts["place"] == "Jagang"
    assert events.get("missing") is None
    assert events.exists(ev.id) and not events.exists("missing")


def test_in_window_is_inclusive_and_by_type_and_actor(db: Database) -> None:
    events = EventRepo(db)
    for i, day in enumerate((3, 4, 5, 6, 7)):
        events.create(row(f"e{i}", date(2022, 1, day)))
    events.create(row("iran", date(2022, 1, 5), actor="iran"))
    found = events.in_window("missile_launch", "north-korea", date(2022, 1, 4), date(2022, 1, 6))
    assert [e.id for e in found] == ["e1", "e2", "e3"]
    assert events.in_window("strike", "north-korea", date(2022, 1, 1), date(2022, 1, 9)) == []


def test_reports_link_articles_to_events_once(db: Database) -> None:
    events = EventRepo(db)
    events.create(row("e1", date(2022, 1, 5)))
    events.add_report("e1", "ap:1", "AP", True, 100)
    events.add_report("e1", "nw:1", "Newsweek", False, 101)
    events.add_report("e1", "ap:1", "AP", True, 102)
    assert events.reports("e1") == ["ap:1", "nw:1"]
    found = events.of_articles("missile_launch", ["ap:1", "nw:1", "other"])
    assert sorted(found) == ["ap:1", "nw:1"]
    assert found["nw:1"].id == "e1"
    assert events.of_articles("strike", ["ap:1"]) == {}
    assert events.of_articles("missile_launch", []) == {}


def test_delete_older_removes_quiet_events_and_their_reports(db: Database) -> None:
    events = EventRepo(db)
    events.create(row("quiet", date(2022, 1, 5), updated=100))
    events.create(row("busy", date(2022, 1, 5), actor="iran", updated=300))
    events.add_report("quiet", "ap:1", "AP", True, 100)
    events.add_report("busy", "ap:2", "AP", True, 300)
    assert events.delete_older(200) == 1
    assert events.get("quiet") is None
    assert events.reports("quiet") == []
    assert events.reports("busy") == ["ap:2"]
