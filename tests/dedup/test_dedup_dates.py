"""Grouping by what a report's date means: a reaction's day bounds the launch from above, and two
days guessed from publication times are two days. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date

import pytest
from dedup_helpers import (
    AP_SEED,
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
from monitor.dedup.evidence import BOUND_FACT
from monitor.models import Article, Detection

NK = "north-korea"


def day(n: int) -> date:
    return date(2023, 3, n)


def launch(outlet: str, n: int, actor: str = NK) -> tuple[Article, Detection]:
    """A report stating that the launch was on 2023-03-n."""
    text = f"{outlet}: the {actor} launch of a ballistic missile on March {n} was confirmed."
    return article(f"{outlet}:{n}", text, at(day(n), 6)), detection(actor, day(n))


def reaction(outlet: str, n: int, actor: str = NK) -> tuple[Article, Detection]:
    """A reaction dated 2023-03-n to an earlier launch."""
    text = f"{outlet} said it denounced on March {n} the {actor} missile launch, a provocation."
    return article(f"{outlet}:r{n}", text, at(day(n), 12)), detection(actor, day(n), reaction=True)


def undated(outlet: str, n: int, actor: str = NK) -> tuple[Article, Detection]:
    """A launch report stating no date, published on 2023-03-n (its day is a guess)."""
    text = f"{outlet} reports that {actor} fired a missile, according to officials in the region."
    return article(f"{outlet}:u{n}", text, at(day(n), 9)), detection(actor, day(n), stated=False)


# (reports already in, the reaction, the outlet whose event it joins or None for a new event)
REACTIONS = [
    pytest.param([launch("Yonhap", 3)], reaction("UN", 5), "Yonhap:3", id="joins-a-launch-before"),
    pytest.param([launch("Yonhap", 3)], reaction("UN", 10), "Yonhap:3", id="a-week-later"),
    pytest.param([launch("Yonhap", 3)], reaction("UN", 11), None, id="more-than-a-week-later"),
    pytest.param(
        [launch("Yonhap", 3), launch("NHK", 6)], reaction("UN", 7), "NHK:6", id="the-latest"
    ),
    pytest.param([launch("Yonhap", 8)], reaction("UN", 7), "Yonhap:8", id="time-zone-slack"),
    pytest.param([launch("Yonhap", 9)], reaction("UN", 7), None, id="not-a-later-launch"),
    pytest.param([launch("IRNA", 5, "iran")], reaction("UN", 6), None, id="another-actor"),
    pytest.param([undated("NHK", 4)], reaction("UN", 6), "NHK:u4", id="joins-an-undated-one"),
    pytest.param(
        [reaction("Seoul", 4)], reaction("UN", 10), "Seoul:r4", id="joins-another-reaction"
    ),
]


@pytest.mark.parametrize(("before", "report", "joins"), REACTIONS)
async def test_a_reaction_joins_the_latest_launch_before_it(
    dedup: Deduplicator,
    before: list[tuple[Article, Detection]],
    report: tuple[Article, Detection],
    joins: str | None,
) -> None:
    events = {art.id: (await placed(dedup, art, det)).event.id for art, det in before}
    result = await placed(dedup, *report)
    if joins is None:
        assert result.new_event and result.event.id not in events.values()
        assert result.event.id == f"missile_launch:{NK}:~{report[1].event_date}"
        assert result.event.event_date is None  # a bound is not the launch's date
        assert result.event.facts[BOUND_FACT] == str(report[1].event_date)
    else:
        assert not result.new_event and result.event.id == events[joins]


async def test_a_launch_stated_later_confirms_the_event_a_reaction_opened(
    dedup: Deduplicator,
) -> None:
    first = await placed(dedup, *reaction("UN", 8))
    assert first.new_event and first.new_facts[BOUND_FACT] == "2023-03-08"
    stated = await placed(dedup, *launch("Yonhap", 3))  # five days before the reaction
    assert stated.event.id == first.event.id and not stated.new_event
    assert stated.event.event_date == day(3) and stated.new_facts["date"] == "2023-03-03"
    assert BOUND_FACT not in stated.event.facts
    # Once the date is stated, the event is an ordinary one: a launch days later is another.
    assert (await placed(dedup, *launch("NHK", 6))).new_event


async def test_a_reaction_never_swallows_a_later_launch(dedup: Deduplicator) -> None:
    await placed(dedup, *reaction("UN", 8))
    later = await placed(
        dedup, *undated("NHK", 10)
    )  # no date in the text, two days after the bound
    assert later.new_event and later.event.id == f"missile_launch:{NK}:~2023-03-10"


# (two reports whose days are guessed from publication, their days, near-duplicate texts?)
GUESSES = [
    pytest.param(5, 5, False, True, id="same-day"),
    pytest.param(5, 6, False, False, id="a-day-apart"),
    pytest.param(6, 5, False, False, id="a-day-apart-reversed"),
    pytest.param(5, 6, True, True, id="a-day-apart-same-text"),
    pytest.param(5, 7, True, False, id="beyond-the-window-same-text"),
]


@pytest.mark.parametrize(("first", "second", "same_text", "one_event"), GUESSES)
async def test_guessed_days_are_not_chained_across_days(
    dedup: Deduplicator, first: int, second: int, same_text: bool, one_event: bool
) -> None:
    texts = (AP_SEED, NEWSWEEK_SEED) if same_text else (AP_SEED, "Japan said a missile fell.")
    a = await placed(
        dedup, article("AP:1", texts[0], at(day(first), 9)), detection(NK, day(first), stated=False)
    )
    b = await placed(
        dedup,
        article("NHK:1", texts[1], at(day(second), 9)),
        detection(NK, day(second), stated=False),
    )
    assert a.new_event
    assert (b.event.id == a.event.id) is one_event
    assert b.new_event is not one_event


# (the two tests' weapons and kinds, one event?)
SYSTEM_GUESSES = [
    pytest.param(("Babur", "test"), ("Babur", "test"), True, id="same-named-system"),
    pytest.param(("Babur-1A", "test"), ("Babur 1A", "test"), True, id="spelt-otherwise"),
    pytest.param(("Babur", "test"), ("Shaheen-III", "test"), False, id="another-system"),
    pytest.param(("cruise missile", "test"), ("cruise missile", "test"), False, id="a-kind-only"),
    pytest.param(("Kalibr", "strike"), ("Kalibr", "strike"), False, id="strikes"),
]


@pytest.mark.parametrize(("first", "second", "one_event"), SYSTEM_GUESSES)
async def test_guessed_days_a_day_apart_join_on_the_named_system_tested(
    dedup: Deduplicator, first: tuple[str, str], second: tuple[str, str], one_event: bool
) -> None:
    """A test of one named system guessed a day apart (a time zone, a report the next morning)
    is one test: tests of one system are weeks apart, a wave's systems fly every night."""
    a = await placed(
        dedup,
        article("ISPR:1", "Pakistan test-fired a missile.", at(day(11), 9)),
        detection("pakistan", day(11), stated=False, weapon=first[0], subtype=first[1]),
    )
    b = await placed(
        dedup,
        article("Dawn:1", "The missile flew 450 km, the army said.", at(day(12), 9)),
        detection("pakistan", day(12), stated=False, weapon=second[0], subtype=second[1]),
    )
    assert a.new_event
    assert (b.event.id == a.event.id) is one_event
    assert b.new_event is not one_event


async def test_a_guessed_day_next_to_a_stated_one_still_joins(dedup: Deduplicator) -> None:
    stated = await placed(dedup, *launch("Yonhap", 5))
    guessed = await placed(dedup, *undated("NHK", 6))
    assert guessed.event.id == stated.event.id and not guessed.new_event


# -- order independence -------------------------------------------------------------------------

SCENARIO: list[tuple[Article, Detection]] = [
    launch("Yonhap", 3),
    reaction("UN", 5),
    reaction("Tokyo", 6),
    undated("NHK", 3),
    undated("KBS", 12),
    undated("Kyodo", 12),
    undated("Asahi", 13),
    undated("TASS", 12, "russia"),
]
EXPECTED = {
    frozenset({"Yonhap:3", "UN:r5", "Tokyo:r6", "NHK:u3"}),
    frozenset({"KBS:u12", "Kyodo:u12"}),
    frozenset({"Asahi:u13"}),
    frozenset({"TASS:u12"}),
}


async def test_reactions_and_guessed_days_group_alike_in_any_order(backend: Backend) -> None:
    store = await backend.open()
    for seed in range(16):
        order = list(SCENARIO)
        random.Random(seed).shuffle(order)
        await empty(store)
        dedup = make_dedup(store, Clock())
        members: dict[str, set[str]] = {}
        opened = 0
        for art, det in order:
            result = await placed(dedup, art, det)
            members.setdefault(result.event.id, set()).add(art.id)
            opened += result.new_event
        partition = {frozenset(m) for m in members.values()}
        assert (partition, opened) == (EXPECTED, 4), f"order {[a.id for a, _ in order]}"
