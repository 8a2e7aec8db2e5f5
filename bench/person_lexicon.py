"""Builds shared/arabic/data/persons_ar.txt: nouns that can be the subject a listed word is
said of as an insult, learnt from the news as the nouns that speak in it.

A noun right after a verb of saying (قال الوزير, أكد المدرب, أوضح البيان) in the ANT news
corpus v1.1 (Jawhara FM, Apache-2.0), normalized and without its article, kept when seen at
least --min-count times: people (الوزير, الكاتب, الناطق), bodies (الحكومة, الوزارة, الحزب) and
what they publish (البيان, الصحيفة, التقرير). Things and abstractions (الخمر, الدنيا, المال,
الحرب) do not speak, so a predicate said of them is not held (shared/arabic/subjects.py). Time
words (قال اليوم) are left out.

Usage: person_lexicon.py [CORPUS.jsonl.gz] [--min-count N]
"""

from __future__ import annotations

import argparse
from collections import Counter
from itertools import pairwise
from pathlib import Path

from corpus_words import DEFAULT_CORPUS, field_words, write_lexicon

from shared.arabic.subjects import PERSONS_PATH

# normalized (ة is ه, ى is ي, hamza on a seat is its seat): a verb of saying, he and she
_SAYS = frozenset(
    """قال قالت اكد اكدت صرح صرحت اوضح اوضحت اضاف اضافت اشار اشارت اعلن اعلنت افاد افادت
    كشف كشفت دعا دعت طالب طالبت اعتبر اعتبرت شدد شددت""".split()
)
_TIME = frozenset("يوم اسبوع شهر عام سنه صباح مساء ليله امس".split())


def speakers(path: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for words in field_words(path):
        for verb, noun in pairwise(words):
            verb = verb[1:] if verb[0] in "وف" and len(verb) > 3 else verb
            if verb in _SAYS and noun.startswith("ال") and len(noun) > 4:
                counts[noun[2:]] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--min-count", type=int, default=3)
    args = parser.parse_args()
    header = (
        f"Nouns seen at least {args.min_count} times right after a verb of saying in the "
        "ANT news corpus v1.1 (Jawhara FM, Apache-2.0), normalized, article cut; built by "
        "bench/person_lexicon.py"
    )
    write_lexicon(
        PERSONS_PATH, speakers(args.corpus), min_count=args.min_count,
        keep=lambda w: w not in _TIME, header=header,
    )  # fmt: skip


if __name__ == "__main__":
    main()
