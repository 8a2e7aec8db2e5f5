"""The labelled evasion / innocent table (tests/data/moderation_cases.tsv) against the realistic
list (data/moderation): recall, false holds and the explanation of every match.

The design rows were written with the rules; the held-out rows after the rules were frozen
(heldout2: before the second round of rules was built). Their measured misses are the known
limits (docs/comments.md) and may not grow."""

from __future__ import annotations

import pytest

from shared.arabic import WordList
from tests.moderation_tables import load_cases, load_entries, score, word_list

CASES = load_cases()
# Rows the rules get wrong, kept in the table and documented (docs/comments.md), not tuned
# away; each may only leave these sets.
KNOWN_MISSES = {
    "9a7ba",  # also reads صحبة (company); held when addressed (ya 9a7ba) or beside a listed word
}
# Held-out news sentences quoting a listed animal in a construct no allowed phrase covers.
KNOWN_FALSE_HOLDS = {
    "تربية الخنازير ممنوعة في البلاد",
    "عضة كلب تنقل طفلا إلى المستشفى",
    "سباق الحمير في مهرجان القرية",
    "نفوق عشرات الخنازير بسبب الحمى",
    "انتشار انفلونزا الطيور والخنازير",
    "إصابة راع بعضة كلب مسعور",
    "حمار الوحش في محمية دغومس",
    "تهريب القردة عبر الحدود الجنوبية",
    "منع دخول الكلاب إلى الشواطئ",
    "الكلب الوفي ينتظر صاحبه منذ سنوات",
    "وحدة الكلاب المدربة في المطار",
    "جلود الحمير تصدر إلى الصين",
}


@pytest.fixture(scope="module")
def matcher() -> WordList:
    return word_list()


def test_the_table_and_the_list_are_big_enough() -> None:
    assert len(load_entries()) >= 50
    assert sum(c.label == "evasion" for c in CASES) >= 100
    assert sum(c.label == "innocent" for c in CASES) >= 100
    assert {c.split for c in CASES} == {"design", "heldout", "heldout2"}


def test_design_rows_meet_the_targets(matcher: WordList) -> None:
    s = score(matcher, [c for c in CASES if c.split == "design"])
    assert s.recall >= 0.95, [c.text for c in s.missed]
    assert s.false_holds == 0, [c.text for c in s.wrongly_held]


@pytest.mark.parametrize("split", ["heldout", "heldout2"])
def test_heldout_rows_stay_within_their_measured_limits(matcher: WordList, split: str) -> None:
    s = score(matcher, [c for c in CASES if c.split == split])
    assert {c.text for c in s.missed} <= KNOWN_MISSES
    assert {c.text for c in s.wrongly_held} <= KNOWN_FALSE_HOLDS
    assert s.recall >= 0.95


def test_whole_table_recall_and_precision(matcher: WordList) -> None:
    s = score(matcher, CASES)
    assert s.recall >= 0.95
    assert s.precision >= 0.9


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.label == "evasion"], ids=lambda c: f"{c.kind}:{c.text}"
)
def test_every_caught_evasion_explains_itself(matcher: WordList, case) -> None:  # type: ignore[no-untyped-def]
    found = [m for m in matcher.find(case.text) if m.word == case.word]
    if case.text in KNOWN_MISSES:
        assert not found
        return
    assert found, case.kind
    match = found[0]
    assert match.form and match.form in case.text  # the form as written, not the folded one
    assert match.rules and match.action in ("spam", "hold")
    if case.kind in ("separators", "arabizi", "confusable", "broken_plural", "plural"):
        assert case.kind in match.rules, (case.text, match)
