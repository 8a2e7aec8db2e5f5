"""Whether an Arabizi word is surely a listed word: Latin letters stand for several Arabic
letters (k for ك or ق, 9 for ق or ص, s for س or ص, d for د or ض ...), so kalbi reads كلبي
(my dog) and قلبي (my heart), 9ard reads قرد (monkey) and قرض (loan), 3ars عرص (pimp) and عرس
(wedding). A reading is unambiguous when no other reading is a common Arabic word (the
lexicon) and it needs no feminine ending (tissa is French before it is تيسة); an ambiguous
one counts only where the comment addresses someone with it (ya kalb, enta 3ars, not kalbi
"my ...") or next to another listed word.

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from functools import cache
from itertools import product

from shared.arabic import arabizi, lexicon

# Words that address someone just before an insult: vocative, "you", "son/daughter of".
ADDRESS = frozenset(
    """ya ia yal enta inta anta ente enti inti anti ento entu into intu entom entoma intom
    antom antum nta nti ntaya ntiya ntouma ntoma ntuma inte ibn ebn weld wlad bint bent
    يا انت انتي انتم انتما انتن ابن بنت ولد اولاد""".split()
)
_MAX_ALTERNATIVES = 512


@cache
def _partners() -> dict[str, tuple[str, ...]]:
    """Each Arabic letter: the other letters that share one of its Latin spellings."""
    spellings = {ch: set(alts.replace("\\", "").split("|")) for ch, alts in arabizi.LETTERS.items()}
    spellings["ء"] = {"2", "'"}
    spellings["ا"] = {"2"}  # أرض = 2ard, like قرد
    return {
        ch: tuple(other for other, theirs in spellings.items() if other != ch and mine & theirs)
        for ch, mine in spellings.items()
    }


def alternatives(word: str) -> Iterator[str]:
    """The other Arabic words a Latin spelling of word may stand for (letters swapped for
    letters sharing a spelling; none when there would be too many)."""
    partners = _partners()
    choices = [(ch, *partners.get(ch, ())) for ch in word]
    count = 1
    for choice in choices:
        count *= len(choice)
    if count > _MAX_ALTERNATIVES:
        return
    for letters in product(*choices):
        other = "".join(letters)
        if other != word:
            yield other


def ambiguous(reading: arabizi.Reading, listed: Collection[str]) -> bool:
    """Whether the Latin word also reads as a common word that is not listed, or only
    through a feminine ending, which French verbs share (tissa, oublia)."""
    if reading.ending in arabizi.FEMININE:
        return True
    common = lexicon.words()
    for other in alternatives(reading.word):
        if other in common and other not in listed:
            pattern = arabizi.word_regex(other)
            if pattern is not None and pattern.fullmatch(reading.latin):
                return True
    return False


def addressed(reading: arabizi.Reading) -> bool:
    """Said to someone by the word itself: a vocative clitic (yakalb), not "my" (kalbi)."""
    return reading.prefix in arabizi.VOCATIVE_PREFIXES and not mine(reading)


def mine(reading: arabizi.Reading) -> bool:
    """The word ends in "my" (kalbi, 3arsi): a possession, never an address."""
    return reading.ending in arabizi.FIRST_PERSON
