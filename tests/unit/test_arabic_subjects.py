"""The predicate frame (X is a ...) counts only when X can be insulted: a person, a body or
what it publishes (الوزير, هالمذيعة, الصحفيين, الإعلامي), or a demonstrative; not a thing
or an abstraction, which fiqh, proverbs and fiction say ملعون or نجس of."""

from __future__ import annotations

import pytest

from shared.arabic import Entry, WordList
from shared.arabic.subjects import can_be_insulted

LIST = WordList(
    [
        Entry("ملعون", "hold", ("ملاعين",), ambiguous=True),
        Entry("نجس", "hold", ("أنجاس",), ambiguous=True),
        Entry("قرد", "hold", ("قرود",), ambiguous=True),
    ]
)


def _frames(text: str) -> list[str]:
    return [m.rules[-1] for m in LIST.find(text)]


@pytest.mark.parametrize(
    "text",
    [
        "قال الفقيه إن الدم المسفوح نجس بلا خلاف",
        "في كتب الفقه: الميتة نجسة والدباغ يطهر جلدها",
        "عند المالكية الروث نجس والبول كذلك",
        "في الرواية القديمة السيف ملعون ومن يحمله يهلك",
        "يردد الجد أن الطمع ملعون في كل زمان",
    ],
)
def test_a_predicate_of_a_thing_does_not_count(text: str) -> None:
    assert _frames(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "المعلق ملعون ومن يصدقه",
        "الوزير نجس ولا يستحي من نفسه",
        "والله الصحفيين ملاعين كلهم بدون استثناء",
        "هالمذيعة قردة بكل معنى الكلمة",
        "الإعلامي قرد يردد ما يقال له",
        "هذا ملعون ولا يؤتمن على شيء",
    ],
)
def test_a_predicate_of_someone_counts(text: str) -> None:
    assert "predicate" in _frames(text)


@pytest.mark.parametrize(
    ("word", "person"),
    [
        ("الناطق", True),  # speaks in the news (data/persons_ar.txt)
        ("المعلقون", True),
        ("الغنوشي", True),  # a family name: nisba
        ("الحكومة", True),
        ("الخمر", False),
        ("الدنيا", False),
        ("القانون", False),  # ends like a plural, is not one
    ],
)
def test_who_can_be_insulted(word: str, person: bool) -> None:
    from shared.arabic import fold

    assert can_be_insulted(fold(word)) is person
