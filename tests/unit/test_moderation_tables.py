"""The labelled evasion / innocent table (tests/data/moderation_cases.tsv) against the realistic
list (data/moderation): recall, false holds and the explanation of every match.

The design rows were written with the rules; the held-out rows after the rules were frozen
(heldout2: before the second round of rules was built; heldout3: before the third, and never
used to tune it; heldout4: before the fourth, which fixed heldout3's known false holds;
heldout5: before the fifth: spam words in adverts only, the subject of a predicate, the
accusative). Their measured misses are the known limits (docs/comments.md) and may not grow."""

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
# heldout5, written before the fifth round: recall 16/38 on the fourth round's rules (no
# accusative), 33/38 after it. Left: a 3rd-person copula whose subject follows (أصبح كلبا ...
# هذا الصحفي: أصبح is said of things too), "I see you" أراك (a news word: the lexicon holds
# it, so its ك is not read as "you"), an Arabizi accusative read as a dual (kalban), and a call
# to action with an object pronoun (حمله الآن).
KNOWN_MISSES |= {
    "أصبح كلبا للسلطة هذا الصحفي",
    "أراك خنزيرا في كل ما تكتب",
    "أراك كلبا مسعورا تنبح على الناس",
    "enta sert kalban lel hokoma",
    "تطبيق مراهنات 1xbet بالعربي حمله الآن من الرابط",
}
# Held-out innocents the rules hold, as measured. heldout3's six were fixed by the fourth
# round; heldout4's five (spam words quoted in gambling news, a predicate of something that is
# not a person: الدنيا ملعونة, عرق الحيوان نجس, المشركون نجس) by the fifth: spam words that are
# news count only in adverts, and a predicate only of a subject that can be insulted.
KNOWN_FALSE_HOLDS: set[str] = set()
# heldout5: 26 of 38 innocents held on the fourth round's rules (spam words anywhere, the
# predicate of a thing), 1 after the fifth (gambling news citing its source by a link), 0
# since a link to a news site is a source, not an advert's link (a rule made after that row
# was seen: heldout5 is no longer blind on it).
SPLITS = ["heldout", "heldout2", "heldout3", "heldout4", "heldout5"]
# Splits whose recall is below the target on the rules as they stand (strict: fixed -> fails):
# heldout5 at 33/38 (0.87), its misses above
BELOW_TARGET = {"heldout5"}


@pytest.fixture(scope="module")
def matcher() -> WordList:
    return word_list()


def test_the_table_and_the_list_are_big_enough() -> None:
    assert len(load_entries()) >= 50
    assert sum(c.label == "evasion" for c in CASES) >= 100
    assert sum(c.label == "innocent" for c in CASES) >= 100
    assert {c.split for c in CASES} == {"design", *SPLITS}


def test_design_rows_meet_the_targets(matcher: WordList) -> None:
    s = score(matcher, [c for c in CASES if c.split == "design"])
    assert s.recall >= 0.95, [c.text for c in s.missed]
    assert s.false_holds == 0, [c.text for c in s.wrongly_held]


@pytest.mark.parametrize("split", SPLITS)
def test_heldout_rows_stay_within_their_measured_limits(matcher: WordList, split: str) -> None:
    s = score(matcher, [c for c in CASES if c.split == split])
    assert {c.text for c in s.missed} <= KNOWN_MISSES
    assert {c.text for c in s.wrongly_held} <= KNOWN_FALSE_HOLDS


@pytest.mark.parametrize(
    "split",
    [
        pytest.param(s, marks=pytest.mark.xfail(strict=True)) if s in BELOW_TARGET else s
        for s in SPLITS
    ],
)
def test_heldout_recall_meets_the_target(matcher: WordList, split: str) -> None:
    assert score(matcher, [c for c in CASES if c.split == split]).recall >= 0.95


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
    "exclaimed",
    "copula",
    "second_person",
    "compared",
    "insult_construct",
    "predicate",
    "alone",
    "next_to_listed",
}
