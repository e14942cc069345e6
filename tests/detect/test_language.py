"""Language identification: lingua among the loaded packs' languages, Latin runs set aside
when much of the text is in another script."""

from __future__ import annotations

import pytest

from monitor.detect import load_rules
from monitor.detect.language import identify

LANGUAGES = load_rules(None).languages

# Sentences written for these tests: an English headline or kicker over text in another
# script, as some outlets title their pages, and the other way round.
CASES = [
    ("Prime Minister praises the missile team | प्रधानमंत्री ने मिसाइल टीम की सराहना की।", "hi"),
    ("Seoul says Pyongyang launched again | 합참은 북한이 오늘 미사일을 쐈다고 밝혔다", "ko"),
    ("Israel Defense Forces statement on Yemen launch | צה״ל: טיל שוגר מתימן ויורט", "he"),
    ("Tehran Times reports new test | ایران موشک جدید را آزمایش کرد", "fa"),
    ("Pakistan Army ISPR press release today | پاکستان نے میزائل کا کامیاب تجربہ کیا", "ur"),
    ("Xinhua English service report on test | 朝鲜发射导弹", "zh"),
    ("Ministry of Defense Japan press briefing | 防衛省は北朝鮮がミサイルを発射したと発表", "ja"),
    # English that quotes a name in its own script stays English
    (
        "North Korea's state news agency KCNA (조선중앙통신) said on Friday that the country "
        "had test-fired a new solid-fuel missile off its east coast.",
        "en",
    ),
    ("La Corea del Nord ha lanciato un missile balistico verso il mare del Giappone.", "it"),
]


@pytest.mark.parametrize(("text", "language"), CASES)
def test_identifies_the_language_of_mixed_script_text(text: str, language: str) -> None:
    assert identify(text, LANGUAGES) == language


# Short headlines (no lead) that identification gives to a neighbouring language; written for
# these tests. The identified language's rules find nothing, so the runners-up are read.
HEADLINES = [
    ("Iran, pioggia di missili e droni su Israele", "it", "iran"),
    ("Pyongyang lancia missile balistico", "it", "north-korea"),  # read as pt, pt rejects it
    ("Seul: Pyongyang ha lanciato un missile", "it", "north-korea"),  # read as fr
    ("L'Iran ha lanciato centinaia di missili balistici contro Israele", "it", "iran"),  # pt
]


@pytest.mark.parametrize("repeated", [False, True], ids=["headline alone", "lead repeats it"])
@pytest.mark.parametrize(("title", "language", "actor"), HEADLINES)
def test_a_headline_taken_for_a_neighbour_is_read_by_the_runner_up(
    title: str, language: str, actor: str, repeated: bool
) -> None:
    """Also when the text is the headline again (a title made of a one-sentence lead): the
    headline counts once towards what is too short to identify surely."""
    from datetime import UTC, datetime

    from monitor.detect import analyse
    from monitor.models import Article

    rules = load_rules(None)
    article = Article(
        id=title,
        url="https://news.example/a",
        outlet="news.example",
        title=title,
        text=title if repeated else "",
        published=datetime(2024, 10, 1, 20, 0, tzinfo=UTC),
    )
    found = analyse(article, rules)
    assert found.detection is not None, found.lines
    assert (found.language, found.detection.actor) == (language, actor)


def test_a_headline_the_text_opens_with_is_not_read_twice() -> None:
    """A title made of the lead's first sentence: read twice, that sentence alone decides (and
    this one, all Latin roots, reads as Italian); read once, the rest of the lead has its say."""
    from monitor.detect.engine import language_of
    from monitor.models import Article

    title = (
        "Operational intercontinental ballistic missile test launch of an unarmed Minuteman III "
        "is set for 1:00 a."
    )
    text = (
        f"{title}m. on Wednesday from the base. The window was announced by the command in a "
        "statement to reporters."
    )
    rules = load_rules(None)
    assert identify(f"{title}\n{text}", LANGUAGES) == "it"  # what reading it twice gives
    article = Article(id="a", outlet="o", title=title, text=text, url=None, published=None)
    assert language_of(article, rules) == "en"


def test_a_text_taken_for_a_neighbour_without_a_trigger_word_is_read_by_the_neighbour() -> None:
    """Portuguese with a byline and an upper-case dateline, identified as Spanish: the Spanish
    rules see no word for a launch ("míssil"), so the Portuguese rules read it. Written for
    this test."""
    from datetime import UTC, datetime

    from monitor.detect import analyse
    from monitor.detect.engine import language_of
    from monitor.models import Article

    rules = load_rules(None)
    article = Article(
        id="pt-as-es",
        url="https://news.example/a",
        outlet="news.example",
        title="Míssil disparado por houthis do Iêmen cai perto de aeroporto de Israel",
        text="Por Carlos Mendes\n\nAEROPORTO BEN GURION, ISRAEL (Agencia) - Um míssil disparado "
        "pelos rebeldes Houthi do Iêmen contra Israel no domingo caiu perto do terminal do "
        "aeroporto.",
        published=datetime(2025, 5, 4, 12, 0, tzinfo=UTC),
    )
    assert language_of(article, rules) == "es"  # what makes this case: the neighbour is taken
    found = analyse(article, rules)
    assert found.detection is not None, found.lines
    assert (found.language, found.detection.actor) == ("pt", "yemen-houthis")
