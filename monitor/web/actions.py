"""What the console changes, each through the code the command line uses for the same thing:

    feeds      monitor.feeds_admin edits the config file (comments kept, validated before it is
               replaced), then the running service reloads it as it does on a file change
    alerts     retry (OutboxStore.retry_failed) and drop (monitor.store.outbox_admin)
    feedback   label lines (monitor.web.labels); "wrong event" also moves the reports in the
               store (EventStore.move_reports), so the grouping shown is the corrected one

Bad input raises ActionError with a message naming the thing and what to do; the API answers
it as 400 (or 404 when the thing does not exist).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from monitor import feeds_admin
from monitor.cli.feeds_probe import probe_feed
from monitor.config import Config, FeedConfig
from monitor.errors import ConfigError, FetchError, ParseError
from monitor.opml import OpmlFeed
from monitor.preflight import destinations
from monitor.store import Store
from monitor.store.events import EventRow
from monitor.store.outbox_admin import Outcome, drop, select
from monitor.web.labels import LabelFile, LabelLine, label_event_id

T = TypeVar("T")


class ActionError(Exception):
    """A write the console refuses, with the HTTP status to answer and why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Actions:
    """The console's writes against one running service."""

    store: Callable[[], Store]
    config: Callable[[], Config]
    now: Callable[[], datetime]
    config_file: Path | None
    reload: Callable[[], None]  # apply the edited config file, as a change to it is
    wake: Callable[[], None]  # the delivery worker, after a retry
    labels: LabelFile

    # -- feeds ---------------------------------------------------------------------------

    def _file(self) -> Path:
        if self.config_file is None:
            raise ActionError(
                "this service was started without a config file, so its feeds cannot be "
                "edited here; run `monitor run -c PATH`",
                409,
            )
        return self.config_file

    async def _edited(self, edit: Callable[[Path], T]) -> T:
        """Edit the config file, then have the service apply it. The edit is validated before
        the file is replaced; applying it (rules and all) takes seconds and happens beside the
        answer, as it would for a change made in an editor: /readyz says if it was refused."""
        try:
            result = edit(self._file())
        except ConfigError as exc:
            raise ActionError(str(exc)) from None
        self.reload()
        return result

    async def add_feed(
        self,
        url: str,
        *,
        name: str | None = None,
        interval: str | None = None,
        tags: Sequence[str] = (),
        enabled: bool = True,
        check: bool = True,
    ) -> FeedConfig:
        """Add a feed as `monitor feeds add` does: refused when the URL is not http(s) or
        already configured, and (unless `check` is off) fetched first, to see that it is a
        feed and name it by its own title."""
        title = await self._probe(url) if check else None

        def edit(path: Path) -> FeedConfig:
            return feeds_admin.add_feed(
                path,
                url,
                name=name or None,
                title=title,
                interval=interval or None,
                tags=tags,
                enabled=enabled,
            )

        return await self._edited(edit)

    async def _probe(self, url: str) -> str:
        try:
            feeds_admin.check_new_feed(self._file(), url)
            parsed = await probe_feed(url, self.config())
        except ConfigError as exc:
            raise ActionError(str(exc)) from None
        except (FetchError, ParseError) as exc:
            raise ActionError(
                f"not added: {exc}. To add it without fetching it, send check: false"
            ) from None
        return parsed.title

    async def update_feed(
        self,
        ref: str,
        *,
        interval: str | None = None,
        tags: Sequence[str] | None = None,
        enabled: bool | None = None,
    ) -> FeedConfig:
        return await self._edited(
            lambda path: feeds_admin.update_feed(
                path, ref, interval=interval or None, tags=tags, enabled=enabled
            )
        )

    async def remove_feed(self, ref: str) -> FeedConfig:
        return await self._edited(lambda path: feeds_admin.remove_feed(path, ref))

    async def import_opml(self, data: bytes) -> tuple[list[FeedConfig], list[OpmlFeed]]:
        return await self._edited(lambda path: feeds_admin.import_opml(path, data, "upload"))

    def export_opml(self) -> str:
        try:
            return feeds_admin.export_feeds(self._file())
        except ConfigError as exc:
            raise ActionError(str(exc)) from None

    # -- alerts --------------------------------------------------------------------------

    async def retry_alerts(self, ids: Sequence[str]) -> int:
        """Send failed alerts again; returns how many were failed and now wait."""
        if not ids:
            raise ActionError("name the alerts to retry (ids)")
        count = await self.store().outbox.retry_failed(list(ids), self.now())
        if count:
            self.wake()
        return count

    async def drop_alerts(self, ids: Sequence[str]) -> Outcome:
        if not ids:
            raise ActionError("name the alerts to drop (ids)")
        outbox = self.store().outbox
        rows, refused = await select(outbox, ids, None)
        out = await drop(outbox, rows, destinations(self.config()), self.now())
        out.refused[:0] = refused
        return out

    # -- feedback ------------------------------------------------------------------------

    async def _event(self, event_id: str) -> EventRow:
        event = await self.store().events.get(event_id)
        if event is None:
            raise ActionError(f"no event {event_id!r}: it may have been merged or forgotten", 404)
        return event

    async def not_a_launch(
        self, event_id: str, article_ids: Sequence[str], note: str = ""
    ) -> list[LabelLine]:
        """Label these reports of the event (all of them when none are named) negative."""
        await self._event(event_id)
        ids = await self._reports(event_id, article_ids)
        lines = [
            LabelLine(i, 0, note=note or f"not a launch (console, event {event_id})") for i in ids
        ]
        self.labels.append(lines)
        return lines

    async def _reports(self, event_id: str, article_ids: Sequence[str]) -> list[str]:
        reports = [r.article_id for r in await self.store().events.report_rows([event_id])]
        unknown = [a for a in article_ids if a not in reports]
        if unknown:
            raise ActionError(f"{', '.join(unknown)}: not a report of event {event_id}")
        return list(article_ids) or reports

    async def merge(self, event_id: str, into: str, note: str = "") -> list[LabelLine]:
        """Wrong event: `event_id` reports the same launch as `into`; its reports move there."""
        if event_id == into:
            raise ActionError("an event cannot be merged into itself; pick another event")
        source, target = await self._event(event_id), await self._event(into)
        if source.event_type != target.event_type:
            raise ActionError(f"{event_id} and {into} are of different event types")
        await self.store().events.move_reports([], event_id, target, self._stamp())
        everyone = [r.article_id for r in await self.store().events.report_rows([into])]
        label = label_event_id(target.actor, target.event_date)
        why = note or f"wrong event: merged {event_id} into {into} (console)"
        lines = [_positive(a, target, label, why) for a in everyone]
        self.labels.append(lines)
        return lines

    async def split(
        self, event_id: str, article_ids: Sequence[str], day: date | None, note: str = ""
    ) -> tuple[str, list[LabelLine]]:
        """Wrong event: these reports are of another launch (dated `day` when known); they move
        to a new event of their own. Returns the new event's id and the labels written."""
        source = await self._event(event_id)
        if not article_ids:
            raise ActionError("name the reports that belong to another launch (article_ids)")
        ids = await self._reports(event_id, article_ids)
        if len(ids) == len(await self._reports(event_id, [])):
            raise ActionError(
                "splitting every report off leaves the same event; use merge or not a launch"
            )
        when = day or source.event_date
        stamp = self._stamp()
        target = source.evolve(
            id=f"{source.event_type}:{source.actor}:{when.isoformat()}#split-{secrets.token_hex(3)}",
            event_date=when,
            date_certain=day is not None,
            outlets=(),
            created_at=stamp,
            updated_at=stamp,
        )
        await self.store().events.move_reports(ids, event_id, target, stamp)
        label = label_event_id(source.actor, when)
        if label == label_event_id(source.actor, source.event_date):
            label += "-2"
        why = note or f"wrong event: split from {event_id} (console)"
        lines = [_positive(a, target, label, why) for a in ids]
        self.labels.append(lines)
        return target.id, lines

    def missed(
        self, url: str, actor: str | None, day: date | None, subtype: str | None, note: str = ""
    ) -> LabelLine:
        """A launch report the service did not alert on, by its article's URL."""
        try:
            feeds_admin.check_feed_url(url)
        except ConfigError:
            raise ActionError(
                f"{url!r} is not an http(s) URL: paste the article's address"
            ) from None
        event = label_event_id(actor, day) if actor and day else None
        line = LabelLine(
            url, 1, subtype or None, actor or None, event, note or "missed launch (console)", url
        )
        self.labels.append([line])
        return line

    def _stamp(self) -> int:
        return int(self.now().timestamp())


def _positive(article_id: str, event: EventRow, label: str, note: str) -> LabelLine:
    return LabelLine(article_id, 1, event.subtype, event.actor, label, note)
