"""What a report and an event say of each other, for grouping: the day stated, guessed or
bounded, what an undated page still says of its day, the stated time of launch (salvos), and
the figures given. Pure functions of a detection and a stored event row."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from monitor.detect.dates import DayClue, bare_date
from monitor.detect.entities import ROMAN_NUMERALS
from monitor.detect.gazetteer import MISSILE_ACRONYMS, weapon_class
from monitor.models import Detection
from monitor.store.events import EventRow

# A report's launch is within roughly the last week before it (LABELS.md), so a reaction dated
# some day reacts to a launch at most this long before.
BOUND_LOOKBACK = timedelta(days=7)
# A day guessed from a report's publication time may be the launch's or the one after it (a
# morning report of the night's launch, a time zone ahead).
GUESS_SLACK = timedelta(days=1)
# The fact a provisional event opened by a reaction keeps until a report states the date.
BOUND_FACT = "launched on or before"
# Launches by one actor on one day stated this far apart (local time) are separate salvos.
SALVO_GAP = timedelta(hours=3)
TIME_FACT = "time"
# The fact of an event opened by a report that gave no clue to its day.
DATE_FACT = "date"
UNKNOWN = "unknown"
CLUE_FACT = "day"
# The fact of such an event read from an archive: its reports came in before this day.
BEFORE_FACT = "published before"
# The fact of such an event opened by a page the archive's order does not place in time: its
# days are any until a report that came in where the order does joins it.
UNPLACED_FACT = "unplaced"
# Pages without a day arriving among the last this many reports may still be one story.
JUST_BEFORE = 2
# A report whose day is unknown looks for its launch among the actor's events reported last.
RECENT_EVENTS = 15
# The figures an event's reports gave (grouping's own record; alerts do not show it), at most
# this many.
FIGURES_FACT = "figures"
MAX_FIGURES = 24
# When the event's first report was published, when one gave the time (grouping's own record;
# alerts do not show it): a launch stated as after it is another one.
OPENED_FACT = "first published"
# Who the event's reports say was hit (grouping's own record): a strike on another country is
# another strike.
TARGETS_FACT = "hit"
HIDDEN_FACTS = frozenset({FIGURES_FACT, OPENED_FACT, TARGETS_FACT, UNPLACED_FACT})
# How far ahead of UTC a local day can run (UTC+14).
AHEAD_OF_UTC = timedelta(hours=14)
# How far a feed's clock may be off before a launch stated after its report's time is taken
# for another one.
CLOCK_SLACK = timedelta(hours=1)


def facts_of(detection: Detection) -> dict[str, str]:
    """The facts a detection states, as the strings an alert shows."""
    minutes = detection.time_of_day
    facts = {
        "subtype": detection.subtype,
        "weapon": detection.weapon,
        "count": str(detection.count) if detection.count is not None else None,
        "place": detection.place,
        TIME_FACT: f"{minutes // 60:02d}:{minutes % 60:02d}" if minutes is not None else None,
    }
    return {k: v for k, v in facts.items() if v}


def date_stated(detection: Detection) -> bool:
    """Whether the text states the event's date; the detector marks a stand-in date
    (publication day in the actor's time zone) with the evidence part "date:publication", and
    the date of a reaction, which only bounds the launch, with "date:reaction"."""
    if detection.event_date is None:
        return False
    return not any(e.part in ("date:publication", "date:reaction") for e in detection.evidence)


def date_bound(detection: Detection) -> date | None:
    """The day of a reaction to the launch, when that is the only date the text gives."""
    if detection.event_date is None:
        return None
    if any(e.part == "date:reaction" for e in detection.evidence):
        return detection.event_date
    return None


def is_floating(event: EventRow) -> bool:
    return not event.date_certain and event.facts.get(DATE_FACT) == UNKNOWN


def days_span(event: EventRow) -> tuple[date, date | None]:
    """The days an event's launch may be on: its stated day; the week before a reaction's day
    that bounds it (BOUND_LOOKBACK); the day its reports were published (a guess) or the one
    before (GUESS_SLACK); or for an event without a known day, from a week before its first
    report came in to the day its reports were published before, when known; any day for one
    whose pages the archive's order does not place."""
    if event.date_certain:
        return event.event_date, event.event_date
    if is_bounded(event):
        return event.event_date - BOUND_LOOKBACK, event.event_date
    if not is_floating(event):
        return event.event_date - GUESS_SLACK, event.event_date
    if event.facts.get(UNPLACED_FACT):
        return date.min, None
    before = event.facts.get(BEFORE_FACT)
    return (
        event.event_date - BOUND_LOOKBACK,
        date.fromisoformat(before) + timedelta(days=1) if before else None,
    )


# An event without a day whose days span this much or less: few enough that a report stating
# one of them is more likely its launch than another.
NARROW_SPAN = timedelta(days=45)


def is_narrow(span: tuple[date, date | None]) -> bool:
    """Whether a span of days is bounded and at most NARROW_SPAN long."""
    return span[1] is not None and span[1] - span[0] <= NARROW_SPAN


def shared_days(
    a: tuple[date, date | None], b: tuple[date, date | None]
) -> tuple[date, date | None] | None:
    """The days two spans (None: no end) have in common; None when they share none."""
    ends = [e for e in (a[1], b[1]) if e is not None]
    first, last = max(a[0], b[0]), min(ends) if ends else None
    return None if last is not None and last < first else (first, last)


def fits_some_day(clue: DayClue | None, span: tuple[date, date | None]) -> bool:
    """Whether some day of the span is one the clue allows (a span without an end, or longer
    than the clue can be resolved in, is taken to hold one)."""
    first, last = span
    if clue is None or last is None or last - first > _resolve_span(clue):
        return True
    return any(clue.fits(d) for d in _candidates(clue, first, last) if first <= d <= last)


def clue_of(detection: Detection) -> DayClue | None:
    return DayClue(*detection.day_clue) if detection.day_clue else None


# A day of the month named without the year is resolved within a span of days up to this long.
RESOLVE_SPAN = timedelta(days=366)


# A month and a day of it name one day in a span of up to two years when only one year of the
# span holds it ("31 October" among the days from January 2024 to August 2025).
RESOLVE_DATE_SPAN = timedelta(days=731)


def _resolve_span(clue: DayClue) -> timedelta:
    return RESOLVE_DATE_SPAN if clue.month is not None and clue.day is not None else RESOLVE_SPAN


def resolved(clue: DayClue | None, span: tuple[date, date | None]) -> DayClue | None:
    """The clue as the one day it can be within `span` ("25 September" among the days from
    March to 25 September 2024 is Wednesday 25 September; "the 28th" among the days from 22 May
    to 5 June is 28 May), else as it is."""
    day = resolved_day(clue, span)
    return DayClue.from_date(day) if day is not None else clue


def resolved_day(clue: DayClue | None, span: tuple[date, date | None]) -> date | None:
    """The one day the clue can be within `span`, when only one is (see `resolved`)."""
    first, last = span
    if clue is None or last is None or last - first > _resolve_span(clue):
        return None
    if clue.day is None and (clue.weekday is None or last - first >= timedelta(days=7)):
        return None  # a weekday alone names one day only in a span shorter than a week
    found = [d for d in _candidates(clue, first, last) if first <= d <= last and clue.fits(d)]
    return found[0] if len(found) == 1 else None


def _candidates(clue: DayClue, first: date, last: date) -> list[date]:
    """The days from `first` to `last` with the clue's day of the month (and month), or every
    day there when it names a weekday only."""
    if clue.day is None:
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]
    out = []
    for year in range(first.year, last.year + 1):
        for month in (clue.month,) if clue.month is not None else range(1, 13):
            try:
                out.append(date(year, month, clue.day))
            except ValueError:  # 30 February, 29 February of a common year
                continue
    return out


def event_clue(event: EventRow, clue: DayClue | None = None) -> DayClue | None:
    """What is known of the event's day: its date; for an event with a few days to choose
    from (a guess, a bound), the one of them `clue` allows, when only one is; or for an event
    without a day the clue it was opened with, resolved within its days."""
    if event.date_certain:
        return DayClue.from_date(event.event_date)
    if not is_floating(event):
        fitting = [d for d in _days_of(event) if clue is None or clue.fits(d)]
        return DayClue.from_date(fitting[0]) if len(fitting) == 1 else None
    known = event.facts.get(CLUE_FACT)
    return resolved(DayClue.parse(known), days_span(event)) if known else None


def _days_of(event: EventRow) -> list[date]:
    """The days an event with a known, guessed or bounded day may be on."""
    first, last = days_span(event)
    return [first + timedelta(days=n) for n in range(((last or first) - first).days + 1)]


def clue_fits(event: EventRow, clue: DayClue | None) -> bool:
    """Whether a day clue allows the event's day (its date, one of the days it may be on, or
    the clue it was opened with)."""
    if clue is None:
        return True
    if not event.date_certain and not is_floating(event):
        return any(clue.fits(d) for d in _days_of(event))
    known = event_clue(event)
    return known is None or clue.fits(known)


def clue_agrees(event: EventRow, clue: DayClue | None) -> int:
    """How much the clue says the report is about the event's day, not merely that it does not
    conflict with it: 2 when it names the day of the month (one in thirty), 1 for the weekday
    alone (one in seven: among the few days a report may be about, enough to go on when
    nothing else speaks), else 0."""
    if clue is None:
        return 0
    known = event_clue(event, clue)
    if known is None:
        return 0
    if not clue.fits(known):
        return 0
    if clue.day is not None and clue.day == known.day:
        return 2
    if is_bounded(event):
        return 0  # the week of days a reaction bounds holds every weekday: it says nothing
    return int(clue.weekday is not None and clue.weekday == known.weekday)


def in_week(event: EventRow, bound: date | None) -> int:
    """1 when the day of the month an event without a day was opened with is one day of the
    week up to `bound` (a reaction's day), else 0: "the 28th" and a report bounded by the 28th.
    A weekday alone says nothing here: every week holds each."""
    known = event.facts.get(CLUE_FACT)
    if bound is None or not known or not is_floating(event):
        return 0
    clue = DayClue.parse(known)
    if clue.day is None:
        return 0
    return int(resolved_day(clue, (bound - BOUND_LOOKBACK, bound)) is not None)


def _figures(facts: Mapping[str, str]) -> set[int]:
    return {int(x) for x in facts.get(FIGURES_FACT, "").split()}


def figures_of(event: EventRow) -> set[int]:
    return _figures(event.facts)


def with_figures(facts: dict[str, str], detection: Detection) -> dict[str, str]:
    known = _figures(facts) | set(detection.figures)
    if not known:
        return facts
    kept = sorted(known)[:MAX_FIGURES]
    return {**facts, FIGURES_FACT: " ".join(str(n) for n in kept)}


def _targets(facts: Mapping[str, str]) -> set[str]:
    return set(facts.get(TARGETS_FACT, "").split())


def targets_of(event: EventRow) -> set[str]:
    return _targets(event.facts)


def with_targets(facts: dict[str, str], detection: Detection) -> dict[str, str]:
    known = _targets(facts) | set(detection.targets)
    return {**facts, TARGETS_FACT: " ".join(sorted(known))} if known else facts


def hit_elsewhere(event: EventRow, detection: Detection) -> bool:
    """Whether the report and the event name who was hit, and no one in common, when both
    are strikes: Iran's missiles on Pakistan are not its missiles on Israel, though both came
    on a Tuesday. Where one of the two is a test, the names are neighbours the missile flew
    towards or came down near ("towards Japan", "near South Korea's waters"), which reports
    of one test name differently (one report reads "fired towards Japan" as a strike)."""
    if event.subtype != "strike" or detection.subtype != "strike":
        return False
    hit = targets_of(event)
    return bool(hit and detection.targets and not hit & set(detection.targets))


def is_bounded(event: EventRow) -> bool:
    return not event.date_certain and BOUND_FACT in event.facts


def minutes(event: EventRow) -> int | None:
    value = event.facts.get(TIME_FACT)
    if not value:
        return None
    hours, _, minutes = value.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def same_salvo(event: EventRow, detection: Detection) -> bool:
    """Whether the stated times of launch (when both state one) allow one salvo, the report
    does not state a launch after the event's first report was published, and neither is a
    satellite launch where the other is a missile's."""
    if after_opening(event, detection):
        return False
    if (
        event.subtype
        and detection.subtype
        and is_space(event.subtype) != is_space(detection.subtype)
    ):
        return False
    a, b = minutes(event), detection.time_of_day
    return a is None or b is None or abs(a - b) < SALVO_GAP.total_seconds() // 60


def is_space(subtype: str) -> bool:
    """A satellite launch: never one occasion with a missile's, whatever else they share."""
    return subtype == "satellite"


def opened_at(event: EventRow) -> datetime | None:
    value = event.facts.get(OPENED_FACT)
    return datetime.fromisoformat(value) if value else None


def latest_launch_day(published: datetime) -> date:
    """The latest local day a launch reported at `published` can have been on: that
    time's day where the day comes first."""
    return (published.astimezone(UTC) + AHEAD_OF_UTC).date()


def launched_after(detection: Detection, instant: datetime) -> bool:
    """Whether the report states its launch's time as more than CLOCK_SLACK after `instant`."""
    at = detection.launched_at
    return at is not None and at > instant + CLOCK_SLACK


def after_opening(event: EventRow, detection: Detection) -> bool:
    """Whether the report states a launch after the event's first report was published (a
    later salvo, the next day's): that report was about another launch. A stated time counts
    from CLOCK_SLACK after it, a stated day from the day after it anywhere."""
    opened = opened_at(event)
    if opened is None:
        return False
    if launched_after(detection, opened):
        return True
    day = detection.event_date
    return day is not None and date_stated(detection) and day > latest_launch_day(opened)


def timed(published: datetime | None) -> datetime | None:
    """A publication time that says when: not missing, not a bare date."""
    return None if published is None or bare_date(published) else published


def with_opening(
    facts: dict[str, str], published: datetime | None, detection: Detection
) -> dict[str, str]:
    """The facts with the earliest publication time of the event's reports, when this one
    gives a time (a bare date says nothing of it) that its own text does not belie (a launch
    it states as after it: the feed's clock is wrong)."""
    published = timed(published)
    if published is None or launched_after(detection, published):
        return facts
    known = facts.get(OPENED_FACT)
    if known is not None and datetime.fromisoformat(known) <= published:
        return facts
    return {**facts, OPENED_FACT: published.astimezone(UTC).isoformat(timespec="seconds")}


def same_weapon(a: str | None, b: str | None) -> bool:
    """The same weapon, or the same kind of missile named two ways ("ICBM" and
    "intercontinental ballistic missile")."""
    if a is None or b is None:
        return False
    kind = weapon_class(a)
    return a.casefold() == b.casefold() or (kind is not None and kind == weapon_class(b))


def same_class(event: EventRow, detection: Detection) -> bool:
    """Whether a test names the kind of missile the event's test was of (an ICBM, a cruise
    missile): among one actor's few tests in the days a page may be about, one in several.
    Strikes do not count: a wave's kinds fly in every wave."""
    return _tested_alike(event, detection, weapon_class)


# A numeral after a system's name, as some write it: "Agni II", "Agni-II" and "Agni-2" are one.
_ROMAN_NUMERAL = re.compile(r"[\s-]+(iii|ii|iv|i|v)$")


def named_system(weapon: str | None) -> str | None:
    """The name of the missile system a weapon is, spelt one way ("Agni II" and "Agni-2":
    "agni2"); None for a kind of missile ("ballistic missile", "ICBM") or none."""
    if weapon is None:
        return None
    name = weapon.casefold().strip()
    if "missile" in name or weapon.upper() in MISSILE_ACRONYMS:
        return None
    m = _ROMAN_NUMERAL.search(name)
    if m is not None:
        name = f"{name[: m.start()]}{ROMAN_NUMERALS[m.group(1).upper()]}"
    return re.sub(r"[\W_]+", "", name) or None


def same_system(event: EventRow, detection: Detection) -> bool:
    """Whether a test names the missile system the event's test was of ("Ababeel",
    "Hwasong-19"). Strikes do not count: a wave's systems (Kinzhal, Kalibr) fly in every
    wave."""
    return _tested_alike(event, detection, named_system)


def _tested_alike(
    event: EventRow, detection: Detection, read: Callable[[str | None], str | None]
) -> bool:
    """Whether the event and the report are both tests whose weapons `read` names alike."""
    if event.subtype != "test" or detection.subtype != "test":
        return False
    name = read(event.weapon)
    return name is not None and name == read(detection.weapon)


def other_kind(event: EventRow, detection: Detection) -> bool:
    """Whether one of the report and the event is a test and the other a strike: two kinds of
    occasion, which coming in one after the other does not make one."""
    return {event.subtype, detection.subtype} == {"test", "strike"}


def other_system(event: EventRow, detection: Detection) -> bool:
    """Whether the report and the event name two different missile systems ("Storm Shadow"
    and "ATACMS", "Agni-5" and "Agni-Prime"). A family named without its variant ("Agni")
    may be any of its members ("Agni-3"); a numbered name is no family ("KN-2", "KN-23")."""
    a, b = named_system(event.weapon), named_system(detection.weapon)
    if a is None or b is None or a == b:
        return False
    short, long = sorted((a, b), key=len)
    return not (long.startswith(short) and short[-1].isalpha())


def rank(
    candidates: Sequence[EventRow],
    day: date,
    weapon: str | None,
    dup_events: Mapping[str, float],
) -> list[EventRow]:
    """Candidate events, best first, by the evidence described in the module docstring."""
    return sorted(
        candidates,
        key=lambda e: (
            -dup_events.get(e.id, 0.0),
            abs((e.event_date - day).days),
            not same_weapon(e.weapon, weapon),
            not e.date_certain,
            e.event_date,
            e.id,
        ),
    )


def latest_first(
    candidates: Sequence[EventRow], bound: date, dup_events: Mapping[str, float]
) -> list[EventRow]:
    """Candidates for a report a reaction dates, best first: a near-duplicate, then the latest
    event on or before the reaction, then those after it (time-zone slack)."""
    return sorted(
        candidates,
        key=lambda e: (
            -dup_events.get(e.id, 0.0),
            e.event_date > bound,
            -e.event_date.toordinal(),
            not e.date_certain,
            e.id,
        ),
    )
