"""What detection reads in one article, once: its sentences, the terms of every group, the
actors and weapons, how its language writes dates; and the windows rules are tried on.

Rules are matched against windows in `engine`; what the article says of the day of a launch
beyond one window (the lead's date, day clues on an undated page) and who else it names
(sources, targets) is read here.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from monitor.detect.calendars import Vocabulary
from monitor.detect.dates import (
    DateMention,
    DayClue,
    bare_date,
    dates_reaction,
    find_dates,
    reference_day,
)
from monitor.detect.entities import (
    NEAR_ACT_SCORE,
    TARGET_SCORE,
    Mention,
    actor_timezone,
    find_actors,
    find_weapons,
    launcher_score,
    role_of,
    together_as_one,
)
from monitor.detect.gazetteer import SOVIET_ERA_END_YEAR
from monitor.detect.rules import KeywordGroup, Rule, RuleSet
from monitor.detect.text import Document, Sentence, document
from monitor.detect.times import UTC_TIME, find_time, stamps_in
from monitor.models import Article, Evidence


@dataclass(slots=True)
class Window:
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
    date_is_reported: bool = False  # the date is the one a report verb is dated by ("said Friday")
    time_of_day: int | None = None
    evidence: list[Evidence] = field(default_factory=list)
    # Rejected because the act's own date is stale while another in it is fresh.
    stale: str | None = None


NOT_LAUNCHER = ("source", "target", "addressee", "maker")
# What a defender scores as the launcher: as a source does (entities.launcher_score).
DEFENDER_SCORE = -2.0
# The word for "by" of a passive right before a name (not "from": "Geschoss aus dem Jemen
# abgefangen" is Yemen's missile).
_BY_WORD = (
    r"(?:von|vom|door|by|par|por|pelo|pela|pelos|pelas|da|dal|dalla|dai|dagli|dalle|przez|oleh|"
    r"bởi)\s+(?:(?:der|den|dem|die|de|het|the|la|le|les|el|los|las|il|lo|gli|o|a|os|as)\s+)?"
)
_BY = re.compile(rf"\b{_BY_WORD}(?:[\w-]+\s+)?$", re.IGNORECASE)
# Right after a weapon, a word for "by" that is also "from" or "of" names where the missiles
# came from or whose they are ("missili dalla Russia intercettati", "Raketen von Russland"),
# not who shot them down ("Raketten door Israël onderschept": "door" is only "by").
_OF_WEAPON = re.compile(
    r"\s+(?:von|vom|da|dal|dalla|dai|dagli|dalle)\s+(?:(?:der|den|dem|die|la|il|lo|gli|o|a)\s+)?",
    re.IGNORECASE,
)
# Where a part of a sentence starts: a comma, a semicolon, a word for "and" ("Raketen, die
# von Iran abgefeuert und von Israel abgefangen wurden").
_PART_BREAK = re.compile(
    r"[,;:،؛，、]|\s(?:und|and|en|et|e|y|i|и|і|та|ve|dan|và|och|oraz|a)\s", re.IGNORECASE
)
# How far after an actor's name the act it does may be told (a verb-last sentence puts the
# object, the place and the day between).
_ACT_REACH = 120
_VERB_LAST_ACT_REACH = 200
# How far a retaliation word may stand after the name of who strikes back, and how far before
# the name of whose attack is answered an "after" word may stand ("Après avoir été visé par").
_ANSWER_REACH = 60
_PRIOR_REACH = 40
# How far from an envoy word the name of the state it represents may stand ("Iran's
# ambassador", "l'ambassadeur d'Iran", "سفیر ایران").
_ENVOY_REACH = 8


@lru_cache(maxsize=64)
def _vocabulary(rules: RuleSet) -> Vocabulary | None:
    """How the rules' language writes dates; None for English, which has its own grammar."""
    if rules.language == "en":
        return None
    return Vocabulary(rules.language, rules.matching, rules.date_words)


# The packs' groups that make a launch word a plan, a threat, a condition or a denial.
PLAN_WORDS = frozenset(
    {"irrealis", "threat", "negation", "plan_verb", "future", "forthcoming", "condition"}
)


# How far past a span of text a pack's `not_dates` may read.
NOT_DATES_REACH = 60
# "nesta quarta-feira (manhã de quinta-feira no fuso local)", "on Wednesday (Thursday
# morning local time)": a day given again in parentheses in the launch site's time.
_LOCAL_TIME = re.compile(
    r"local|Ortszeit|lokale\s+tijd|местно|місцев|miejscow|yerel|المحلي|محلی|מקומי|स्थानीय|"
    r"مقامی|địa\s+phương|setempat|当地|現地|현지",
    re.IGNORECASE,
)


_WORD_REST = re.compile(r"[\w-]*\s*")


def _local_day_over(text: str, found: list[DateMention]) -> list[DateMention]:
    """Without a day told right before a parenthesis that gives the day again in local time:
    the local one is the launch's."""
    out = []
    for d in found:
        # (the rest of the day's word may stand between: "nesta quarta-feira (...)")
        after = text[d.end : d.end + 12]
        opened = after.find("(")
        if opened >= 0 and _WORD_REST.fullmatch(after[:opened]):
            start = d.end + opened
            close = text.find(")", start, start + 60)
            inner = [x for x in found if start < x.start and x.end <= close]
            if close > 0 and inner and _LOCAL_TIME.search(text, inner[0].end, close):
                continue
        out.append(d)
    return out


class Context:
    """Everything found once per article and shared by all rules and windows."""

    def __init__(self, article: Article, rules: RuleSet) -> None:
        self.article = article
        self.rules = rules
        self.doc: Document = document(article.title, article.text, rules.language)
        text = self.doc.text
        # When the page came out or was updated ("[2023/07/19 04:46]"): no launch's time, nor
        # its day where the page has a publication time (without one, the stamp's day is the
        # page's, what "today" and weekdays are told from).
        self.stamps = stamps_in(text)
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
        # How specific each weapon read is, by span and value: a generic word ("missile") may
        # start where a named system does, and one span may be read as two ("대륙간탄도미사일": an
        # ICBM and a ballistic missile).
        self._weapon_rank = {(m.start, m.end, m.value): rank for m, rank in weapons}
        for name, group in rules.groups.items():
            self.terms[name] = [
                Mention(m.start(), m.end(), m.group(), name) for m in group.pattern.finditer(text)
            ]
        # Every word of launching, one a word of answering cancels too ("en riposte aux tirs de
        # missiles"): the attack it answers (`_named_attack`).
        self._launch_said = self.terms.get("launch", [])
        # Terms a plan, a threat or a denial cancels ("will launch", "denies firing"), apart.
        self.cancelled: dict[str, list[Mention]] = {}
        for name, group in rules.groups.items():
            if group.unless_after or group.unless_before:
                kept, cancelled = [], []
                for m in self.terms[name]:
                    by = self._cancelled(m, group)
                    if by is None:
                        kept.append(m)
                    elif by in PLAN_WORDS:
                        cancelled.append(m)
                self.terms[name], self.cancelled[name] = kept, cancelled
        self._refs: dict[str | None, date | None] = {}
        self._intercepting: dict[int, bool] = {}
        self._starts: dict[str, list[int]] = {}
        self._context_actor: tuple[Mention | None] | None = None
        self._hit: frozenset[str] | None = None
        self.bare_date = article.published is not None and bare_date(article.published)
        self.lead_end = max(
            (x.end for x in self.doc.sentences if x.position != "body"), default=self.doc.title_end
        )
        self.lead = tuple(s for s in self.doc.sentences if s.position == "lead")
        self.lead_goes_on = self._lead_goes_on()

    def _cancelled(self, m: Mention, group: KeywordGroup) -> str | None:
        """The group a word of which stands close enough before (after) `m`, in the same
        sentence, to cancel it; None when none does."""
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
                    return name
        for name, gap in group.unless_before:
            for x in self.terms.get(name, []):
                if (
                    x.start >= m.end
                    and x.end <= sentence.end
                    and self.doc.word_index(x.start) - last_word - 1 <= gap
                ):
                    return name
        return None

    def weapon_rank(self, m: Mention) -> int:
        """How specific a weapon read is: 3 a named system, 2 a narrower kind or an acronym,
        1 a kind, 0 a bare missile word."""
        return self._weapon_rank.get((m.start, m.end, m.value), 0)

    def answered_weapon(self, m: Mention, act: int) -> bool:
        """Whether the missiles `m` names are those of the attack the act answers: they stand a
        few words after a word of answering ("in response to", "у відповідь на", "als Reaktion
        auf": the pack's `answer_to`), in its clause, as part of the name of an attack (the
        word after it, or next to a word of launching or striking: "Houthi missile attacks",
        "ракетні обстріли", "ataques con misiles", "Raketenangriffe"), and the act comes before
        that word ("Israel struck Sanaa in response to Houthi missile attacks") or in another
        clause after them. Not the answer's own missiles put after it: "fired on Thursday in
        response to the air strikes dozens of ballistic missiles"."""
        sentence = self.doc.sentence_at(m.start)
        word = self._answering_word(m, sentence.start)
        if word is None:
            return False  # none, or "in response to the drills, Iran fired missiles"
        text = self.doc.text
        named_next = len(text[word.end : m.start].split()) <= _NAMED_NEXT
        if not named_next and not self._named_attack(m, word.end, sentence.end):
            return False
        if not sentence.start <= act < sentence.end:
            act = self.act_in(sentence)  # the missiles' own sentence's act
        if act < word.start:
            return True
        return act > m.end and _IN_SENTENCE_BREAK.search(text, m.end, act) is not None

    def answered_actor(self, m: Mention, act: int) -> bool:
        """Whether the actor `m` is named with the attack the act answers: a few words after a
        word of answering, in its clause, the act before that word ("Iran fired missiles at
        Israel in retaliation for Israeli missile strikes": Israel is answered, not the
        launcher)."""
        sentence = self.doc.sentence_at(m.start)
        if not sentence.start <= act < m.start:
            return False
        word = self._answering_word(m, act)
        if word is None:
            return False
        # only the first named after it: who made the attack, not where it hit ("in retaliation
        # for Israeli strikes on Iranian nuclear sites")
        first = self.within("@actor", word.end, m.end)
        if first and first[0].start != m.start and first[0].value != m.value:
            return False
        text = self.doc.text
        # Only when the act has missiles of its own: before the word of answering or in another
        # clause ("fired missiles at Israel in retaliation for Israeli strikes"), or after the
        # name, not as what it fired ("en respuesta a los bombardeos israelíes decenas de
        # misiles"); else the missiles are the answered side's, and so is the launch read
        # ("struck Hodeidah in response to the firing of two missiles by the Houthis", "... to
        # the firing by the Houthis of two missiles" are theirs, not the striker's).
        for w in self.within("@weapon", sentence.start, sentence.end):
            if w.start < word.start or _IN_SENTENCE_BREAK.search(text, word.end, w.start):
                return True
            if w.start >= m.end:
                after = text[m.end : w.start].split()
                fired = any(m.end <= x.start and x.end <= w.start for x in self._launch_said)
                if not fired and (not after or after[0].lower() not in _OF_WORDS):
                    return True
        return False

    def _answering_word(self, m: Mention, floor: int) -> Mention | None:
        """The last word of answering before `m` (from `floor`), when `m` stands in its clause
        within a few words of it; it may run into `m`'s words (Hebrew "בתגובה לשיגור הטילים")."""
        said = [x for x in self.within("answer_to", floor, m.end) if x.start < m.start]
        if not said:
            return None
        between = self.doc.text[said[-1].end : m.start]
        if _IN_SENTENCE_BREAK.search(between) or len(between.split()) > _ANSWERED_REACH:
            return None
        return said[-1]

    def _named_attack(self, m: Mention, start: int, end: int) -> bool:
        """Whether the missiles `m` are those of the attack a word of answering ending at
        `start` names: its first word of launching or striking, at most two words after it,
        and the missiles side by side with it, two short words between at most ("attacks with
        missiles", "the firing of two missiles"), or in one word ("Raketenangriffe"), or who
        fired them between ("le tir par les Houthis de deux missiles"); not the answer's own
        told after the attack it answers ("in retaliation for Israeli air raids by launching
        missiles", "for strikes by Israel dozens of missiles")."""
        text = self.doc.text
        # (a word of striking only before them: "ataques con misiles", not "... по Тель-Авиву")
        before = [x for x in self.within("strike_cue", start, end) if x.end <= m.start]
        said = [x for x in self._launch_said if start <= x.start and x.end <= end]
        attacks = sorted((*said, *before), key=lambda x: x.start)
        if not attacks or len(text[start : attacks[0].start].split()) > _ATTACK_NEXT:
            return False
        act = attacks[0]
        if act.start < m.end and m.start < act.end:
            # one word ("Raketenangriffe"), or a launch pattern that runs on into them (Hebrew
            # "ירי הטילים"); not one that starts with the missiles ("missili balistici su ...")
            return len(text[act.start : act.end].split()) == 1 or act.start < m.start
        start, end = (act.end, m.start) if act.end <= m.start else (m.end, act.start)
        if _LINK.fullmatch(text, start, end) is not None:
            return True
        kinds = self.within("@weapon", start, end)  # "van twee ballistische raketten"
        if kinds and _LINK.fullmatch(_without(text, start, end, kinds)) is not None:
            return True
        # Who fired them may stand between ("au tir par les Houthis de deux missiles", "إطلاق
        # الحوثيين صواريخ", "het afvuren door de Houthi's van twee raketten"): the missiles are
        # still that attack's, a few short words around the name.
        named = self.within("@actor", start, end)
        if not named:
            return False
        # (and the words of a kind of missile: "van twee ballistische raketten")
        others = [x for x in kinds if x.end <= named[0].start or x.start >= named[-1].end]
        gap = _without(text, start, end, [*named, *others])
        if _NAMED_LINK.fullmatch(gap) is None:
            return False
        # named as who fired ("par", "door", "da parte di"), or written onto the act (Arabic
        # "إطلاق الحوثيين"): not a demonym of another attack ("los bombardeos israelíes decenas
        # de misiles" are the answer's own)
        leading = text[start : named[0].start].split()
        if not leading:
            return not gap.strip()  # written onto the act, the missiles right after
        # "par les Houthis de deux missiles", "przez Pakistan pocisków": the missiles are the
        # act's object; not the answer's own after another act's agent ("aux frappes par
        # Israël deux missiles", "strikes by Israel dozens of ballistic missiles")
        trailing = text[named[-1].end : end].split()
        return any(w.lower() in _BY_WORDS for w in leading) and (
            not trailing or trailing[0].lower() in _OF_WORDS
        )

    def after_last_time(self, at: int) -> bool:
        """Whether a pack's word of the time it last launched ("the last time", "前回…のは",
        "la dernière fois que") stands before `at` in its clause: what follows is that
        launch's day or weapon."""
        sentence = self.doc.sentence_at(at)
        said = [m for m in self.within("last_time", sentence.start, sentence.end) if m.start < at]
        # In its clause ("The North, which last tested an ICBM in October, fired on Monday"),
        # or inside the words themselves ("la dernière fois qu'il a tiré un ICBM, c'était").
        return bool(said) and _IN_SENTENCE_BREAK.search(self.doc.text, said[-1].end, at) is None

    def own_weapons(self, weapons: list[Mention]) -> list[Mention]:
        """The weapons not named after a word of the time it last launched ("the last time it
        fired an ICBM"); all of them when every one is."""
        return [m for m in weapons if not self.after_last_time(m.start)] or weapons

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

    def touching(self, name: str, start: int, end: int, reach: int = 12) -> bool:
        """Whether a mention of the group stands in text[start:end] or right by it, a few
        characters either side: "since March", "seit März", "11月以来", "지난 11월 이후"."""
        return bool(self.within(name, max(0, start - reach), end + reach))

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
        found = self._unblocked(found, start, end)
        if ref is None:
            found = sorted(found + self._same_days(start, end), key=lambda d: d.start)
        found = _local_day_over(self.doc.text, found)
        if self.bare_date and self.ahead_of_utc(actor):
            found = [_one_day_ahead(d) if _next_weekday(d) else d for d in found]
        zone = self.timezone(actor)
        if zone is not None:
            found = [_from_utc(self.doc.text, d, zone) for d in found]
            found = [z for z in (_from_named_zone(self.doc.text, d, zone) for d in found) if z]
        return found

    def _unblocked(self, found: list[DateMention], start: int, end: int) -> list[DateMention]:
        """The mentions outside the pack's `not_dates` (read a little past the end: what makes
        a day another's may follow it in the next sentence, as a photo credit follows a
        caption's day) and, on a page with a publication time, outside its own time stamps ("19 Sep,
        2024 14:19")."""
        blocked = self.rules.not_dates
        if not found:
            return found
        dated = self.article.published is not None
        spans = [s for s in self.stamps if dated and s[0] < end and start < s[1]]
        if blocked is not None:
            reach = min(len(self.doc.text), end + NOT_DATES_REACH)
            spans += [(m.start(), m.end()) for m in blocked.finditer(self.doc.text, start, reach)]
        return [d for d in found if not any(a < d.end and d.start < b for a, b in spans)]

    def stamped(self, at: int) -> bool:
        """Whether what starts at `at` lies in one of the page's own time stamps."""
        return any(a <= at < b for a, b in self.stamps)

    def _same_days(self, start: int, end: int) -> list[DateMention]:
        """On a page without a date, each word for "the same day" ("同日", "当天", "이날") as the
        day named last before it in its sentence or the one before, the headline apart ("米副
        大統領は29日に訪韓した。北朝鮮は同日…"): what it says of the launch's day is that day's.
        Nothing when the mention last before it is not a day ("3月"), is one the pack's
        `not_dates` set apart ("지난 12일 쏜 지 사흘 만인 이날": the last launch's day; "14일까지",
        a span's end), or dates a launch told in a sentence before ("1월 14일 처음 쐈다")."""
        vocabulary = self.vocabulary
        if vocabulary is None:
            return []
        out = []
        for a in vocabulary.same_days(self.doc.text, start, end):
            sentence = self.doc.sentence_at(a.start())
            floor = self.doc.sentences[max(0, sentence.index - 1)].start
            if a.start() >= self.doc.title_end:
                floor = max(floor, self.doc.title_end)
            before = find_dates(self.doc.text, floor, a.start(), None, vocabulary)
            named = [d for d in before if d.end <= a.start()]
            if not named or named[-1] not in self._unblocked(named, floor, a.start()):
                continue
            last = named[-1]
            told = self.doc.sentence_at(last.start)
            if told != sentence and self.within("launch", told.start, told.end):
                continue  # the day of a launch told before ("first fired on 14 January")
            if last.precision == "day" and last.clue is not None and last.clue.day is not None:
                out.append(DateMention(a.start(), a.end(), a.group(), None, None, "day", last.clue))
        return out

    def ahead_of_utc(self, actor: str | None) -> bool:
        zone = self.timezone(actor)
        if zone is None or self.article.published is None:
            return False
        offset = self.article.published.astimezone(ZoneInfo(zone)).utcoffset()
        return offset is not None and offset > timedelta(0)

    def lead_plans(self) -> Mention | None:
        """The launch the lead tells only as a plan, a threat or a denial ("the Guards will
        test a long-range missile on Saturday"), when it tells no other: the headline that
        names the act without a tense ("Iran announces long-range missile test") is that plan.
        """
        if not self.lead:
            return None
        start, end = self.lead[0].start, self.lead[-1].end
        cancelled = self.cancelled.get("launch", ())

        def planned() -> list[Mention]:
            return [m for m in cancelled if start <= m.start < end]

        # A lead that tells no act at all ("Iran keeps developing its missiles", a standfirst)
        # leaves it to the next sentence.
        after = self.lead[-1].index + 1
        if (
            not self.within("launch", start, end)
            and not planned()
            and after < len(self.doc.sentences)
        ):
            end = self.doc.sentences[after].end
        if self.within("launch", start, end) or not self.within("@weapon", start, end):
            return None
        found = planned()
        return found[0] if found else None

    def _lead_goes_on(self) -> int | None:
        """The sentence after the lead, when it is where the lead's news goes on: the headline
        names missiles ("500 drones and 40 missiles: another sleepless night for Kyiv") that
        the lead does not ("Ukraine faced a rare wave of air raids overnight.")."""
        lead = self.lead
        if not lead or lead[-1].index + 1 >= len(self.doc.sentences):
            return None
        if not self.within("@weapon", 0, self.doc.title_end):
            return None
        if self.within("@weapon", lead[0].start, lead[-1].end):
            return None
        return lead[-1].index + 1

    def act_in(self, s: Sentence) -> int:
        """Where the sentence's act ("fired", "발사") is, else its end."""
        acts = self.within("launch", s.start, s.end)
        return acts[0].start if acts else s.end

    def role(self, m: Mention, floor: int = 0) -> str:
        found = role_of(self.doc.text, m, self.rules.roles, floor)
        # A defender that speaks stays a source ("the Israeli military said it intercepted").
        if found in ("", "agent") and self._shoots_down(m):
            return "target"
        return found

    def defends(self, m: Mention, floor: int = 0) -> bool:
        """Whether the actor shoots the missile down, where nothing says it fired ("launched
        by", "from" name who did): it did not fire, whatever it reports. "By" it may say when
        the interception follows and no launch of its own is told before it in its part of the
        sentence: the missiles were shot down by it ("die größtenteils von Israel abgefangen
        wurden")."""
        role = role_of(self.doc.text, m, self.rules.roles, floor)
        if role != "agent-before":
            return role in ("", "source", "agent") and self._shoots_down(m)
        # The agent of a passive whose verb, told after it, is the interception: the missiles
        # named before it are not its own ("Raketen wurden von Israel abgefangen").
        down = self._next_after(m, "interception", self._interception_reach)
        if down is None or self.within("launch", m.end, down.start):
            return False
        if any(
            _OF_WEAPON.fullmatch(self.doc.text, w.end, m.start)
            for w in self.within("@weapon", max(0, m.start - 30), m.start)
        ):
            return False
        sentence = self.doc.sentence_at(m.start)
        breaks = list(_PART_BREAK.finditer(self.doc.text, sentence.start, m.start))
        start = breaks[-1].end() if breaks else sentence.start
        return _BY.search(self.doc.text, start, m.start) is not None and not self._told_launches(
            start, m.start, m.value
        )

    def _told_launches(self, start: int, end: int, owner: str) -> list[Mention]:
        """The launch words in text[start:end] but a participle that only describes another's
        missiles (the pack's `attributive` words after another actor's name: "die vom Jemen aus
        abgefeuerten Raketen wurden von Israel abgefangen", "hat mehrere von den Huthis
        abgefeuerte Raketen abgefangen")."""
        described = [
            a
            for a in self.within("attributive", start, end)
            if any(x.value != owner for x in self.within("@actor", start, a.start))
        ]
        return [
            x
            for x in self.within("launch", start, end)
            if not any(a.start <= x.start < a.end for a in described)
        ]

    @property
    def _interception_reach(self) -> int:
        """How far after a name its interception may be told: further in a language that puts
        the verb last, which may tell where and when at length before it ("Ein amerikanisches
        Kriegsschiff hat am Dienstagabend im südlichen Roten Meer ... abgefangen")."""
        verb_last = self.rules.language not in _VERB_BEFORE_OBJECT
        return _VERB_LAST_ACT_REACH if verb_last else _ACT_REACH

    def _shoots_down(self, m: Mention) -> bool:
        if self._intercepts(m):
            return True
        # "Saudi Arabia intercepts a missile over Riyadh": the capital is the defender too.
        sentence = self.doc.sentence_at(m.start)
        return any(
            x.value == m.value and self._intercepts(x)
            for x in self.within("@actor", sentence.start, m.start)
        )

    def launcher_score(self, m: Mention, act: int, weapon: int, floor: int) -> float:
        """How likely `m` fired the act at `act` (`entities.launcher_score`); a defender that
        shoots the missile down did not, whatever else its words say, nor one that reacts to
        the launch ("as South Korea, Japan and the United States condemned the launch")."""
        score = launcher_score(self.doc.text, m, act, weapon, floor, self.rules.roles)
        if score > DEFENDER_SCORE and (self.defends(m, floor) or self._responds(m, floor)):
            return DEFENDER_SCORE
        return score

    def _responds(self, m: Mention, floor: int) -> bool:
        """Whether the actor only responds to another's launch: condemns it, answers it, or
        summons the launcher's envoy over it."""
        return self._reacts(m, floor) or self._answered(m) or self._summons(m)

    def _answered(self, m: Mention) -> bool:
        """Whether the actor's attack is the one another answers: its name stands in a clause
        of an earlier attack (the pack's `prior` words right before the name: "after", "nach",
        "après"; or its `prior_after` words between the name and the next actor's: "के बाद",
        "ardından", "后"), another actor strikes back (the pack's `retaliation` words), and
        that actor's launch is told: before the clause ("North Korea fires missiles after
        drills by South Korea and the US, in retaliation"), or the actor is named right
        before the retaliation word (or inside it in a verb-second language: "slaat Pakistan
        terug") with missiles after its name or its own launch in the next sentence, and
        nothing says the answer is still to come ("vows retaliation", "promet une riposte").
        "After Iran's strike, Pakistan hits back with missiles": Pakistan fired."""
        sentence = self.doc.sentence_at(m.start)
        back = self.within("retaliation", m.end, sentence.end)
        if not back:
            return False
        before = self.within("prior", max(sentence.start, m.start - _PRIOR_REACH), m.start)
        if before and self.within("@actor", before[-1].end, m.start):
            before = []  # "after" opens another actor's clause
        if before and any(
            y.value != m.value and self._launches(y, before[-1].start)
            for y in self.within("@actor", sentence.start, before[-1].start)
        ):
            return True
        answerer = [
            y
            for y in self.within("@actor", m.end, back[0].end)
            if y.value != m.value and back[0].start - y.end <= _ANSWER_REACH
        ]
        if not answerer:
            return False
        y = answerer[-1]
        if not (before or self.within("prior_after", m.end, y.start)):
            return False
        if any(
            self.within(n, y.start, min(sentence.end, back[0].end + _ANSWER_REACH))
            for n in (*PLAN_WORDS, "headline_plan")
        ):
            return False  # a vow, a threat, a plan
        if self.within("@weapon", y.end, sentence.end):
            return True
        # A headline's answer the lead tells as the same actor's launch ("Pakistan fired
        # missiles on Thursday at ...").
        if sentence.index + 1 >= len(self.doc.sentences):
            return False
        after = self.doc.sentences[sentence.index + 1]
        first = self.within("@actor", after.start, after.end)[:1]
        return any(x.value == y.value and self._launches(x, after.end) for x in first)

    def _launches(self, y: Mention, end: int) -> bool:
        """Whether a launch word and a weapon follow the actor's name before `end`, with no
        other actor between: its own launch ("North Korea fires missiles ...")."""
        acts = self.within("launch", y.end, end)
        if not acts or not self.within("@weapon", y.end, end):
            return False
        return not any(x.value != y.value for x in self.within("@actor", y.end, acts[0].start))

    def _summons(self, m: Mention) -> bool:
        """Whether the actor summons another's envoy (the pack's `summons` words after its name,
        in its sentence, and an `envoy` word between or right after them: "Iraq summons Iran's
        ambassador over the attack on Erbil", "عراق سفیر ایران را ... احضار کرد"): it reacts,
        it did not fire. The one summoning is the first named in its sentence; only the state
        of the envoy (named right by the envoy word) may stand between, and in a language that
        puts the verb before its object no launch is told there first."""
        summon = self._next_after(m, "summons")
        if summon is None:
            return False
        sentence = self.doc.sentence_at(m.start)
        acts = self.within("launch", m.end, summon.start)
        if acts and self.rules.language in _VERB_BEFORE_OBJECT:
            return False
        # In a verb-last language a launch may be told on the way ("...のミサイル攻撃でイラン
        # 大使を呼び出し"), but after it only the envoy's state: two names there are another
        # subject's ("... شلیک کرد و عراق کاردار ایران را احضار کرد").
        if acts and len(self.within("@actor", acts[-1].end, summon.start)) > 1:
            return False
        if any(y.value != m.value for y in self.within("@actor", sentence.start, m.start)):
            return False
        envoys = self.within("envoy", m.end, min(sentence.end, summon.end + _ENVOY_REACH))
        return bool(envoys) and all(
            y.value == m.value
            or any(
                0 <= e.start - y.end <= _ENVOY_REACH or 0 <= y.start - e.end <= _ENVOY_REACH
                for e in envoys
            )
            for y in self.within("@actor", m.end, summon.start)
        )

    def _reacts(self, m: Mention, floor: int) -> bool:
        """Whether the actor condemns another's launch: the first act told after its name, in
        its sentence, is condemning (the pack's `condemnation` words: "condemned", "규탄했다"),
        another actor's launch is told before it there, and nothing says it fired."""
        react = self._next_after(m, "condemnation")
        if react is None or self.within("launch", m.end, react.start):
            return False
        sentence = self.doc.sentence_at(m.start)
        # Only after another actor's launch told before it in the sentence ("North Korea
        # fired ..., as South Korea condemned the launch"): a launcher may condemn drills
        # first ("North Korea, which condemned the drills, fired a missile").
        earlier = [
            x
            for x in self.within("@actor", sentence.start, m.start)
            if x.value != m.value and self.within("launch", x.end, m.start)
        ]
        if not earlier:
            return False
        return role_of(self.doc.text, m, self.rules.roles, floor) not in ("agent-before", "agent")

    def _next_after(self, m: Mention, group: str, reach: int = _ACT_REACH) -> Mention | None:
        """The first word of `group` told after an actor's name, in its sentence and within
        `reach`."""
        sentence = self.doc.sentence_at(m.start)
        found = self.within(group, m.end, min(sentence.end, m.end + reach))
        return found[0] if found else None

    def _intercepts(self, m: Mention) -> bool:
        found = self._intercepting.get(m.start)
        if found is None:
            found = self._intercepting[m.start] = self._first_act_intercepts(m)
        return found

    def _first_act_intercepts(self, m: Mention) -> bool:
        """Whether the first act told after an actor's name, in its sentence, is shooting a
        missile down ("Saudi air defences intercepted a ballistic missile", "사우디 방공부대가
        ... 요격했다"): the actor defends, it did not fire. Not when a weapon follows the name
        at once ("Houthi missile intercepted": the actor's own missile)."""
        down = self._next_after(m, "interception", self._interception_reach)
        if down is None:
            return False
        if any(w.start - m.end <= 2 for w in self.within("@weapon", m.end, m.end + 40)):
            return False
        # Nor when a weapon stands right before it ("Missile degli Houthi intercettato",
        # "صاروخ الحوثيين"): a few letters between, no act.
        for w in self.within("@weapon", max(0, m.start - 40), m.start):
            between = self.doc.text[w.end : m.start]
            if (
                len(between) <= 16
                and "\n" not in between
                and not self.within("launch", w.end, m.start)
            ):
                return False
        # No launch told before the interception ("North Korea fired a missile that Japan
        # intercepted"): a launch word that is the interception itself does not count, nor
        # one that only describes another's missiles.
        return not self._told_launches(m.end, down.start, m.value)

    def windows(self, rule: Rule) -> list[Window]:
        sentences = self.doc.sentences
        if rule.within == "sentence":
            return [
                Window(rule, s.start, s.end, "lead" if s.index == self.lead_goes_on else s.position)
                for s in sentences
            ]
        if rule.within == "lead":
            lead = self.lead
            if not lead or not all(self.within(n, 0, self.doc.title_end) for n in rule.in_title):
                return []
            # A headline that names the act carries the news; the sentence after the lead may
            # still be where the missiles are named ("Houthis attack ship again. ... The
            # rebels fired two anti-ship missiles").
            end = lead[-1].end
            if rule.in_title and lead[-1].index + 1 < len(sentences):
                after = sentences[lead[-1].index + 1]
                end = after.end
                # Past a sentence that tells nothing of the act ("ZMINA tells what is known so
                # far."): the one after it still goes on with the headline's news.
                if (
                    self.act_in(after) == after.end
                    and not self.within("@weapon", after.start, after.end)
                    and after.index + 1 < len(sentences)
                ):
                    end = sentences[after.index + 1].end
            return [Window(rule, lead[0].start, end, "lead")]
        width = int(rule.within)
        out = []
        for m in self.terms.get(rule.all[0], ()):
            word = self.doc.word_index(m.start)
            start = self.doc.word_offset(word - width)
            end = self.doc.word_offset(word + width + 1)
            end = len(self.doc.text) if end <= m.start else end
            out.append(Window(rule, start, end, self.doc.sentence_at(m.start).position))
        return out

    def context_actor(self) -> Mention | None:
        """The launcher when the window names none: the title's actor, else the commonest.
        The same for every window, so found once."""
        if self._context_actor is None:
            self._context_actor = (self._find_context_actor(),)
        return self._context_actor[0]

    def _fires_in_lead(self, m: Mention, s: Sentence, score: float) -> bool:
        """Whether a lead sentence says the actor fired: its subject, "by" it, or its name
        right before the act ("Iran fired a barrage at Israel")."""
        return s.index < CONTEXT_SENTENCES and (
            self.role(m, s.start).startswith("agent") or score >= NEAR_ACT_SCORE
        )

    def _find_context_actor(self) -> Mention | None:
        text = self.doc.text
        acts = sorted({n for r in self.rules.rules for n in r.all if not n.startswith("@")})
        # Not a state the headline names as hit: what it fires ("Missiles hit northern Israel.
        # ... Israel fired back") answers the headline's launch, and its officials speak of the
        # launch at it ("Kiev hedefte ... Kiev Belediye Başkanı ... füze isabet ettiğini
        # duyurdu"); unless the lead's own sentence says it fired.
        hit = {
            m.value
            for m in self.within("@actor", 0, self.doc.title_end)
            if self.role(m) == "target"
        }
        for s in self.doc.top(CONTEXT_SENTENCES):
            # A sentence that names no missile tells of something else ("tension exploded
            # after the leader's killing by Tel Aviv"; "the IRGC claimed it, saying it targeted
            # an Israeli centre"), not who fired.
            if not self.within("@weapon", s.start, s.end):
                continue
            found = self.within("@actor", s.start, s.end)
            # Placed against the sentence's last act and the weapon named before it ("Ukraine
            # attacked two Russian airfields with missiles sent from the United States"; "북한의
            # 발사에 대응해 현무-2를 발사하는 훈련"), else its end.
            act = max(
                (ms[-1].start for n in acts if (ms := self.within(n, s.start, s.end))),
                default=s.end,
            )
            weapons = [w.start for w in self.within("@weapon", s.start, act)]
            weapon = weapons[-1] if weapons else act
            scored = [(self.launcher_score(m, act, weapon, s.start), m) for m in found]
            scored = [
                (x if m.value not in hit or self._fires_in_lead(m, s, x) else TARGET_SCORE, m)
                for x, m in scored
            ]
            scored = together_as_one(text, scored, min(act, weapon))
            scored = [x for x in scored if x[0] > 0]
            if scored:
                return max(scored, key=lambda x: x[0])[1]
        # Else the actor named most often, not counting names that report or are hit; among
        # those the text says fired ("launched from Yemen", "fired by the Houthis"), if any.
        named = [(m, self.role(m)) for m in self.terms["@actor"]]
        plain = [m for m, role in named if role.startswith("agent")] or [
            m for m, role in named if role not in NOT_LAUNCHER and not self._responds(m, 0)
        ]
        counts = Counter(m.value for m in plain)
        if counts:
            top = counts.most_common(1)[0][0]
            return next(m for m in plain if m.value == top)
        return self._claimant(acts)

    def hit_values(self) -> frozenset[str]:
        """The actors the text names as hit, warned or shooting a missile down, anywhere."""
        if self._hit is None:
            self._hit = frozenset(
                m.value
                for m in self.terms["@actor"]
                if self.role(m) in ("target", "addressee") or self._shoots_down(m)
            )
        return self._hit

    def _claimant(self, acts: list[str]) -> Mention | None:
        """Who says it fired, when every name near the top reports or is hit: "A missile
        struck near Israel's main airport. The Houthis said they fired it" (one that tells the
        act after its name in its sentence, with a weapon and no other name between). Not a
        name hit or shooting down anywhere in the text: a state reporting a launch at it."""
        hit = self.hit_values()
        for s in self.doc.top(CONTEXT_SENTENCES):
            if not self.within("@weapon", s.start, s.end):
                continue
            names = self.within("@actor", s.start, s.end)
            for m in names:
                if m.value in hit or self.role(m, s.start) != "source":
                    continue
                after = [x.start for n in acts for x in self.within(n, m.end, s.end)]
                if not after or any(m.end <= o.start < min(after) for o in names):
                    continue
                # Not a missile it saw fired ("Egypt said it had tracked a missile fired
                # over the Red Sea"): the act right after a weapon is the weapon's.
                act = min(after)
                if self.rules.language in _VERB_BEFORE_OBJECT and any(
                    not self.doc.text[w.end : act].strip()
                    for w in self.within("@weapon", m.end, act)
                ):
                    continue
                return m
        return None


# Languages whose verbs come before their object, where an act right after a weapon is the
# weapon's participle ("a missile fired over the Red Sea"), not what a claimant did.
_VERB_BEFORE_OBJECT = frozenset(
    {"en", "fr", "es", "it", "pt", "ru", "uk", "pl", "id", "vi", "ar", "he"}
)

# The sentences at the top where the launcher of a window that names none is looked for (the
# headline said again as the first not counted).
CONTEXT_SENTENCES = 3
# Sentences after the lead that may still say the launch's day.
CLUE_SENTENCES = 2


def day_clue(ctx: Context, best: Window) -> tuple[DayClue, str, int] | None:
    """What the headline, lead or best window say of the launch's day when no day can be
    resolved (the article has no publication time): "14日", "on Tuesday", "October 5". The
    first sentence that names the act and says something of its day decides; what it says in
    several ways is taken together ("on Wednesday (02/11)")."""
    sentences = [s for s in ctx.doc.sentences if s.end <= ctx.lead_end]
    # A short lead often leaves the day to the next sentences ("... announced on the 5th").
    sentences += [s for s in ctx.doc.sentences if s.start >= ctx.lead_end][:CLUE_SENTENCES]
    sentences += [s for s in ctx.doc.sentences if s.start < best.end and best.start < s.end]
    today = _named_today(ctx, sentences)
    # The day an earlier sentence dates the report by ("통신은 3일 ... 밝혔다"), for a day a
    # later one counts back from it ("... 전날 현지 지도했다고 보도했다": the 2nd).
    reported: DayClue | None = None
    for s in sentences:
        act = ctx.act_in(s)
        if act == s.end:
            continue  # no act here: its dates are another story's (a drill, a meeting)
        clue: DayClue | None = None
        first: DateMention | None = None
        dates = ctx.dates(s.start, s.end, None, best.actor)
        # "the day before", and "the same day" (0) of the day the report is dated by
        counting = [d for d in dates if d.shift is not None and d.clue is None]
        if reported is not None and counting and not any(d.clue for d in dates):
            return _back_from(reported, counting, act)
        if today is not None:
            # "said today, Thursday, that it fired yesterday": yesterday is Wednesday.
            for d in dates:
                if d.shift and not dates_reaction(
                    ctx.doc.text, d, act, s.start, s.end, ctx.reaction_words
                ):
                    earlier = today.back(d.shift)
                    if earlier is not None:
                        return earlier, d.text, d.start
        counted = _counted_back(ctx, dates, act, s)
        if counted is not None:
            # A day counted back past the start of a month not named says nothing sure.
            back, text, start = counted
            return (back, text, start) if back is not None else None
        # The day nearest the act is the act's ("防衛相は6日、北朝鮮が5日に発射した": the 6th
        # is the minister's).
        for d in sorted(dates, key=lambda d: abs(d.start - act)):
            if d.clue is None or ctx.after_last_time(d.start):
                continue  # no day named, or the day of the launch before
            if dates_reaction(ctx.doc.text, d, act, s.start, s.end, ctx.reaction_words):
                reported = reported or d.clue
                continue
            if clue is None:
                clue, first = d.clue, d
            elif clue.fits(d.clue) and first is not None and _side_by_side(first, d):
                clue = clue.merge(d.clue)
        if clue is not None and first is not None:
            return clue, first.text, first.start
        if reported is not None and counting:
            # "Ngày 14/1, hãng tin Yonhap đưa tin Triều Tiên cùng ngày đã phóng": counted
            # from the day this sentence dates the report by.
            return _back_from(reported, counting, act)
    return None


# How far apart two date expressions may stand to be one day told two ways ("on Wednesday
# (02/11)", "Kamis, 31 Oktober"), in characters; further apart, each may be another day's.
_SIDE_BY_SIDE = 4


def _side_by_side(a: DateMention, b: DateMention) -> bool:
    gap = b.start - a.end if a.start <= b.start else a.start - b.end
    return gap <= _SIDE_BY_SIDE


def _back_from(
    reported: DayClue, counting: list[DateMention], act: int
) -> tuple[DayClue, str, int] | None:
    """The day the counting word nearest the act names, counted back from the day the
    report is dated by; None when that crosses the start of a month not named."""
    word = min(counting, key=lambda d: abs(d.start - act))
    earlier = reported.back(word.shift or 0)
    return (earlier, word.text, word.start) if earlier is not None else None


def _counted_back(
    ctx: Context, dates: list[DateMention], act: int, s: Sentence
) -> tuple[DayClue | None, str, int] | None:
    """A day counted back from the day a report is dated by: "通信は1日、前日に発射した",
    "state media said on Friday that the previous day it fired...": a word that counts days
    back, nearest the act or after a day that dates the report ("KCNA reported on Friday ...
    the day before"), counts from the day the sentence names before it; not one after the act
    beside the act's own day ("3日も発射…前日の23発に続き": the 3rd too, after 23 the day
    before). None when no word counts back there; a clue of None when what is left of the
    day says nothing (a day back from the 1st of a month not named)."""
    back = [d for d in dates if d.shift and d.clue is None]
    if not back:
        return None
    nearest = min(dates, key=lambda d: abs(d.start - act))
    for word in back:
        named = [d for d in dates if d.clue is not None and d.end <= word.start]
        if not named:
            continue
        day = named[-1]
        if (word is nearest and word.start < act) or dates_reaction(
            ctx.doc.text, day, act, s.start, s.end, ctx.reaction_words
        ):
            assert day.clue is not None
            return day.clue.back(word.shift or 0), word.text, word.start
    return None


# What may stand between "today" and the day it names: "today, Thursday", "اليوم الخميس",
# "오늘(13일)", "сегодня, 13 июля".
_APPOSITION = re.compile(r"[\s,()\u3000\uff08\uff09\u3001\u060c-]{0,4}")


def _named_today(ctx: Context, sentences: list[Sentence]) -> DayClue | None:
    """The day a page without a time names as its today ("today, Thursday"), read where a
    word for today stands right beside a day, for the days counted back from it."""
    for s in sentences:
        dates = ctx.dates(s.start, s.end, None)
        for word in (d for d in dates if d.shift == 0):
            for d in dates:
                if d.clue is None or d is word:
                    continue
                left, right = (word, d) if word.end <= d.start else (d, word)
                gap = ctx.doc.text[left.end : right.start]
                if left.end <= right.start and _APPOSITION.fullmatch(gap):
                    return d.clue
    return None


def after_publication(ctx: Context, w: Window) -> bool:
    ref = ctx.reference(w.actor)
    return w.event_date is not None and ref is not None and w.event_date > ref


def _next_weekday(d: DateMention) -> bool:
    """A bare weekday that resolved to six days back ("on Saturday", not "last Saturday")."""
    bare = d.clue is not None and d.clue.weekday is not None and d.clue.day is None
    return bare and d.age_days == 6 and not d.text.lower().startswith(("last", "past"))


# A universal time just before a day: "at 2210 GMT on Monday", "(2210 GMT Monday)", "22:10 UTC
# Monday": the day is the one where that time falls in UTC, not the launcher's.
_UTC_TIME_BEFORE = re.compile(UTC_TIME + r"\W{0,3}(?:on\s+)?$", re.IGNORECASE)


def _from_utc(text: str, d: DateMention, zone: str) -> DateMention:
    """The mention of a day that a universal time stands before, as the launcher's local day."""
    if d.value is None:
        return d
    m = _UTC_TIME_BEFORE.search(text, max(0, d.start - 24), d.start)
    if m is None:
        return d
    return _on_launchers_clock(d, datetime.combine(d.value, time(int(m[1]), int(m[2])), UTC), zone)


def _on_launchers_clock(d: DateMention, told: datetime, zone: str) -> DateMention:
    """The mention of a day, moved to the launcher's local day of the instant it told."""
    assert d.value is not None
    local = told.astimezone(ZoneInfo(zone)).date()
    shift = (local - d.value).days
    if shift == 0:
        return d
    age = d.age_days - shift if d.age_days is not None else None
    clue = DayClue.from_date(local) if d.clue is not None else None
    return replace(d, value=local, age_days=age, clue=clue)


# A day told in a named zone ("日本時間の2日未明", "한국시간 2일 오전", "по киевскому
# времени"): the zone's day, which may not be the launcher's.
_NAMED_ZONES = (
    (re.compile(r"日本時間|日本时间|\bJST\b"), "Asia/Tokyo"),
    (re.compile(r"한국\s*시간|韓国時間|韩国时间|韓國時間|\bKST\b"), "Asia/Seoul"),
    (re.compile(r"北京时间|北京時間|\bBeijing\s+time\b"), "Asia/Shanghai"),
    (
        re.compile(r"по\s+московскому\s+времени|за\s+московським\s+часом|\bMoscow\s+time\b"),
        "Europe/Moscow",
    ),
    (re.compile(r"по\s+киевскому\s+времени|за\s+київським\s+часом|\bKyiv\s+time\b"), "Europe/Kyiv"),
    (re.compile(r"\bIsrael\s+time\b|שעון\s+ישראל"), "Asia/Jerusalem"),
)
# How far from a day its zone's name may stand.
ZONE_REACH = 12


def _from_named_zone(text: str, d: DateMention, zone: str) -> DateMention | None:
    """The mention of a day told in a named zone whose clock differs from the launcher's: as
    the launcher's day when a time follows it, else None (the day may be either)."""
    around = text[max(0, d.start - ZONE_REACH) : d.end + ZONE_REACH]
    named = next((z for pattern, z in _NAMED_ZONES if pattern.search(around)), None)
    if named is None or named == zone:
        return d
    # The two clocks compared on the day told, or (a day of the month alone) on a winter day.
    at = datetime.combine(d.value or date(2024, 1, 15), time(12), UTC)
    if at.astimezone(ZoneInfo(named)).utcoffset() == at.astimezone(ZoneInfo(zone)).utcoffset():
        return d
    minutes = find_time(text, d.end, min(len(text), d.end + ZONE_REACH + 8))
    if d.value is None or minutes is None:
        return None
    told = datetime.combine(d.value, time(minutes // 60, minutes % 60), ZoneInfo(named))
    return _on_launchers_clock(d, told, zone)


def _one_day_ahead(d: DateMention) -> DateMention:
    assert d.value is not None
    return replace(d, value=d.value + timedelta(days=7), age_days=-1)


# Marks that part a sentence's clauses (not the headline's: engine._CLAUSE_BREAK).
_IN_SENTENCE_BREAK = re.compile(r"[,;:،؛，；、]")
# At most this many words from a word of answering to the missiles of the attack it names.
_ANSWERED_REACH = 8
# Between a launch word and the missiles of one attack: nothing or two short words at most ("de",
# "con", "of two"), and letters written onto either word (Arabic "الهجمات الصاروخية").
_LINK = re.compile(r"\S{0,3}\s*(?:\S{1,4}\s+(?:\S{1,6}\s+)?)?\S{0,3}")
# The words that name who did it, in the packs' languages ("par les Houthis").
_BY_WORDS = frozenset(
    {"by", "par", "door", "por", "durch", "von", "da", "przez", "bởi", "oleh", "от", "від"}
    | {"tarafından", "של"}
)


def _without(text: str, start: int, end: int, mentions: list[Mention]) -> str:
    """text[start:end] with each of the mentions in it written as one space."""
    out, at = [], start
    for x in sorted(mentions, key=lambda x: x.start):
        if x.start >= at and x.end <= end:
            out += [text[at : x.start], " "]
            at = x.end
    return "".join([*out, text[at:end]])


# The words that tie missiles to the act named before them: "of" ("de deux missiles") and "with"
# ("durch die Hisbollah mit Panzerabwehrraketen").
_OF_WORDS = frozenset(
    {"of", "de", "d'", "d’", "di", "del", "van", "von", "z", "ze", "od", "من"}
    | {"with", "mit", "avec", "con", "com", "met"}
)
# ... with the name of who fired them taken out: a few short words ("par les", "de deux").
_NAMED_LINK = re.compile(r"\S{0,3}\s*(?:\S{1,7}\s+){0,5}\S{0,3}")
# So few words from a word of answering to the missiles name the attack answered ("in response
# to Houthi missile attacks").
_NAMED_NEXT = 1
# The attack a word of answering names is told within this many words after it.
_ATTACK_NEXT = 2


def lead_day(ctx: Context, actor: str | None, acted: bool = False) -> DateMention | None:
    """The first recent day the lead states, unless it dates a reaction or a report.
    `acted`: only in a sentence that names the act."""
    ref = ctx.reference(actor)
    for s in ctx.doc.sentences:
        if s.position != "lead" or (acted and ctx.act_in(s) == s.end):
            continue
        for d in ctx.dates(s.start, s.end, ref, actor):
            # Over the body's day, only a day already past: a later one is a plan's (a meeting);
            # but a publication dated without a time may come out where the actor's day has
            # already turned, so its next day is past there ("a lancé samedi" in a Friday-dated
            # report of a Korean Saturday morning, over the body's quoted "aujourd'hui").
            turned = -1 if ctx.bare_date and ctx.ahead_of_utc(actor) else 0
            soonest = turned if acted else -ctx.rules.max_future_days
            fresh = d.value and soonest <= (d.age_days or 0)
            if not fresh or (d.age_days or 0) > ctx.rules.max_age_days:
                continue
            if ctx.after_last_time(d.start):
                continue  # "the last time it fired one was on ...": that launch's day
            if not dates_reaction(
                ctx.doc.text, d, ctx.act_in(s), s.start, s.end, ctx.reaction_words
            ):
                return d
    return None


def others_named(
    ctx: Context, best: Window, windows: list[Window]
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
