"""One feed poll's limits, and what is logged and counted when one bites.

    polling.max_items      entries kept per poll, the newest (applied in monitor.intake)
    polling.max_articles   article pages fetched per poll
    polling.poll_deadline  seconds from the start of a poll; after it no article fetch starts,
                           and one under way is abandoned

A feed can carry 20,000 items, or one item 500 times, or links to pages that answer slowly:
none of it may hold the service for long or make it fetch without bound from any site. An
item whose page was not fetched because of a limit is not marked seen; the pipeline leaves it
for the next poll (nothing is lost), and that poll reads the feed in full.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from monitor import metrics
from monitor.config import PollingConfig
from monitor.intake import Intake

log = logging.getLogger(__name__)


@dataclass
class ArticleBudget:
    """What one poll may still spend on article pages: fetches, and time (event-loop clock)."""

    fetches_left: int
    deadline: float
    over_limit: int = 0  # items whose page was not fetched: max_articles reached
    past_deadline: int = 0  # items whose page was not fetched, or not in full: deadline reached

    @classmethod
    def for_poll(cls, cfg: PollingConfig, started: float) -> ArticleBudget:
        return cls(fetches_left=cfg.max_articles, deadline=started + cfg.poll_deadline)

    def take(self, now: float) -> bool:
        """Whether one more page may be fetched now; a refusal is counted."""
        if self.fetches_left <= 0:
            self.over_limit += 1
            return False
        if now >= self.deadline:
            self.past_deadline += 1
            return False
        self.fetches_left -= 1
        return True

    def abandoned(self) -> None:
        """A fetch under way when the deadline came."""
        self.past_deadline += 1

    @property
    def deferred(self) -> int:
        return self.over_limit + self.past_deadline


def report_intake(feed: str, intake: Intake) -> None:
    """Log and count what reading the feed body had to leave out or repair."""
    hygiene = intake.feed.hygiene
    repaired = hygiene.describe()
    if repaired is not None:
        log.warning("feed %s: %s", feed, repaired, extra={"feed": feed, "stage": "parse"})
    if hygiene.nul_bytes:
        metrics.INVALID_BYTES.labels(feed=feed, kind="nul").inc(hygiene.nul_bytes)
    if hygiene.invalid_utf8:
        metrics.INVALID_BYTES.labels(feed=feed, kind="utf8").inc(hygiene.invalid_utf8)
    if hygiene.doctype_refused:
        metrics.DOCTYPE_REFUSED.labels(feed=feed).inc()
    if not (intake.duplicates or intake.skipped):
        return
    parts = [f"{intake.total} entries"]
    if intake.duplicates:
        parts.append(f"{intake.duplicates} repeating an earlier one (same GUID or link) dropped")
    if intake.skipped:
        parts.append(f"{len(intake.entries)} kept (newest), {intake.skipped} skipped")
        metrics.ITEMS_CAPPED.labels(feed=feed).inc(intake.skipped)
    else:
        parts.append(f"{len(intake.entries)} kept")
    log.warning("feed %s: %s", feed, ", ".join(parts), extra={"feed": feed, "stage": "poll"})


def report_deferred(feed: str, budget: ArticleBudget, cfg: PollingConfig) -> None:
    """Log and count the article fetches a limit stopped."""
    if budget.over_limit:
        metrics.ARTICLES_CAPPED.labels(feed=feed).inc(budget.over_limit)
        log.warning(
            "feed %s: %d article fetches over the limit of %d per poll (polling.max_articles); "
            "those items wait for the next poll",
            feed,
            budget.over_limit,
            cfg.max_articles,
            extra={"feed": feed, "stage": "poll"},
        )
    if budget.past_deadline:
        metrics.POLL_DEADLINE_HIT.labels(feed=feed).inc()
        log.warning(
            "feed %s: poll deadline of %g s reached (polling.poll_deadline); %d article "
            "fetches abandoned, those items wait for the next poll",
            feed,
            cfg.poll_deadline,
            budget.past_deadline,
            extra={"feed": feed, "stage": "poll"},
        )
