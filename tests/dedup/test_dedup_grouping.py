"""The Deduplicator as the pipeline uses it; every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from contextlib import closing
from datetime import date, timedelta

import psycopg
import pytest
from dedup_helpers import (
    AP_SEED,
    JAN_5,
    JAN_11,
    JAN_11_REPORT,
    KCNA_SATELLITE,
    NEWSWEEK_SEED,
    Backend,
    Clock,
    article,
    at,
    detection,
    empty,
    make_dedup,
    placed,
)

from monitor.dedup import Deduplicator
from monitor.models import Article, Detection, Entry
from monitor.store import Store
from monitor.store.db import sqlite_file

AP = article(
    "AP:ap-1", AP_SEED, at(date(2022, 1, 4), 23, 40), url="https://apnews.com/a?utm_source=rss"
)
NEWSWEEK = article(
    "Newsweek:nw-1", NEWSWEEK_SEED, at(JAN_5, 10, 5), title="North Korea's Military Buildup"
)
JAN_11_AP = article("AP:ap-2", JAN_11_REPORT, at(JAN_11, 0, 10))


def entry(feed: str, guid: str | None, url: str | None) -> Entry:
    return Entry(feed=feed, guid=guid, url=url, title="t", summary="s", published=None)


async def test_the_two_seeds_give_one_event(dedup: Deduplicator) -> None:
    first = await placed(dedup, AP, detection("north-korea", JAN_5, place="Jagang"))
    second = await placed(dedup, NEWSWEEK, detection("north-korea", JAN_5, weapon="KN-23"))
    assert first.event.id == second.event.id == "missile_launch:north-korea:2022-01-05"
    assert (first.new_event, second.new_event) == (True, False)
    assert first.duplicate_of is None
    assert second.duplicate_of == AP.id  # the rewrite is recognised as the same text
    assert second.outlets == ("AP", "Newsweek")
    assert second.event.first_article == AP.id
    assert second.event.event_date == JAN_5
    assert second.new_facts == {}  # the weapon was already known: nothing new to say
    assert second.event.facts == {
        "subtype": "test",
        "weapon": "ballistic missile",
        "place": "Jagang",
    }


async def test_the_seeds_are_one_event_on_their_text_alone(dedup: Deduplicator) -> None:
    # Without an actor, only near-duplicate text can group them.
    first = await placed(dedup, AP, detection(None, None))
    second = await placed(dedup, NEWSWEEK, detection(None, None))
    third = await placed(
        dedup, article("KCNA:60", KCNA_SATELLITE, at(JAN_5)), detection(None, None)
    )
    assert second.event.id == first.event.id
    assert second.duplicate_of == AP.id
    assert third.event.id != first.event.id and third.new_event


@pytest.mark.parametrize("stated", [True, False], ids=["dates-stated", "dates-from-publication"])
async def test_launches_on_5_and_11_january_are_two_events(
    dedup: Deduplicator, stated: bool
) -> None:
    jan5 = await placed(dedup, AP, detection("north-korea", JAN_5, stated=stated))
    jan11 = await placed(dedup, JAN_11_AP, detection("north-korea", JAN_11, stated=stated))
    assert jan11.duplicate_of == AP.id  # the articles read alike...
    assert jan11.event.id != jan5.event.id  # ...but the launches are days apart
    assert jan5.new_event and jan11.new_event


async def test_a_report_a_day_off_joins_only_when_its_date_is_uncertain(
    dedup: Deduplicator,
) -> None:
    base = await placed(dedup, AP, detection("north-korea", JAN_5))
    next_day = JAN_5 + timedelta(days=1)
    undated = await placed(
        dedup,
        article("Yonhap:1", "North Korea launched a missile early today.", at(next_day)),
        detection("north-korea", next_day, stated=False),
    )
    stated = await placed(
        dedup,
        article(
            "KCNA:2", "The test-fire of a new missile was conducted on January 6.", at(next_day)
        ),
        detection("north-korea", next_day),
    )
    assert undated.event.id == base.event.id and not undated.new_event
    assert stated.event.id == "missile_launch:north-korea:2022-01-06" and stated.new_event


async def test_a_stated_date_confirms_a_provisional_event(dedup: Deduplicator) -> None:
    early = await placed(
        dedup,
        article("Yonhap:1", "North Korea fired a missile, officials said.", at(JAN_5, 1)),
        detection("north-korea", JAN_5, stated=False, weapon=None),
    )
    assert early.new_event and early.event.event_date is None
    assert early.event.id == "missile_launch:north-korea:~2022-01-05"
    later = await placed(dedup, AP, detection("north-korea", JAN_5 - timedelta(days=1), count=1))
    assert later.event.id == early.event.id and not later.new_event
    assert later.event.event_date == JAN_5 - timedelta(days=1)
    assert later.new_facts == {"weapon": "ballistic missile", "count": "1", "date": "2022-01-04"}


async def test_different_actors_and_event_types_stay_apart(dedup: Deduplicator) -> None:
    nk = await placed(dedup, AP, detection("north-korea", JAN_5))
    iran = await placed(
        dedup, article("Reuters:1", "Iran fired missiles.", at(JAN_5)), detection("iran", JAN_5)
    )
    other_type = await placed(
        dedup, NEWSWEEK, detection("north-korea", JAN_5, event_type="nuclear_test")
    )
    assert len({nk.event.id, iran.event.id, other_type.event.id}) == 3
    assert iran.event.id == "missile_launch:iran:2022-01-05"


async def test_the_same_report_twice_changes_nothing(dedup: Deduplicator) -> None:
    first = await placed(dedup, AP, detection("north-korea", JAN_5))
    again = await placed(dedup, AP, detection("north-korea", JAN_5, place="Jagang"))
    assert again.event.id == first.event.id
    assert not again.new_event and again.new_facts == {} and again.duplicate_of is None


# -- order independence -------------------------------------------------------------------------

REPORTS: list[tuple[Article, Detection]] = [
    (AP, detection("north-korea", JAN_5)),
    (NEWSWEEK, detection("north-korea", JAN_5, weapon="KN-23")),
    (
        article("Yonhap:5", "North Korea fired a missile on Wednesday.", at(JAN_5, 2)),
        detection("north-korea", JAN_5),
    ),
    (
        article("NHK:5", "A North Korean missile fell outside Japan's waters.", at(JAN_5, 3)),
        detection("north-korea", JAN_5, stated=False),
    ),
    (JAN_11_AP, detection("north-korea", JAN_11)),
    (
        article("Yonhap:11", "North Korea fired a hypersonic missile on Tuesday.", at(JAN_11, 1)),
        detection("north-korea", JAN_11, weapon="hypersonic missile"),
    ),
    (
        article("Reuters:iran", "Iran test-fired a missile on Wednesday.", at(JAN_5, 9)),
        detection("iran", JAN_5),
    ),
    (
        article("Reuters:iran-2", "Iran's missile test drew condemnation.", at(JAN_5, 20)),
        detection("iran", JAN_5, stated=False),
    ),
    (
        article("KCNA:sat", KCNA_SATELLITE, at(date(2022, 1, 20))),
        detection("north-korea", date(2022, 1, 20), subtype="satellite"),
    ),
]


async def grouping(
    dedup: Deduplicator, order: list[int]
) -> tuple[frozenset[frozenset[str]], dict[str, date | None], int]:
    members: dict[str, set[str]] = {}
    dates: dict[str, date | None] = {}
    opened = 0
    for i in order:
        art, det = REPORTS[i]
        result = await placed(dedup, art, det)
        members.setdefault(result.event.id, set()).add(art.id)
        dates[result.event.id] = result.event.event_date
        opened += result.new_event
    partition = frozenset(frozenset(m) for m in members.values())
    by_members = {",".join(sorted(m)): dates[eid] for eid, m in members.items()}
    return partition, by_members, opened


async def test_arrival_order_does_not_change_the_grouping(backend: Backend) -> None:
    published_order = sorted(range(len(REPORTS)), key=lambda i: (REPORTS[i][0].published, i))
    store = await backend.open()
    expected, expected_dates, opened = await grouping(make_dedup(store, Clock()), published_order)
    assert len(expected) == 4 and opened == 4
    assert frozenset({AP.id, NEWSWEEK.id, "Yonhap:5", "NHK:5"}) in expected
    for seed in range(12):
        order = list(range(len(REPORTS)))
        random.Random(seed).shuffle(order)
        await empty(store)
        partition, dates, opened = await grouping(make_dedup(store, Clock()), order)
        assert (partition, dates, opened) == (expected, expected_dates, 4), f"order {order}"


# -- the store: restart, transactions, expiry ---------------------------------------------------


async def test_a_restart_between_two_reports_still_joins_them(
    backend: Backend, clock: Clock
) -> None:
    before = make_dedup(await backend.open(), clock)
    first = await placed(before, AP, detection("north-korea", JAN_5))
    clock.advance(hours=9)
    after = make_dedup(await backend.open(), clock)  # a new connection: the service restarted
    second = await placed(after, NEWSWEEK, detection("north-korea", JAN_5))
    assert second.event.id == first.event.id and not second.new_event
    assert second.duplicate_of == AP.id
    assert second.outlets == ("AP", "Newsweek")


async def test_a_restart_keeps_seen_entries(backend: Backend, clock: Clock) -> None:
    before = make_dedup(await backend.open(), clock)
    await before.remember(entry("ap", "tag:ap.org,2022:1", "https://apnews.com/a"), None)
    after = make_dedup(await backend.open(), clock)
    assert await after.is_known(entry("ap", "tag:ap.org,2022:1", None))
    assert await after.is_known(entry("other", None, "https://m.apnews.com/a?utm_source=x#top"))
    assert not await after.is_known(entry("ap", "tag:ap.org,2022:2", "https://apnews.com/b"))


async def test_record_commits_only_with_the_callers_transaction(
    backend: Backend, clock: Clock
) -> None:
    store = await backend.open()
    dedup = make_dedup(store, clock)
    async with store.transaction():
        await placed(dedup, AP, detection("north-korea", JAN_5))
        assert committed_events(backend.url) == 0
    assert committed_events(backend.url) == 1

    with pytest.raises(RuntimeError):
        async with store.transaction():
            await placed(dedup, JAN_11_AP, detection("north-korea", JAN_11))
            raise RuntimeError("enqueueing the alert failed")
    assert committed_events(backend.url) == 1
    assert (await placed(dedup, JAN_11_AP, detection("north-korea", JAN_11))).new_event


async def test_record_stores_the_item_once_with_its_entry(store: Store, clock: Clock) -> None:
    dedup = make_dedup(store, clock)
    e = entry("AP", "tag:ap.org,2022:nk-1", "https://apnews.com/article/nk-1?utm_medium=rss")
    both = [detection("north-korea", JAN_5), detection("north-korea", JAN_5, event_type="test")]
    results = await dedup.record(e, AP, both)
    assert [r.event.id for r in results if r is not None] == [
        "missile_launch:north-korea:2022-01-05",
        "test:north-korea:2022-01-05",
    ]
    assert await store.items.count() == 1
    assert await dedup.is_known(entry("Yahoo", None, "https://apnews.com/article/nk-1"))
    assert await dedup.is_known(entry("other", "tag:ap.org,2022:nk-1", None))
    assert await dedup.record(e, AP, []) == []  # nothing to place, and still one item
    assert await store.items.count() == 1


async def test_is_known_before_download_and_remember_indexes_text(dedup: Deduplicator) -> None:
    e = entry(
        "AP", "https://apnews.com/article/nk-1", "https://apnews.com/article/nk-1?utm_medium=rss"
    )
    assert not await dedup.is_known(e)
    await dedup.remember(e, AP)
    assert await dedup.is_known(e)
    assert await dedup.is_known(entry("Yahoo", None, "https://apnews.com/article/nk-1"))
    assert not await dedup.is_known(entry("AP", "1", None))
    await dedup.remember(entry("feed-a", "1", None), None)
    assert await dedup.is_known(entry("feed-a", "1", None))
    assert not await dedup.is_known(entry("feed-b", "1", None))  # short GUIDs are per feed
    # the remembered text is found when Newsweek's rewrite is recorded
    assert (await placed(dedup, NEWSWEEK, detection(None, None))).duplicate_of == AP.id


async def test_a_polls_entries_are_looked_up_at_once(dedup: Deduplicator) -> None:
    # More entries than one statement asks about, some stored.
    await dedup.remember_seen(
        [entry("wire", f"tag:wire.example,2022:{n}", None) for n in range(0, 1000, 3)]
    )
    await dedup.remember(entry("feed-a", "7", None), None)
    await dedup.remember(entry("blog", None, "https://blog.example/post/9"), None)
    asked = [entry("wire", f"tag:wire.example,2022:{n}", None) for n in range(1000)]
    asked += [
        entry("feed-a", "7", None),  # a short GUID, stored for this feed
        entry("feed-b", "7", None),  # the same short GUID elsewhere: another item
        entry("news", None, "https://blog.example/post/9?utm_source=rss"),  # a stored link
        entry("news", "https://news.example/1", "https://news.example/1"),
    ]
    known = await dedup.known(asked)
    assert known[:1000] == [n % 3 == 0 for n in range(1000)]
    assert known[1000:] == [True, False, True, False]
    one_by_one = [await dedup.is_known(e) for e in asked[1000:]]
    assert one_by_one == known[1000:]


async def test_identical_text_under_another_id_is_a_duplicate(dedup: Deduplicator) -> None:
    await placed(dedup, AP, detection("north-korea", JAN_5))
    copy = article("Yahoo:ap-1", AP_SEED.upper(), at(JAN_5, 1), title="Retitled")
    result = await placed(dedup, copy, detection("north-korea", JAN_5))
    assert result.duplicate_of == AP.id and not result.new_event


async def test_expire_forgets_items_and_events_after_the_horizon(
    store: Store, clock: Clock
) -> None:
    dedup = make_dedup(store, clock, horizon=86400.0)
    await dedup.remember(entry("ap", "tag:ap.org,1", None), None)
    first = await placed(dedup, AP, detection("north-korea", JAN_5))
    clock.advance(hours=12)
    assert await dedup.expire() == 0
    clock.advance(hours=13)
    assert await dedup.expire() == 3  # two items and one event
    assert not await dedup.is_known(entry("ap", "tag:ap.org,1", None))
    again = await placed(dedup, NEWSWEEK, detection("north-korea", JAN_5))
    assert again.new_event and again.event.id == first.event.id and again.duplicate_of is None


# -- replicas -----------------------------------------------------------------------------------


@pytest.mark.parametrize("stated", [True, False], ids=["both-state-the-day", "one-guesses-the-day"])
async def test_two_replicas_recording_one_launch_at_once_open_one_event(
    backend: Backend, clock: Clock, stated: bool
) -> None:
    """Two replicas, each its own store and connections, record two reports of one launch at
    the same moment: the lock on the actor makes one wait for the other's decision, so the
    second joins the event the first opened instead of opening another (under the same id, or
    a provisional one when its day is a guess)."""
    if backend.url.startswith("sqlite"):
        pytest.skip("one process serves a SQLite store: its transactions already take turns")
    one = make_dedup(await backend.open(), clock)
    two = make_dedup(await backend.open(), clock)
    yonhap = article("Yonhap:5", "North Korea fired a missile, officials said.", at(JAN_5, 2))
    for _ in range(5):
        first, second = await asyncio.gather(
            one.record(entry("AP", None, None), AP, [detection("north-korea", JAN_5)]),
            two.record(
                entry("Yonhap", None, None),
                yonhap,
                [detection("north-korea", JAN_5, stated=stated)],
            ),
        )
        both = [p for p in (*first, *second) if p is not None]
        assert len(both) == 2
        assert len({p.event.id for p in both}) == 1
        assert both[0].event.event_date == JAN_5
        assert sorted(p.new_event for p in both) == [False, True]
        assert committed_events(backend.url) == 1
        await empty(await backend.open())


def committed_events(url: str) -> int:
    """Events another connection sees: what has been committed."""
    file = sqlite_file(url)
    if file is not None:
        with closing(sqlite3.connect(file)) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM dedup_events").fetchone()[0])
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT COUNT(*) FROM dedup_events").fetchone()
        return int(row[0]) if row else 0
