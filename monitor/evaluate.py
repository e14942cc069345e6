"""Measuring detection and grouping against hand labels, beside a naive keyword baseline.

detection   precision, recall, F1 over items (unlisted items are negatives)
grouping    pairwise precision, recall, F1 over pairs of items that are both detected and
            labelled positive: a pair is "same" when both sit in one event
alerts      alerts (new_event items) per true event that was detected at all, and the share of
            true events in the input that got exactly one alert (an event missed or merged into
            another gets none, one split in two gets two)
noise       labelled negatives that opened an event (each one a false alert)
actors      detected reports of a labelled actor whose launcher was read right, and each one
            read wrong (a source, target or maker taken for who fired splits an event)
days        detected reports whose launch day was read as the label's (the date its event id
            ends in), of those whose text states a day, how many of the rest are a day off, and
            how many state none (grouping places those by their publication and evidence)
events      every true event whose detected reports did not make exactly one event alone:
            split over several events, or sharing one with another true event, each report
            with the event it went to and what grouping read of it (actor, day, weapon, role)

Halves: labelled corpora are split once, by event, into a tuning half and a validation half:
an item belongs to the validation half when the first byte of sha256(event id, or the item's
id when it reports no event) is odd. Rules are tuned on the tuning half only; the validation
half measures them. Reports show both halves, and each language (the items' `lang` field),
side by side with the baseline.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

from monitor.config import EventsConfig
from monitor.dedup.evidence import date_stated
from monitor.detect import RuleSet
from monitor.detect.gazetteer import ACTORS
from monitor.replay import InputError, ReplayResult, read_corpus, replay

# The baseline: any item with "missile" and a launch verb anywhere in it.
_BASELINE_MISSILE = re.compile(r"\bmissiles?\b", re.IGNORECASE)
_BASELINE_VERB = re.compile(
    r"\b(?:fire[sd]?|firing|launch(?:e[sd]|ing)?|test[\s-]?fire[sd]?|test[\s-]?firing)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    positive: bool
    event_id: str | None
    subtype: str | None
    actor: str | None


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


@dataclass(frozen=True, slots=True)
class Miss:
    id: str
    kind: str  # "false positive" or "false negative"
    title: str
    score: float
    label_event: str | None
    explanation: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WrongActor:
    """A detected report whose launcher is not the labelled one."""

    id: str
    label_actor: str
    actor: str | None
    language: str | None
    title: str


@dataclass(frozen=True, slots=True)
class Placed:
    """One detected report of a true event: where grouping put it, and what it read."""

    id: str
    event_id: str | None
    new_event: bool
    actor: str | None
    day: str | None  # the launch date read, None when the text and item gave none
    weapon: str | None
    role: str
    title: str


@dataclass(frozen=True, slots=True)
class Misgrouped:
    """A true event whose detected reports are not one event of their own."""

    event: str
    events: tuple[str | None, ...]  # the events its reports went to
    alerts: int
    merged_with: tuple[str, ...]  # other true events sharing one of those events
    reports: tuple[Placed, ...]


@dataclass(slots=True)
class Report:
    items: int
    positives: int
    detection: Scores
    grouping: Scores
    alerts_per_event: float
    events_detected: int
    events_total: int
    baseline_detection: Scores
    baseline_alerts_per_event: float
    events_one_alert: int = 0  # true events in the input with exactly one alert
    events_in_input: int = 0  # true events with at least one labelled report in the input
    one_alert_share: float = 0.0
    baseline_one_alert_share: float = 0.0
    errors: list[Miss] = field(default_factory=list)
    misgrouped: list[Misgrouped] = field(default_factory=list)
    negatives_opening: int = 0  # labelled negatives that opened an event: false alerts
    language_id: tuple[int, int] = (0, 0)  # items whose identified language was right, of known
    actors: tuple[int, int] = (0, 0)  # detected reports whose launcher is the labelled one, of
    # detected reports whose stated day is the label's, a day off, stating one, stating none
    days: tuple[int, int, int, int] = (0, 0, 0, 0)
    wrong_actors: list[WrongActor] = field(default_factory=list)
    halves: dict[str, Report] = field(default_factory=dict)
    languages: dict[str, Report] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def scores(tp: int, fp: int, fn: int) -> Scores:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(round(p, 4), round(r, 4), round(f1, 4), tp, fp, fn)


def read_labels(path: str | Path) -> dict[str, Label]:
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{file}: cannot read the labels ({exc.strerror})") from exc
    labels = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{file}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or not isinstance(row.get("id"), str) or "label" not in row:
            raise InputError(f"{file}:{number}: a label needs at least 'id' and 'label'")
        labels[row["id"]] = Label(
            row["id"], bool(row["label"]), row.get("event_id"), row.get("subtype"), row.get("actor")
        )
    return labels


Split = str  # "tune" or "validation"
SPLITS = ("tune", "validation")


def split_of(key: str) -> Split:
    """The fixed half an event (or an unlabelled item) belongs to; see the module docstring."""
    return "validation" if hashlib.sha256(key.encode()).digest()[0] % 2 else "tune"


def item_split(item_id: str, labels: dict[str, Label]) -> Split:
    label = labels.get(item_id)
    return split_of(label.event_id if label is not None and label.event_id else item_id)


def baseline_detects(title: str, text: str) -> bool:
    full = f"{title}\n{text}"
    return bool(_BASELINE_MISSILE.search(full) and _BASELINE_VERB.search(full))


def pairwise(true_event: dict[str, str], predicted: dict[str, str | None]) -> Scores:
    ids = sorted(true_event)
    tp = fp = fn = 0
    for a, b in combinations(ids, 2):
        same_true = true_event[a] == true_event[b]
        same_pred = predicted[a] is not None and predicted[a] == predicted[b]
        tp += same_true and same_pred
        fp += same_pred and not same_true
        fn += same_true and not same_pred
    return scores(tp, fp, fn)


def _alerts_per_event(events: dict[str, list[bool]]) -> float:
    hit = [sum(alerts) for alerts in events.values() if alerts]
    return round(sum(hit) / len(hit), 4) if hit else 0.0


def _exactly_one(events: Iterable[str], alerts: dict[str, list[bool]]) -> int:
    return sum(1 for key in events if sum(alerts.get(key, ())) == 1)


def evaluate(
    results: Sequence[ReplayResult],
    labels: dict[str, Label],
    languages: dict[str, str] | None = None,
) -> Report:
    """Figures over `results`, and the same for each half and each language (`languages`:
    item id -> the items' `lang` field)."""
    known = languages or {}
    report = _figures(results, labels, known)
    for half in SPLITS:
        part = [r for r in results if item_split(r.article.id, labels) == half]
        if part and len(part) < len(results):
            report.halves[half] = _figures(part, labels, known)
    for language in sorted({known[r.article.id] for r in results if r.article.id in known}):
        part = [r for r in results if known.get(r.article.id) == language]
        report.languages[language] = _figures(part, labels, known)
    return report


def _figures(
    results: Sequence[ReplayResult], labels: dict[str, Label], languages: dict[str, str]
) -> Report:
    tp = fp = fn = btp = bfp = bfn = 0
    negatives_opening = 0
    known_language = right_language = 0
    errors: list[Miss] = []
    wrong_actors: list[WrongActor] = []
    actors_known = 0
    day_right = day_off = day_stated = day_none = 0
    true_event: dict[str, str] = {}
    predicted: dict[str, str | None] = {}
    alerts: dict[str, list[bool]] = defaultdict(list)
    reports: dict[str, list[ReplayResult]] = defaultdict(list)
    baseline_alerts: dict[str, list[bool]] = defaultdict(list)
    events_total: set[str] = {lab.event_id or lab.id for lab in labels.values() if lab.positive}
    events_in_input: set[str] = set()
    for r in results:
        label = labels.get(r.article.id)
        positive = label is not None and label.positive
        detected = r.analysis.detected
        base = baseline_detects(r.article.title, r.article.text)
        tp += detected and positive
        fp += detected and not positive
        fn += positive and not detected
        btp += base and positive
        bfp += base and not positive
        bfn += positive and not base
        negatives_opening += r.new_event and not positive
        if r.article.id in languages:
            known_language += 1
            right_language += r.analysis.language == languages[r.article.id]
        if detected != positive:
            errors.append(
                Miss(
                    r.article.id,
                    "false positive" if detected else "false negative",
                    r.article.title,
                    round(r.analysis.score, 4),
                    label.event_id if label else None,
                    r.analysis.explanation,
                )
            )
        if positive and label is not None:
            key = label.event_id or label.id
            events_in_input.add(key)
            if detected and label.actor:
                actors_known += 1
                d = r.analysis.detection
                read = d.actor if d is not None else None
                if not same_actor(label.actor, read):
                    wrong_actors.append(
                        WrongActor(
                            r.article.id, label.actor, read, r.analysis.language, r.article.title
                        )
                    )
            labelled_day = _label_day(label.event_id)
            if detected and labelled_day is not None and r.analysis.detection is not None:
                read_day = r.analysis.detection.event_date
                if read_day is None or not date_stated(r.analysis.detection):
                    day_none += 1
                else:
                    day_stated += 1
                    day_right += read_day == labelled_day
                    day_off += abs((read_day - labelled_day).days) == 1
            if detected:
                true_event[r.article.id] = key
                predicted[r.article.id] = r.event_id
                alerts[key].append(r.new_event)
                reports[key].append(r)
            if base:
                baseline_alerts[key].append(True)
    detected_events = {k for k, v in alerts.items() if v}
    one_alert = _exactly_one(events_in_input, alerts)
    baseline_one_alert = _exactly_one(events_in_input, baseline_alerts)
    present = len(events_in_input)
    return Report(
        items=len(results),
        positives=sum(1 for r in results if (lab := labels.get(r.article.id)) and lab.positive),
        detection=scores(tp, fp, fn),
        grouping=pairwise(true_event, predicted),
        alerts_per_event=_alerts_per_event(alerts),
        events_detected=len(detected_events),
        events_total=len(events_total),
        baseline_detection=scores(btp, bfp, bfn),
        baseline_alerts_per_event=_alerts_per_event(baseline_alerts),
        events_one_alert=one_alert,
        events_in_input=present,
        one_alert_share=round(one_alert / present, 4) if present else 1.0,
        baseline_one_alert_share=round(baseline_one_alert / present, 4) if present else 1.0,
        errors=errors,
        misgrouped=_misgrouped(reports),
        negatives_opening=negatives_opening,
        language_id=(right_language, known_language),
        actors=(actors_known - len(wrong_actors), actors_known),
        wrong_actors=wrong_actors,
        days=(day_right, day_off, day_stated, day_none),
    )


def _label_day(event_id: str | None) -> date | None:
    """The launch day an event id ends in (`north-korea-2022-01-05`), None when it has none."""
    m = re.search(r"(\d{4}-\d{2}-\d{2})$", event_id or "")
    if m is None:
        return None
    try:
        return date.fromisoformat(m.group(1))
    except ValueError:
        return None


_ALIASES = {
    actor.id: frozenset(name.replace(".", "").casefold() for name in actor.aliases)
    for actor in ACTORS
}


def _singular(part: str) -> str:
    return part[:-1] if part.endswith("s") else part


def same_actor(label: str, read: str | None) -> bool:
    """Whether the launcher read is the labelled actor: the same slug, one naming it more
    fully ("houthis" and "yemen-houthis"), or one of the names the gazetteer knows it by
    ("usa" for united-states, "dprk" for north-korea)."""
    if read is None:
        return False
    if label == read:
        return True
    names = _ALIASES.get(read, frozenset())
    if label.replace("-", " ").casefold() in names:
        return True
    wanted = {_singular(p) for p in label.split("-")}
    return wanted <= {_singular(p) for p in read.split("-")}


def _misgrouped(reports: dict[str, list[ReplayResult]]) -> list[Misgrouped]:
    """The true events whose detected reports were split or shared an event with another."""
    owners: dict[str | None, set[str]] = defaultdict(set)
    for key, rs in reports.items():
        for r in rs:
            owners[r.event_id].add(key)
    out = []
    for key in sorted(reports):
        rs = reports[key]
        events = tuple(dict.fromkeys(r.event_id for r in rs))
        # Reports that went to no event (background, nothing to join) share nothing.
        others = sorted({k for e in events if e is not None for k in owners[e]} - {key})
        alerts = sum(r.new_event for r in rs)
        if len(events) == 1 and events[0] is not None and not others and alerts == 1:
            continue
        out.append(Misgrouped(key, events, alerts, tuple(others), tuple(map(_placed, rs))))
    return out


def _placed(r: ReplayResult) -> Placed:
    d = r.analysis.detection
    assert d is not None  # only detected reports are grouped
    day = d.event_date.isoformat() if d.event_date else None
    return Placed(
        r.article.id, r.event_id, r.new_event, d.actor, day, d.weapon, d.role, r.article.title
    )


def run(
    paths: Iterable[str | Path],
    labels_path: str | Path,
    rules: RuleSet,
    events: EventsConfig | None = None,
    split: Split | None = None,
    language: str | None = None,
) -> Report:
    """Replay the items (only one half's, or one language's, when asked) and measure."""
    # `DEV/*.jsonl` names the labels file too: it is the labels, not items.
    paths = [p for p in paths if Path(p).resolve() != Path(labels_path).resolve()]
    items = [item for p in paths for item in read_corpus(p)]
    articles = [article for article, _ in items]
    languages = {article.id: lang for article, lang in items if lang}
    labels = read_labels(labels_path)
    if split is not None:
        articles = [a for a in articles if item_split(a.id, labels) == split]
    if language is not None:
        articles = [a for a in articles if languages.get(a.id) == language]
    return evaluate(list(replay(articles, rules, events, settle=True)), labels, languages)


def _table(title: str, parts: dict[str, Report]) -> str:
    head = (
        f"{title:<11}{'items':>6}{'pos':>5}{'P':>7}{'R':>7}{'tp/fp/fn':>11}{'base P':>8}"
        f"{'base R':>8}{'group F1':>9}{'one alert':>10}{'neg.open':>9}"
    )
    rows = [head]
    for name, r in parts.items():
        d, b = r.detection, r.baseline_detection
        rows.append(
            f"{name:<11}{r.items:>6}{r.positives:>5}{d.precision:>7.3f}{d.recall:>7.3f}"
            f"{f'{d.tp}/{d.fp}/{d.fn}':>11}{b.precision:>8.3f}{b.recall:>8.3f}"
            f"{r.grouping.f1:>9.3f}{r.one_alert_share:>10.3f}{r.negatives_opening:>9}"
        )
    return "\n".join(rows)


def format_report(report: Report) -> str:
    d, b, g = report.detection, report.baseline_detection, report.grouping
    lines = [
        f"items {report.items}, labelled positive {report.positives}, "
        f"true events {report.events_total} (detected {report.events_detected})",
        "",
        f"{'':26}{'rules':>10}{'baseline':>10}",
        f"{'detection precision':26}{d.precision:>10.3f}{b.precision:>10.3f}",
        f"{'detection recall':26}{d.recall:>10.3f}{b.recall:>10.3f}",
        f"{'detection F1':26}{d.f1:>10.3f}{b.f1:>10.3f}",
        f"{'  tp / fp / fn':26}{f'{d.tp}/{d.fp}/{d.fn}':>10}{f'{b.tp}/{b.fp}/{b.fn}':>10}",
        f"{'grouping precision':26}{g.precision:>10.3f}{'-':>10}",
        f"{'grouping recall':26}{g.recall:>10.3f}{'-':>10}",
        f"{'grouping F1':26}{g.f1:>10.3f}{'-':>10}",
        f"{'alerts per true event':26}{report.alerts_per_event:>10.2f}"
        f"{report.baseline_alerts_per_event:>10.2f}",
        f"{'events with exactly one alert':29}{report.one_alert_share:>7.3f}"
        f"{report.baseline_one_alert_share:>10.3f}"
        f"  ({report.events_one_alert} of {report.events_in_input})",
        "",
        f"{'negatives opening an event':29}{report.negatives_opening:>7}",
        "",
        "baseline: any item with 'missile' and a launch verb; it alerts on every item.",
    ]
    if report.language_id[1]:
        right, known = report.language_id
        lines.insert(1, f"language identified right: {right} of {known}")
    if report.actors[1]:
        right, known = report.actors
        lines.insert(
            2 if report.language_id[1] else 1,
            f"launcher read right: {right} of {known} detected reports",
        )
    if sum(report.days):
        right, off, stated, none = report.days
        lines.insert(
            lines.index(""),
            f"launch day read right: {right} of {stated} detected reports that state one "
            f"({off} a day off); {none} state none",
        )
    if report.halves:
        lines += ["", _table("half", report.halves)]
    if report.languages:
        lines += ["", _table("language", report.languages)]
    for kind in ("false positive", "false negative"):
        misses = [m for m in report.errors if m.kind == kind]
        lines += ["", f"{kind}s ({len(misses)}):"]
        for m in misses:
            lines.append(
                f"- {m.id} (score {m.score:.2f}"
                + (f", label {m.label_event}" if m.label_event else "")
                + f"): {m.title}"
            )
            lines += [f"    {line}" for line in m.explanation]
    lines += ["", f"launcher read wrong ({len(report.wrong_actors)}):"]
    for w in report.wrong_actors:
        lines.append(
            f"- {w.id} ({w.language or '-'}): labelled {w.label_actor}, read "
            f"{w.actor or 'no actor'}: {w.title[:70]}"
        )
    lines += ["", f"events split or merged ({len(report.misgrouped)}):"]
    for mg in report.misgrouped:
        merged = f", shares an event with {', '.join(mg.merged_with)}" if mg.merged_with else ""
        lines.append(f"- {mg.event}: {len(mg.events)} event(s), {mg.alerts} alert(s){merged}")
        for p in mg.reports:
            opened = "opened" if p.new_event else "joined" if p.event_id else "parked"
            lines.append(
                f"    {p.id} {opened} {p.event_id or '-'} (actor {p.actor or '-'}, "
                f"day {p.day or 'unknown'}, weapon {p.weapon or '-'}, {p.role}): {p.title[:70]}"
            )
    return "\n".join(lines)
