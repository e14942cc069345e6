"""Sentence splitting: a full stop after an abbreviation does not end a sentence, in the
languages the packs read; one that ends a sentence still does."""

from __future__ import annotations

import pytest

from monitor.detect.text import document, split_sentences


def sentences(text: str) -> list[str]:
    return [text[a:b].strip() for a, b in split_sentences(text, 0, len(text))]


# Sentences written for these tests.
@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("The U.S. Navy said two missiles were fired. Japan protested.", 2),
        ("Alarm ogłoszono po godz. 5 rano. Rakiety leciały nad obwodami.", 2),
        ("Rakieta przeleciała ok. 300 km. Spadła do morza.", 2),
        ("Es wurden ca. 20 Raketen abgefeuert. Die Abwehr fing die meisten ab.", 2),
        ("El Sr. López confirmó el lanzamiento. Corea del Norte no comentó.", 2),
        ("Погибли более 2 тыс. человек. Обстрел продолжался всю ночь.", 2),
        ("Füzeyi Makine ve Kimya A.Ş. Ankara tesislerinde üretti. Test atışı sabah yapıldı.", 2),
        # a full stop after a word that is no abbreviation still ends the sentence
        ("Pjongjang wystrzelił rakietę w 2024 r. Japonia protestowała.", 2),
        ("The launch went on. Seoul said it was tracking it.", 2),
    ],
)
def test_abbreviations_do_not_end_a_sentence(text: str, count: int) -> None:
    assert len(sentences(text)) == count, sentences(text)


# A lead that says the headline again hands the lead on; one that says more keeps it.
@pytest.mark.parametrize(
    ("title", "body", "lead"),
    [
        ("Tensions rise at sea", "Tensions rise at sea. Ukraine hit a patrol ship.", "Ukraine hit"),
        (
            "Tensions rise at sea!",
            "tensions  rise at sea. Ukraine hit a patrol ship.",
            "Ukraine hit",
        ),
        (
            "Tensions rise",
            "Tensions rise at sea. Ukraine hit a patrol ship.",
            "Tensions rise at sea",
        ),
        ("国防部发布声明。", "国防部发布声明。火箭军发射一枚导弹。", "火箭军"),
    ],
)
def test_a_lead_that_repeats_the_headline_hands_the_lead_on(
    title: str, body: str, lead: str
) -> None:
    doc = document(title, body)
    leads = [doc.text[s.start : s.end].strip() for s in doc.sentences if s.position == "lead"]
    assert leads[-1].startswith(lead), leads


# A place, a comma and a day of a named month, alone, is a dateline: the lead is the sentence
# after it; a day beside anything else ("12 dead") is a sentence of the news.
@pytest.mark.parametrize(
    ("body", "language", "lead"),
    [
        ("Tel Aviv, 18 June. Iran fired a new salvo overnight.", "en", "Iran fired"),
        ("तेल अवीव, 18 जून। ईरान ने रात में मिसाइलें दागीं।", "hi", "ईरान ने"),
        ("Kiew, 18. Juni (dpa). Russland feuerte Raketen ab.", "de", "Russland"),
        ("Rio de Janeiro, 5 de maio. O Irã lançou mísseis.", "pt", "O Irã"),
        ("On Sunday, 12 dead. Russia struck the city with missiles.", "en", "On Sunday"),
        ("Last night, 40 missiles. Russia struck the city again.", "en", "Last night"),
    ],
)
def test_a_place_and_a_day_alone_is_a_dateline(body: str, language: str, lead: str) -> None:
    doc = document("Another night", body, language)
    leads = [doc.text[s.start : s.end].strip() for s in doc.sentences if s.position == "lead"]
    assert leads[-1].startswith(lead), leads
