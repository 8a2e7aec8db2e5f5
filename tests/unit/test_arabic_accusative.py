"""The indefinite accusative: a listed noun or adjective with its final alif (تنوين الفتح,
written ًا or just ا) is the word, as are its broken plurals with one (حميرا). An ambiguous word
in the accusative counts after a copula said of a person (صرتم, كنت, لا تكن, كونوا), or after
a copula and a subject (كان المذيع قردا); never as the object of a news verb (اشترى الفلاح
حمارا), which is accusative too."""

from __future__ import annotations

import pytest

from shared.arabic import Entry, WordList

LIST = WordList(
    [
        Entry("كذاب", "hold"),
        Entry("غبي", "hold", ("أغبياء",)),
        Entry("حقير", "hold"),
        Entry("زبالة", "hold", ambiguous=True),
        Entry("حمار", "hold", ("حمير",), ambiguous=True),
        Entry("كلب", "spam", ("كلاب",), ambiguous=True),
        Entry("قرد", "hold", ("قرود",), ambiguous=True),
    ]
)


def _found(text: str) -> dict[str, tuple[str, ...]]:
    return {m.word: m.rules for m in LIST.find(text)}


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("يبقى كذابا مهما حلف على المنبر", "كذاب"),
        ("لقد وجدناه غبيًّا في كل نقاش", "غبي"),  # shadda and tanween over the ي
        ("سيظل حقيرًا في عيون قرائه", "حقير"),
        ("ح ق ي ر ا و سيبقى", "حقير"),  # spelled out, the alif too
    ],
)
def test_a_listed_word_in_the_accusative_is_the_word(text: str, word: str) -> None:
    found = _found(text)
    assert word in found, found
    assert "accusative" in found[word]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("لا تكونوا قرودا تقلدون كل شيء", "قرد"),
        ("أصبحتم كلابا تنبح على كل مار", "كلب"),
        ("مازلت حمارا رغم كل الشهادات", "حمار"),
        ("بقيتم حميرا تحمل أسفارا لا تقرؤها", "حمار"),  # a broken plural with its alif
        ("كان المذيع قردا في تلك الحلقة", "قرد"),  # a copula, then a person, then the word
    ],
)
def test_an_ambiguous_accusative_counts_after_a_copula_of_a_person(text: str, word: str) -> None:
    found = _found(text)
    assert word in found, found
    assert {"copula", "predicate"} & set(found[word]), found


@pytest.mark.parametrize(
    "text",
    [
        "اشترى الفلاح حمارا من السوق الأسبوعية",  # the object of a verb, not a predicate
        "وجدت الشرطة كلبا تائها قرب المدرسة",
        "أهدت الجمعية الحديقة قردا صغيرا",
        "صار الماء زبالة بعد الفيضان وفق السكان",  # a copula of a thing, no person
        "رأيت كلابا كثيرة في الشارع صباح اليوم",
    ],
)
def test_an_accusative_object_or_a_copula_of_a_thing_does_not_count(text: str) -> None:
    assert _found(text) == {}


def test_words_that_cannot_take_the_alif_get_none() -> None:
    """ة, ى and و endings take no alif of the accusative (زبالة stays زبالة), nor a listed
    broken plural in ة (خونة)."""
    entries = [Entry("زبالة"), Entry("تفو"), Entry("حمقى"), Entry("خائن", forms=("خونة",))]
    assert WordList(entries).find("زبالا تفوا حمقىا خونا") == []
    assert [m.word for m in WordList(entries).find("ظل خائنا")] == ["خائن"]
