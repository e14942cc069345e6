"""Detection: does an article report an event of the kind a rules file describes, and why.

load_rules(path) -> RuleSet          the rule language and its language packs (rules.py,
                                     docs/rules.md)
prefilter(title_and_summary, rules)  cheap, loose check before downloading a page
analyse(article, rules) -> Analysis  language, score, detection or None, explanation lines
detect(article, rules) -> Detection | None

language.py identifies the language; context.py reads an article once; engine.py matches and
scores; entities.py (actors, weapons, roles), dates.py (English), calendars.py (other
languages) and times.py read what the words name; locale.py is what CLDR knows; rules.py and
rulefile.py are the rule language and its checks.
"""

from __future__ import annotations

from monitor.detect.engine import Analysis, analyse, detect, prefilter
from monitor.detect.rules import RuleSet, default_rules_path, load_rules, parse_rules

__all__ = [
    "Analysis",
    "RuleSet",
    "analyse",
    "default_rules_path",
    "detect",
    "load_rules",
    "parse_rules",
    "prefilter",
]
