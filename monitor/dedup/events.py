"""Which event a detection reports: the grouping rules.

A detection with an actor and a stated local date belongs to the event
`<event_type>:<actor>:<date>`, a pure function of the detection, so the grouping and the ids do
not depend on the order reports arrive in, and launches on different days stay apart however
alike their articles read.

Only when the date is uncertain (the text states none, so the day the report is about, from its
publication time, stands in) is the window applied: the report joins an event of the same type
and actor with a stated date up to `window_days` either side, preferring one holding a
near-duplicate of its text, then one with the same weapon, then a stated date, then the nearest
date, then the earlier. Another uncertain report joins it only when both are about the same day
or, within the window, their texts are near-duplicates or both test the same named system: the
window is slack for time zones around a stated date, and two guesses a day apart would
otherwise chain one day's launch onto the next. Failing those, it
joins a floating event (below) that the evidence for pages without a day picks and its day
fits. With none, it opens a provisional event `<event_type>:<actor>:~<date>`; the first report
that states a date within the window confirms that event (its id stays, its date becomes the
stated one) instead of opening a second event for the same launch.

A reaction's date ("the UN chief condemned it on May 28") bounds the launch from above: such a
report joins the latest event of the actor dated up to `BOUND_LOOKBACK` before that day (or
within the window after it), else an event without a day that more than arrival speaks for (a
near-duplicate, a figure, the system tested), and opens a provisional event only when there is
none. That event
keeps the bound as the fact `launched on or before`, so that a report stating a launch date up
to `BOUND_LOOKBACK` earlier confirms it, whichever of the two arrives first.

A detection without an actor joins the event of a near-duplicate of its text dated within the
window, or opens `<event_type>:unattributed:<date>:<hash>` on its own.

Two reports of one actor and date that state local times of launch `SALVO_GAP` or more apart
are two salvos, two events (the second gets the id `...#2`). A report without a time joins the
salvo it fits best. No report is about a launch after the time an event's first report was
published (kept as the hidden fact `first published` when the report gave a time): a report
stating a time more than `CLOCK_SLACK` after it, or a day after it anywhere, is another launch,
though the event's own reports gave no time; and a report whose day is its publication day does
not join an event of a later day.

A report whose day cannot be resolved (a page without a publication time) joins the one of its
actor's latest events that most speaks for it: a near-duplicate text, the same day of the month, a
figure in common (how many missiles, how far: numbers read the same in every language), the same
weekday (among the few days the page may be about, one in seven is enough to go on) or the same
named system tested ("Ababeel", not a kind of missile; not in strikes, whose systems fly in every
wave), the same kind of missile tested (an ICBM, a cruise missile; weighed as a weekday), or its
last report just before this one (unless the two name different missile systems, "Storm Shadow"
after "ATACMS", or one is a test and the other a strike); never one that what the text still says
of the day ("on the 14th", "on Tuesday": a day clue) or a stated time rules out, nor one whose
reports name only other countries hit than the page does, when either is a strike (Iran's strike on
Pakistan is not its strike on Israel, though both came on a Tuesday) unless the texts are
near-duplicates, nor one outside the days the page came in: from a week before the clock (an
archive read in order: the dated item before it) to the day it was published before (the dated item
after it), when known, or any day for a page the order does not place (the archive's dates go back
after it: another archive appended); and the days the two may share must hold the day each names
("the 19th" and an event whose days run from 20 February to 2 March do not meet). A day of the
month named without the year that only one day of those can be ("25 September" among the days from
March to 24 September 2024) is taken as that day, weekday and all, in the page's clue and the
event's alike; an event whose days do not hold that day is another launch's, though its weekday
agrees. An event whose day is a guess from its reports' publication may be about that day or the
one before, one a reaction bounds about the week before it: a clue that allows one of those days
fits. With none, it opens a floating event (fact `date: unknown`, and `day` with the clue). A
report with a day confirms a floating event only on the same evidence (a near-duplicate, the day of
the month, a figure, the system tested, or its last report just before this one) or when the
event's days are few (`NARROW_SPAN`: its pages came in between two dated items weeks apart), and
within the event's days: an event without a day is never a sink for every later launch of its
actor. For a report a reaction dates (its launch came in the week up to it), a day of the month the
event was opened with that falls in that week speaks for the event as a weekday in common would
(one day of the few it may be).

A background report (the launch is only mentioned in the body of a story about something else)
joins an event that fits it exactly as a report would, but never opens one: when there is
none, the report is parked (a decision without an event); a report that later opens an event of
the same actor within the window takes the parked reports into it (silently: they were never
news).

Grouping decides and the store records: `place` is a pure function of the report and an
`EventView`, everything the store holds that the rules above may look at, loaded beforehand
(monitor.dedup.storage, under a lock on the actor so that replicas take turns); it returns a
`Decision` that the storage module writes. Time stamps come from the store too (the latest one
it holds, plus one when the clock has not moved past it), so every replica counts reports alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from monitor.dedup.evidence import (
    BEFORE_FACT,
    BOUND_FACT,
    BOUND_LOOKBACK,
    CLUE_FACT,
    DATE_FACT,
    HIDDEN_FACTS,
    JUST_BEFORE,
    UNKNOWN,
    UNPLACED_FACT,
    clue_agrees,
    clue_fits,
    clue_of,
    date_bound,
    date_stated,
    days_span,
    event_clue,
    facts_of,
    figures_of,
    fits_some_day,
    hit_elsewhere,
    in_week,
    is_bounded,
    is_floating,
    is_narrow,
    latest_first,
    latest_launch_day,
    other_kind,
    other_system,
    rank,
    resolved_day,
    same_class,
    same_salvo,
    same_system,
    shared_days,
    timed,
    with_figures,
    with_opening,
    with_targets,
)
from monitor.detect.dates import DayClue
from monitor.models import Article, Detection, Event
from monitor.store.events import EventRow, Parked


@dataclass(frozen=True, slots=True)
class EventView:
    """What the store holds that placing one report may look at, loaded before `place`.

    `by_article`: the events of the detection's type that the article and its near-duplicates
    report, by article id. For a report with an actor, `nearby`: the actor's events dated
    within `reach` of the report's day (`report_day`), oldest first; `recent`: the actor's
    `RECENT_EVENTS` events reported last, latest first; `parked`: the actor's background reports
    parked within the window of that day, oldest first. `last_stamp`: the latest time stamp the
    store holds (0 when empty)."""

    by_article: Mapping[str, EventRow] = field(default_factory=dict)
    nearby: tuple[EventRow, ...] = ()
    recent: tuple[EventRow, ...] = ()
    parked: tuple[Parked, ...] = ()
    last_stamp: int = 0


@dataclass(frozen=True, slots=True)
class Report:
    """A report to add to an event."""

    article_id: str
    outlet: str
    date_certain: bool


@dataclass(frozen=True, slots=True)
class Park:
    """A background report with no event to join, kept for an event opened later."""

    article_id: str
    event_type: str
    actor: str
    day: date
    outlet: str


@dataclass(frozen=True, slots=True)
class Decision:
    """Where one report goes, for the store to record.

    `event`: the event as it stands with the report in it, None when there is none to join (a
    background report, parked when it has an actor). With `new_event`, the event is to be
    created, under the first free id from `event.id` (`#2`, `#3`... after it: a confirmed
    provisional event keeps its id, so rarely it is taken); else updated, when `reports` holds
    anything (an empty one: the same report again, nothing changes). `reports`: this report,
    then the parked ones the event takes in, whose article ids `unpark` lists. `stamp`: when,
    for the reports and the parked one."""

    event: EventRow | None
    new_event: bool = False
    new_facts: dict[str, str] = field(default_factory=dict)
    reports: tuple[Report, ...] = ()
    unpark: tuple[str, ...] = ()
    park: Park | None = None
    stamp: int = 0


def to_event(row: EventRow) -> Event:
    return Event(
        id=row.id,
        event_type=row.event_type,
        subtype=row.subtype,
        actor=row.actor,
        event_date=row.event_date if row.date_certain else None,
        weapon=row.weapon,
        first_article=row.first_article,
        outlets=row.outlets,
        facts={k: v for k, v in row.facts.items() if k not in HIDDEN_FACTS},
    )


def report_day(article: Article, detection: Detection, now: datetime) -> date:
    """The day a report is about: the date it states or is given, else its day of
    publication (UTC), else today's."""
    return detection.event_date or (article.published or now).astimezone(UTC).date()


def reach(window_days: int) -> timedelta:
    """How far from a report's day its actor's events may still be candidates."""
    return max(timedelta(days=window_days), BOUND_LOOKBACK)


def lock_key(event_type: str, actor: str | None) -> str:
    """The lock under which one actor's events of one type are decided on."""
    return f"events:{event_type}:{actor or 'unattributed'}"


def place(
    article: Article,
    detection: Detection,
    near_duplicates: Mapping[str, float],
    view: EventView,
    *,
    window_days: int,
    now: datetime,
) -> Decision:
    """Where the report goes: the event it joins, confirms or opens, with what changes.

    `near_duplicates` maps article ids of near-identical texts to their similarity; `view` is
    what the store holds (see EventView), `now` the clock's time."""
    return _Placing(article, detection, view, timedelta(days=window_days), now).place(
        near_duplicates
    )


@dataclass(frozen=True, slots=True)
class _Placing:
    """One report being placed: the rules, as functions of the report and the view."""

    article: Article
    detection: Detection
    view: EventView
    window: timedelta
    now: datetime

    @property
    def stamp(self) -> int:
        # Strictly increasing, so that "the latest report" is defined within one second too.
        return max(int(self.now.timestamp()), self.view.last_stamp + 1)

    def place(self, near_duplicates: Mapping[str, float]) -> Decision:
        detection, article = self.detection, self.article
        by_article = self.view.by_article
        if article.id in by_article:  # the same report again: nothing changes
            return Decision(by_article[article.id])
        dup_events: dict[str, float] = {}
        for article_id, row in by_article.items():
            score = near_duplicates.get(article_id, 0.0)
            dup_events[row.id] = max(dup_events.get(row.id, 0.0), score)

        certain = date_stated(detection)
        clueless = detection.event_date is None
        day = report_day(article, detection, self.now)
        if detection.actor is not None and clueless:
            clue = clue_of(detection)
            match = self._undated_match(clue, dup_events)
            if match is not None:
                return self._join(match, confirm=None, clue=clue)
            event_id = f"{detection.event_type}:{detection.actor}:~unknown"
            return self._open(event_id, day, certain=False, floating=True, clue=clue)
        if detection.actor is None:
            # Same text, but a launch days away is another launch reported alike.
            near = [e for e in by_article.values() if abs(e.event_date - day) <= self.window]
            ranked = sorted(near, key=lambda e: (-dup_events[e.id], e.id))
            if ranked:
                return self._join(ranked[0], confirm=None)
            event_id = _unattributed_id(detection.event_type, day, article.id)
            return self._open(event_id, day, certain)

        actor = detection.actor
        bound = date_bound(detection)
        nearby = self._nearby(day)
        if certain:
            on_day = [e for e in nearby if e.date_certain and e.event_date == day]
            same_day = [e for e in on_day if same_salvo(e, detection)]
            if same_day:
                best = rank(same_day, day, detection.weapon, dup_events)[0]
                return self._join(best, confirm=None)
            provisional = [
                e
                for e in nearby
                if not e.date_certain
                and not is_floating(e)
                and self._fits(e, day)
                and same_salvo(e, detection)
            ]
            ranked = rank(provisional, day, detection.weapon, dup_events)
            if ranked:
                return self._join(ranked[0], confirm=day)
            floating = self._undated_match(DayClue.from_date(day), dup_events, only_floating=True)
            if floating is not None:
                return self._join(floating, confirm=day)
            return self._open(_event_id(detection.event_type, actor, day), day, certain=True)

        if bound is not None:
            fitting = [e for e in nearby if self._fits_bound(e, bound)]
            ranked = latest_first(fitting, bound, dup_events)
            if ranked:
                return self._join(ranked[0], confirm=None, bound=bound)
            # A page without a day told of this launch before ("Hwasong-14", a figure): more
            # than coming in next must speak for it, as the bound says no more than a week.
            floating = self._undated_match(None, dup_events, only_floating=True, min_strength=2)
            if floating is not None:
                return self._join(floating, confirm=None, bound=bound)
            event_id = f"{detection.event_type}:{actor}:~{day.isoformat()}"
            return self._open(event_id, day, certain=False, bound=True)

        fitting = [
            e for e in nearby if self._fits_guess(e, day, dup_events) and same_salvo(e, detection)
        ]
        ranked = rank(fitting, day, detection.weapon, dup_events)
        if ranked:
            return self._join(ranked[0], confirm=None, guess=day)
        # An event opened by a page without a day whose clue and evidence fit the day guessed.
        floating = self._undated_match(DayClue.from_date(day), dup_events, only_floating=True)
        if floating is not None:
            return self._join(floating, confirm=None, guess=day)
        event_id = f"{detection.event_type}:{actor}:~{day.isoformat()}"
        return self._open(event_id, day, certain=False)

    # -- which events a report may join -------------------------------------------------------
    # Each test is symmetric: report A fits B's event exactly when B would fit A's, so the
    # grouping of two reports does not depend on which came first.
    def _fits(self, event: EventRow, day: date) -> bool:
        """A provisional event a report stating `day` may confirm."""
        if is_bounded(event):
            return event.event_date - BOUND_LOOKBACK <= day <= event.event_date + self.window
        return abs(event.event_date - day) <= self.window

    def _fits_guess(self, event: EventRow, day: date, dup_events: Mapping[str, float]) -> bool:
        """An event a report whose day is a guess from its publication time may join. Not one
        without a day: the day it came in is no guess of its launch's (the evidence for pages
        without a day decides, after these)."""
        if is_floating(event):
            return False
        near = abs(event.event_date - day) <= self.window
        if event.date_certain:
            # Not a launch after this report was published.
            published = timed(self.article.published)
            return near and (published is None or event.event_date <= latest_launch_day(published))
        if is_bounded(event) and self._fits(event, day):
            return True
        # Two guesses: the same day, or a time zone apart the same text or a test of the same
        # named system ("Babur" on the 11th and the 12th: tests of one system are weeks apart).
        return event.event_date == day or (
            near and (dup_events.get(event.id, 0.0) > 0 or same_system(event, self.detection))
        )

    def _fits_bound(self, event: EventRow, bound: date) -> bool:
        """An event a report whose launch came on or before `bound` may join."""
        if is_bounded(event):
            return abs(event.event_date - bound) <= BOUND_LOOKBACK
        return bound - BOUND_LOOKBACK <= event.event_date <= bound + self.window

    def _just_reported(self, event: EventRow) -> bool:
        """Whether the event's last report came just before this one: within a few reports of
        each other when time stands still (pages without a time arrive right after the report
        before them), within the window otherwise."""
        now, last = int(self.now.timestamp()), self.view.last_stamp
        if last > now:  # the clock stood still: count reports
            return event.updated_at >= last - JUST_BEFORE
        return event.updated_at >= now - int(self.window.total_seconds())

    def _undated_match(
        self,
        clue: DayClue | None,
        dup_events: Mapping[str, float],
        only_floating: bool = False,
        min_strength: int = 1,
    ) -> EventRow | None:
        """The event among the actor's latest that most speaks for this report when one of the
        two has no known day: a near-duplicate text, the same day of the month, a figure in
        common, or its last report just before (the actor's latest); never one the day clue or
        the stated time rules out; the later on a tie. None when nothing speaks for any.
        `only_floating`: the report has a day, so only events without one are candidates.
        `min_strength`: 2 when coming in right after the event's last report is not enough.
        A report a reaction dates (its launch came in the week up to that day) speaks for an
        event whose day of the month falls in that week as a weekday in common would."""
        detection = self.detection
        bound = date_bound(detection)
        span = self._span()
        # A clue that can be one day only ("the 31st" among the days it may be about) is the
        # launch's day: an event whose days do not hold it is another launch.
        one = resolved_day(clue, span)
        if one is not None:
            span, clue = (one, one), DayClue.from_date(one)
        best: tuple[int, int, EventRow] | None = None
        for position, event in enumerate(self.view.recent):
            if only_floating and not is_floating(event):
                continue
            if not (clue_fits(event, clue) and same_salvo(event, detection)):
                continue
            # What a near-duplicate text does not settle: who was hit.
            if hit_elsewhere(event, detection) and not dup_events.get(event.id, 0.0) > 0:
                continue
            # The days the two may share must hold one each says it is on: "the 19th" and a
            # page whose days run from 24 September to 2 October do not meet.
            days = days_span(event)
            shared = shared_days(days, span)
            if shared is None:
                continue
            if not (fits_some_day(clue, shared) and fits_some_day(event_clue(event), shared)):
                continue
            # Coming in right after a launch's report says little when the two name
            # different systems ("Storm Shadow" after "ATACMS"), or one is a test and the
            # other a strike.
            another = other_system(event, detection) or other_kind(event, detection)
            latest = (
                position == 0
                and not another
                and (
                    self._just_reported(event)
                    # A report with a day after a page without one: the page came in among the
                    # last few reports, whatever the clock says.
                    or (only_floating and event.updated_at >= self.view.last_stamp - JUST_BEFORE)
                )
            )
            # A report with a day inside the few weeks an event without one is known to lie in
            # (its pages came in between two dated items not far apart).
            narrow = only_floating and not latest and not another and is_narrow(days)
            # A near-duplicate text over the day of the month or a figure in common, over the
            # weekday or the same named system tested, over the same kind of missile tested or
            # the report just before.
            strength = (
                8 * (dup_events.get(event.id, 0.0) > 0)
                + 2 * (clue_agrees(event, clue) or in_week(event, bound))
                + 4 * bool(figures_of(event) & set(detection.figures))
                + 2 * same_system(event, detection)
                + (same_class(event, detection) and not same_system(event, detection))
                + latest
                + narrow
            )
            if strength < min_strength:
                continue
            if strength and (best is None or (strength, -position) > best[:2]):
                best = (strength, -position, event)
        return best[2] if best is not None else None

    # -- helpers ------------------------------------------------------------------------------
    def _span(self) -> tuple[date, date | None]:
        """The days this report's launch may be on: the week up to a reaction's day that
        bounds it; its day when it has one; else from a week before it came in (the clock) to
        the day it was published before, when known."""
        bound = date_bound(self.detection)
        if bound is not None:
            return bound - BOUND_LOOKBACK, bound
        if self.detection.event_date is not None:
            return self.detection.event_date, self.detection.event_date
        if self.article.unplaced:
            return date.min, None
        day = report_day(self.article, self.detection, self.now)
        before = self._published_before()
        return day - BOUND_LOOKBACK, before + timedelta(days=1) if before else None

    def _published_before(self) -> date | None:
        before = self.article.published_before
        return before.astimezone(UTC).date() if before is not None else None

    def _nearby(self, day: date) -> list[EventRow]:
        far = max(self.window, BOUND_LOOKBACK)
        return [e for e in self.view.nearby if abs(e.event_date - day) <= far]

    def _open(
        self,
        event_id: str,
        day: date,
        certain: bool,
        bound: bool = False,
        floating: bool = False,
        clue: DayClue | None = None,
    ) -> Decision:
        article, detection, now = self.article, self.detection, self.stamp
        if detection.role == "background":
            # Background may join an event, never open one: keep it for one opened later.
            if detection.actor is None:
                return Decision(None, stamp=now)
            park = Park(article.id, detection.event_type, detection.actor, day, article.outlet)
            return Decision(None, park=park, stamp=now)
        facts = with_targets(with_figures(facts_of(detection), detection), detection)
        facts = with_opening(facts, article.published, detection)
        if bound:
            facts[BOUND_FACT] = day.isoformat()
        if floating:
            facts[DATE_FACT] = UNKNOWN
            if clue is not None:
                facts[CLUE_FACT] = str(clue)
            before = self._published_before()
            if before is not None:
                facts[BEFORE_FACT] = before.isoformat()
            if article.unplaced:
                facts[UNPLACED_FACT] = "yes"
        row = EventRow(
            id=event_id,
            event_type=detection.event_type,
            subtype=detection.subtype,
            actor=detection.actor,
            event_date=day,
            date_certain=certain,
            weapon=detection.weapon,
            first_article=article.id,
            created_at=now,
            updated_at=now,
            outlets=(article.outlet,),
            facts=facts,
        )
        own = Report(article.id, article.outlet, certain)
        return self._adopting(
            row,
            new_event=True,
            new_facts={k: v for k, v in facts.items() if k not in HIDDEN_FACTS},
            report=own,
        )

    def _adopting(
        self, row: EventRow, new_event: bool, new_facts: dict[str, str], report: Report
    ) -> Decision:
        """The decision, with the background reports parked for the event's actor and days
        taken into it."""
        parked = self._parked_for(row)
        outlets = row.outlets
        for p in parked:
            if p.outlet not in outlets:
                outlets = (*outlets, p.outlet)
        return Decision(
            row.evolve(outlets=outlets),
            new_event=new_event,
            new_facts=new_facts,
            reports=(report, *(Report(p.article_id, p.outlet, False) for p in parked)),
            unpark=tuple(p.article_id for p in parked),
            stamp=self.stamp,
        )

    def _parked_for(self, row: EventRow) -> list[Parked]:
        if row.actor is None:
            return []
        first, last = row.event_date - self.window, row.event_date + self.window
        parked = [p for p in self.view.parked if first <= p.event_date <= last]
        if not row.date_certain:
            parked = [p for p in parked if p.event_date == row.event_date]
        return parked

    def _join(
        self,
        row: EventRow,
        confirm: date | None,
        bound: date | None = None,
        guess: date | None = None,
        clue: DayClue | None = None,
    ) -> Decision:
        """Add the report to the event. `confirm`: the date it states, for a provisional event.
        A provisional event keeps the tightest date it has: a guessed day over a reaction's
        bound, the earlier of two bounds, so its date does not depend on the reports' order."""
        article, detection, now = self.article, self.detection, self.stamp
        new_facts = {k: v for k, v in facts_of(detection).items() if k not in row.facts}
        changes: dict[str, object] = {}
        facts = {**row.facts, **{k: v for k, v in new_facts.items() if k != "date"}}
        facts = with_opening(
            with_targets(with_figures(facts, detection), detection), article.published, detection
        )
        if confirm is not None:
            new_facts[DATE_FACT] = confirm.isoformat()
            changes.update(event_date=confirm, date_certain=True)
            for fact in (BOUND_FACT, DATE_FACT, CLUE_FACT, UNPLACED_FACT):
                facts.pop(fact, None)
        elif is_floating(row) and guess is not None:
            changes.update(event_date=guess)
            for fact in (DATE_FACT, CLUE_FACT, UNPLACED_FACT):
                facts.pop(fact, None)
        elif is_floating(row):
            if clue is not None:
                known = facts.get(CLUE_FACT)
                facts[CLUE_FACT] = str(DayClue.parse(known).merge(clue) if known else clue)
            # Both came in without a day: the launch is in what their spans share (a page the
            # archive's order does not place shares them all).
            came_in, before = report_day(article, detection, self.now), self._published_before()
            if article.unplaced:
                came_in, before = row.event_date, None
            elif facts.pop(UNPLACED_FACT, None):
                changes.update(event_date=came_in)
            if came_in > row.event_date:
                changes.update(event_date=came_in)
            known_before = facts.get(BEFORE_FACT)
            if before is not None and (
                known_before is None or before < date.fromisoformat(known_before)
            ):
                facts[BEFORE_FACT] = before.isoformat()
        elif is_bounded(row) and guess is not None:
            changes.update(event_date=guess)
            facts.pop(BOUND_FACT, None)
        elif is_bounded(row) and bound is not None and bound < row.event_date:
            changes.update(event_date=bound)
            facts[BOUND_FACT] = bound.isoformat()
        outlets = row.outlets
        if article.outlet not in outlets:
            outlets = (*outlets, article.outlet)
        updated = row.evolve(
            **changes,
            outlets=outlets,
            facts=facts,
            weapon=row.weapon or detection.weapon,
            subtype=row.subtype or detection.subtype,
            updated_at=max(row.updated_at, now),
        )
        own = Report(article.id, article.outlet, date_stated(detection))
        if updated.event_date != row.event_date or updated.date_certain != row.date_certain:
            # Its day is known now, or better: the reports parked for that day join.
            return self._adopting(updated, new_event=False, new_facts=new_facts, report=own)
        return Decision(updated, new_facts=new_facts, reports=(own,), stamp=now)


def _event_id(event_type: str, actor: str, day: date) -> str:
    return f"{event_type}:{actor}:{day.isoformat()}"


def _unattributed_id(event_type: str, day: date, article_id: str) -> str:
    digest = hashlib.blake2b(article_id.encode(), digest_size=4).hexdigest()
    return f"{event_type}:unattributed:{day.isoformat()}:{digest}"
