"""Common Arabic words (data/lexicon_ar.txt, built from the ANT news corpus by
bench/arabizi_lexicon.py): the innocent readings that make an Arabizi word ambiguous."""

from __future__ import annotations

from functools import cache
from pathlib import Path

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon_ar.txt"


@cache
def words() -> frozenset[str]:
    """The normalized words of the lexicon (read once per process)."""
    lines = LEXICON_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))
