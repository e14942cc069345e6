"""The grouping rules as a pure function: `place` sees only the report and a view built here by
hand, with no store at all, and returns what the store is to record."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from dedup_helpers import article, at, detection

from monitor.dedup.events import Decision, EventView, Park, Report, place, to_event
from monitor.dedup.evidence import (
    BEFORE_FACT,
    BOUND_FACT,
    CLUE_FACT,
    DATE_FACT,
    UNKNOWN,
    UNPLACED_FACT,
    days_span,
    resolved,
)
from monitor.detect.dates import DayClue
from monitor.detect.gazetteer import weapon_class
from monitor.models import Article, Detection
from monitor.store.events import EventRow, Parked

NK = "north-korea"
MAR_5 = date(2024, 3, 5)
MAR_6 = date(2024, 3, 6)
NOW = at(MAR_5, 12)
T = int(NOW.timestamp())


def event(
    event_id: str,
    day: date,
    *,
    certain: bool = True,
    updated: int = T - 3600,
    facts: dict[str, str] | None = None,
    outlets: tuple[str, ...] = ("Wire",),
) -> EventRow:
    return EventRow(
        id=event_id,
        event_type="missile_launch",
        subtype="test",
        actor=NK,
        event_date=day,
        date_certain=certain,
        weapon="ballistic missile",
        first_article="Wire:1",
        created_at=updated,
        updated_at=updated,
        outlets=outlets,
        facts=facts if facts is not None else {"subtype": "test", "weapon": "ballistic missile"},
    )


def decide(
    art: Article,
    det: Detection,
    view: EventView,
    now: datetime = NOW,
    near_duplicates: dict[str, float] | None = None,
) -> Decision:
    return place(art, det, near_duplicates or {}, view, window_days=1, now=now)


MAR_5_EVENT = event(f"missile_launch:{NK}:2024-03-05", MAR_5)


def test_a_second_report_of_the_same_day_joins_its_event() -> None:
    report = article("Yonhap:1", "fired on Tuesday", at(MAR_5, 11))
    view = EventView(nearby=(MAR_5_EVENT,), recent=(MAR_5_EVENT,), last_stamp=T - 3600)
    decision = decide(report, detection(NK, MAR_5, place="Jagang"), view)
    assert decision.event is not None and not decision.new_event
    assert decision.event.id == MAR_5_EVENT.id
    assert decision.event.outlets == ("Wire", "Yonhap")
    assert decision.event.updated_at == T == decision.stamp
    assert decision.new_facts == {"place": "Jagang"}  # the rest was known
    assert decision.reports == (Report("Yonhap:1", "Yonhap", True),)
    assert decision.park is None and decision.unpark == ()


def test_a_launch_stated_the_next_day_opens_its_own_event() -> None:
    report = article("Yonhap:2", "fired on Wednesday", at(MAR_6, 1))
    view = EventView(nearby=(MAR_5_EVENT,), recent=(MAR_5_EVENT,), last_stamp=T - 3600)
    decision = decide(report, detection(NK, MAR_6), view, now=at(MAR_6, 1))
    assert decision.event is not None and decision.new_event
    assert decision.event.id == f"missile_launch:{NK}:2024-03-06"
    assert decision.event.event_date == MAR_6 and decision.event.date_certain
    assert decision.event.first_article == "Yonhap:2"
    assert decision.reports == (Report("Yonhap:2", "Yonhap", True),)


def test_a_background_report_with_no_event_to_join_is_parked() -> None:
    oil = article("Oil:1", "Oil rose after the launch on Tuesday.", at(MAR_5, 9))
    background = replace(detection(NK, MAR_5), role="background")
    decision = decide(oil, background, EventView(last_stamp=T + 5))
    assert decision.event is None and not decision.new_event and decision.reports == ()
    assert decision.park == Park("Oil:1", "missile_launch", NK, MAR_5, "Oil")
    assert decision.stamp == T + 6  # the clock stood still: one after the store's latest


def test_a_background_report_joins_an_event_that_fits() -> None:
    oil = article("Oil:1", "Oil rose after the launch on Tuesday.", at(MAR_5, 9))
    background = replace(detection(NK, MAR_5), role="background")
    decision = decide(oil, background, EventView(nearby=(MAR_5_EVENT,), last_stamp=T))
    assert decision.event is not None and decision.event.id == MAR_5_EVENT.id
    assert decision.park is None


def test_an_event_opened_takes_in_the_background_reports_parked_for_its_day() -> None:
    view = EventView(
        parked=(
            Parked("Oil:1", MAR_5, "Oil"),
            Parked("FX:1", date(2024, 3, 1), "FX"),  # outside the window: stays parked
        ),
    )
    decision = decide(article("Wire:1", "fired", at(MAR_5, 10)), detection(NK, MAR_5), view)
    assert decision.event is not None and decision.new_event
    assert decision.event.outlets == ("Wire", "Oil")
    assert decision.reports == (
        Report("Wire:1", "Wire", True),
        Report("Oil:1", "Oil", False),
    )
    assert decision.unpark == ("Oil:1",)


def test_the_same_report_again_changes_nothing() -> None:
    report = article("Wire:1", "fired", at(MAR_5, 10))
    view = EventView(by_article={"Wire:1": MAR_5_EVENT}, nearby=(MAR_5_EVENT,))
    decision = decide(report, detection(NK, MAR_5, place="Jagang"), view)
    assert decision == Decision(MAR_5_EVENT)
    assert decision.reports == () and decision.new_facts == {}


def test_a_near_duplicate_text_picks_the_event_among_two_on_the_day() -> None:
    other = event(f"missile_launch:{NK}:2024-03-05#2", MAR_5)
    view = EventView(by_article={"KCNA:1": other}, nearby=(MAR_5_EVENT, other))
    decision = decide(
        article("Copy:1", "copied text", at(MAR_5, 10)),
        detection(NK, MAR_5),
        view,
        near_duplicates={"KCNA:1": 0.9},
    )
    assert decision.event is not None and decision.event.id == other.id


def undated(clue: tuple[int | None, int | None, int | None] | None) -> Detection:
    """A report from a page without a publication time; `clue`: (month, day, weekday)."""
    return replace(detection(NK, None, stated=False), day_clue=clue)


DAY_14 = DayClue(None, 14, None)


def test_a_page_without_a_day_opens_a_floating_event() -> None:
    decision = decide(article("A:1", "14日", None), undated((None, 14, None)), EventView())
    assert decision.event is not None and decision.new_event
    assert decision.event.id == f"missile_launch:{NK}:~unknown"
    assert not decision.event.date_certain
    assert decision.event.facts[DATE_FACT] == UNKNOWN
    assert decision.event.facts[CLUE_FACT] == str(DAY_14)


FLOATING = event(
    f"missile_launch:{NK}:~unknown",
    MAR_5,
    certain=False,
    facts={DATE_FACT: UNKNOWN, CLUE_FACT: str(DAY_14)},
)


def test_a_page_whose_day_agrees_joins_the_floating_event() -> None:
    view = EventView(recent=(FLOATING,), last_stamp=T)
    decision = decide(article("B:1", "14日", None), undated((None, 14, None)), view)
    assert decision.event is not None and decision.event.id == FLOATING.id
    assert not decision.new_event


def test_a_page_whose_day_rules_the_event_out_opens_another() -> None:
    view = EventView(recent=(FLOATING,), last_stamp=T)
    decision = decide(article("C:1", "15日", None), undated((None, 15, None)), view)
    assert decision.event is not None and decision.new_event
    assert decision.event.id == f"missile_launch:{NK}:~unknown"  # the writer makes it #2


def test_a_satellite_launch_is_not_the_missile_test_reported_just_before() -> None:
    # Both pages lack a day: the actor's latest event would take the second, were the one
    # not a satellite launch and the other a missile test.
    view = EventView(recent=(FLOATING,), last_stamp=T)
    rocket = replace(undated(None), subtype="satellite", weapon=None)
    decision = decide(article("D:1", "satellite", None), rocket, view)
    assert decision.event is not None and decision.new_event
    test = decide(article("E:1", "missile", None), undated(None), view)
    assert test.event is not None and test.event.id == FLOATING.id


def _floating(n: str, weapon: str, subtype: str, updated: int) -> EventRow:
    return replace(
        event(
            f"missile_launch:{NK}:~unknown{n}",
            MAR_5,
            certain=False,
            updated=updated,
            facts={DATE_FACT: UNKNOWN},
        ),
        weapon=weapon,
        subtype=subtype,
    )


@pytest.mark.parametrize(("subtype", "joins_named"), [("test", True), ("strike", False)])
def test_a_page_naming_the_system_tested_joins_that_test_not_the_latest(
    subtype: str, joins_named: bool
) -> None:
    # Both pages lack a day. Another launch was reported just before this page; an earlier one
    # was of the system this page names. A test names its system; a strike's systems fly in
    # every wave, so there the report just before still speaks louder.
    latest = _floating("", "ballistic missile", subtype, T - 60)
    named = _floating("#2", "Ababeel", subtype, T - 5 * 86400)
    view = EventView(recent=(latest, named), last_stamp=T - 60)
    page = replace(undated(None), weapon="Ababeel", subtype=subtype)
    decision = decide(article("F:1", "Ababeel", None), page, view)
    assert decision.event is not None and not decision.new_event
    assert decision.event.id == (named.id if joins_named else latest.id)


def test_a_system_spelt_another_way_is_the_same_system() -> None:
    latest = _floating("", "ballistic missile", "test", T - 60)
    named = _floating("#2", "Agni II", "test", T - 5 * 86400)
    view = EventView(recent=(latest, named), last_stamp=T - 60)
    page = replace(undated(None), weapon="Agni-2")
    decision = decide(article("F:2", "Agni-2", None), page, view)
    assert decision.event is not None and decision.event.id == named.id


def test_a_kind_of_missile_is_not_a_named_system() -> None:
    latest = _floating("", "ballistic missile", "test", T - 60)
    icbm = _floating("#2", "ICBM", "test", T - 5 * 86400)
    view = EventView(recent=(latest, icbm), last_stamp=T - 60)
    decision = decide(article("G:1", "ICBM", None), replace(undated(None), weapon="ICBM"), view)
    assert decision.event is not None and decision.event.id == latest.id


@pytest.mark.parametrize(
    ("subtype", "earlier", "page", "joins"),
    [
        ("test", "ICBM", "intercontinental ballistic missile", True),  # one kind, two ways
        ("test", "cruise missile", "cruise missile", True),
        ("test", "ballistic missile", "ballistic missile", False),  # every test is one
        ("test", "ICBM", "cruise missile", False),
        ("strike", "cruise missile", "cruise missile", False),  # every wave flies them
    ],
)
def test_a_page_naming_the_kind_of_missile_tested_joins_that_test(
    subtype: str, earlier: str, page: str, joins: bool
) -> None:
    # The page lacks a day and came in long after the actor's last report: only the kind of
    # missile it names may speak for an event, and only a kind fewer tests are of.
    kind = _floating("", earlier, subtype, T - 5 * 86400)
    view = EventView(recent=(kind,), last_stamp=T - 5 * 86400)
    report = replace(undated(None), weapon=page, subtype=subtype)
    decision = decide(article("G:2", page, None), report, view)
    assert decision.event is not None
    assert (not decision.new_event and decision.event.id == kind.id) is joins


@pytest.mark.parametrize(
    ("weapon", "kind"),
    [
        ("ICBM", "ICBM"),
        ("ICBMs", "ICBM"),
        ("intercontinental ballistic missile", "ICBM"),
        ("submarine-launched ballistic missile", "SLBM"),
        ("short-range ballistic missile", "SRBM"),
        ("hypersonic missile", "hypersonic"),
        ("cruise missile", "cruise"),
        ("ballistic missile", None),
        ("missile", None),
        ("Hwasong-18", None),
        (None, None),
    ],
)
def test_the_kind_of_missile_a_weapon_names(weapon: str | None, kind: str | None) -> None:
    assert weapon_class(weapon) == kind


@pytest.mark.parametrize(
    ("before", "page", "joins"),
    [
        ("ATACMS", "Storm Shadow", False),  # two systems: another strike
        ("Agni II", "Agni-II", True),  # one system, spelt two ways
        ("Agni", "Agni-3", True),  # the family, then the member of it tested
        ("Agni-5", "Agni-3", False),  # two members of one family
        ("KN-2", "KN-23", False),  # a numbered name is no family of a longer number
        ("ballistic missile", "Storm Shadow", True),  # a kind of missile names no system
    ],
)
def test_a_page_naming_another_system_is_not_the_launch_reported_just_before(
    before: str, page: str, joins: bool
) -> None:
    latest = _floating("", before, "strike", T - 60)
    view = EventView(recent=(latest,), last_stamp=T - 60)
    report = replace(undated(None), weapon=page, subtype="strike")
    decision = decide(article("H:1", page, None), report, view)
    assert decision.event is not None
    assert (decision.event.id == latest.id and not decision.new_event) is joins


@pytest.mark.parametrize(
    ("before", "page", "joins"),
    [
        ("test", "strike", False),  # a test, then a strike: two kinds of occasion
        ("strike", "test", False),
        ("strike", "strike", True),
        ("test", "test", True),
        ("test", None, True),  # a page whose kind is not read
    ],
)
def test_a_strike_is_not_the_test_reported_just_before(
    before: str, page: str | None, joins: bool
) -> None:
    latest = _floating("", "missile", before, T - 60)
    view = EventView(recent=(latest,), last_stamp=T - 60)
    report = replace(undated(None), weapon="missile", subtype=page)
    decision = decide(article("H:2", "missile", None), report, view)
    assert decision.event is not None
    assert (decision.event.id == latest.id and not decision.new_event) is joins


@pytest.mark.parametrize(
    ("event_hit", "page_hit", "near_duplicate", "subtype", "joins"),
    [
        ("pakistan", ("israel",), False, "strike", False),  # another country hit: another strike
        ("iraq syria", ("syria",), False, "strike", True),  # one of those the wave hit
        ("", ("israel",), False, "strike", True),  # the event's reports named no one hit
        ("pakistan", (), False, "strike", True),  # the page names no one hit
        ("pakistan", ("israel",), True, "strike", True),  # the same text: the same story
        ("japan", ("south-korea",), False, "test", True),  # a test's neighbours, told apart
        # one of the two a test: a page that reads "fired towards Japan" as a strike on it
        ("united-states", ("japan",), False, "test/strike", True),
        ("japan", ("united-states",), False, "strike/test", True),
    ],
)
def test_a_page_naming_another_country_hit_is_another_strike(
    event_hit: str, page_hit: tuple[str, ...], near_duplicate: bool, subtype: str, joins: bool
) -> None:
    event_subtype, _, page_subtype = subtype.partition("/")
    page_subtype = page_subtype or event_subtype
    # Both name Tuesday; without a day, the weekday would have been enough to go on.
    tuesday = DayClue(None, None, 1)
    latest = replace(
        _floating("", "ballistic missile", event_subtype, T - 60),
        facts={
            DATE_FACT: UNKNOWN,
            CLUE_FACT: str(tuesday),
            **({"hit": event_hit} if event_hit else {}),
        },
    )
    view = EventView(
        recent=(latest,),
        by_article={"Wire:1": latest} if near_duplicate else {},
        last_stamp=T - 60,
    )
    page = replace(undated((None, None, 1)), subtype=page_subtype, targets=page_hit)
    decision = decide(
        article("I:1", "Tuesday", None),
        page,
        view,
        near_duplicates={"Wire:1": 0.9} if near_duplicate else None,
    )
    assert decision.event is not None
    assert (decision.event.id == latest.id and not decision.new_event) is joins
    if not joins:
        assert decision.event.facts["hit"] == "israel"  # kept for the next page


def test_a_weekday_says_nothing_of_a_week_a_reaction_bounds() -> None:
    # An event a reaction dated ("condemned on Sunday") may be any day of the week before it,
    # so a page naming a weekday always finds one there: that is no evidence over the report
    # just before.
    bounded = event(
        f"missile_launch:{NK}:~2024-03-05",
        MAR_5,
        certain=False,
        updated=T - 5 * 86400,
        facts={BOUND_FACT: MAR_5.isoformat()},
    )
    latest = _floating("", "ballistic missile", "test", T - 60)
    view = EventView(recent=(latest, bounded), last_stamp=T - 60)
    page = undated((None, None, 6))  # "on Sunday"
    decision = decide(article("J:1", "Sunday", None), page, view)
    assert decision.event is not None and decision.event.id == latest.id


@pytest.mark.parametrize(("weapon", "joins"), [("Hwasong-14", True), ("ballistic missile", False)])
def test_a_claim_dated_by_its_announcement_joins_the_test_a_page_without_a_day_named(
    weapon: str, joins: bool
) -> None:
    # State media announce the test on the 5th (a reaction's day: the launch came on or
    # before it). A page without a day told of a Hwasong-14 test just before: the system
    # speaks for one launch; coming in next alone does not.
    floating = _floating("", "Hwasong-14", "test", T - 60)
    view = EventView(recent=(floating,), last_stamp=T - 60)
    claim = detection(NK, MAR_5, reaction=True, weapon=weapon)
    decision = decide(article("K:1", "announced", at(MAR_5, 6)), claim, view)
    assert decision.event is not None
    assert (decision.event.id == floating.id and not decision.new_event) is joins


@pytest.mark.parametrize(("clue", "joins"), [(3, True), (20, False), (None, False)])
def test_a_claim_dated_by_its_announcement_joins_a_page_whose_day_of_the_month_it_allows(
    clue: int | None, joins: bool
) -> None:
    # A page without a day told of a launch "on the 3rd" some days ago (another launch was
    # reported after it); state media announce a launch on the 5th, so it came in the week up
    # to the 5th: the 3rd is one day of that week, the 20th is none.
    facts = {DATE_FACT: UNKNOWN} | ({CLUE_FACT: str(DayClue(None, clue, None))} if clue else {})
    floating = replace(_floating("", "ballistic missile", "test", T - 3 * 86400), facts=facts)
    other = event(f"missile_launch:{NK}:2024-02-20", date(2024, 2, 20), updated=T - 60)
    view = EventView(recent=(other, floating), last_stamp=T - 60)
    claim = detection(NK, MAR_5, reaction=True)
    decision = decide(article("K:1", "announced", at(MAR_5, 6)), claim, view)
    assert decision.event is not None
    assert (decision.event.id == floating.id and not decision.new_event) is joins


def test_a_report_stating_the_day_confirms_the_floating_event() -> None:
    view = EventView(recent=(FLOATING,), last_stamp=T)
    mar_14 = date(2024, 3, 14)
    report = article("D:1", "on March 14", at(mar_14, 3))
    decision = decide(report, detection(NK, mar_14), view, now=at(mar_14, 3))
    assert decision.event is not None and not decision.new_event
    assert decision.event.id == FLOATING.id
    assert decision.event.event_date == mar_14 and decision.event.date_certain
    assert DATE_FACT not in decision.event.facts and CLUE_FACT not in decision.event.facts
    assert decision.new_facts[DATE_FACT] == "2024-03-14"


@pytest.mark.parametrize("stated", [True, False])
def test_a_report_of_a_day_its_clue_rules_out_does_not_take_a_floating_event(stated: bool) -> None:
    # A page without a day that says "on Sunday" came in on Tuesday 5 March: the day it came in
    # is no guess of its launch's day, so a report of a launch on that Tuesday (stated, or its
    # publication day) is another one, though it is nearby and the page came in just before.
    sunday = event(
        f"missile_launch:{NK}:~unknown",
        MAR_5,
        certain=False,
        updated=T - 60,
        facts={DATE_FACT: UNKNOWN, CLUE_FACT: str(DayClue(None, None, 6))},
    )
    view = EventView(nearby=(sunday,), recent=(sunday,), last_stamp=T - 60)
    report = detection(NK, MAR_5, stated=stated)
    decision = decide(article("D:2", "on Tuesday", NOW), report, view)
    assert decision.event is not None and decision.new_event
    assert decision.event.event_date == MAR_5 and decision.event.date_certain is stated


def test_a_page_naming_the_weekday_joins_the_event_of_that_day_not_the_latest() -> None:
    """Among the days a page may be about, its weekday picks the event: a Tuesday page joins
    the Tuesday launch, though another event (Thursday's) was reported since; a Monday page
    joins neither."""
    tuesday, thursday = date(2024, 3, 5), date(2024, 3, 7)  # 2024-03-05 was a Tuesday
    tue = event(f"missile_launch:{NK}:2024-03-05", tuesday, updated=T - 7200)
    thu = event(f"missile_launch:{NK}:2024-03-07", thursday, updated=T - 60)
    view = EventView(recent=(thu, tue), last_stamp=T)
    clock = at(thursday, 12)
    on_tuesday = decide(article("F:1", "am Dienstag", None), undated((None, None, 1)), view, clock)
    assert on_tuesday.event is not None and on_tuesday.event.id == tue.id
    on_monday = decide(article("G:1", "am Montag", None), undated((None, None, 0)), view, clock)
    assert on_monday.event is not None and on_monday.new_event


def test_a_page_naming_the_day_before_a_guessed_day_joins_its_event() -> None:
    """A day guessed from a report's publication (Wednesday 6 March, no day in its text) may be
    the launch's or the one after it: a page saying "on Tuesday" joins that event; one saying
    "on Monday" does not."""
    guessed = event(f"missile_launch:{NK}:~2024-03-06", MAR_6, certain=False, updated=T - 60)
    view = EventView(recent=(guessed,), last_stamp=T)
    clock = at(MAR_6, 12)
    on_tuesday = decide(article("H:1", "on Tuesday", None), undated((None, None, 1)), view, clock)
    assert on_tuesday.event is not None and on_tuesday.event.id == guessed.id
    on_monday = decide(article("I:1", "on Monday", None), undated((None, None, 0)), view, clock)
    assert on_monday.event is not None and on_monday.new_event


def test_a_day_of_the_month_is_read_as_its_weekday_within_the_days_an_event_may_be_on() -> None:
    """A page named "the 25th of September" without a year and came in among reports of March
    to September 2024 (the day it was published before): that can only be Wednesday 25
    September. A later page that says only "on Wednesday", with nothing else in common and
    other reports since, joins it; one that says "on Thursday" does not."""
    sep_25 = date(2024, 9, 25)  # a Wednesday
    floating = event(
        f"missile_launch:{NK}:~unknown",
        date(2024, 3, 11),
        certain=False,
        updated=T - 86_400 * 190,
        facts={
            DATE_FACT: UNKNOWN,
            CLUE_FACT: str(DayClue(9, 25, None)),
            BEFORE_FACT: "2024-09-24",
        },
    )
    view = EventView(recent=(floating,), last_stamp=T)
    clock = at(sep_25 - timedelta(days=1), 12)
    wednesday = decide(article("W:1", "el miércoles", None), undated((None, None, 2)), view, clock)
    assert wednesday.event is not None and wednesday.event.id == floating.id
    assert not wednesday.new_event
    thursday = decide(article("W:2", "am Donnerstag", None), undated((None, None, 3)), view, clock)
    assert thursday.event is not None and thursday.new_event


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        pytest.param((date(2024, 3, 4), date(2024, 9, 25)), DayClue(9, 25, 2), id="one-day-fits"),
        pytest.param((date(2023, 3, 4), date(2024, 9, 25)), DayClue(9, 25, None), id="two-years"),
        # Nearly two years, but 25 September falls in them once.
        pytest.param(
            (date(2023, 10, 1), date(2025, 8, 30)), DayClue(9, 25, 2), id="once-in-two-years"
        ),
        pytest.param((date(2022, 10, 1), date(2025, 8, 30)), DayClue(9, 25, None), id="too-long"),
        pytest.param((date(2024, 3, 4), None), DayClue(9, 25, None), id="no-end"),
        pytest.param((date(2024, 9, 26), date(2024, 12, 1)), DayClue(9, 25, None), id="none-fits"),
    ],
)
def test_a_clue_is_resolved_only_to_the_one_day_its_span_allows(
    span: tuple[date, date | None], expected: DayClue
) -> None:
    assert resolved(DayClue(9, 25, None), span) == expected


@pytest.mark.parametrize(
    ("clue", "span", "expected"),
    [
        pytest.param(
            DayClue(None, 28, None),
            (date(2022, 5, 14), date(2022, 6, 5)),
            DayClue(5, 28, 5),
            id="the-28th-in-three-weeks",
        ),
        pytest.param(
            DayClue(None, 28, None),
            (date(2022, 4, 14), date(2022, 5, 29)),
            DayClue(None, 28, None),
            id="the-28th-twice",
        ),
        pytest.param(
            DayClue(None, None, 5),
            (date(2022, 5, 24), date(2022, 5, 29)),
            DayClue(5, 28, 5),
            id="saturday-in-six-days",
        ),
        pytest.param(
            DayClue(None, None, 5),
            (date(2022, 5, 21), date(2022, 5, 29)),
            DayClue(None, None, 5),
            id="two-saturdays-say-no-more",
        ),
    ],
)
def test_a_day_or_a_weekday_alone_is_resolved_in_a_short_span(
    clue: DayClue, span: tuple[date, date | None], expected: DayClue
) -> None:
    assert resolved(clue, span) == expected


def test_a_report_dated_only_by_its_publication_day_joins_a_floating_event_that_fits() -> None:
    """A page without a day opened an event with its clue (the 5th, a Tuesday); a report whose
    day is only its publication day joins it when that day fits the clue and the event's last
    report was just before it, and opens its own when the clue rules the day out."""
    floating = event(
        f"missile_launch:{NK}:~unknown",
        MAR_5,
        certain=False,
        updated=T - 1,
        facts={DATE_FACT: UNKNOWN, CLUE_FACT: str(DayClue(None, 5, 1))},
    )
    view = EventView(recent=(floating,), last_stamp=T - 1)
    guess = detection(NK, MAR_5, stated=False)
    fits = decide(article("H:1", "no day", at(MAR_5, 10)), guess, view)
    assert fits.event is not None and fits.event.id == floating.id and not fits.new_event
    assert fits.event.event_date == MAR_5 and DATE_FACT not in fits.event.facts
    next_day = detection(NK, MAR_6, stated=False)
    ruled_out = decide(article("I:1", "no day", at(MAR_6, 10)), next_day, view, now=at(MAR_6, 10))
    assert ruled_out.event is not None and ruled_out.new_event


@pytest.mark.parametrize(
    ("updated", "joins"),
    [
        pytest.param(T + 8, True, id="its-latest-report-was-just-before"),
        pytest.param(T + 6, True, id="two-reports-before"),
        pytest.param(T + 5, False, id="three-reports-before"),
    ],
)
def test_when_the_clock_stands_still_the_stores_stamps_count_the_reports(
    updated: int, joins: bool
) -> None:
    """Pages without a time arrive while the clock stands still: a page saying nothing of its
    day joins the actor's latest event only when that event's last report is among the last
    few the store stamped (the latest stamp, T + 8, is ahead of the clock)."""
    latest = replace(FLOATING, facts={DATE_FACT: UNKNOWN}, updated_at=updated)
    view = EventView(recent=(latest,), last_stamp=T + 8)
    decision = decide(article("E:1", "no day", None), undated(None), view)
    assert decision.event is not None
    assert (decision.event.id == latest.id and not decision.new_event) is joins
    assert decision.stamp == T + 9


def test_place_reads_nothing_but_its_arguments() -> None:
    report = article("Yonhap:1", "fired on Tuesday", at(MAR_5, 11))
    view = EventView(nearby=(MAR_5_EVENT,), recent=(MAR_5_EVENT,), last_stamp=T)
    first = decide(report, detection(NK, MAR_5), view)
    assert decide(report, detection(NK, MAR_5), view) == first
    assert view == EventView(nearby=(MAR_5_EVENT,), recent=(MAR_5_EVENT,), last_stamp=T)
    later = decide(report, detection(NK, MAR_5), view, now=NOW + timedelta(hours=1))
    assert later.stamp == T + 3600 and first.stamp == T + 1


@pytest.mark.parametrize(
    ("guessed", "confirms"),
    [
        pytest.param(MAR_5, True, id="the-same-day"),
        pytest.param(MAR_6, True, id="a-day-off-within-the-window"),
        pytest.param(date(2024, 3, 8), False, id="beyond-the-window"),
    ],
)
def test_a_stated_date_confirms_a_provisional_event_within_the_window(
    guessed: date, confirms: bool
) -> None:
    provisional = event(f"missile_launch:{NK}:~{guessed}", guessed, certain=False)
    view = EventView(nearby=(provisional,), recent=(provisional,), last_stamp=T)
    decision = decide(article("KCNA:1", "on March 5", at(MAR_5, 6)), detection(NK, MAR_5), view)
    assert decision.event is not None
    assert (decision.event.id == provisional.id) is confirms
    assert decision.new_event is not confirms
    assert decision.event.event_date == MAR_5 and decision.event.date_certain


# -- a report cannot be about a launch after the event's first report was published ------------
def _opened_by_untimed(published: datetime, day: date, certain: bool) -> Decision:
    """The event the first report of a day opens when it gives no time (`certain`: it states
    the day; else the day is its publication day)."""
    first = article("Wire:1", "fired a missile", published)
    return decide(first, detection(NK, day, stated=certain), EventView(), now=published)


@pytest.mark.parametrize(
    ("launched", "same"),
    [
        pytest.param(at(MAR_5, 8, 30), True, id="before-the-first-report"),
        pytest.param(at(MAR_5, 9, 40), True, id="within-a-feed-clocks-slack"),
        pytest.param(at(MAR_5, 14, 53), False, id="hours-after-the-first-report"),
    ],
)
def test_a_stated_time_after_the_first_report_is_another_salvo(
    launched: datetime, same: bool
) -> None:
    opened = _opened_by_untimed(at(MAR_5, 9), MAR_5, certain=True)
    assert opened.event is not None and opened.new_event
    row = opened.event
    view = EventView(nearby=(row,), recent=(row,), last_stamp=row.updated_at)
    timed = replace(
        detection(NK, MAR_5), time_of_day=launched.hour * 60 + launched.minute, launched_at=launched
    )
    later = article("Wire:2", "fired at 14:53", launched + timedelta(minutes=40))
    decision = decide(later, timed, view, now=launched + timedelta(minutes=40))
    assert decision.event is not None
    # A second salvo opens an event of the same day (the store gives it the id `...#2`).
    assert decision.new_event is not same
    assert not same or decision.event.id == row.id


def test_the_next_day_stated_does_not_confirm_a_day_guessed_from_an_earlier_report() -> None:
    # Undated reports the morning of the 5th open an event for the 5th (their publication day);
    # a report of a launch stated on the 6th is another launch, though within the window.
    opened = _opened_by_untimed(at(MAR_5, 5), MAR_5, certain=False)
    assert opened.event is not None and not opened.event.date_certain
    row = opened.event
    view = EventView(nearby=(row,), recent=(row,), last_stamp=row.updated_at)
    decision = decide(
        article("Wire:3", "on Wednesday", at(MAR_6, 3)),
        detection(NK, MAR_6),
        view,
        now=at(MAR_6, 3),
    )
    assert decision.event is not None and decision.new_event
    assert decision.event.event_date == MAR_6


def test_a_report_without_a_day_does_not_join_a_launch_after_it_was_published() -> None:
    later = event(f"missile_launch:{NK}:2024-03-06", MAR_6)
    view = EventView(nearby=(later,), recent=(later,), last_stamp=T)
    early = article("Wire:4", "has fired a missile", at(MAR_5, 3))
    decision = decide(early, detection(NK, MAR_5, stated=False), view, now=at(MAR_5, 3))
    assert decision.event is not None and decision.new_event


def test_the_first_publication_is_kept_apart_from_the_alert_facts() -> None:
    opened = _opened_by_untimed(at(MAR_5, 9), MAR_5, certain=True)
    assert opened.event is not None
    assert "first published" in opened.event.facts
    assert "first published" not in opened.new_facts
    assert "first published" not in to_event(opened.event).facts
    bare = _opened_by_untimed(datetime(2024, 3, 5, tzinfo=UTC), MAR_5, certain=True)
    assert bare.event is not None and "first published" not in bare.event.facts


def test_a_report_whose_own_launch_time_belies_its_clock_sets_no_first_publication() -> None:
    # Published, by its feed's clock, at 01:00 UTC, yet it states a launch at 05:30 UTC: the
    # clock is wrong, so it cannot bound the launches of the event it opens.
    belied = replace(detection(NK, MAR_5), time_of_day=14 * 60 + 30, launched_at=at(MAR_5, 5, 30))
    report = article("Wire:5", "fired at 14:30", at(MAR_5, 1))
    decision = decide(report, belied, EventView(), now=at(MAR_5, 1))
    assert decision.event is not None and "first published" not in decision.event.facts


@pytest.mark.parametrize(
    ("published_before", "joins"), [("2024-04-01", True), ("2024-06-01", False)]
)
def test_a_report_stating_a_day_within_a_few_weeks_known_of_a_floating_event_confirms_it(
    published_before: str, joins: bool
) -> None:
    """A page without a day came in on 5 March, published before 1 April (an archive read in
    order): its launch lies in those few weeks. A report stating 20 March, though other reports
    came in since, confirms its event; one whose days run to June is too loose to say so."""
    floating = replace(
        _floating("", "ballistic missile", "test", T - 86400),
        facts={DATE_FACT: UNKNOWN, BEFORE_FACT: published_before},
    )
    mar_20 = date(2024, 3, 20)
    older = event(f"missile_launch:{NK}:2024-02-20", date(2024, 2, 20), updated=T)
    view = EventView(recent=(older, floating), last_stamp=T + 50)
    report = article("Wire:9", "fired on March 20", at(mar_20, 3))
    decision = decide(report, detection(NK, mar_20), view, now=at(mar_20, 3))
    assert decision.event is not None
    assert (decision.event.id == floating.id and not decision.new_event) is joins


def test_a_clue_that_can_be_one_day_only_keeps_out_an_event_whose_days_end_before_it() -> None:
    """A page without a day came in on 25 September 2024, published before 1 November, and says
    "the 31st": among its days that is Thursday 31 October only. An earlier page's event whose
    days end in late September agrees on the weekday (it said "Thursday"), but cannot hold the
    31st; the launch reported just before can."""
    thursday = str(DayClue(None, None, 3))
    clock = at(date(2024, 9, 25), 9)
    now = int(clock.timestamp())
    earlier = replace(
        _floating("#4", "ballistic missile", "test", now - 5000),
        event_date=date(2024, 4, 26),
        facts={DATE_FACT: UNKNOWN, CLUE_FACT: thursday, BEFORE_FACT: "2024-09-28"},
    )
    latest = replace(
        _floating("#6", "ballistic missile", "test", now - 60),
        event_date=date(2024, 9, 25),
        facts={DATE_FACT: UNKNOWN, BEFORE_FACT: "2024-11-01"},
    )
    view = EventView(recent=(latest, earlier), last_stamp=now - 60)
    page = replace(article("J:1", "31日", None), published_before=at(date(2024, 11, 1), 6))
    decision = decide(page, undated((None, 31, None)), view, now=clock)
    assert decision.event is not None and not decision.new_event
    assert decision.event.id == latest.id


@pytest.mark.parametrize(
    ("came_in", "joins"), [(date(2024, 2, 24), True), (date(2024, 2, 27), False)]
)
def test_a_day_of_the_month_joins_only_where_the_shared_days_hold_it(
    came_in: date, joins: bool
) -> None:
    """An event without a day says "the 19th" and lies between 13 February and 2 March. A page
    that also says "the 19th" and came in on 24 February may be about 19 February; one that came
    in on 27 February (its days from the 20th on) shares no 19th with it: another launch."""
    clock = at(came_in, 9)
    now = int(clock.timestamp())
    floating = replace(
        _floating("", "ballistic missile", "test", now - 5000),
        event_date=date(2024, 2, 20),
        facts={
            DATE_FACT: UNKNOWN,
            CLUE_FACT: str(DayClue(None, 19, None)),
            BEFORE_FACT: "2024-03-01",
        },
    )
    other = event(f"missile_launch:{NK}:2024-01-05", date(2024, 1, 5), updated=now - 60)
    view = EventView(recent=(other, floating), last_stamp=now - 60)
    decision = decide(article("K:9", "19日", None), undated((None, 19, None)), view, now=clock)
    assert decision.event is not None
    assert (decision.event.id == floating.id and not decision.new_event) is joins


@pytest.mark.parametrize("unplaced", [True, False])
def test_a_page_the_archive_order_does_not_place_may_be_about_any_day(unplaced: bool) -> None:
    """An undated page after which an archive's dates go back (a second archive appended after
    the first) came in, by the clock, in January 2026; it says "the 1st". Its launch may be
    the one an event holds for 1 October 2024, since nothing places the page in time; a page
    the order places in January 2026 cannot be about that day."""
    oct_1 = date(2024, 10, 1)
    known = event(f"missile_launch:{NK}:2024-10-01", oct_1, updated=T - 86400)
    clock = at(date(2026, 1, 20), 9)
    page = replace(article("P:1", "fired on the 1st", None), unplaced=unplaced)
    said = replace(detection(NK, None, stated=False), day_clue=(None, 1, None))
    view = EventView(recent=(known,), last_stamp=T - 86400)
    decision = decide(page, said, view, now=clock)
    assert decision.event is not None
    assert (decision.event.id == known.id) is unplaced


def test_an_event_a_page_no_order_places_opened_takes_the_days_of_a_page_placed_later() -> None:
    """The event such a page opens may be on any day (hidden fact `unplaced`); a page the order
    places (it came in on 20 March 2024) that joins it on the same day of the month brings its
    days: from the week before it came in."""
    clue = (None, 14, None)
    first = replace(article("P:1", "on the 14th", None), unplaced=True)
    said = replace(detection(NK, None, stated=False), day_clue=clue)
    opened = decide(first, said, EventView(), now=at(date(2026, 1, 20), 9))
    assert opened.event is not None and opened.new_event
    assert opened.event.facts.get(UNPLACED_FACT) and days_span(opened.event)[1] is None
    mar_20 = date(2024, 3, 20)
    second = article("Q:1", "on the 14th", None)
    view = EventView(recent=(opened.event,), last_stamp=opened.event.updated_at)
    joined = decide(second, said, view, now=at(mar_20, 9))
    assert joined.event is not None and joined.event.id == opened.event.id
    assert UNPLACED_FACT not in joined.event.facts
    assert days_span(joined.event)[0] == mar_20 - timedelta(days=7)
