"""Words that are also common nouns (animals) count only in an insult frame: addressed,
"you" nearby, a simile, son of, a predicate of someone, (nearly) alone, beside another
listed word; never in a descriptive noun phrase. Spelled-out words count everywhere."""

from __future__ import annotations

import pytest

from shared.arabic import Entry, WordList

LIST = WordList(
    [
        Entry("كلب", "spam", ("كلاب",), ambiguous=True),
        Entry("حمار", "hold", ("حمير",), ambiguous=True),
        Entry("قرد", "hold", ("قرود",), ambiguous=True),
        Entry("حقير", "hold"),
    ]
)


def _why(text: str) -> list[tuple[str, str]]:
    return [(m.word, m.rules[-1]) for m in LIST.find(text)]


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("اسكت يا حمار", "addressed"),
        ("ايها القرود في الاستوديو", "addressed"),
        ("ya 7mar", "addressed"),
        ("انتم كلاب مأجورة والله", "second_person"),
        ("رايك يدل على عقلك يا جماعة حمير", "addressed"),  # يا, then a head noun
        ("يا شلة قرود", "addressed"),
        ("مديرك حمار ولا يفهم شيئا", "second_person"),  # "your ..." (is a) ...
        ("كلامكم كلام قرود من أوله لآخره", "second_person"),  # through a head noun
        ("جيرانك كلهم حمير وأنا أعرفهم", "second_person"),  # through "all of them"
        ("جريدتكم جريدة قرود منذ زمن", "second_person"),  # ة before "your" is ت
        ("والله انك كلب مأجور", "second_person"),  # "that you"
        ("نعرف لانكم قرود بلا عقول", "second_person"),
        ("تكتب مثل القرد في كل مقال", "compared"),
        ("وأنت كمثل الحمار في كل مقال", "second_person"),  # كمثل alone is not a frame
        ("يفهم كالحمار تماما والله", "compared"),
        ("روح يا ابن القرد", "insult_construct"),
        ("المحلل قرد بلا شك", "predicate"),
        ("هذا كلب مأجور معروف", "predicate"),
        ("حمار", "alone"),
        ("صحفي حمار", "alone"),
        ("هؤلاء الكلاب الحقيرة تكتب", "next_to_listed"),
        ("يا لك من قرد لا يخجل من نفسه", "exclaimed"),  # what a ...!
        ("يا لهم من كلاب لا يشبعون أبدا", "exclaimed"),
        ("فلا تكن حمارا في كل مرة يا صديقي", "copula"),  # don't be: لا, ولا, فلا
    ],
)
def test_an_insult_frame_makes_the_match_count_and_is_named(text: str, frame: str) -> None:
    assert frame in {why for _, why in _why(text)}, _why(text)


@pytest.mark.parametrize(
    "text",
    [
        "الحمار يحمل الحطب إلى القرية كل صباح",
        "عثر الحراس على قرد صغير في الغابة",
        "صور الكلاب في معرض الحيوانات الأليفة اليوم",
        "مربي الحمير يشكو غلاء الشعير هذا العام",
        "الدولة تمنع ذلك الكلب من دخول البناية",  # ذلك is not "your"
    ],
)
def test_a_descriptive_use_does_not_count(text: str) -> None:
    assert _why(text) == []


def test_a_word_spelled_out_counts_in_any_frame() -> None:
    assert [w for w, _ in _why("صور ك-ل-ب في معرض الحيوانات الأليفة")] == ["كلب"]


def test_a_possessed_word_is_not_a_predicate() -> None:
    assert _why("الجيران وكلبهم في الحديقة العامة") == []


def test_an_unflagged_word_needs_no_frame() -> None:
    assert _why("عثر الحراس على حقير في الغابة") == [("حقير", "exact")]


@pytest.mark.parametrize(
    "text",
    [
        "طالب بإحضار صاحب الكلب ولذلك بحث عنه",  # ولذلك is ذلك
        "كانت تسكن كوخا رفقة حمارها في الجبل",  # تسكن ends in كن, not "your"
        "لكن الكلب عاد إلى البيت بعد يومين",
        "كما عاد الكلب إلى البيت بعد يومين",
        "صدر حكم بحق صاحب الكلب أمس",  # حكم: no letters before a "your"
        # news words whose ك/كم is a root letter (the news lexicon holds them, not "your" forms)
        "يتحرك القرد ببطء نحو الزوار في الحديقة",
        "تفكيك شبكة لسرقة الكلاب في العاصمة",
        "تماسك القطيع أمام الكلاب البرية",
        "شارك الحمار في موكب العيد كل عام",
        # a "your" after the listed word belongs to another phrase
        "القرود تتحرك في جماعات كبيرة",
        "تهاجم القرود حقولكم كل ليلة",
        "إذا سقط الحمار في بئر أحدكم فلينقذه",
        # "your ..." then a verb: the listed word is its object, not said of "your ..."
        "جارك يربي كلاب صيد في الحديقة",
        # يا جماعة (hey, people) then a listed word heading a phrase of its own
        "يا جماعة كلب الجيران ينبح كل ليلة",
    ],
)
def test_words_that_merely_end_like_your_are_not_second_person(text: str) -> None:
    assert _why(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "مثلهم كمثل القرد يقلد ما يرى",
        "قال المفسر إن مثله كمثل الكلب في الآية",
    ],
)
def test_the_quranic_simile_kamathal_is_a_quotation_not_an_insult(text: str) -> None:
    """كمثل (the Quran's doubled simile: كمثل الحمار يحمل أسفارا) is quoted, not insulted with;
    comments compare with زي, مثل, متل or كالـ."""
    assert _why(text) == []


def test_an_insult_cursing_your_parents_after_the_word_counts() -> None:
    assert ("حمار", "insult_construct") in _why("والله حمار ابوك على هالكلام يا رجل")
