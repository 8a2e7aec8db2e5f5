"""Builds shared/arabic/data/lexicon_ar.txt: the Arabic words the Arabizi matcher treats as
other readings of a Latin word (kalbi reads كلبي or قلبي; قلب is a word, so kalbi alone is
ambiguous).

The words are the ANT news corpus v1.1 (Jawhara FM, Apache-2.0) tokens, normalized, with a
leading و and the article cut, kept when seen at least --min-count times.

Usage: arabizi_lexicon.py [CORPUS.jsonl.gz] [--min-count N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.arabic import tokenize
from shared.arabic.lexicon import LEXICON_PATH

CORPUS = Path("/work/shared/data/ant-corpus-v1.1/articles.jsonl.gz")
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
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            for field in ("title", "abstract", "text"):
                words = tokenize(doc.get(field) or "")
                counts.update(bare(w) for w in words if "\u0621" <= w[0] <= "\u064a")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--min-count", type=int, default=3)
    args = parser.parse_args()
    counts = count(args.corpus)
    words = sorted(w for w, n in counts.items() if n >= args.min_count and len(w) >= 2)
    header = (
        f"# Arabic words seen at least {args.min_count} times in the ANT news corpus v1.1 "
        "(Jawhara FM, Apache-2.0), normalized, leading و and article cut; built by "
        "bench/arabizi_lexicon.py\n"
    )
    LEXICON_PATH.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {LEXICON_PATH}")


if __name__ == "__main__":
    main()
