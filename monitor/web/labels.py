"""The labels file the console's feedback writes, in the labelling guide's format
(shared data LABELS.md; read back by `monitor.evaluate.read_labels`, so `monitor eval
--labels` takes it as it is):

    {"id": "...", "label": 1, "subtype": "test", "actor": "north-korea",
     "event_id": "north-korea-2022-01-05", "note": "..."}

Lines are appended, never rewritten; a later line about the same id wins, as in read_labels.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError


@dataclass(frozen=True, slots=True)
class LabelLine:
    id: str
    label: int  # 1: a launch report, 0: not one
    subtype: str | None = None
    actor: str | None = None
    event_id: str | None = None
    note: str = ""
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "subtype": self.subtype if self.label else None,
            "actor": self.actor if self.label else None,
            "event_id": self.event_id if self.label else None,
            "note": self.note,
        }
        if self.url:
            row["url"] = self.url
        return row


def label_event_id(actor: str | None, day: date) -> str:
    """The guide's event id: `<actor>-<YYYY-MM-DD>` (local date of the launch)."""
    return f"{actor or 'unknown'}-{day.isoformat()}"


class LabelFile:
    """Appends label lines to one file (made with its folder on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def append(self, lines: Sequence[LabelLine]) -> None:
        if not lines:
            return
        text = "".join(json.dumps(line.to_json(), ensure_ascii=False) + "\n" for line in lines)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise ConfigError(
                f"web.labels: cannot write the labels file {self.path} ({exc.strerror}); "
                "make its folder writable or point web.labels elsewhere"
            ) from None

    def read(self, ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """The latest label of each id (of `ids` only, when given); lines that are not labels
        are skipped here (`monitor eval` names them)."""
        wanted = set(ids) if ids is not None else None
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ConfigError(
                f"web.labels: cannot read the labels file {self.path} ({exc.strerror})"
            ) from None
        out: dict[str, dict[str, Any]] = {}
        for line in text.splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            known = isinstance(row, dict) and isinstance(row.get("id"), str)
            if known and (wanted is None or row["id"] in wanted):
                out[row["id"]] = row
        return out
