"""What the lexicon builders share: the ANT corpus's words, field by field, and the file they
write (a header line, then one word a line)."""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from related_quality import DEFAULT_CORPUS

from shared.arabic import tokenize

__all__ = ["DEFAULT_CORPUS", "field_words", "write_lexicon"]


def field_words(path: Path) -> Iterator[list[str]]:
    """The normalized words of each article's title, abstract and text, one field at a time."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            for field in ("title", "abstract", "text"):
                yield tokenize(doc.get(field) or "")


def write_lexicon(
    path: Path, counts: Counter[str], *, min_count: int, keep: Callable[[str], bool], header: str
) -> None:
    """Write the words seen at least `min_count` times that `keep` accepts, sorted."""
    words = sorted(w for w, n in counts.items() if n >= min_count and keep(w))
    path.write_text(f"# {header}\n" + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {path}")
