"""Grouping by what a report can tell: its role (news peg or background), the stated time of
launch (salvos hours apart), and what an undated page still says of the day (day clues).
Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from dedup_helpers import Clock, article, assign, at, detection, placed

from monitor.dedup import Deduplicator
from monitor.models import Detection

Clue = tuple[int | None, int | None, int | None]
MAR_5 = date(2024, 3, 5)
MAR_6 = date(2024, 3, 6)


def undated(actor: str, clue: Clue | None) -> Detection:
    """A report from a page without a publication time; `clue`: (month, day, weekday)."""
    return replace(detection(actor, None, stated=False), day_clue=clue)


async def test_background_never_opens_an_event_but_joins_one(
    dedup: Deduplicator, clock: Clock
) -> None:
    oil = article("Oil:1", "Oil prices rose after ... fired missiles on Tuesday.", at(MAR_5, 9))
    background = replace(detection("north-korea", MAR_5), role="background")
    assert await assign(dedup, oil, background) is None  # nothing to join: no event, no alert

    clock.advance(hours=1)
    report = article("Wire:1", "North Korea fired a ballistic missile on Tuesday.", at(MAR_5, 10))
    opened = await assign(dedup, report, detection("north-korea", MAR_5))
    assert opened is not None and opened.new_event
    assert "Oil" in opened.outlets  # the parked background report was taken in, silently

    clock.advance(hours=1)
    later = article("Markets:1", "Stocks fell after the launch on Tuesday.", at(MAR_5, 11))
    joined = await assign(dedup, later, replace(background, role="background"))
    assert joined is not None and not joined.new_event
    assert joined.event.id == opened.event.id


async def test_background_of_another_day_stays_out(dedup: Deduplicator, clock: Clock) -> None:
    report = article("Wire:1", "fired on Tuesday", at(MAR_5, 10))
    opened = await assign(dedup, report, detection("north-korea", MAR_5))
    assert opened is not None
    old = article("Essay:1", "recalled the launch of March 1", at(MAR_5, 12))
    stale = replace(detection("north-korea", date(2024, 3, 1)), role="background")
    assert await assign(dedup, old, stale) is None


async def test_salvos_hours_apart_on_one_day_are_two_events(dedup: Deduplicator) -> None:
    morning = replace(detection("north-korea", MAR_6), time_of_day=7 * 60 + 10)
    afternoon = replace(detection("north-korea", MAR_6), time_of_day=14 * 60 + 5)
    a = await assign(dedup, article("A:1", "at 07:10", at(MAR_6, 1)), morning)
    b = await assign(dedup, article("B:1", "at 14:05", at(MAR_6, 6)), afternoon)
    c = await assign(
        dedup, article("C:1", "at 07:12", at(MAR_6, 7)), replace(morning, time_of_day=432)
    )
    d = await assign(
        dedup, article("D:1", "no time said", at(MAR_6, 8)), detection("north-korea", MAR_6)
    )
    assert a is not None and b is not None and c is not None and d is not None
    assert a.new_event and b.new_event and not c.new_event and not d.new_event
    assert a.event.id != b.event.id and c.event.id == a.event.id
    assert b.event.id == a.event.id + "#2"  # the day's id was taken: the next free one
    assert b.event.facts["time"] == "14:05"


async def test_consecutive_days_are_two_events(dedup: Deduplicator) -> None:
    first = await assign(dedup, article("A:1", "Tuesday", at(MAR_5, 1)), detection("iran", MAR_5))
    second = await assign(
        dedup, article("B:1", "Wednesday", at(MAR_6, 1)), detection("iran", MAR_6)
    )
    assert first is not None and second is not None
    assert first.new_event and second.new_event and first.event.id != second.event.id


async def test_undated_pages_group_by_what_they_say_of_the_day(dedup: Deduplicator) -> None:
    """Pages without a publication time: the actor's latest event, unless the day clue rules it
    out; the next report with a day that fits confirms the floating event."""

    on_14th = await assign(
        dedup, article("A:1", "14日", None), undated("north-korea", (None, 14, None))
    )
    again = await assign(dedup, article("B:1", "no day", None), undated("north-korea", None))
    on_15th = await assign(
        dedup, article("C:1", "15日", None), undated("north-korea", (None, 15, None))
    )
    dated = await assign(
        dedup,
        article("D:1", "on January 15", at(date(2022, 1, 15), 3)),
        detection("north-korea", date(2022, 1, 15)),
    )
    assert on_14th is not None and again is not None and on_15th is not None
    assert dated is not None
    assert on_14th.new_event and on_14th.event.facts["date"] == "unknown"
    assert again.event.id == on_14th.event.id and not again.new_event
    assert on_15th.new_event and on_15th.event.id != on_14th.event.id
    assert dated.event.id == on_15th.event.id and not dated.new_event
    assert dated.event.event_date == date(2022, 1, 15)


async def test_a_page_without_a_day_is_found_among_many_later_events(
    dedup: Deduplicator,
) -> None:
    """A page without a publication time says "18 September"; a dozen pages of other days of
    the actor come in after it, each opening its own event; a report dated the 18th still finds
    the first page's event among the actor's latest."""
    first = await placed(
        dedup, article("A:1", "18 September", None), undated("north-korea", (9, 18, None))
    )
    for n in range(1, 13):
        other = await placed(
            dedup,
            article(f"O{n}:1", f"{n} September", None),
            undated("north-korea", (9, n, None)),
        )
        assert other.new_event
    dated = await placed(
        dedup,
        article("D:1", "on 18 September", at(date(2024, 9, 18), 3)),
        detection("north-korea", date(2024, 9, 18)),
    )
    assert first.new_event and not dated.new_event
    assert dated.event.id == first.event.id


async def test_a_parked_report_joins_once_its_event_learns_its_day(dedup: Deduplicator) -> None:
    """Background stating the 5th is parked; a report without a date opens the event on a
    guessed day; a report stating the 5th confirms it, and the parked report joins then."""
    background = replace(detection("north-korea", MAR_5), role="background")
    assert (
        await assign(dedup, article("Oil:1", "fired on Tuesday", at(MAR_5, 9)), background) is None
    )
    guessed = await assign(
        dedup,
        article("A:1", "fired a missile", at(MAR_6, 2)),
        detection("north-korea", MAR_6, stated=False),
    )
    assert guessed is not None and guessed.new_event and "Oil" not in guessed.outlets
    confirmed = await assign(
        dedup, article("B:1", "fired on Tuesday", at(MAR_6, 3)), detection("north-korea", MAR_5)
    )
    assert confirmed is not None and confirmed.event.id == guessed.event.id
    assert confirmed.event.event_date == MAR_5 and "Oil" in confirmed.outlets


async def test_undated_pages_find_their_launch_by_the_figures_they_give(
    dedup: Deduplicator,
) -> None:
    """Pages without a day, in several languages, of two launches by one actor arriving
    interleaved: a figure in common (how many missiles, how far) puts a report with its launch
    even when another launch of the actor was reported in between; no figure, no day and no
    recent report of the actor: a new floating event."""

    def report(figures: tuple[int, ...], day: int | None = None) -> Detection:
        return replace(undated("iran", (None, day, None) if day else None), figures=figures)

    big = await assign(
        dedup, article("Es:1", "el día 1, casi 200 misiles", None), report((200,), 1)
    )
    other = await assign(dedup, article("Ja:1", "13日、無人機", None), report((), 13))
    small = await assign(dedup, article("Fr:1", "une douzaine", None), report(()))
    back = await assign(dedup, article("Hi:1", "200 मिसाइलें, 350 किमी", None), report((200, 350)))
    far = await assign(dedup, article("Tr:1", "350 km", None), report((350,)))
    assert big is not None and other is not None and small is not None
    assert back is not None and far is not None
    assert big.new_event and other.new_event  # another day of the month: another launch
    assert small.event.id == other.event.id and not small.new_event  # just reported
    assert back.event.id == big.event.id and not back.new_event  # 200 in common
    assert far.event.id == big.event.id  # 350, which the Hindi report brought to the event
    assert "figures" not in big.new_facts  # grouping's own record, not a fact an alert shows
    assert "figures" not in far.event.facts


async def test_a_figure_in_common_does_not_override_the_day(dedup: Deduplicator) -> None:
    on_3rd = await assign(
        dedup,
        article("A:1", "3日 180発", None),
        replace(undated("iran", (None, 3, None)), figures=(180,)),
    )
    on_9th = await assign(
        dedup,
        article("B:1", "9日 180発", None),
        replace(undated("iran", (None, 9, None)), figures=(180,)),
    )
    assert on_3rd is not None and on_9th is not None
    assert on_9th.new_event and on_9th.event.id != on_3rd.event.id


async def test_a_dated_report_confirms_the_floating_event_its_day_agrees_with(
    dedup: Deduplicator,
) -> None:
    """Two floating events of one actor (pages without a time: "on the 1st", "on the 13th");
    a report dated the 1st confirms the first though the second was reported after it."""
    first = await assign(dedup, article("Hi:1", "1 अक्टूबर", None), undated("iran", (None, 1, None)))
    other = await assign(dedup, article("Ja:1", "13日", None), undated("iran", (None, 13, None)))
    oct_1 = date(2024, 10, 1)
    dated = await assign(
        dedup, article("Pt:1", "1º de outubro", at(oct_1, 20)), detection("iran", oct_1)
    )
    assert first is not None and other is not None and dated is not None
    assert first.new_event and other.new_event and first.event.id != other.event.id
    assert dated.event.id == first.event.id and not dated.new_event
    assert dated.event.event_date == oct_1


async def test_an_undated_page_looks_for_its_launch_among_the_days_it_came_in(
    dedup: Deduplicator, clock: Clock
) -> None:
    """An archive read in order: a page without a time came in after the dated item before it
    (the clock) and was published before the dated item after it. A figure in common does not
    carry it to a launch years before it came in, and a dated report of a launch after it was
    published does not confirm the event it opened."""
    aug_2016 = date(2016, 8, 24)
    clock.t = at(aug_2016, 3)
    old = await assign(
        dedup,
        article("Ar:1", "صاروخان", at(aug_2016, 3)),
        replace(detection("pakistan", aug_2016), figures=(2,)),
    )
    clock.t = at(date(2019, 3, 2), 9)
    page = replace(article("Ur:1", "دو میزائل", None), published_before=at(date(2019, 6, 1)))
    undated_two = await assign(dedup, page, replace(undated("pakistan", None), figures=(2,)))
    assert old is not None and undated_two is not None
    assert undated_two.new_event and undated_two.event.id != old.event.id

    clock.t = at(date(2020, 1, 8), 9)
    later = await assign(
        dedup,
        article("En:1", "fired", at(date(2020, 1, 8), 9)),
        detection("pakistan", date(2020, 1, 8)),
    )
    assert later is not None and later.new_event
    assert later.event.id != undated_two.event.id
    assert later.event.event_date == date(2020, 1, 8)


async def test_an_event_without_a_day_is_not_a_sink_for_later_launches(
    dedup: Deduplicator,
) -> None:
    """A page without a time opens a floating event; reports of other actors follow; then a
    dated report of the actor with nothing in common with the page (no figure, no day of the
    month, not the same text) is another launch, not the page's: it opens its own event. Right
    after the page, the same dated report would confirm it (one story, pages in order)."""
    page = await assign(dedup, article("Ar:1", "صواريخ", None), undated("iran", None))
    for n, actor in enumerate(("north-korea", "russia", "yemen-houthis")):
        other = await assign(dedup, article(f"X:{n}", "fired", None), undated(actor, None))
        assert other is not None and other.new_event
    oct_1 = date(2024, 10, 1)
    dated = await assign(
        dedup, article("Pt:1", "1º de outubro", at(oct_1, 20)), detection("iran", oct_1)
    )
    assert page is not None and dated is not None
    assert dated.new_event and dated.event.id != page.event.id

    next_page = await assign(dedup, article("He:1", "טילים", None), undated("hezbollah", None))
    oct_9 = date(2024, 10, 9)
    right_after = await assign(
        dedup, article("Es:1", "9 de octubre", at(oct_9, 20)), detection("hezbollah", oct_9)
    )
    assert next_page is not None and right_after is not None
    assert next_page.new_event
    assert right_after.event.id == next_page.event.id and not right_after.new_event
