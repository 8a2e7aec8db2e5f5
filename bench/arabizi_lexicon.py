"""Builds shared/arabic/data/lexicon_ar.txt: the Arabic words the Arabizi matcher treats as
other readings of a Latin word (kalbi reads كلبي or قلبي; قلب is a word, so kalbi alone is
ambiguous).

The words are the ANT news corpus v1.1 (Jawhara FM, Apache-2.0) tokens, normalized, with a
leading و and the article cut, kept when seen at least --min-count times.

Usage: arabizi_lexicon.py [CORPUS.jsonl.gz] [--min-count N]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from corpus_words import DEFAULT_CORPUS, field_words, write_lexicon

from shared.arabic.lexicon import LEXICON_PATH

_ARTICLES = ("وال", "بال", "كال", "فال", "لل", "ال")


def bare(token: str) -> str:
    """The token without a leading و (kept on short words) and the article."""
    if token.startswith("و") and len(token) >= 4:
        token = token[1:]
    for article in _ARTICLES:
        if token.startswith(article) and len(token) - len(article) >= 2:
            return token[len(article) :]
    return token


def count(path: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for words in field_words(path):
        counts.update(bare(w) for w in words if "\u0621" <= w[0] <= "\u064a")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--min-count", type=int, default=3)
    args = parser.parse_args()
    header = (
        f"Arabic words seen at least {args.min_count} times in the ANT news corpus v1.1 "
        "(Jawhara FM, Apache-2.0), normalized, leading و and article cut; built by "
        "bench/arabizi_lexicon.py"
    )
    write_lexicon(
        LEXICON_PATH, count(args.corpus), min_count=args.min_count,
        keep=lambda w: len(w) >= 2, header=header,
    )  # fmt: skip


if __name__ == "__main__":
    main()
