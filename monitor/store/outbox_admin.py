"""Deciding by hand what becomes of undelivered alerts: `monitor alerts reroute` and `drop`.

A config change never fails an alert: one whose destination left the config waits for it to
come back. When it will not, a person moves it on:

    reroute   send it to another destination instead, from scratch. A first alert is dropped
              instead when the new destination already has that event's first alert (it would
              say the same twice); a follow-up threads under the new destination's first alert
              of its event, or goes on its own when there is none.
    drop      give it up. It stays in the outbox as "dropped", with when and what it was, and
              its follow-ups waiting at the same destination go with it.

Either works on pending, unknown and failed alerts. An alert whose send to a configured
destination is under way or unconfirmed ("unknown") is left alone: it may be arriving.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from monitor.store.interface import OutboxStore
from monitor.store.outbox import OPEN, OutboxRow


@dataclass
class Outcome:
    changed: list[str] = field(default_factory=list)  # rerouted, or dropped as asked
    also_dropped: list[tuple[str, str]] = field(default_factory=list)  # (id, why)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (id, why not)


async def select(
    outbox: OutboxStore, ids: Sequence[str], destination: str | None
) -> tuple[list[OutboxRow], list[tuple[str, str]]]:
    """The undelivered alerts named by id, or all of those owed to `destination`; and the ids
    that cannot be changed, with why."""
    if destination is not None:
        return await outbox.owed_to(destination), []
    rows: list[OutboxRow] = []
    refused: list[tuple[str, str]] = []
    for alert_id in dict.fromkeys(ids):
        row = await outbox.get(alert_id)
        if row is None:
            refused.append((alert_id, "no such alert"))
        elif row.alert.status not in OPEN:
            refused.append((alert_id, f"already {row.alert.status}"))
        else:
            rows.append(row)
    return sorted(rows, key=lambda r: r.seq), refused


async def reroute(
    outbox: OutboxStore,
    rows: Sequence[OutboxRow],
    to: str,
    configured: Collection[str],
    now: datetime,
) -> Outcome:
    """Send `rows` to destination `to` instead (oldest first, so a first alert moves before
    its follow-ups and they thread under it)."""
    out = Outcome()
    async with outbox.db.transaction():
        for row in await _current(outbox, rows, out):
            alert = row.alert
            if alert.destination == to:
                out.refused.append((alert.id, f"already goes to {to}"))
                continue
            if _in_flight(row, configured):
                out.refused.append((alert.id, _IN_FLIGHT.format(destination=alert.destination)))
                continue
            firsts = [
                r.alert.id
                for r in await outbox.for_event(alert.event_id, to)
                if r.alert.kind == "new" and r.role == "alert" and r.alert.status != "dropped"
            ]
            if alert.kind == "new" and row.role == "alert" and firsts:
                why = f"{to} already has this event's first alert {firsts[0]}"
                await outbox.mark_dropped(alert.id, f"dropped while rerouting to {to}: {why}")
                out.also_dropped.append((alert.id, why))
                continue
            parent = firsts[0] if alert.kind == "followup" and firsts else None
            note = f"rerouted from {alert.destination} on {now:%Y-%m-%d %H:%M} UTC"
            if await outbox.set_destination(row, to, parent, now, note):
                out.changed.append(alert.id)
            else:  # it went in flight since it was read
                out.refused.append((alert.id, _IN_FLIGHT.format(destination=alert.destination)))
    return out


async def drop(
    outbox: OutboxStore, rows: Sequence[OutboxRow], configured: Collection[str], now: datetime
) -> Outcome:
    """Give up `rows`, and the follow-ups that wait under them."""
    out = Outcome()
    done: set[str] = set()
    async with outbox.db.transaction():
        for row in await _current(outbox, rows, out):
            alert = row.alert
            if alert.id in done:
                continue
            if _in_flight(row, configured):
                out.refused.append((alert.id, _IN_FLIGHT.format(destination=alert.destination)))
                continue
            was = f"{alert.status}: {alert.last_error}" if alert.last_error else alert.status
            await outbox.mark_dropped(
                alert.id, f"dropped by hand on {now:%Y-%m-%d %H:%M} UTC ({was})"
            )
            out.changed.append(alert.id)
            done.add(alert.id)
            for child in await outbox.children(alert.id):
                if child.alert.id in done or child.alert.status not in OPEN:
                    continue
                if _in_flight(child, configured):
                    continue
                await outbox.mark_dropped(
                    child.alert.id, f"dropped with its first alert {alert.id}"
                )
                out.also_dropped.append((child.alert.id, f"a follow-up of {alert.id}"))
                done.add(child.alert.id)
    return out


_IN_FLIGHT = (
    "its send to {destination} is under way or unconfirmed; the service settles it (sent, or "
    "back to pending) within a minute or two: try again then"
)


async def _current(outbox: OutboxStore, rows: Sequence[OutboxRow], out: Outcome) -> list[OutboxRow]:
    """`rows` as they are now, inside the transaction that changes them: the service may have
    sent one since they were selected."""
    current: list[OutboxRow] = []
    for row in rows:
        now = await outbox.get(row.alert.id)
        if now is None:
            out.refused.append((row.alert.id, "no such alert"))
        elif now.alert.status not in OPEN:
            out.refused.append((row.alert.id, f"already {now.alert.status}"))
        else:
            current.append(now)
    return current


def _in_flight(row: OutboxRow, configured: Collection[str]) -> bool:
    return row.alert.status == "unknown" and row.alert.destination in configured
