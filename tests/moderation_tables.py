"""The realistic moderation list (data/moderation) and the labelled evasion / innocent table
(tests/data/moderation_cases.tsv), shared by the unit test and bench/moderation_matching.py."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from shared.arabic import Entry, WordList

ROOT = Path(__file__).resolve().parents[1]
WORDLIST = ROOT / "data" / "moderation" / "wordlist_ar.tsv"
ALLOWED = ROOT / "data" / "moderation" / "allowed_ar.txt"
CASES = ROOT / "tests" / "data" / "moderation_cases.tsv"


@dataclass(frozen=True)
class Case:
    # design: written with the rules; heldout: written after they were frozen; heldout2: written
    # before the second round (inflected allowed phrases, Arabizi ambiguity, hamza) was built;
    # heldout3: written before the third round (ambiguous words in insult frames) was built;
    # heldout4: written before the fourth round (the known false holds of heldout3) was built;
    # heldout5: written before the fifth (spam words only in adverts, a predicate's subject,
    # the accusative)
    split: str
    label: str  # evasion or innocent
    kind: str  # the evasion class, or why the innocent text looks suspicious
    word: str  # the listed word an evasion must be found as
    text: str


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_entries(path: Path = WORDLIST) -> list[Entry]:
    return [
        Entry(
            r["word"],
            r["action"],
            tuple(f for f in r["forms"].split(";") if f),
            ambiguous=r.get("ambiguous") == "yes",
            advert=r.get("advert") == "yes",
        )
        for r in _rows(path)
    ]


def load_allowed(path: Path = ALLOWED) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def load_cases(path: Path = CASES) -> list[Case]:
    return [Case(r["split"], r["label"], r["class"], r["word"], r["text"]) for r in _rows(path)]


def word_list() -> WordList:
    return WordList(load_entries(), load_allowed())


@dataclass(frozen=True)
class Scores:
    caught: int
    evasions: int
    false_holds: int
    innocents: int
    missed: list[Case]
    wrongly_held: list[Case]

    @property
    def recall(self) -> float:
        return self.caught / self.evasions if self.evasions else 1.0

    @property
    def precision(self) -> float:
        held = self.caught + self.false_holds
        return self.caught / held if held else 1.0


def score(matcher: WordList, cases: list[Case]) -> Scores:
    """An evasion counts when its listed word is found; an innocent text must find nothing."""
    missed, wrong = [], []
    for case in cases:
        words = {m.word for m in matcher.find(case.text)}
        if case.label == "evasion" and case.word not in words:
            missed.append(case)
        elif case.label == "innocent" and words:
            wrong.append(case)
    evasions = sum(c.label == "evasion" for c in cases)
    innocents = len(cases) - evasions
    return Scores(evasions - len(missed), evasions, len(wrong), innocents, missed, wrong)
