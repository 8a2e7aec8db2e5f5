"""Insult frames: when a listed word that is also a common noun (an animal: حمار, كلب, خنزير;
زبالة) is used as an insult. Such an entry is flagged `ambiguous` in the list; a match of it
counts only in one of these frames, named in the match's rules so the queue shows why:

- addressed: said to someone (يا حمار, أيها الخنزير, يا قرود, ya khanzir, enta 7mar);
- second_person: a "you" word near it (انت و امثالك كلاب, أنتم خنازير, شكلك خنزير, كلكم حمير);
- compared: a simile (زي الحمار, مثل الخنزير, متل البغل, كالكلب, kif el 7mar);
- insult_construct: son / children of (ابن الحمار, ولاد الكلب);
- predicate: an indefinite listed word right after a definite word or a demonstrative, which in
  Arabic is a sentence "X is a ..." (الكاتب حمار, هذا المعلق جحش), not a descriptive phrase
  (a definite head never takes an indefinite noun after it: سباق الحمير, الكلب الوفي);
- alone: the comment is at most three words (حمار, حمير!!, صرت بغل);
- next_to_listed: beside a match of a listed word that is not ambiguous (كلب حقير).

In a descriptive noun phrase (عضة كلب, الكلب الوفي ينتظر صاحبه, قطيع من الخنازير البرية) the
match does not count. A word spelled out letter by letter (ك-ل-ب) is an evasion whatever its
frame, so it is never subject to this test.

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from shared.arabic import readings

# Folded forms (أ إ آ are ا, ى is ي): the text is folded before it is cut into words.
_VOCATIVE = frozenset("يا ايها ايتها يالل ya ia yal ayuha".split())
_SON_OF = frozenset("ابن بن يابن ولد ولاد اولاد بنت بنات ibn ebn weld wlad bint bent".split())
_YOU = (
    frozenset("انت انتي انتو انتوا انتم انتما انتن نتا نتي نتوما انتا لك بك منك عنك فيك".split())
    | frozenset("عليك ليك معك لكم بكم منكم عنكم فيكم عليكم معكم".split())
    | (readings.ADDRESS - _VOCATIVE - _SON_OF)
)
_LIKE = frozenset(
    """زي زيه مثل متل مثله كمثل زيك مثلك متلك كانك كانه كانكم شبه يشبه تشبه
    zay zai zei zy zeyy mitl methl metl mithl kif kef kaif""".split()
)
_THIS = frozenset("هذا هذه هذي هاد هادا هادي هيدا هيدي هاذا دا ده دي هو هي هم هما".split())
# Words ending in ك that are not "your ...": demonstratives, adverbs, common nouns.
_NOT_YOUR = frozenset(
    """ذلك كذلك لذلك وكذلك هناك هنالك تلك ملك بنك سمك ديك مالك شريك مبارك سلك محرك فلك
    ترك شك شبك مسك منفك""".split()
)
# "your" (ك, كم): not كن or كما, which end لكن, يمكن, تسكن and كما (as) far more often
_YOUR = ("كم", "ك")
_MIN_STEM = 2  # letters before "your": حكم (ruling) carries none
_IN_CONTEXT = frozenset({"separators", "addressed", "next_to_listed"})
_WINDOW = 3  # words either side searched for a "you" word
_ALONE = 3  # words in a comment that is (nearly) just the insult


class Flagged(Protocol):
    @property
    def ambiguous(self) -> bool: ...


E = TypeVar("E", bound=Flagged)
Hits = dict[tuple[str, int, int], tuple[E, tuple[str, ...]]]  # (word, first, last word)


def framed(hits: Hits[E], frags: Sequence[str], seps: Sequence[str]) -> Hits[E]:
    """The hits of ambiguous entries kept only in an insult frame, which joins their rules; a
    word spelled out, or an Arabizi reading already in context, is kept as it is."""
    sure = {k for (_, i, j), (e, _) in hits.items() if not e.ambiguous for k in (i, j)}
    kept: Hits[E] = {}
    for (word, i, j), (entry, rules) in hits.items():
        if not entry.ambiguous or _IN_CONTEXT.intersection(rules):
            kept[(word, i, j)] = (entry, rules)
        elif (why := frame(frags, seps, (i, j), sure, "pronoun" in rules)) is not None:
            kept[(word, i, j)] = (entry, (*rules, why))
    return kept


def frame(
    frags: Sequence[str], seps: Sequence[str], span: tuple[int, int], sure: set[int], owned: bool
) -> str | None:
    """The insult frame of the ambiguous match on words span (first, last), or None (a
    descriptive use); owned: the word carries a possessive pronoun (وكلبهم), so is definite."""
    i, j = span
    before = frags[i - 1] if i else ""
    if before in _VOCATIVE or frags[i].startswith(("يال", "ya")):
        return "addressed"
    if before in _LIKE or frags[i].startswith(("كال", "وكال", "فكال")):
        return "compared"
    if before in _SON_OF or (i >= 2 and frags[i - 2] in _SON_OF and before in _VOCATIVE):
        return "insult_construct"
    if i - 1 in sure or j + 1 in sure:
        return "next_to_listed"
    if not owned and _predicate(frags, seps, i):
        return "predicate"
    near = [*frags[max(0, i - _WINDOW) : i], *frags[j + 1 : j + 1 + _WINDOW]]
    if any(_second_person(w) for w in near):
        return "second_person"
    return "alone" if len(frags) <= _ALONE else None


def _predicate(frags: Sequence[str], seps: Sequence[str], i: int) -> bool:
    """An indefinite word right after a definite one or a demonstrative, nothing but a space
    between them: "the writer (is a) donkey"."""
    if not i or seps[i].strip() or _definite(frags[i]):
        return False
    before = frags[i - 1]
    return before in _THIS or _definite(before) or before.startswith("هال")


def _definite(word: str) -> bool:
    return word.startswith(("ال", "وال", "فال", "بال", "لل")) and len(word) > 3


def _second_person(word: str) -> bool:
    """ "you", or a word carrying "your" (شكلك, عقلكم), not ذلك or هناك."""
    if word in _YOU:
        return True
    bare = word[1:] if word[0] in "وف" and len(word) > 3 else word  # ولذلك is ذلك
    if bare in _NOT_YOUR or _definite(word):
        return False
    return any(word.endswith(p) and len(word) - len(p) >= _MIN_STEM for p in _YOUR)
