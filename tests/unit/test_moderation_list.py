"""The realistic list (data/moderation) on words with an innocent use in news or religion:
قمار (gambling, a news topic), ملعون (cursed: إبليس, a hadith's ملعون من ...), نجس (impure, a
term of fiqh) are flagged ambiguous, so they count only in an insult frame."""

from __future__ import annotations

import pytest

from shared.arabic import WordList
from tests.moderation_tables import load_entries, word_list


@pytest.fixture(scope="module")
def matcher() -> WordList:
    return word_list()


def test_words_with_news_and_religious_uses_are_flagged_ambiguous() -> None:
    flagged = {e.word for e in load_entries() if e.ambiguous}
    assert {"قمار", "ملعون", "نجس"} <= flagged


@pytest.mark.parametrize(
    "text",
    [
        "ارتفاع عدد المدمنين على القمار في المغرب",
        "السلطات تغلق صالة قمار غير مرخصة في الضاحية",
        "قال الواعظ إن الشيطان الملعون يوسوس للناس",
        "خطيب المسجد ذكر بحديث ملعون من غير منار الأرض",
        "الخنزير نجس عند جمهور الفقهاء",  # said of the animal, not of a person
        "سألوا الشيخ عن الكلب هل هو نجس أم لا",
    ],
)
def test_news_and_religious_uses_pass(matcher: WordList, text: str) -> None:
    assert matcher.find(text) == []


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("يا ملعون", "ملعون"),
        ("انت ملعون ومن معك", "ملعون"),
        ("ملاعين", "ملعون"),
        ("والله ملعون ابوك على هالتعليق يا رجل", "ملعون"),
        ("يا نجس", "نجس"),
        ("انتم انجاس ولا تستحون", "نجس"),
        ("الكاتب نجس", "نجس"),
        ("قمار", "قمار"),
    ],
)
def test_insults_with_them_are_held(matcher: WordList, text: str, word: str) -> None:
    assert word in {m.word for m in matcher.find(text)}


def test_spam_words_that_are_news_are_flagged_advert() -> None:
    flagged = {e.word for e in load_entries() if e.advert}
    assert {"كازينو", "مراهنات", "casino", "فياغرا", "viagra"} <= flagged
    assert not {"سكس", "porn", "شيخ روحاني"} & flagged  # spam in any comment


@pytest.mark.parametrize(
    "text",
    [
        "هيئة الرقابة تسحب ترخيص كازينو في العقبة",
        "مدرب المنتخب ينفي تورط لاعبيه في المراهنات",
        "الفياغرا دواء لا يصرف إلا بوصفة طبية",
        "ملف المراهنات يعود إلى البرلمان بعد ثلاث سنوات من الجدل",
    ],
)
def test_gambling_and_drug_news_passes(matcher: WordList, text: str) -> None:
    assert matcher.find(text) == []


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("كازينو بدون ايداع اضغط هنا واربح", "كازينو"),
        ("مراهنات مباشرة على الدوري للتواصل 0666123456", "مراهنات"),
        ("فياغرا اصلية توصيل لكل المدن www.pharma-x.net", "فياغرا"),
        ("best casino bonus, join now", "casino"),
    ],
)
def test_adverts_with_them_are_spam(matcher: WordList, text: str, word: str) -> None:
    assert word in {m.word for m in matcher.find(text) if m.action == "spam"}
