"""Matching rules against an article and scoring it.

    language -> that language's rules -> trigger (one regex) -> sentences -> windows ->
    all/any/none terms -> launcher, date, recency -> window score x position -> adjustments
    -> threshold -> role (peg or background), sources, targets

Only articles whose text contains a trigger word (one compiled regex per rule set) go past the
trigger, which keeps detection cheap on the bulk of the news that never mentions a missile.
What an article is made of (sentences, terms, actors, dates) is read once in `context`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from monitor.detect.context import (
    CLUE_SENTENCES,
    NOT_LAUNCHER,
    PLAN_WORDS,
    Context,
    Window,
    after_publication,
    day_clue,
    lead_day,
    others_named,
)
from monitor.detect.dates import (
    DateMention,
    dates_reaction,
    publication_day,
)
from monitor.detect.entities import (
    Mention,
    find_count,
    find_place,
    salient_figures,
    together_as_one,
)
from monitor.detect.language import identify, runners_up
from monitor.detect.rules import Adjustment, RuleSet
from monitor.detect.screen import screen_of, trigger_screen_of
from monitor.detect.text import unmarked
from monitor.detect.times import find_utc_time, times_in
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


_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_REPORTED = re.compile(
    r"\b(?:said|says|told|reported|announced|confirmed|stated|claimed)\s+(?:on\s+)?$",
    re.IGNORECASE,
)


def _placed_actors(
    ctx: Context, start: int, end: int, act: int, weapon: int
) -> list[tuple[float, Mention]]:
    """The actors named in text[start:end], each with how likely it fired the act at `act`."""
    # Not one named with the attack the act answers ("in retaliation for Israeli strikes").
    scored = [
        (0.0 if ctx.answered_actor(m, act) else ctx.launcher_score(m, act, weapon, start), m)
        for m in ctx.within("@actor", start, end)
    ]
    return together_as_one(ctx.doc.text, scored, act)


def _reports_its_strike(
    ctx: Context, candidates: list[tuple[float, Mention]], start: int
) -> Mention | None:
    """A side that reports a strike on the side it fights (named as hit in the headline or the
    lead), when the window names no launcher: its own ("Ukraine: Raketenangriff auf das
    Hauptquartier der Schwarzmeerflotte. Die Ukraine teilte mit, der Raketenangriff auf das
    Hauptquartier der russischen Schwarzmeerflotte ...")."""
    # (not where the headline or the lead tells of missiles shot down: "Ukraine's air force
    # downed twelve Russian cruise missiles" tells of the foe's launch)
    if ctx.within("interception", 0, ctx.lead_end):
        return None
    foes = {
        ctx.rules.implied_launchers.get(m.value)
        for m in ctx.within("@actor", 0, ctx.lead_end)
        if ctx.role(m) == "target"
    }
    for _, m in candidates:
        if m.value in foes and ctx.role(m, start) == "source" and not ctx.defends(m, start):
            return m
    return None


def _match_window(ctx: Context, w: Window, reasons: list[str]) -> bool:
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
    if (
        "@weapon" in rule.all
        and weapons
        and all(ctx.answered_weapon(m, act_start) for m in weapons)
    ):
        # "Israel struck Sanaa in response to Houthi missile attacks": the missiles are the
        # attack answered, told as its reason; the act fired none of its own.
        reasons.append(f"rejected {where}: the missiles are those of the attack it answers")
        return False
    candidates = _placed_actors(ctx, w.start, w.end, act_start, weapon_start)
    if rule.in_title:
        # The headline names the act and who did it (`windows` made sure): its actors too,
        # judged by the headline's act.
        title_end = ctx.doc.title_end
        title_act = min(ctx.within(n, 0, title_end)[0].start for n in rule.in_title if n[0] != "@")
        title_weapons = ctx.within("@weapon", 0, title_end)
        title_weapon = title_weapons[0].start if title_weapons else title_act
        candidates = [*_placed_actors(ctx, 0, title_end, title_act, title_weapon), *candidates]
    best = max(candidates, key=lambda x: x[0], default=None)
    if best is not None and best[0] > 0:
        actor: Mention | None = best[1]
    else:
        actor = _reports_its_strike(ctx, candidates, w.start) or ctx.context_actor()
    if actor is None:
        # Only a reporting actor is named: "Pyongyang confirms the test", "the Russian defence
        # ministry said its forces struck ...": it reports its own launch.
        # Not a state named as hit anywhere: "the Israeli military said a missile was
        # launched toward central Israel" reports a launch at it.
        named_hit = ctx.hit_values()
        sources = [
            (score, m)
            for score, m in candidates
            if ctx.role(m, w.start) == "source"
            and not ctx.defends(m, w.start)
            and m.value not in named_hit
        ]
        # Or only the weapon's maker: "une frappe avec des missiles russes": no one else fired.
        makers = [(score, m) for score, m in candidates if ctx.role(m, w.start) == "maker"]
        actor = max(sources or makers, key=lambda x: x[0])[1] if sources or makers else None
    if rule.actors is not None and (actor is None or actor.value not in rule.actors):
        return False
    if actor is not None:
        w.actor, w.actor_text = actor.value, actor.text
        w.evidence.append(Evidence(rule.name, "actor", actor.text, actor.start))
    # Recency: a window whose dates are all stale (or all in the future) is not a launch report.
    ref = ctx.reference(w.actor)
    dates = ctx.dates(w.start, w.end, ref, w.actor)
    stale = _recency(ctx.rules, dates, act_start)
    if stale is not None:
        reasons.append(f"rejected {where}: {stale[0]}")
        # A stale date marked as a comparison ("its first launch since March") dates no act.
        if stale[1] is not None and not ctx.touching("since", stale[1].start, stale[1].end):
            w.stale = stale[0]
        return False
    if rule.within == "lead" and _weapons_told_another_day(ctx, w, dates):
        reasons.append(
            f"rejected {where}: the missiles the sentence after the lead names are another day's"
        )
        return False
    # "The last time it fired an ICBM was on 18 December 2023" dates that launch, wherever
    # the window reads it.
    dates = [d for d in dates if not ctx.after_last_time(d.start)]
    if w.position == "lead":
        # The lead window reaches into the sentence after the lead, which may tell of an
        # earlier launch ("The North had fired cruise missiles on Monday"): not this one's day.
        # In the lead itself, only a pack's words of the launch before ("au lendemain de
        # frappes ... vendredi") mark a day as that one's. A day in that sentence with no act
        # at all is another story's ("1일 김정은은 ... 말했다": the day of a speech).
        dates = [
            d
            for d in dates
            if not (
                _beyond_lead(ctx, d)
                if d.start >= ctx.lead_end
                else ctx.within("previous", ctx.doc.sentence_at(d.start).start, d.start)
            )
        ]
    rules_ = ctx.rules

    def fresh_day(found_dates: list[DateMention]) -> tuple[DateMention, bool, bool] | None:
        # The fresh day nearest the act: a dateline's day is the report's, not the launch's.
        # A day a reaction is dated by only bounds the launch, so one of the act's own wins.
        low, high = -rules_.max_future_days, rules_.max_age_days
        found_dates = _counted_from_report_day(ctx, found_dates, act_start)
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
            reported = _reported(text, sentence.start, d)
            ranked.append((reaction, reported, abs(d.start - act_start), d))
        reaction, reported, _, nearest = min(ranked, key=lambda x: (x[0], x[1], x[2]))
        return nearest, reaction, reported

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
        w.date_is_reaction, w.date_is_reported = found_day[1], found_day[2]
    w.time_of_day = _launch_time(ctx, w.start, w.end, act_start)
    if w.time_of_day is None and w.event_date is not None:
        # Wire copy gives the time in GMT ("at 2210 GMT on Monday"): the launcher's own is
        # that instant on its clock.
        w.time_of_day = _local_minutes(
            find_utc_time(text, w.start, w.end, ctx.stamped), w.event_date, ctx.timezone(w.actor)
        )
    for name in (*rule.all, *rule.any):
        if name in found and name != "@actor":
            m = found[name][0]
            w.evidence.append(Evidence(rule.name, name.lstrip("@"), m.text, m.start))
    if weapons:
        weapons = ctx.own_weapons(weapons)
        top = max(weapons, key=lambda m: (ctx.weapon_rank(m), m.end))
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
    if w.position == "body" and day is None and ref is None:
        # A page without a publication time cannot resolve "on Sunday": that the window
        # names the day at all still says it is one launch, as a resolved recent day would.
        day = next((d for d in dates if d.clue is not None and d.precision == "day"), None)
    if w.position == "body" and day is not None and ctx.rules.dated_bonus:
        w.score += ctx.rules.dated_bonus
        w.evidence.append(
            Evidence(rule.name, "adjust:dated", day.text, day.start, ctx.rules.dated_bonus)
        )
    for adj in ctx.rules.adjust:
        if adj.scope != "window":
            continue
        hit = next((m for n in adj.any for m in ctx.within(n, w.start, w.end)), None)
        if hit is not None and _holds(ctx, adj, w.start, w.end):
            w.score += adj.score
            w.evidence.append(
                Evidence(rule.name, f"adjust:{adj.name}", hit.text, hit.start, adj.score)
            )
    return True


# How many days a report of a launch may come after it, for `own_day`.
REPORT_LAG_DAYS = 3


def _holds(ctx: Context, adj: Adjustment, start: int, end: int) -> bool:
    """Whether text[start:end] holds every `all` group of an adjustment and no `none` group."""
    return all(ctx.within(n, start, end) for n in adj.all) and not any(
        ctx.within(n, start, end) for n in adj.none
    )


# Where a headline's clauses part: "fires missiles; Moscow vows to respond", "… – droht mit
# Vergeltung", "…, Moscou promet de riposter", "北 미사일 발사…日 항의", the full-width comma
# ("朝鲜发射导弹，美国宣布制裁"), Persian's and Arabic's semicolon and comma ("؛", "،"), and
# Arabic's "and" joined to the next word ("... وموسكو تتوعد بالرد").
_CLAUSE_BREAK = re.compile(r"[.;!?|–—…؛；，]|:\s|[,،]\s|\s-\s|\s[وف](?=[\u0621-\u064a]{2})")


def _weapons_told_another_day(ctx: Context, w: Window, dates: list[DateMention]) -> bool:
    """Whether a headline-and-lead window's missiles are only in the sentence after the lead,
    and that sentence dates its act another day than the lead dates the headline's ("Russian
    drones hit Kharkiv overnight into Wednesday. Last Friday Russia also fired missiles")."""
    weapons = ctx.within("@weapon", w.start, w.end)
    if not weapons or any(m.start < ctx.lead_end for m in weapons):
        return False
    lead_days = [d.value for d in dates if d.start < ctx.lead_end and d.value is not None]
    after_days = [d.value for d in dates if d.start >= ctx.lead_end and d.value is not None]
    # A day apart is one night's attack told both ways ("overnight into Thursday", "began late
    # on Wednesday").
    return bool(lead_days and after_days) and all(
        abs((a - b).days) > 1 for a in lead_days for b in after_days
    )


def _headline_tells(ctx: Context, best: Window) -> Mention | None:
    """The headline's act, when the best window is in the body and the headline tells the same
    actor's act without naming the weapon ("India attacks targets in Pakistan"), as news (no
    threat, plan or denial in it), and the window gives no day more than one from the report's
    own: the body names the weapon of the headline's act."""
    if best.position != "body" or best.actor is None:
        return None
    title_end = ctx.doc.title_end
    if ctx.within("@weapon", 0, title_end):
        return None  # a headline naming missiles without a window of its own tells another act
    if any(ctx.within(n, 0, title_end) for n in (*PLAN_WORDS, "headline_plan")):
        return None  # a plan, a threat, a condition or a denial
    # Every word the act is told with: a satellite named beside a launch notice ("satellite
    # launch notice": the notice cancels the launch) is no act.
    groups = [ctx.within(n, 0, title_end) for n in best.rule.all if n[0] != "@"]
    if not groups or not all(groups):
        return None
    if not any(
        m.value == best.actor and ctx.role(m, 0) not in NOT_LAUNCHER
        for m in ctx.within("@actor", 0, title_end)
    ):
        return None
    ref = ctx.reference(best.actor)
    if best.event_date is not None and ref is not None and abs((ref - best.event_date).days) > 1:
        return None
    return groups[0][0]


def _another_clause(ctx: Context, best: Window, hit: Mention) -> bool:
    """Whether a headline's word of a threat, plan or other story (`hit`) stands in another
    clause than every act the headline's own launch is told with: "Ukraine strikes an airfield
    with ATACMS; Moscow vows to respond" is a launch, whatever the answer to it will be."""
    title = ctx.doc.text[: ctx.doc.title_end]
    acts = [
        m.start
        for n in best.rule.all
        if not n.startswith("@")
        for m in ctx.within(n, 0, ctx.doc.title_end)
    ]
    if not acts:
        return False
    clause = _clause_of(title, hit.start)
    return all(_clause_of(title, a) != clause for a in acts)


def _clause_of(title: str, at: int) -> int:
    return len(_CLAUSE_BREAK.findall(title, 0, at))


def _reported(text: str, floor: int, d: DateMention) -> bool:
    """Whether a report verb is dated by `d` ("said on Thursday"), in English."""
    return _REPORTED.search(text, max(floor, d.start - 24), d.start) is not None


def own_day(
    ctx: Context, actor: str | None, reported: date, *, inclusive: bool = False
) -> DateMention | None:
    """The launch's own day, before the day a report or reaction is dated by (`reported`;
    on it too when `inclusive`), as the lead or the sentences right after it state it next to
    the act."""
    ref = ctx.reference(actor)
    lead = ctx.lead
    # A lead that states no day at all is read alone: the sentences after it as often tell of
    # an earlier launch ("The North had fired cruise missiles on Monday"), and taking that
    # day would put this launch into that one's event.
    after = [] if inclusive else [s for s in ctx.doc.sentences if s.start >= ctx.lead_end]
    earliest = reported - timedelta(days=REPORT_LAG_DAYS)
    for s in (*lead, *after[:CLUE_SENTENCES]):
        act = ctx.act_in(s)
        if act == s.end:
            continue  # no act here: its dates are another story's
        for d in ctx.dates(s.start, s.end, ref, actor):
            if d.value is None or not earliest <= d.value <= reported:
                continue
            if another_launchs_day(ctx, s.start, d):
                continue
            if d.value == reported and not inclusive:
                continue
            if dates_reaction(ctx.doc.text, d, act, s.start, s.end, ctx.reaction_words):
                continue
            if not _reported(ctx.doc.text, s.start, d):
                return d
    return None


def _beyond_lead(ctx: Context, d: DateMention) -> bool:
    """Whether a day the lead window finds past the lead is not this launch's: the sentence
    tells of an earlier launch, or, in a paragraph of its own, of no launch at all (not the
    rest of a lead cut at "a.m.")."""
    sentence = ctx.doc.sentence_at(d.start)
    if another_launchs_day(ctx, sentence.start, d):
        return True
    apart = "\n" in ctx.doc.text[ctx.lead_end : sentence.start]
    return apart and ctx.act_in(sentence) == sentence.end


def another_launchs_day(ctx: Context, floor: int, d: DateMention) -> bool:
    """Whether a word of an earlier launch stands before the date in its sentence (from
    `floor`): "It was the third launch since the North fired ... on Tuesday", "after launching
    two on Sunday", a pack's background, retrospective and previous words."""
    if _EARLIER_LAUNCH.search(ctx.doc.text, floor, d.start):
        return True
    return any(ctx.within(name, floor, d.start) for name in _OTHER_LAUNCH_GROUPS)


# English words of an earlier launch told beside this one; other languages' are in their
# packs' `background`, `retrospective` and `previous` groups.
_EARLIER_LAUNCH = re.compile(
    r"\b(?:after|following|since|previous(?:ly)?|had\s+(?:\w+\s+)?(?:fired|launched|tested|"
    r"test-fired))\b",
    re.IGNORECASE,
)
_OTHER_LAUNCH_GROUPS = ("background", "retrospective", "previous")


def _launch_time(ctx: Context, start: int, end: int, act: int) -> int | None:
    """The first time of day in text[start:end] that is not a report's: in "state TV, at 15:30,
    broadcast a special report that the launch succeeded" the time is the broadcast's, read as
    a reaction's day would be (`dates_reaction`)."""
    text = ctx.doc.text
    for minutes, begin, stop in times_in(text, start, end):
        if ctx.stamped(begin):
            continue  # when the page came out: "[2023/07/19 04:46]"
        s = ctx.doc.sentence_at(begin)
        told = DateMention(begin, stop, text[begin:stop], None, None, "day")
        if not dates_reaction(text, told, act, s.start, s.end, ctx.reaction_words):
            return minutes
    return None


def _counted_from_report_day(ctx: Context, found: list[DateMention], act: int) -> list[DateMention]:
    """The dates with each word that counts days back ("the same day", "the day before",
    "cùng ngày", "전날") counted from the day its sentence dates the report by, when one stands
    before it ("Ngày 16-9, the spokesman said they fired ... the same day": the 16th, though
    the page came out on the 17th), as a page without a time reads them (`day_clue`)."""
    out = []
    text = ctx.doc.text
    for d in found:
        if d.shift is not None and d.clue is None and d.value is not None:
            s = ctx.doc.sentence_at(d.start)
            named = [
                x
                for x in found
                if x.clue is not None
                and x.value is not None
                and s.start <= x.start
                and x.end <= d.start
            ]
            if named and dates_reaction(text, named[-1], act, s.start, s.end, ctx.reaction_words):
                day = named[-1]
                assert day.value is not None
                age = day.age_days + d.shift if day.age_days is not None else None
                d = replace(d, value=day.value - timedelta(days=d.shift), age_days=age)
        out.append(d)
    return out


def _recency(
    rules: RuleSet, dates: list[DateMention], act: int
) -> tuple[str, DateMention | None] | None:
    """Why a window's dates make it no report of a recent launch, if they do; with the act's
    own stale date when another date in the window is fresh ("Moscow on Wednesday criticised
    the tests the US carried out in November": a statement about an old launch)."""
    known = [d for d in dates if d.age_days is not None]
    if not known:
        return None
    fresh = [d for d in known if -rules.max_future_days <= d.age_days <= rules.max_age_days]  # type: ignore[operator]
    # The date nearest the act is the act's: a stale one there makes the act old, though another
    # clause gives a fresh day ("on 31 December the president ordered ... after the test in
    # October").
    nearest = min(known, key=lambda d: abs(d.start - act))
    if fresh and (nearest in fresh or (nearest.age_days or 0) < 0):
        return None
    d = nearest if fresh else known[0]
    assert d.age_days is not None
    if d.age_days < 0:
        return (
            f"date {d.text!r} is {-d.age_days} days after publication (a plan, not a report)",
            None,
        )
    if fresh:
        return f"date {d.text!r} is {d.age_days} days before publication, beside a fresh day", d
    return f"date {d.text!r} is {d.age_days} days before publication (not recent)", None


def prefilter(text: str, rules: RuleSet) -> bool:
    """Cheap and loose: could this title + summary be a report the rules accept, in any of
    their languages? (A title and a summary are too short to identify a language surely.)"""
    return screen_of(rules).passes(unmarked(text))


def language_of(article: Article, rules: RuleSet) -> str | None:
    """The article's language: as its feed declares it when rules exist for it, else
    identified among the rules' languages."""
    if article.language and article.language in rules.languages:
        return article.language
    return identify(_read_for_language(article), rules.languages)


def _read_for_language(article: Article) -> str:
    """Headline and text, the headline once: a headline the text opens with (a title made of
    the lead's first sentence) would only take the room of the text after it."""
    title, text = article.title.strip(), article.text.lstrip()
    if title and text.startswith(title):
        return text
    return f"{article.title}\n{article.text}"


# Detection reads the headline and this much of the text: the news is at the top, and a page
# of hostile length must not cost more than a long article does.
MAX_TEXT_CHARS = 20_000
# Title and text shorter than this (a headline alone) are too short to identify surely.
SHORT_TEXT = 100


def analyse(article: Article, rules: RuleSet) -> Analysis:
    if len(article.text) > MAX_TEXT_CHARS:
        article = replace(article, text=article.text[:MAX_TEXT_CHARS])
    title, text = unmarked(article.title), unmarked(article.text)
    if title is not article.title or text is not article.text:
        article = replace(article, title=title, text=text)
    language = language_of(article, rules)
    pack = rules.for_language(language)
    found = _analyse(article, pack, language)
    if found.detection is None and language != article.language:
        # Identification can err on short or mixed text (an English headline over another
        # language's text). The text apart from its Latin letters, when there is much of it,
        # gets read in its own language; and when the identified language's rules saw no
        # trigger word at all, the base language's rules get their chance. Rules that read
        # the text and rejected it are not second-guessed by the base language's. The languages
        # next most likely are read too when the text is a bare headline, too short to identify
        # surely ("Pyongyang lancia missile balistico" reads as Portuguese, and the Portuguese
        # rules reject it).
        others = [_language_apart_from_latin(article, rules)]
        head = _read_for_language(article)
        if article.language is None and len(head.strip()) < SHORT_TEXT:
            others += runners_up(head, rules.languages)
        if not found.triggered:
            # A close neighbour's words for a launch are not the identified language's ("Míssil
            # disparado por houthis", Portuguese taken for Spanish).
            others += [n for n in NEIGHBOURS.get(language or "", ()) if n in rules.languages]
            others.append(rules.language)
        for other in others:
            again = rules.for_language(other)
            if other is None or again is pack:
                continue
            retry = _analyse(article, again, other)
            if retry.detection is not None:
                return retry
    return found


# Languages identification takes for one another on news text, and whose words for a launch
# differ: when the identified one's rules see no trigger word, the neighbour's get their chance.
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "es": ("pt",),
    "pt": ("es",),
    "ru": ("uk",),
    "uk": ("ru",),
    "fa": ("ur",),
    "ur": ("fa",),
}


def _language_apart_from_latin(article: Article, rules: RuleSet) -> str | None:
    rest = _LATIN.sub("", f"{article.title}\n{article.text}"[:2000])
    if sum(c.isalpha() for c in rest[:400]) < 40:
        return None
    return identify(rest, rules.languages)


_RANK = {"title": 0, "lead": 1}


def _analyse(article: Article, rules: RuleSet, language: str | None) -> Analysis:
    full = f"{article.title}\n{article.text}"
    said = f"language {language or 'unknown'}; rules {rules.language}"
    if not trigger_screen_of(rules).passes(full):
        return Analysis(
            0.0, rules.threshold, None, (said, "no trigger word: skipped"), language, False
        )
    ctx = Context(article, rules)
    reasons: list[str] = []
    matched: list[Window] = []
    stale_lead: list[Window] = []
    for rule in rules.rules:
        for w in ctx.windows(rule):
            if _match_window(ctx, w, reasons):
                matched.append(w)
            elif w.stale and w.position == "lead":
                stale_lead.append(w)
    if not matched:
        lines = [said, "no rule matched", *reasons[:5]]
        return Analysis(0.0, rules.threshold, None, tuple(lines), language)
    # Best first; on a tie the headline, then the lead, before the body, which is background.
    matched.sort(key=lambda w: (-w.score, _RANK.get(w.position, 2), w.end - w.start, w.start))
    best = matched[0]
    if best.position == "title" and not any(w.position == "lead" for w in matched):
        plan = ctx.lead_plans()
        if plan is not None:
            lines = [said, f"the lead tells the headline's launch as a plan: {plan.text!r}"]
            return Analysis(0.0, rules.threshold, None, tuple(lines), language)
    if (
        best.position == "title"
        and best.event_date is None
        and stale_lead
        and not any(w.position == "lead" for w in matched)
    ):
        # An undated headline whose lead tells the launch long ago, and a fresh day only of
        # what was said of it: the news is the statement, not a launch.
        lines = [said, f"the lead tells the headline's launch as an old one: {stale_lead[0].stale}"]
        return Analysis(0.0, rules.threshold, None, tuple(lines), language)
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
    pegged = False  # the headline names an occasion whose launches are the news
    aside = False  # the headline names another story: the lead's launch is only why
    for adj in rules.adjust:
        if adj.scope == "window":
            continue
        end = ctx.doc.title_end if adj.scope in ("title", "clause") else len(ctx.doc.text)
        hits = [m for n in adj.any for m in ctx.within(n, 0, end)]
        if adj.scope == "clause":
            hits = [m for m in hits if not _another_clause(ctx, best, m)]
        hit = hits[0] if hits else None
        if hit is not None and _holds(ctx, adj, 0, end):
            score += adj.score
            pegged = pegged or adj.peg
            aside = aside or adj.aside
            evidence.append(
                Evidence(best.rule.name, f"adjust:{adj.name}", hit.text, hit.start, adj.score)
            )
    headline_act = _headline_tells(ctx, best)
    if headline_act is not None:
        # "India strikes targets inside Pakistan", and the body names the missiles: the
        # body's launch is the headline's news, weighed as the headline's.
        bonus = best.rule.score * (rules.positions.get("title", 1.0) - rules.positions["body"])
        score += bonus
        pegged = True
        evidence.append(
            Evidence(
                best.rule.name, "adjust:headline-act", headline_act.text, headline_act.start, bonus
            )
        )
    sources, targets = others_named(ctx, best, [w for w in matched if w.actor == best.actor])
    actor = best.actor
    if actor is None and best.subtype == "strike" and len(targets) == 1:
        # "Kyiv hit by missiles overnight": the report names only the place hit; the rules say
        # who strikes it (and its clock dates the report).
        actor = rules.implied_launchers.get(targets[0])
    # A launch's own date, else a reaction's ("date:reaction": the launch came on or before
    # it), else the publication day ("date:publication"), which only stands in for the date.
    dated_windows = [w for w in matched if w.event_date and w.actor == best.actor]
    # A launch's own past day first: a reaction's day only bounds it, and a day after
    # publication is a plan's (the meeting "on the 6th"). Stable: score order otherwise.
    dated_windows.sort(key=lambda w: (w.date_is_reaction, after_publication(ctx, w)))
    dated = dated_windows[0] if dated_windows else best
    event_date = dated.event_date
    date_part = "date:reaction" if dated.date_is_reaction else "date"
    if (event_date is None and best.position == "title") or dated.position == "body":
        # An undated headline: the lead dates the news ("... fired a missile on Monday"); so
        # it does over a day the body tells, often an earlier launch's ("three days after the
        # one on the 11th").
        lead = lead_day(ctx, actor, acted=dated.position == "body")
        if lead is not None:
            event_date, date_part = lead.value, "date"
            evidence.append(Evidence(best.rule.name, "date", lead.text, lead.start))
            dated = best
    if (
        dated is not best
        and dated.start >= best.end
        and event_date is not None
        and not dated.date_is_reaction
    ):
        # A day a later sentence tells that the best window itself rules out ("fired on Sunday
        # (04/01)", then "the last one, on 7 November") is another launch's.
        own_clue = day_clue(ctx, best)
        if (
            own_clue is not None
            and best.start <= own_clue[2] < best.end
            and not own_clue[0].fits(event_date)
        ):
            event_date, dated = None, best
    reported_day = event_date if dated.date_is_reaction or dated.date_is_reported else None
    if event_date is None:
        reported_day = ctx.reference(actor)
    if reported_day is not None:
        # "KCNA reported Thursday ... The missile was fired on Wednesday", or a lead that
        # states no day: the launch's own day, stated in the lead or just after it, before the
        # day the report is dated by (or published on).
        own = own_day(ctx, actor, reported_day, inclusive=event_date is None)
        if own is not None and own.value is not None:
            event_date, date_part = own.value, "date"
            evidence.append(Evidence(best.rule.name, "date", own.text, own.start))
            dated = best
    if event_date is None:
        event_date = publication_day(ctx.article.published, ctx.timezone(actor))
        date_part = "date:publication"
    clue = day_clue(ctx, best) if event_date is None else None
    if clue is not None:
        evidence.append(Evidence(best.rule.name, "date:clue", clue[1], clue[2]))
    evidence.append(
        Evidence(dated.rule.name, date_part, dated.date_text or str(event_date), dated.start)
    )
    # The most specific weapon any matching window names: "SS-18" over "missile", the longer
    # of two kinds read from one place ("대륙간탄도미사일" over its "탄도미사일").
    # Not one named after a word of the launch before ("the last time it fired an ICBM").
    named = [
        m for w in matched if w.actor == best.actor for m in ctx.within("@weapon", w.start, w.end)
    ]
    ranked = [(ctx.weapon_rank(m), -m.start, m.end, m.value) for m in ctx.own_weapons(named)]
    weapon = max(ranked)[3] if ranked and best.weapon is not None else best.weapon
    # The news peg: a launch in the headline or lead is the story; one found only deeper in
    # the body is background to another story.
    told = {w.position for w in matched if w.actor == best.actor}
    role: Role = (
        "peg" if pegged or "title" in told or ("lead" in told and not aside) else "background"
    )
    time_of_day = dated.time_of_day if dated.time_of_day is not None else best.time_of_day
    lines = [
        said,
        f"score {score:.2f} (threshold {rules.threshold:.2f}); best window {best.position}",
        f"role {role}: "
        + (
            "the launch is the news (headline or lead)"
            if role == "peg"
            else (
                "the headline tells another story, the lead's launch only why"
                if aside and "lead" in told
                else "the launch is only mentioned in the body"
            )
            + "; it may join an event, not open one"
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
    if actor != best.actor:
        lines.append(f"launcher implied by the place hit ({targets[0]}): {actor}")
    lines += reasons[:3]
    if score < rules.threshold:
        lines.insert(1, "below threshold")
        return Analysis(score, rules.threshold, None, tuple(lines), language)
    detection = Detection(
        event_type=rules.event_type,
        subtype=best.subtype,
        rule=best.rule.name,
        score=round(score, 4),
        actor=actor,
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
        launched_at=_instant(event_date, time_of_day, ctx.timezone(actor))
        if date_part == "date"
        else None,
        day_clue=(clue[0].month, clue[0].day, clue[0].weekday) if clue else None,
        figures=salient_figures(ctx.doc.text[: ctx.lead_end]),
    )
    return Analysis(score, rules.threshold, detection, tuple(lines), language)


def _local_minutes(utc: int | None, day: date, zone: str | None) -> int | None:
    """A universal time of day as the launcher's, on its local day `day`."""
    if utc is None or zone is None:
        return None
    offset = ZoneInfo(zone).utcoffset(datetime.combine(day, dtime(12)))
    if offset is None:
        return None
    return (utc + int(offset.total_seconds()) // 60) % (24 * 60)


def _instant(day: date | None, minutes: int | None, zone: str | None) -> datetime | None:
    """A stated local day and time as an instant, in the launcher's time zone."""
    if day is None or minutes is None or zone is None:
        return None
    local = datetime.combine(day, dtime(minutes // 60, minutes % 60), ZoneInfo(zone))
    return local.astimezone(UTC)


def detect(article: Article, rules: RuleSet) -> Detection | None:
    return analyse(article, rules).detection
