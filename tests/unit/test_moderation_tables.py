"""The labelled evasion / innocent table (tests/data/moderation_cases.tsv) against the realistic
list (data/moderation): recall, false holds and the explanation of every match.

The design rows were written with the rules; the held-out rows after the rules were frozen.
Their measured misses are the known limits (docs/comments.md) and may not grow."""

from __future__ import annotations

import pytest

from shared.arabic import WordList
from tests.moderation_tables import load_cases, load_entries, score, word_list

CASES = load_cases()
# Held-out rows the frozen rules got wrong, kept in the table and documented, not tuned away:
# "khaen" (ي written e is not Arabizi, so that "ties" is not تيس), "لحوم الخنازير" (a news
# phrase no allowed phrase covers), "kalbi" (Arabizi k is also ق: قلبي, my heart).
KNOWN_HELDOUT_MISSES = {"khaen"}
KNOWN_HELDOUT_FALSE_HOLDS = {"ارتفاع أسعار لحوم الخنازير في أوروبا", "kalbi m3ak"}


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


def test_heldout_rows_stay_within_their_measured_limits(matcher: WordList) -> None:
    s = score(matcher, [c for c in CASES if c.split == "heldout"])
    assert {c.text for c in s.missed} <= KNOWN_HELDOUT_MISSES
    assert {c.text for c in s.wrongly_held} <= KNOWN_HELDOUT_FALSE_HOLDS
    assert s.recall >= 0.95


def test_whole_table_recall_and_precision(matcher: WordList) -> None:
    s = score(matcher, CASES)
    assert s.recall >= 0.95
    assert s.precision >= 0.98


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.label == "evasion"], ids=lambda c: f"{c.kind}:{c.text}"
)
def test_every_caught_evasion_explains_itself(matcher: WordList, case) -> None:  # type: ignore[no-untyped-def]
    found = [m for m in matcher.find(case.text) if m.word == case.word]
    if case.text in KNOWN_HELDOUT_MISSES:
        assert not found
        return
    assert found, case.kind
    match = found[0]
    assert match.form and match.form in case.text  # the form as written, not the folded one
    assert match.rules and match.action in ("spam", "hold")
    if case.kind in ("separators", "arabizi", "confusable", "broken_plural", "plural"):
        assert case.kind in match.rules, (case.text, match)
