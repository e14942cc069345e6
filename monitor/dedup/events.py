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
or their texts are near-duplicates: the window is slack for time zones around a stated date,
and two guesses a day apart would otherwise chain one day's launch onto the next. With none, it
opens a provisional event `<event_type>:<actor>:~<date>`; the first report that states a date
within the window confirms that event (its id stays, its date becomes the stated one) instead of
opening a second event for the same launch.

A reaction's date ("the UN chief condemned it on May 28") bounds the launch from above: such a
report joins the latest event of the actor dated up to `BOUND_LOOKBACK` before that day (or
within the window after it), and opens a provisional event only when there is none. That event
keeps the bound as the fact `launched on or before`, so that a report stating a launch date up
to `BOUND_LOOKBACK` earlier confirms it, whichever of the two arrives first.

A detection without an actor joins the event of a near-duplicate of its text dated within the
window, or opens `<event_type>:unattributed:<date>:<hash>` on its own.

Two reports of one actor and date that state local times of launch `SALVO_GAP` or more apart
are two salvos, two events (the second gets the id `...#2`). A report without a time joins the
salvo it fits best.

A report whose day cannot be resolved (a page without a publication time) joins the one of its
actor's latest events that most speaks for it: a near-duplicate text, the same day of the
month, a figure in common (how many missiles, how far: numbers read the same in every
language), or its last report just before this one; never one that what the text still says
of the day ("on the 14th", "on Tuesday": a day clue) or a stated time rules out. With none, it
opens a floating event (fact `date: unknown`, and `day` with the clue) that the next report of
the actor with a day that fits the clue confirms, when no event of the actor was reported in
between.

A background report (the launch is only mentioned in the body of a story about something else)
joins an event that fits it exactly as a report would, but never opens one: `place` returns
None when there is none, and the report is parked; a report that later opens an event of the
same actor within the window takes the parked reports into it (silently: they were never news).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from monitor.dedup.evidence import (
    BOUND_FACT,
    BOUND_LOOKBACK,
    CLUE_FACT,
    DATE_FACT,
    FIGURES_FACT,
    JUST_BEFORE,
    RECENT_EVENTS,
    UNKNOWN,
    clue_agrees,
    clue_fits,
    clue_of,
    date_bound,
    date_stated,
    facts_of,
    figures_of,
    is_bounded,
    is_floating,
    latest_first,
    rank,
    same_salvo,
    with_figures,
)
from monitor.detect.dates import DayClue
from monitor.models import Article, Detection, Event
from monitor.store.events import EventRepo, EventRow


@dataclass(frozen=True, slots=True)
class Placement:
    event: EventRow
    new_event: bool
    new_facts: dict[str, str]


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
        facts={k: v for k, v in row.facts.items() if k != FIGURES_FACT},
    )


class EventGrouper:
    def __init__(self, events: EventRepo, window_days: int, now: Callable[[], datetime]) -> None:
        self._events = events
        self._window = timedelta(days=window_days)
        self._now = now
        self._last_timestamp = 0

    def place(
        self, article: Article, detection: Detection, near_duplicates: Mapping[str, float]
    ) -> Placement | None:
        """Put the report in its event, creating or confirming the event as needed.

        `near_duplicates` maps article ids of near-identical texts to their similarity.
        """
        by_article = self._events.of_articles(detection.event_type, [article.id, *near_duplicates])
        if article.id in by_article:  # the same report again: nothing changes
            return Placement(by_article[article.id], False, {})
        dup_events: dict[str, float] = {}
        for article_id, row in by_article.items():
            score = near_duplicates.get(article_id, 0.0)
            dup_events[row.id] = max(dup_events.get(row.id, 0.0), score)

        certain = date_stated(detection)
        clueless = detection.event_date is None
        day = detection.event_date or self._published_day(article)
        if detection.actor is not None and clueless:
            clue = clue_of(detection)
            match = self._undated_match(detection, clue, dup_events)
            if match is not None:
                return self._join(match, article, detection, confirm=None, clue=clue)
            event_id = self._free_id(f"{detection.event_type}:{detection.actor}:~unknown")
            return self._open(
                event_id, article, detection, day, certain=False, floating=True, clue=clue
            )
        if detection.actor is None:
            # Same text, but a launch days away is another launch reported alike.
            near = [e for e in by_article.values() if abs(e.event_date - day) <= self._window]
            ranked = sorted(near, key=lambda e: (-dup_events[e.id], e.id))
            if ranked:
                return self._join(ranked[0], article, detection, confirm=None)
            event_id = self._unattributed_id(detection.event_type, day, article.id)
            return self._open(event_id, article, detection, day, certain)

        actor = detection.actor
        bound = date_bound(detection)
        nearby = self._nearby(detection, actor, day)
        if certain:
            on_day = [e for e in nearby if e.date_certain and e.event_date == day]
            same_day = [e for e in on_day if same_salvo(e, detection)]
            if same_day:
                best = rank(same_day, day, detection.weapon, dup_events)[0]
                return self._join(best, article, detection, confirm=None)
            provisional = [
                e
                for e in nearby
                if not e.date_certain and self._fits(e, day) and same_salvo(e, detection)
            ]
            ranked = rank(provisional, day, detection.weapon, dup_events)
            if ranked:
                return self._join(ranked[0], article, detection, confirm=day)
            floating = self._undated_match(
                detection, DayClue.from_date(day), dup_events, only_floating=True
            )
            if floating is not None:
                return self._join(floating, article, detection, confirm=day)
            event_id = self._free_id(_event_id(detection.event_type, actor, day))
            return self._open(event_id, article, detection, day, certain=True)

        if bound is not None:
            fitting = [e for e in nearby if self._fits_bound(e, bound)]
            ranked = latest_first(fitting, bound, dup_events)
            if ranked:
                return self._join(ranked[0], article, detection, confirm=None, bound=bound)
            event_id = self._free_id(f"{detection.event_type}:{actor}:~{day.isoformat()}")
            return self._open(event_id, article, detection, day, certain=False, bound=True)

        fitting = [
            e for e in nearby if self._fits_guess(e, day, dup_events) and same_salvo(e, detection)
        ]
        ranked = rank(fitting, day, detection.weapon, dup_events)
        if ranked:
            return self._join(ranked[0], article, detection, confirm=None, guess=day)
        event_id = self._free_id(f"{detection.event_type}:{actor}:~{day.isoformat()}")
        return self._open(event_id, article, detection, day, certain=False)

    # -- which events a report may join -------------------------------------------------------
    # Each test is symmetric: report A fits B's event exactly when B would fit A's, so the
    # grouping of two reports does not depend on which came first.
    def _fits(self, event: EventRow, day: date) -> bool:
        """A provisional event a report stating `day` may confirm."""
        if is_bounded(event):
            return event.event_date - BOUND_LOOKBACK <= day <= event.event_date + self._window
        return abs(event.event_date - day) <= self._window

    def _fits_guess(self, event: EventRow, day: date, dup_events: Mapping[str, float]) -> bool:
        """An event a report whose day is a guess from its publication time may join."""
        near = abs(event.event_date - day) <= self._window
        if event.date_certain:
            return near
        if is_bounded(event) and self._fits(event, day):
            return True
        # Two guesses: the same day, or the same text a time zone apart.
        return event.event_date == day or (near and dup_events.get(event.id, 0.0) > 0)

    def _fits_bound(self, event: EventRow, bound: date) -> bool:
        """An event a report whose launch came on or before `bound` may join."""
        if is_bounded(event):
            return abs(event.event_date - bound) <= BOUND_LOOKBACK
        return bound - BOUND_LOOKBACK <= event.event_date <= bound + self._window

    def _just_reported(self, event: EventRow) -> bool:
        """Whether the event's last report came just before this one: within a few reports of
        each other when time stands still (pages without a time arrive right after the report
        before them), within the window otherwise."""
        now = int(self._now().timestamp())
        if self._last_timestamp > now:  # the clock stood still: count reports
            return event.updated_at >= self._last_timestamp - JUST_BEFORE
        return event.updated_at >= now - int(self._window.total_seconds())

    def _undated_match(
        self,
        detection: Detection,
        clue: DayClue | None,
        dup_events: Mapping[str, float],
        only_floating: bool = False,
    ) -> EventRow | None:
        """The event among the actor's latest that most speaks for this report when one of the
        two has no known day: a near-duplicate text, the same day of the month, a figure in
        common, or its last report just before (the actor's latest); never one the day clue or
        the stated time rules out; the later on a tie. None when nothing speaks for any.
        `only_floating`: the report has a day, so only events without one are candidates."""
        assert detection.actor is not None
        recent = self._events.latest_of_actor(detection.event_type, detection.actor, RECENT_EVENTS)
        best: tuple[int, int, EventRow] | None = None
        for position, event in enumerate(recent):
            if only_floating and not is_floating(event):
                continue
            if not (clue_fits(event, clue) and same_salvo(event, detection)):
                continue
            latest = position == 0 and (only_floating or self._just_reported(event))
            strength = (
                4 * (dup_events.get(event.id, 0.0) > 0)
                + 2 * clue_agrees(event, clue)
                + 2 * bool(figures_of(event) & set(detection.figures))
                + latest
            )
            if strength and (best is None or (strength, -position) > best[:2]):
                best = (strength, -position, event)
        return best[2] if best is not None else None

    # -- helpers ------------------------------------------------------------------------------
    def _nearby(self, detection: Detection, actor: str, day: date) -> list[EventRow]:
        reach = max(self._window, BOUND_LOOKBACK)
        return self._events.in_window(detection.event_type, actor, day - reach, day + reach)

    def _published_day(self, article: Article) -> date:
        when = article.published or self._now()
        return when.astimezone(UTC).date()

    def _free_id(self, wanted: str) -> str:
        # A confirmed provisional event keeps its id, so rarely an id is already taken.
        candidate, n = wanted, 1
        while self._events.exists(candidate):
            n += 1
            candidate = f"{wanted}#{n}"
        return candidate

    def _unattributed_id(self, event_type: str, day: date, article_id: str) -> str:
        digest = hashlib.blake2b(article_id.encode(), digest_size=4).hexdigest()
        return self._free_id(f"{event_type}:unattributed:{day.isoformat()}:{digest}")

    def _timestamp(self) -> int:
        # Strictly increasing, so that "the latest report" is defined within one second too.
        now = max(int(self._now().timestamp()), self._last_timestamp + 1)
        self._last_timestamp = now
        return now

    def _open(
        self,
        event_id: str,
        article: Article,
        detection: Detection,
        day: date,
        certain: bool,
        bound: bool = False,
        floating: bool = False,
        clue: DayClue | None = None,
    ) -> Placement | None:
        now = self._timestamp()
        if detection.role == "background":
            # Background may join an event, never open one: keep it for one opened later.
            if detection.actor is not None:
                self._events.park(
                    article.id, detection.event_type, detection.actor, day, article.outlet, now
                )
            return None
        facts = with_figures(facts_of(detection), detection)
        if bound:
            facts[BOUND_FACT] = day.isoformat()
        if floating:
            facts[DATE_FACT] = UNKNOWN
            if clue is not None:
                facts[CLUE_FACT] = str(clue)
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
        self._events.create(row)
        self._events.add_report(event_id, article.id, article.outlet, certain, now)
        row = self._adopt_parked(row, now)
        return Placement(row, True, {k: v for k, v in facts.items() if k != FIGURES_FACT})

    def _adopt_parked(self, row: EventRow, now: int) -> EventRow:
        """Take into a new event the background reports parked for its actor and days."""
        if row.actor is None:
            return row
        first, last = row.event_date - self._window, row.event_date + self._window
        parked = self._events.parked(row.event_type, row.actor, first, last)
        if not row.date_certain:
            parked = [p for p in parked if p.event_date == row.event_date]
        if not parked:
            return row
        outlets = row.outlets
        for p in parked:
            self._events.add_report(row.id, p.article_id, p.outlet, False, now)
            if p.outlet not in outlets:
                outlets = (*outlets, p.outlet)
        self._events.unpark(row.event_type, [p.article_id for p in parked])
        row = row.evolve(outlets=outlets)
        self._events.update(row)
        return row

    def _join(
        self,
        row: EventRow,
        article: Article,
        detection: Detection,
        confirm: date | None,
        bound: date | None = None,
        guess: date | None = None,
        clue: DayClue | None = None,
    ) -> Placement:
        """Add the report to the event. `confirm`: the date it states, for a provisional event.
        A provisional event keeps the tightest date it has: a guessed day over a reaction's
        bound, the earlier of two bounds, so its date does not depend on the reports' order."""
        now = self._timestamp()
        new_facts = {k: v for k, v in facts_of(detection).items() if k not in row.facts}
        changes: dict[str, object] = {}
        facts = {**row.facts, **{k: v for k, v in new_facts.items() if k != "date"}}
        facts = with_figures(facts, detection)
        if confirm is not None:
            new_facts[DATE_FACT] = confirm.isoformat()
            changes.update(event_date=confirm, date_certain=True)
            facts.pop(BOUND_FACT, None)
            facts.pop(DATE_FACT, None)
            facts.pop(CLUE_FACT, None)
        elif is_floating(row) and guess is not None:
            changes.update(event_date=guess)
            facts.pop(DATE_FACT, None)
            facts.pop(CLUE_FACT, None)
        elif is_floating(row) and clue is not None:
            known = facts.get(CLUE_FACT)
            facts[CLUE_FACT] = str(DayClue.parse(known).merge(clue) if known else clue)
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
        self._events.update(updated)
        self._events.add_report(row.id, article.id, article.outlet, date_stated(detection), now)
        if updated.event_date != row.event_date or updated.date_certain != row.date_certain:
            updated = self._adopt_parked(updated, now)  # its day is known now, or better
        return Placement(updated, False, new_facts)


def _event_id(event_type: str, actor: str, day: date) -> str:
    return f"{event_type}:{actor}:{day.isoformat()}"
