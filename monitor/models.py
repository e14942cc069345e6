"""Domain objects passed between the stages.

    Feed --fetch/parse--> Entry --extract--> Article --detect--> Detection
        --dedup--> Event --notify--> Alert

All are frozen: a stage returns new objects instead of changing the ones it was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from ipaddress import IPv4Network, IPv6Network
from typing import Literal


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed the service polls, as the config describes it."""

    name: str
    url: str
    interval: float = 300.0  # seconds between polls when the feed says nothing else
    tags: tuple[str, ...] = ()
    enabled: bool = True
    full_text: bool = True  # fetch and extract each article page, not only the summary
    headers: tuple[tuple[str, str], ...] = ()
    language: str | None = None  # ISO 639-1, when the config says all items are in one
    # non-public networks this feed and its articles may be fetched from: network.allow and
    # the feed's own allow_networks (monitor.netpolicy)
    allow_networks: tuple[IPv4Network | IPv6Network, ...] = ()

    @property
    def outlet(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a parsed feed, before its article page is fetched."""

    feed: str  # the feed's name
    guid: str | None
    url: str | None
    title: str
    summary: str
    published: datetime | None  # timezone-aware UTC, or None when the feed gives no date

    @property
    def key(self) -> str:
        """The entry's identity within its feed: GUID, else link, else title."""
        return self.guid or self.url or self.title


@dataclass(frozen=True, slots=True)
class Article:
    """The text the detector reads: an entry with its extracted page text."""

    id: str  # stable id: "<feed>:<entry key>" for polled items, the corpus id for replayed ones
    outlet: str
    title: str
    text: str  # title is not repeated here; summary when the page could not be extracted
    url: str | None
    published: datetime | None
    feed_tags: tuple[str, ...] = ()
    language: str | None = None  # ISO 639-1, when known before detection (corpus `lang`)
    # For an item without a time in an archive read in order: the time of the next dated item
    # after it, before which it was published (replay sets it; a polled item always has a time).
    published_before: datetime | None = None
    # For an undated item after which an archive's dates go back (a second archive appended):
    # nothing in the order says when it came out, before or after (replay sets it).
    unplaced: bool = False


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason a rule matched: which part of the rule, which words, where."""

    rule: str
    part: str  # e.g. "actor", "weapon", "act", "exclude:retrospective", "date"
    text: str  # the matched words
    start: int  # character offset in title + "\n" + text
    weight: float = 0.0


Role = Literal["peg", "background"]


@dataclass(frozen=True, slots=True)
class Detection:
    """A report of one kind of event found in an article."""

    event_type: str  # e.g. "missile_launch"
    subtype: str | None  # e.g. "test", "strike", "satellite"
    rule: str
    score: float
    actor: str | None  # normalised actor id, e.g. "north-korea"
    weapon: str | None  # e.g. "ballistic missile", "Hwasong-18"
    event_date: date | None  # the local date the event happened, when the text tells it
    count: int | None = None
    place: str | None = None
    evidence: tuple[Evidence, ...] = ()
    language: str | None = None  # the language the article was read in (ISO 639-1)
    # "peg": the launch is the article's news (headline or lead); "background": it is only
    # mentioned deeper in the body, so the report may join an event but never open one.
    role: Role = "peg"
    sources: tuple[str, ...] = ()  # actors cited as reporting it ("Japan's defence ministry said")
    targets: tuple[str, ...] = ()  # actors struck or aimed at
    time_of_day: int | None = None  # minutes after local midnight, when the text states the time
    # The launch as an instant, when the text states its day and time and the launcher's time
    # zone is known.
    launched_at: datetime | None = None
    # When no day can be resolved (no publication time), what the text still says of it:
    # (month, day of month, weekday 0 = Monday), each None when not said.
    day_clue: tuple[int | None, int | None, int | None] | None = None
    # The numbers the headline and lead give (how many missiles, how far, how high): what
    # tells one launch from another when neither report's day is known.
    figures: tuple[int, ...] = ()

    def explain(self) -> list[str]:
        """Human-readable reasons, one line each."""
        lines = [f"rule {self.rule}: score {self.score:.2f}"]
        lines += [f"{e.part}: {e.text!r} at {e.start}" for e in self.evidence]
        return lines


@dataclass(frozen=True, slots=True)
class Event:
    """One real-world occurrence, reported by one or more articles."""

    id: str
    event_type: str
    subtype: str | None
    actor: str | None
    event_date: date | None
    weapon: str | None
    first_article: str  # Article.id of the report that opened the event
    outlets: tuple[str, ...] = ()
    facts: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


AlertKind = Literal["new", "followup"]
AlertStatus = Literal["pending", "sent", "failed", "unknown", "dropped"]  # dropped: by hand


@dataclass(frozen=True, slots=True)
class Alert:
    """A message owed to one destination about one event.

    `new` opens the event; `followup` adds a later report to it (a thread reply and an edit of
    the first message in Slack). `parent` is the id of the event's `new` alert to the same
    destination.
    """

    id: str
    event_id: str
    destination: str
    kind: AlertKind
    article_id: str
    headline: str
    outlet: str
    url: str | None
    summary: str
    published: datetime | None
    explanation: tuple[str, ...]
    event: Event
    parent: str | None = None
    created_at: datetime | None = None
    status: AlertStatus = "pending"
    attempts: int = 0
    last_error: str | None = None
    language: str | None = None  # the report's language (ISO 639-1), when known
