"""The contract of the dedup repositories (ItemRepo, EventRepo): every public method, on SQLite
and on PostgreSQL through the `store` fixture, including the list parameters that expand for
`IN`, the ON CONFLICT paths and expiry."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.store import Store
from monitor.store.events import EventRow, Parked
from monitor.store.items import KEY_POSTINGS, MAX_CANDIDATES, SeenItem, TextRecord

SKETCH = bytes(range(256)) * 4  # every byte value: the column must keep binary as it is


def text(content_hash: str, *keys: int, shingles: int = 50, sketch: bytes = SKETCH) -> TextRecord:
    return TextRecord(content_hash, shingles, sketch, keys)


# -- items --------------------------------------------------------------------------------------

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
async def test_seen_matches_guid_within_its_scope_and_url_anywhere(
    store: Store,
    stored: tuple[str, str | None, str | None],
    asked: tuple[str, str | None, str | None, bool],
    expected: bool,
) -> None:
    await store.items.add("item-1", *stored, text=None, seen_at=100)
    assert await store.items.seen(*asked) is expected


async def test_a_second_add_fills_in_what_the_first_lacked(store: Store) -> None:
    items = store.items
    await items.add("ap:1", "ap", None, "https://x.com/a", text("h1", 11, 12), seen_at=100)
    await items.add("ap:1", "ap", "guid-1", "https://x.com/other", None, seen_at=200)
    assert await items.seen("ap", "guid-1", None, False)
    assert await items.seen("nyt", None, "https://x.com/a", False)
    assert not await items.seen("nyt", None, "https://x.com/other", False)
    # the text is kept though the second add had none
    assert await items.with_content_hash("h1", exclude="other") == "ap:1"
    [found] = await items.candidates([11], exclude="other")
    assert (found.item_id, found.shingles, found.sketch) == ("ap:1", 50, SKETCH)
    assert await items.count() == 1


async def test_items_seen_in_one_statement_are_known_and_keep_an_earlier_text(
    store: Store,
) -> None:
    items = store.items
    await items.add("ap:1", "ap", None, "https://x.com/a", text("h1", 11, 12), seen_at=100)
    await items.add_seen(
        [
            SeenItem("ap:1", "ap", "guid-1", "https://x.com/other", 200),
            SeenItem("ap:2", "ap", "guid-2", "https://x.com/b", 200),
            SeenItem("nyt:3", "nyt", None, "https://x.com/c", 200),
        ]
    )
    await items.add_seen([])
    assert await items.seen("ap", "guid-2", None, False)
    assert await items.seen("afp", None, "https://x.com/c", False)
    assert await items.seen("ap", "guid-1", None, False)  # filled in on the known item
    assert await items.with_content_hash("h1", exclude="other") == "ap:1"  # its text kept
    assert await items.count() == 3


async def test_a_later_text_replaces_the_earlier_one(store: Store) -> None:
    items = store.items
    await items.add("ap:1", "ap", None, None, text("h1", 1, shingles=20), seen_at=100)
    await items.add("ap:1", "ap", None, None, text("h2", 2, shingles=30, sketch=b"\0" * 8), 200)
    assert await items.with_content_hash("h1", exclude="x") is None
    assert await items.with_content_hash("h2", exclude="x") == "ap:1"
    [found] = await items.candidates([2], exclude="x")
    assert (found.shingles, found.sketch) == (30, b"\0" * 8)


async def test_adding_an_item_twice_records_its_keys_once(store: Store) -> None:
    for _ in range(2):
        await store.items.add("ap:1", "ap", None, None, text("h1", 5, 6, 7), seen_at=100)
    postings = await store.db.scalar("SELECT COUNT(*) FROM dedup_item_keys")
    assert postings == 3
    [found] = await store.items.candidates([5, 6, 7], exclude="x")
    assert found.shared_keys == 3


async def test_content_hash_lookup_skips_the_item_itself_and_prefers_the_earliest(
    store: Store,
) -> None:
    items = store.items
    await items.add("b", "f", None, None, text("same"), seen_at=200)
    await items.add("a", "f", None, None, text("same"), seen_at=300)
    await items.add("c", "f", None, None, text("same"), seen_at=100)
    assert await items.with_content_hash("same", exclude="c") == "b"
    assert await items.with_content_hash("same", exclude="x") == "c"
    assert await items.with_content_hash("other", exclude="x") is None


async def test_candidates_rank_by_shared_keys_and_carry_the_sketch(store: Store) -> None:
    items = store.items
    await items.add("one", "f", None, None, text("h1", 1, 2, 3, shingles=40), seen_at=1)
    await items.add("two", "f", None, None, text("h2", 1, 2, 9), seen_at=2)
    await items.add("none", "f", None, None, text("h3", 7, 8), seen_at=3)
    await items.add("no-text", "f", None, None, None, seen_at=4)
    found = await items.candidates([1, 2, 3, 4], exclude="self")
    assert [(c.item_id, c.shared_keys) for c in found] == [("one", 3), ("two", 2)]
    assert found[0].shingles == 40
    assert found[0].sketch == SKETCH
    assert (await items.candidates([1, 2, 3], exclude="one"))[0].item_id == "two"
    assert await items.candidates([], exclude="self") == []
    assert await items.candidates([404], exclude="self") == []


async def test_candidates_are_at_most_max_candidates(store: Store) -> None:
    for i in range(MAX_CANDIDATES + 5):
        await store.items.add(f"item-{i:03d}", "f", None, None, text(f"h{i}", i, 1000 + i), i)
    # items 60.. share two keys with the text, the others one
    keys = [*range(MAX_CANDIDATES + 5), *range(1060, 1000 + MAX_CANDIDATES + 5)]
    found = await store.items.candidates(keys, exclude="item-001")
    assert len(found) == MAX_CANDIDATES
    assert [c.item_id for c in found[:3]] == ["item-060", "item-061", "item-062"]
    assert [c.shared_keys for c in found] == [2] * 9 + [1] * (MAX_CANDIDATES - 9)
    assert [c.item_id for c in found[9:12]] == ["item-000", "item-002", "item-003"]  # by id


async def test_a_boilerplate_key_stops_growing_so_lookups_stay_bounded(store: Store) -> None:
    items = store.items
    common = 42
    for i in range(KEY_POSTINGS + 10):
        await items.add(f"item-{i:03d}", "f", None, None, text(f"h{i}", common, 1000 + i), i)
    postings = await store.db.scalar(
        "SELECT COUNT(*) FROM dedup_item_keys WHERE lookup = :k", {"k": common}
    )
    assert postings == KEY_POSTINGS
    assert len(await items.candidates([common], exclude="x")) <= min(KEY_POSTINGS, MAX_CANDIDATES)
    # the item's own, rarer keys are still recorded
    rare = await items.candidates([1000 + KEY_POSTINGS + 5], exclude="x")
    assert [c.item_id for c in rare] == [f"item-{KEY_POSTINGS + 5:03d}"]


async def test_item_delete_older_removes_items_and_their_keys(store: Store) -> None:
    items = store.items
    await items.add("old", "f", "g-old", None, text("h1", 5), seen_at=100)
    await items.add("new", "f", "g-new", None, text("h2", 5), seen_at=300)
    assert await items.delete_older(200) == 1
    assert not await items.seen("f", "g-old", None, False)
    assert await items.seen("f", "g-new", None, False)
    assert [tuple(r) for r in await store.db.execute("SELECT item_id FROM dedup_item_keys")] == [
        ("new",)
    ]
    assert await items.delete_older(200) == 0
    assert await items.count() == 1


# -- events -------------------------------------------------------------------------------------


def row(
    event_id: str,
    day: date,
    *,
    certain: bool = True,
    actor: str | None = "north-korea",
    updated: int = 100,
    event_type: str = "missile_launch",
) -> EventRow:
    return EventRow(
        id=event_id,
        event_type=event_type,
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


async def test_event_round_trip_keeps_facts_outlets_and_date(store: Store) -> None:
    events = store.events
    ev = row("missile_launch:north-korea:~2022-01-05", date(2022, 1, 5), certain=False)
    await events.create(ev)
    got = await events.get(ev.id)
    assert got == ev
    assert got is not None and got.facts == ev.facts
    changed = ev.evolve(
        event_date=date(2022, 1, 4),
        date_certain=True,
        outlets=("AP", "Newsweek"),
        facts={**ev.facts, "place": "Jagang"},
        weapon="KN-23",
        subtype="strike",
        updated_at=200,
        first_article="not written",  # an update never changes who opened the event
    )
    await events.update(changed)
    got = await events.get(ev.id)
    assert got == changed.evolve(first_article="ap:1")
    assert got is not None and got.facts["place"] == "Jagang"
    assert await events.get("missing") is None
    assert await events.exists(ev.id) and not await events.exists("missing")


async def test_an_event_without_an_actor_round_trips(store: Store) -> None:
    ev = row("missile_launch:unattributed:2022-01-05:ab12", date(2022, 1, 5), actor=None)
    await store.events.create(ev)
    assert await store.events.get(ev.id) == ev


async def test_in_window_is_inclusive_and_by_type_and_actor(store: Store) -> None:
    events = store.events
    for i, day in enumerate((3, 4, 5, 6, 7)):
        await events.create(row(f"e{i}", date(2022, 1, day)))
    await events.create(row("iran", date(2022, 1, 5), actor="iran"))
    found = await events.in_window(
        "missile_launch", "north-korea", date(2022, 1, 4), date(2022, 1, 6)
    )
    assert [e.id for e in found] == ["e1", "e2", "e3"]
    assert await events.in_window("strike", "north-korea", date(2022, 1, 1), date(2022, 1, 9)) == []


async def test_latest_of_actor_and_recent_are_newest_first(store: Store) -> None:
    events = store.events
    await events.create(row("a", date(2022, 1, 1), updated=300))
    await events.create(row("b", date(2022, 1, 9), updated=100))
    await events.create(row("c", date(2022, 1, 5), updated=300))
    await events.create(row("iran", date(2022, 1, 5), actor="iran", updated=400))
    await events.create(row("other-type", date(2022, 1, 5), event_type="strike", updated=500))
    latest = await events.latest_of_actor("missile_launch", "north-korea", 2)
    assert [e.id for e in latest] == ["c", "a"]  # a tie on the time: the larger id first
    assert [e.id for e in await events.latest_of_actor("missile_launch", "iran", 8)] == ["iran"]
    assert [e.id for e in await events.recent(limit=3)] == ["other-type", "iran", "a"]
    assert len(await events.recent()) == 5


async def test_last_stamp_is_the_latest_of_events_and_parked_reports(store: Store) -> None:
    events = store.events
    assert await events.last_stamp() == 0
    await events.create(row("a", date(2022, 1, 1), updated=300))
    assert await events.last_stamp() == 300
    await events.park("oil:1", "missile_launch", "north-korea", date(2022, 1, 2), "Oil", 350)
    assert await events.last_stamp() == 350
    await events.update(row("a", date(2022, 1, 1), updated=400))
    assert await events.last_stamp() == 400


async def test_reports_link_articles_to_events_once(store: Store) -> None:
    events = store.events
    await events.create(row("e1", date(2022, 1, 5)))
    await events.create(row("e2", date(2022, 1, 5), event_type="strike"))
    await events.add_report("e1", "ap:1", "AP", True, 100)
    await events.add_report("e1", "nw:1", "Newsweek", False, 101)
    await events.add_report("e1", "ap:1", "AP", True, 102)  # again: nothing changes
    await events.add_report("e2", "ap:1", "AP", True, 103)
    assert await events.reports("e1") == ["ap:1", "nw:1"]
    assert await events.reports("missing") == []
    found = await events.of_articles("missile_launch", ["ap:1", "nw:1", "other", "ap:1"])
    assert sorted(found) == ["ap:1", "nw:1"]
    assert found["nw:1"].id == "e1"
    assert {k: v.id for k, v in (await events.of_articles("strike", ["ap:1"])).items()} == {
        "ap:1": "e2"
    }
    assert await events.of_articles("nuclear_test", ["ap:1"]) == {}
    assert await events.of_articles("missile_launch", []) == {}
    assert await events.of_articles("missile_launch", ["other"]) == {}


async def test_parked_reports_wait_for_an_event_and_leave_once_taken(store: Store) -> None:
    events = store.events
    nk = ("missile_launch", "north-korea")
    await events.park("oil:1", *nk, date(2022, 1, 5), "Oil", 100)
    await events.park("oil:1", *nk, date(2022, 1, 9), "Oil", 150)  # again: the first stays
    await events.park("fx:1", *nk, date(2022, 1, 4), "FX", 120)
    await events.park("fx:2", *nk, date(2022, 1, 20), "FX", 90)
    await events.park("iran:1", "missile_launch", "iran", date(2022, 1, 5), "Oil", 100)
    await events.park("oil:1", "strike", "north-korea", date(2022, 1, 5), "Oil", 100)
    found = await events.parked(*nk, date(2022, 1, 4), date(2022, 1, 6))
    assert found == [
        Parked("oil:1", date(2022, 1, 5), "Oil"),
        Parked("fx:1", date(2022, 1, 4), "FX"),
    ]  # oldest first
    await events.unpark("missile_launch", ["oil:1", "fx:1", "never-parked"])
    await events.unpark("missile_launch", [])
    assert await events.parked(*nk, date(2022, 1, 1), date(2022, 1, 31)) == [
        Parked("fx:2", date(2022, 1, 20), "FX")
    ]
    assert (
        len(await events.parked("strike", "north-korea", date(2022, 1, 5), date(2022, 1, 5))) == 1
    )


async def test_event_delete_older_removes_quiet_events_their_reports_and_old_parked(
    store: Store,
) -> None:
    events = store.events
    await events.create(row("quiet", date(2022, 1, 5), updated=100))
    await events.create(row("busy", date(2022, 1, 5), actor="iran", updated=300))
    await events.add_report("quiet", "ap:1", "AP", True, 100)
    await events.add_report("busy", "ap:2", "AP", True, 300)
    await events.park("old:1", "missile_launch", "russia", date(2022, 1, 5), "Oil", 100)
    await events.park("new:1", "missile_launch", "russia", date(2022, 1, 5), "Oil", 300)
    assert await events.delete_older(200) == 1
    assert await events.get("quiet") is None
    assert await events.reports("quiet") == []
    assert await events.reports("busy") == ["ap:2"]
    parked = await events.parked("missile_launch", "russia", date(2022, 1, 5), date(2022, 1, 5))
    assert [p.article_id for p in parked] == ["new:1"]
    assert await events.delete_older(200) == 0
