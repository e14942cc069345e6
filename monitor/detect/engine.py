"""Matching rules against an article and scoring it.

    prefilter (one regex) -> sentences -> windows -> all/any/none terms -> launcher, date,
    recency -> window score x position -> adjustments -> threshold

Only articles whose text contains a trigger word (one compiled regex per rule set) go past the
first step, which keeps detection cheap on the bulk of the news that never mentions a missile.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from monitor.detect.calendars import Vocabulary
from monitor.detect.dates import (
    DateMention,
    DayClue,
    bare_date,
    dates_reaction,
    find_dates,
    publication_day,
    reference_day,
)
from monitor.detect.entities import (
    Mention,
    actor_timezone,
    find_actors,
    find_count,
    find_place,
    find_weapons,
    launcher_score,
    role_of,
)
from monitor.detect.gazetteer import SOVIET_ERA_END_YEAR
from monitor.detect.language import identify
from monitor.detect.rules import KeywordGroup, Rule, RuleSet
from monitor.detect.text import Document, Sentence, document
from monitor.detect.times import find_time
from monitor.models import Article, Detection, Evidence, Role


@dataclass(frozen=True, slots=True)
class Analysis:
    """Why an article did or did not match: the score, the detection, one line per reason."""

    score: float
    threshold: float
    detection: Detection | None
    explanation: tuple[str, ...]
    language: str | None = None
    triggered: bool = True  # whether a trigger word of the rules occurred at all

    @property
    def detected(self) -> bool:
        return self.detection is not None


@dataclass(slots=True)
class _Window:
    rule: Rule
    start: int
    end: int
    position: str
    score: float = 0.0
    actor: str | None = None
    actor_text: str | None = None
    subtype: str | None = None
    weapon: str | None = None
    event_date: date | None = None
    date_text: str | None = None
    date_is_reaction: bool = False  # the date is a reaction's: the launch came on or before it
    time_of_day: int | None = None
    evidence: list[Evidence] = field(default_factory=list)


_NOT_LAUNCHER = ("source", "target", "maker")
_REPORTED = re.compile(
    r"\b(?:said|says|told|reported|announced|confirmed|stated|claimed)\s+(?:on\s+)?$",
    re.IGNORECASE,
)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]+")


@lru_cache(maxsize=64)
def _vocabulary(rules: RuleSet) -> Vocabulary | None:
    """How the rules' language writes dates; None for English, which has its own grammar."""
    if rules.language == "en":
        return None
    return Vocabulary(rules.language, rules.matching, rules.date_words)


class _Context:
    """Everything found once per article and shared by all rules and windows."""

    def __init__(self, article: Article, rules: RuleSet) -> None:
        self.article = article
        self.rules = rules
        self.doc: Document = document(article.title, article.text)
        text = self.doc.text
        soviet = article.published is not None and article.published.year <= SOVIET_ERA_END_YEAR
        self.vocabulary = _vocabulary(rules)
        # A pack's own reaction and report words ("밝혔다", "報じた"), when it has them.
        own = rules.groups.get("reaction") if rules.language != "en" else None
        self.reaction_words = own.pattern if own is not None else None
        self.terms: dict[str, list[Mention]] = {
            "@actor": find_actors(text, rules, soviet),
        }
        weapons = find_weapons(text, rules)
        self.terms["@weapon"] = [m for m, _ in weapons]
        self.terms["@system"] = [m for m, rank in weapons if rank == 3]
        self.weapon_rank = {m.start: rank for m, rank in weapons}
        for name, group in rules.groups.items():
            self.terms[name] = [
                Mention(m.start(), m.end(), m.group(), name) for m in group.pattern.finditer(text)
            ]
        for name, group in rules.groups.items():
            if group.unless_after or group.unless_before:
                self.terms[name] = [m for m in self.terms[name] if not self._cancelled(m, group)]
        self._refs: dict[str | None, date | None] = {}
        self._starts: dict[str, list[int]] = {}
        self.bare_date = article.published is not None and bare_date(article.published)
        self.lead_end = max(
            (x.end for x in self.doc.sentences if x.position != "body"), default=self.doc.title_end
        )

    def _cancelled(self, m: Mention, group: KeywordGroup) -> bool:
        """Whether a word of another group stands close enough before (after) `m`, in the
        same sentence, to cancel it."""
        word = self.doc.word_index(m.start)
        last_word = self.doc.word_index(max(m.end - 1, m.start))
        sentence = self.doc.sentence_at(m.start)
        for name, gap in group.unless_after:
            for x in self.terms.get(name, []):
                if (
                    sentence.start <= x.start
                    and x.end <= m.start
                    and word - self.doc.word_index(x.end - 1) - 1 <= gap
                ):
                    return True
        for name, gap in group.unless_before:
            for x in self.terms.get(name, []):
                if (
                    x.start >= m.end
                    and x.end <= sentence.end
                    and self.doc.word_index(x.start) - last_word - 1 <= gap
                ):
                    return True
        return False

    def within(self, name: str, start: int, end: int) -> list[Mention]:
        """The mentions of a group or entity inside text[start:end] (each list is in text
        order, so a binary search finds the first)."""
        found = self.terms.get(name)
        if not found:
            return []
        starts = self._starts.get(name)
        if starts is None:
            starts = self._starts[name] = [m.start for m in found]
        out = []
        for m in found[bisect_left(starts, start) :]:
            if m.start >= end:
                break
            if m.end <= end:
                out.append(m)
        return out

    def timezone(self, actor: str | None) -> str | None:
        return self.rules.timezones.get(actor or "") or actor_timezone(actor)

    def reference(self, actor: str | None) -> date | None:
        if actor not in self._refs:
            self._refs[actor] = reference_day(self.article.published, self.timezone(actor))
        return self._refs[actor]

    def dates(
        self, start: int, end: int, ref: date | None, actor: str | None = None
    ) -> list[DateMention]:
        """Date expressions in text[start:end]; those inside a pack's `not_dates` are not.

        A publication dated without a time (a bare date) may come out where the actor's day
        has already turned: a weekday one day ahead is that next day, not six days back
        ("on Saturday" in a Friday-dated European report of a Korean Saturday morning), where
        the actor's day runs ahead of UTC."""
        found = find_dates(self.doc.text, start, end, ref, self.vocabulary)
        blocked = self.rules.not_dates
        if blocked is not None:
            spans = [(m.start(), m.end()) for m in blocked.finditer(self.doc.text, start, end)]
            found = [d for d in found if not any(a < d.end and d.start < b for a, b in spans)]
        if self.bare_date and self._ahead_of_utc(actor):
            found = [_one_day_ahead(d) if _next_weekday(d) else d for d in found]
        return found

    def _ahead_of_utc(self, actor: str | None) -> bool:
        zone = self.timezone(actor)
        if zone is None or self.article.published is None:
            return False
        offset = self.article.published.astimezone(ZoneInfo(zone)).utcoffset()
        return offset is not None and offset > timedelta(0)

    def act_in(self, s: Sentence) -> int:
        """Where the sentence's act ("fired", "발사") is, else its end."""
        acts = self.within("launch", s.start, s.end)
        return acts[0].start if acts else s.end

    def role(self, m: Mention, floor: int = 0) -> str:
        return role_of(self.doc.text, m, self.rules.roles, floor)

    def windows(self, rule: Rule) -> list[_Window]:
        sentences = self.doc.sentences
        if rule.within == "sentence":
            return [_Window(rule, s.start, s.end, s.position) for s in sentences]
        if rule.within == "lead":
            lead = [s for s in sentences if s.position == "lead"]
            if not lead or not all(self.within(n, 0, self.doc.title_end) for n in rule.in_title):
                return []
            # A headline that names the act carries the news; the sentence after the lead may
            # still be where the missiles are named ("Houthis attack ship again. ... The
            # rebels fired two anti-ship missiles").
            end = lead[-1].end
            if rule.in_title and lead[-1].index + 1 < len(sentences):
                end = sentences[lead[-1].index + 1].end
            return [_Window(rule, lead[0].start, end, "lead")]
        width = int(rule.within)
        out = []
        for m in self.terms.get(rule.all[0], ()):
            word = self.doc.word_index(m.start)
            start = self.doc.word_offset(word - width)
            end = self.doc.word_offset(word + width + 1)
            end = len(self.doc.text) if end <= m.start else end
            out.append(_Window(rule, start, end, self.doc.sentence_at(m.start).position))
        return out

    def context_actor(self) -> Mention | None:
        """The launcher when the window names none: the title's actor, else the commonest."""
        text = self.doc.text
        for s in self.doc.sentences[:2]:
            found = [m for m in self.within("@actor", s.start, s.end)]
            roles = self.rules.roles
            scored = [(launcher_score(text, m, s.end, s.end, s.start, roles), m) for m in found]
            scored = [x for x in scored if x[0] > 0]
            if scored:
                return max(scored, key=lambda x: x[0])[1]
        # Else the actor named most often, not counting names that report or are hit.
        plain = [m for m in self.terms["@actor"] if self.role(m) not in _NOT_LAUNCHER]
        counts = Counter(m.value for m in plain)
        if counts:
            top = counts.most_common(1)[0][0]
            return next(m for m in plain if m.value == top)
        return None


def _match_window(ctx: _Context, w: _Window, reasons: list[str]) -> bool:
    rule, text = w.rule, ctx.doc.text
    found: dict[str, list[Mention]] = {}
    for name in rule.all:
        found[name] = ctx.within(name, w.start, w.end)
        if not found[name]:
            return False
    if rule.any:
        hits = [(n, ctx.within(n, w.start, w.end)) for n in rule.any]
        hits = [(n, ms) for n, ms in hits if ms]
        if not hits:
            return False
        found[hits[0][0]] = hits[0][1]
    where = f"{rule.name} ({w.position}, at {w.start})"
    for name in rule.none:
        blocked = ctx.within(name, w.start, w.end)
        if blocked:
            reasons.append(f"rejected {where}: none-of '{name}' matched {blocked[0].text!r}")
            return False
    # The launcher: the best-placed actor in the window, else the article's context actor.
    keyword_starts = [found[n][0].start for n in rule.all if not n.startswith("@") and n in found]
    weapons = found.get("@weapon") or ctx.within("@weapon", w.start, w.end)
    weapon_start = weapons[0].start if weapons else w.start
    act_start = min(keyword_starts) if keyword_starts else weapon_start
    candidates = [
        (launcher_score(text, m, act_start, weapon_start, w.start, ctx.rules.roles), m)
        for m in ctx.within("@actor", w.start, w.end)
    ]
    best = max(candidates, key=lambda x: x[0], default=None)
    actor = best[1] if best and best[0] > 0 else ctx.context_actor()
    if actor is None:
        # Only a reporting actor is named: "Pyongyang confirms the test", "the Russian defence
        # ministry said its forces struck ...": it reports its own launch.
        sources = [(score, m) for score, m in candidates if ctx.role(m, w.start) == "source"]
        actor = max(sources, key=lambda x: x[0])[1] if sources else None
    if rule.actors is not None and (actor is None or actor.value not in rule.actors):
        return False
    if actor is not None:
        w.actor, w.actor_text = actor.value, actor.text
        w.evidence.append(Evidence(rule.name, "actor", actor.text, actor.start))
    # Recency: a window whose dates are all stale (or all in the future) is not a launch report.
    ref = ctx.reference(w.actor)
    dates = ctx.dates(w.start, w.end, ref, w.actor)
    verdict = _recency(ctx.rules, dates)
    if verdict:
        reasons.append(f"rejected {where}: {verdict}")
        return False
    rules_ = ctx.rules

    def fresh_day(found_dates: list[DateMention]) -> tuple[DateMention, bool] | None:
        # The fresh day nearest the act: a dateline's day is the report's, not the launch's.
        # A day a reaction is dated by only bounds the launch, so one of the act's own wins.
        low, high = -rules_.max_future_days, rules_.max_age_days
        fresh = [d for d in found_dates if d.value and low <= (d.age_days or 0) <= high]
        if not fresh:
            return None
        ranked = []
        for d in fresh:
            sentence = ctx.doc.sentence_at(d.start)
            reaction = dates_reaction(
                text, d, act_start, sentence.start, sentence.end, ctx.reaction_words
            )
            # "said on Thursday it had fired ... on Wednesday": of two days, the one the
            # report is dated by is the report's; alone, it is the launch's too.
            reported = _REPORTED.search(text, max(sentence.start, d.start - 24), d.start)
            ranked.append((reaction, reported is not None, abs(d.start - act_start), d))
        reaction, _, _, nearest = min(ranked, key=lambda x: (x[0], x[1], x[2]))
        return nearest, reaction

    found_day = fresh_day(dates)
    if found_day is None and w.position == "body":
        # News often dates the event in the sentence before the one that describes it.
        prev = ctx.doc.sentence_at(w.start).index - 1
        if prev >= 1:
            s = ctx.doc.sentences[prev]
            found_day = fresh_day(ctx.dates(s.start, s.end, ref, w.actor))
    day = found_day[0] if found_day is not None else None
    if found_day is not None:
        w.event_date, w.date_text = found_day[0].value, found_day[0].text
        w.date_is_reaction = found_day[1]
    w.time_of_day = find_time(text, w.start, w.end)
    for name in (*rule.all, *rule.any):
        if name in found and name != "@actor":
            m = found[name][0]
            w.evidence.append(Evidence(rule.name, name.lstrip("@"), m.text, m.start))
    if weapons:
        top = max(weapons, key=lambda m: ctx.weapon_rank.get(m.start, 0))
        w.weapon = top.value
    # The subtype from the window's words, else the headline's ("Russia strikes Kyiv"); a
    # launch at another actor is a strike whatever the words ("fired missiles at Ukraine").
    for subtype, names in rule.subtypes:
        if not names or any(ctx.within(n, w.start, w.end) for n in names):
            w.subtype = subtype
            break
        if any(ctx.within(n, 0, ctx.doc.title_end) for n in names):
            w.subtype = subtype
            break
    strike = any(name == "strike" for name, _ in rule.subtypes)
    if (
        strike
        and w.subtype not in ("strike", "satellite")
        and any(
            m.value != w.actor and ctx.role(m, w.start) == "target"
            for m in ctx.within("@actor", w.start, w.end)
        )
    ):
        w.subtype = "strike"
    w.score = rule.score * ctx.rules.positions.get(w.position, 1.0)
    if w.position == "body" and day is not None and ctx.rules.dated_bonus:
        w.score += ctx.rules.dated_bonus
        w.evidence.append(
            Evidence(rule.name, "adjust:dated", day.text, day.start, ctx.rules.dated_bonus)
        )
    for adj in ctx.rules.adjust:
        if adj.scope != "window":
            continue
        hit = next((m for n in adj.any for m in ctx.within(n, w.start, w.end)), None)
        if hit is not None and all(ctx.within(n, w.start, w.end) for n in adj.all):
            w.score += adj.score
            w.evidence.append(
                Evidence(rule.name, f"adjust:{adj.name}", hit.text, hit.start, adj.score)
            )
    return True


def _recency(rules: RuleSet, dates: list[DateMention]) -> str | None:
    known = [d for d in dates if d.age_days is not None]
    if not known:
        return None
    fresh = [d for d in known if -rules.max_future_days <= d.age_days <= rules.max_age_days]  # type: ignore[operator]
    if fresh:
        return None
    d = known[0]
    assert d.age_days is not None
    if d.age_days < 0:
        return f"date {d.text!r} is {-d.age_days} days after publication (a plan, not a report)"
    return f"date {d.text!r} is {d.age_days} days before publication (not recent)"


def prefilter(text: str, rules: RuleSet) -> bool:
    """Cheap and loose: could this title + summary be a report the rules accept, in any of
    their languages? (A title and a summary are too short to identify a language surely.)"""
    return any(r.prefilter_pattern.search(text) is not None for r in _all_packs(rules))


def _all_packs(rules: RuleSet) -> tuple[RuleSet, ...]:
    return (rules, *rules.packs.values())


def language_of(article: Article, rules: RuleSet) -> str | None:
    """The article's language: as its feed declares it when rules exist for it, else
    identified among the rules' languages."""
    if article.language and article.language in rules.languages:
        return article.language
    return identify(f"{article.title}\n{article.text}", rules.languages)


# Detection reads the headline and this much of the text: the news is at the top, and a page
# of hostile length must not cost more than a long article does.
MAX_TEXT_CHARS = 20_000


def analyse(article: Article, rules: RuleSet) -> Analysis:
    if len(article.text) > MAX_TEXT_CHARS:
        article = replace(article, text=article.text[:MAX_TEXT_CHARS])
    language = language_of(article, rules)
    pack = rules.for_language(language)
    found = _analyse(article, pack, language)
    if found.detection is None and language != article.language:
        # Identification can err on short or mixed text (an English headline over another
        # language's text). The text apart from its Latin letters, when there is much of it,
        # gets read in its own language; and when the identified language's rules saw no
        # trigger word at all, the base language's rules get their chance. Rules that read
        # the text and rejected it are not second-guessed by the base language's.
        others = [_language_apart_from_latin(article, rules)]
        if not found.triggered:
            others.append(rules.language)
        for other in others:
            again = rules.for_language(other)
            if other is None or again is pack:
                continue
            retry = _analyse(article, again, other)
            if retry.detection is not None:
                return retry
    return found


def _language_apart_from_latin(article: Article, rules: RuleSet) -> str | None:
    rest = _LATIN.sub("", f"{article.title}\n{article.text}"[:2000])
    if sum(c.isalpha() for c in rest[:400]) < 40:
        return None
    return identify(rest, rules.languages)


def _analyse(article: Article, rules: RuleSet, language: str | None) -> Analysis:
    full = f"{article.title}\n{article.text}"
    said = f"language {language or 'unknown'}; rules {rules.language}"
    if rules.trigger.search(full) is None:
        return Analysis(
            0.0, rules.threshold, None, (said, "no trigger word: skipped"), language, False
        )
    ctx = _Context(article, rules)
    reasons: list[str] = []
    matched: list[_Window] = []
    for rule in rules.rules:
        for w in ctx.windows(rule):
            if _match_window(ctx, w, reasons):
                matched.append(w)
    if not matched:
        lines = [said, "no rule matched", *reasons[:5]]
        return Analysis(0.0, rules.threshold, None, tuple(lines), language)
    # Best first; on a tie the headline and lead before the body, which is background.
    matched.sort(key=lambda w: (-w.score, w.position == "body", w.end - w.start, w.start))
    best = matched[0]
    score = best.score
    others = [
        w for w in matched[1:] if w.score > 0 and (w.end <= best.start or w.start >= best.end)
    ]
    evidence = list(best.evidence)
    if others:
        bonus = rules.support * others[0].score
        score += bonus
        evidence.append(
            Evidence(
                others[0].rule.name,
                "support",
                ctx.doc.text[others[0].start : others[0].end][:80],
                others[0].start,
                bonus,
            )
        )
    for adj in rules.adjust:
        if adj.scope == "window":
            continue
        end = ctx.doc.title_end if adj.scope == "title" else len(ctx.doc.text)
        hit = next((m for n in adj.any for m in ctx.within(n, 0, end)), None)
        if hit is not None and all(ctx.within(n, 0, end) for n in adj.all):
            score += adj.score
            evidence.append(
                Evidence(best.rule.name, f"adjust:{adj.name}", hit.text, hit.start, adj.score)
            )
    # A launch's own date, else a reaction's ("date:reaction": the launch came on or before
    # it), else the publication day ("date:publication"), which only stands in for the date.
    dated_windows = [w for w in matched if w.event_date and w.actor == best.actor]
    # A launch's own past day first: a reaction's day only bounds it, and a day after
    # publication is a plan's (the meeting "on the 6th"). Stable: score order otherwise.
    dated_windows.sort(key=lambda w: (w.date_is_reaction, _after_publication(ctx, w)))
    dated = dated_windows[0] if dated_windows else best
    event_date = dated.event_date
    date_part = "date:reaction" if dated.date_is_reaction else "date"
    if event_date is None and best.position == "title":
        # An undated headline: the lead dates the news ("... fired a missile on Monday").
        lead = _lead_day(ctx, best.actor)
        if lead is not None:
            event_date, date_part = lead.value, "date"
            evidence.append(Evidence(best.rule.name, "date", lead.text, lead.start))
            dated = best
    if event_date is None:
        event_date = publication_day(ctx.article.published, ctx.timezone(best.actor))
        date_part = "date:publication"
    clue = _day_clue(ctx, best) if event_date is None else None
    if clue is not None:
        evidence.append(Evidence(best.rule.name, "date:clue", clue[1], clue[2]))
    evidence.append(
        Evidence(dated.rule.name, date_part, dated.date_text or str(event_date), dated.start)
    )
    # The most specific weapon any matching window names: "SS-18" over "missile".
    ranked = [
        (ctx.weapon_rank.get(m.start, 0), -m.start, m.value)
        for w in matched
        if w.actor == best.actor
        for m in ctx.within("@weapon", w.start, w.end)
    ]
    weapon = max(ranked)[2] if ranked and best.weapon is not None else best.weapon
    # The news peg: a launch in the headline or lead is the story; one found only deeper in
    # the body is background to another story.
    role: Role = (
        "peg"
        if any(w.position != "body" for w in matched if w.actor == best.actor)
        else ("background")
    )
    sources, targets = _others(ctx, best, [w for w in matched if w.actor == best.actor])
    time_of_day = dated.time_of_day if dated.time_of_day is not None else best.time_of_day
    lines = [
        said,
        f"score {score:.2f} (threshold {rules.threshold:.2f}); best window {best.position}",
        f"role {role}: "
        + (
            "the launch is the news (headline or lead)"
            if role == "peg"
            else "the launch is only mentioned in the body; it may join an event, not open one"
        ),
    ]
    lines += [
        f"{e.rule} {e.part}: {e.text!r} at {e.start}" + (f" ({e.weight:+.2f})" if e.weight else "")
        for e in evidence
    ]
    if sources:
        lines.append(f"reported by (not the launcher): {', '.join(sources)}")
    if targets:
        lines.append(f"targets (not the launcher): {', '.join(targets)}")
    lines += reasons[:3]
    if score < rules.threshold:
        lines.insert(1, "below threshold")
        return Analysis(score, rules.threshold, None, tuple(lines), language)
    detection = Detection(
        event_type=rules.event_type,
        subtype=best.subtype,
        rule=best.rule.name,
        score=round(score, 4),
        actor=best.actor,
        weapon=weapon,
        event_date=event_date,
        count=find_count(ctx.doc.text, best.start, best.end),
        place=find_place(ctx.doc.text, best.start, best.end),
        evidence=tuple(evidence),
        language=language,
        role=role,
        sources=sources,
        targets=targets,
        time_of_day=time_of_day,
        day_clue=(clue[0].month, clue[0].day, clue[0].weekday) if clue else None,
    )
    return Analysis(score, rules.threshold, detection, tuple(lines), language)


def _day_clue(ctx: _Context, best: _Window) -> tuple[DayClue, str, int] | None:
    """What the headline, lead or best window say of the launch's day when no day can be
    resolved (the article has no publication time): "14日", "on Tuesday", "October 5". The
    first sentence that names the act and says something of its day decides; what it says in
    several ways is taken together ("on Wednesday (02/11)")."""
    sentences = [s for s in ctx.doc.sentences if s.end <= ctx.lead_end]
    sentences += [s for s in ctx.doc.sentences if s.start < best.end and best.start < s.end]
    for s in sentences:
        act = ctx.act_in(s)
        if act == s.end:
            continue  # no act here: its dates are another story's (a drill, a meeting)
        clue: DayClue | None = None
        first: DateMention | None = None
        for d in ctx.dates(s.start, s.end, None):
            if d.clue is None:
                continue
            if dates_reaction(ctx.doc.text, d, act, s.start, s.end, ctx.reaction_words):
                continue
            if clue is None:
                clue, first = d.clue, d
            elif clue.fits(d.clue):
                clue = clue.merge(d.clue)
        if clue is not None and first is not None:
            return clue, first.text, first.start
    return None


def _after_publication(ctx: _Context, w: _Window) -> bool:
    ref = ctx.reference(w.actor)
    return w.event_date is not None and ref is not None and w.event_date > ref


def _next_weekday(d: DateMention) -> bool:
    """A bare weekday that resolved to six days back ("on Saturday", not "last Saturday")."""
    bare = d.clue is not None and d.clue.weekday is not None and d.clue.day is None
    return bare and d.age_days == 6 and not d.text.lower().startswith(("last", "past"))


def _one_day_ahead(d: DateMention) -> DateMention:
    assert d.value is not None
    return replace(d, value=d.value + timedelta(days=7), age_days=-1)


def _lead_day(ctx: _Context, actor: str | None) -> DateMention | None:
    """The first recent day the lead states, unless it dates a reaction or a report."""
    ref = ctx.reference(actor)
    for s in ctx.doc.sentences:
        if s.position != "lead":
            continue
        for d in ctx.dates(s.start, s.end, ref, actor):
            fresh = d.value and -ctx.rules.max_future_days <= (d.age_days or 0)
            if not fresh or (d.age_days or 0) > ctx.rules.max_age_days:
                continue
            if not dates_reaction(
                ctx.doc.text, d, ctx.act_in(s), s.start, s.end, ctx.reaction_words
            ):
                return d
    return None


def _others(
    ctx: _Context, best: _Window, windows: list[_Window]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Actors in the headline, the lead and the windows that report the launch, that reported
    it or were hit."""
    spans = [(0, ctx.lead_end), *((w.start, w.end) for w in windows)]
    sources: dict[str, None] = {}
    targets: dict[str, None] = {}
    for start, end in spans:
        for m in ctx.within("@actor", start, end):
            if m.value == best.actor:
                continue
            role = ctx.role(m)
            if role == "source":
                sources[m.value] = None
            elif role == "target":
                targets[m.value] = None
    return tuple(sources), tuple(targets)


def detect(article: Article, rules: RuleSet) -> Detection | None:
    return analyse(article, rules).detection
