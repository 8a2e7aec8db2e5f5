"""The labelled evasion / innocent table (tests/data/moderation_cases.tsv) against the realistic
list (data/moderation): recall, false holds and the explanation of every match.

The design rows were written with the rules; the held-out rows after the rules were frozen
(heldout2: before the second round of rules was built; heldout3: before the third, and never
used to tune it; heldout4: before the fourth, which fixed heldout3's known false holds). Their
measured misses are the known limits (docs/comments.md) and may not grow."""

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
# Held-out innocents the rules hold, as measured. heldout3's six (قمار, ملعون, نجس not flagged
# ambiguous, a "your" read into تحكم or a quoted hadith's أحدكم, the Quran's كمثل) were fixed
# by the fourth round; heldout4, written before that round, is measured after it without tuning
# on it (22 of 52 held before, these 5 after): spam words quoted in gambling news (مراهنات,
# كازينو), and a predicate of something that is not a person (الدنيا ملعونة, المشركون نجس, عرق
# الحيوان نجس: the predicate frame does not know who its subject is).
KNOWN_FALSE_HOLDS = {
    "فضيحة مراهنات تهز الدوري الإيطالي وتوقيف ثلاثة لاعبين",
    "كازينو لبنان يعيد فتح أبوابه بعد سنتين من الإغلاق",
    "في الحديث: الدنيا ملعونة ملعون ما فيها إلا ذكر الله",
    "قوله تعالى إنما المشركون نجس فلا يقربوا المسجد الحرام",
    "برنامج الفتاوى: هل عرق الحيوان نجس أم طاهر؟",
}


@pytest.fixture(scope="module")
def matcher() -> WordList:
    return word_list()


def test_the_table_and_the_list_are_big_enough() -> None:
    assert len(load_entries()) >= 50
    assert sum(c.label == "evasion" for c in CASES) >= 100
    assert sum(c.label == "innocent" for c in CASES) >= 100
    assert {c.split for c in CASES} == {"design", "heldout", "heldout2", "heldout3", "heldout4"}


def test_design_rows_meet_the_targets(matcher: WordList) -> None:
    s = score(matcher, [c for c in CASES if c.split == "design"])
    assert s.recall >= 0.95, [c.text for c in s.missed]
    assert s.false_holds == 0, [c.text for c in s.wrongly_held]


@pytest.mark.parametrize("split", ["heldout", "heldout2", "heldout3", "heldout4"])
def test_heldout_rows_stay_within_their_measured_limits(matcher: WordList, split: str) -> None:
    s = score(matcher, [c for c in CASES if c.split == split])
    assert {c.text for c in s.missed} <= KNOWN_MISSES
    assert {c.text for c in s.wrongly_held} <= KNOWN_FALSE_HOLDS
    assert s.recall >= 0.95


def test_whole_table_recall_and_precision(matcher: WordList) -> None:
    s = score(matcher, CASES)
    assert s.recall >= 0.95
    assert s.precision >= 0.95


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


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.label == "evasion" and c.kind != "separators"],
    ids=lambda c: f"{c.kind}:{c.text}",
)
def test_an_ambiguous_word_is_caught_through_a_named_frame(matcher: WordList, case) -> None:  # type: ignore[no-untyped-def]
    found = [m for m in matcher.find(case.text) if m.word == case.word]
    ambiguous = {e.word for e in load_entries() if e.ambiguous}
    if case.word not in ambiguous or not found:
        return
    assert set(found[0].rules) & FRAMES, (case.text, found[0].rules)


FRAMES = {
    "addressed",
    "second_person",
    "compared",
    "insult_construct",
    "predicate",
    "alone",
    "next_to_listed",
}
