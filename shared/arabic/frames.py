"""Insult frames: when a listed word that is also a common noun (an animal: حمار, كلب, خنزير;
زبالة) or a word of news and religion (قمار, ملعون, نجس) is used as an insult. Such an entry is
flagged `ambiguous` in the list; a match of it counts only in one of these frames, named in the
match's rules so the queue shows why:

- addressed: said to someone (يا حمار, أيها الخنزير, يا قرود, يا شلة قرود, ya khanzir);
- exclaimed: "what a ...!" (يا لك من قرد, يا له من حمار);
- copula: after a copula said of a person (صرتم قرودا, كنت حمارا, فلا تكن جحشا, كونوا
  قرودا: subjects.copula_of_person), not after كان/صار alone, said of things too;
- second_person: a "you" word near it (انت, أنتم, إنك, enta: انت و امثالك كلاب, أنتم خنازير),
  or a noun carrying "your" as the subject it is said of (شكلك خنزير, كلكم حمير, وجهك وجه قرد);
- compared: a simile (زي الحمار, مثل الخنزير, متل البغل, كالكلب, kif el 7mar);
- insult_construct: son / children of (ابن الحمار, ولاد الكلب), or cursing "your" parents
  after it (ملعون ابوك);
- predicate: an indefinite listed word right after a definite word or a demonstrative, which in
  Arabic is a sentence "X is a ..." (الكاتب حمار, هذا المعلق جحش), not a descriptive phrase
  (a definite head never takes an indefinite noun after it: سباق الحمير, الكلب الوفي); the
  subject must be someone who can be insulted (a person, a body or what it publishes:
  subjects.can_be_insulted), not a thing (الخمر نجسة, الفقر ملعون) nor a listed noun (الكلب
  نجس, said of the animal); in the accusative only after a copula (كان الكاتب حمارا), since
  after a definite word it is a verb's object (اشترى الفلاح حمارا);
- alone: the comment is at most three words (حمار, حمير!!, صرت بغل);
- next_to_listed: beside a match of a listed word that is not ambiguous (كلب حقير).

A "your" is read only in a noun said of the listed word (before it, the listed word
indefinite), never in a neighbouring word that merely ends in ك/كم: news words whose ك is a root
letter (معارك, سلوك, تحكم: the news lexicon holds them, as it holds no "your" form), or a "your"
after the listed word (الخنازير تحكم, إناء أحدكم). كمثل, the Quran's doubled simile (كمثل الحمار
يحمل أسفارا), is a quotation, not a frame. In a descriptive noun phrase (عضة كلب, الكلب الوفي
ينتظر صاحبه) the match does not count. A word spelled out letter by letter (ك-ل-ب) is an
evasion whatever its frame, so it is never subject to this test.

Arabic letters in strings and comments are intended, not Latin look-alikes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from shared.arabic import lexicon, readings, subjects

# Folded forms (أ إ آ are ا, ى is ي): the text is folded before it is cut into words.
_VOCATIVE = frozenset("يا ايها ايتها يالل ya ia yal ayuha".split())
_SON_OF = frozenset("ابن بن يابن ولد ولاد اولاد بنت بنات ibn ebn weld wlad bint bent".split())
_YOU = (
    frozenset("انت انتي انتو انتوا انتم انتما انتن نتا نتي نتوما انتا لك بك منك عنك فيك".split())
    | frozenset("عليك ليك معك لكم بكم منكم عنكم فيكم عليكم معكم".split())
    | frozenset("انك انكي انكم انكما انكن لانك لانكم بانك بانكم".split())  # "that you"
    | (readings.ADDRESS - _VOCATIVE - _SON_OF)
)
_LIKE = frozenset(
    """زي زيه مثل متل مثله زيك مثلك متلك كانك كانه كانكم شبه يشبه تشبه
    zay zai zei zy zeyy mitl methl metl mithl kif kef kaif""".split()
)
# "your" parents, cursed after the word: ملعون ابوك, حمار ابوك
_PARENTS = frozenset("ابوك ابوكي ابوكم امك امكي امكم والديك والديكم اهلك اهلكم".split())
_ALL = frozenset("كلهم كلكم كلك كلهن جميعكم جميعهم".split())  # "all of them / you"
_GROUP = frozenset("شله شويه قطيع عصابه مجموعه جماعه زمره حفنه".split())  # folded: ة is ه
_HE = frozenset("هو هي هم هما".split())
# what a ...! (يا لك من قرد): يا, ل with a pronoun, من
_WHAT_A = frozenset("لك لكي لكم له لها لهم".split())
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
    nouns = {k for (_, i, j), (e, _) in hits.items() if e.ambiguous for k in (i, j)}
    text = _Text(frags, seps, sure, nouns)
    kept: Hits[E] = {}
    for (word, i, j), (entry, rules) in hits.items():
        if not entry.ambiguous or _IN_CONTEXT.intersection(rules):
            kept[(word, i, j)] = (entry, rules)
        elif (why := frame(text, (i, j), "pronoun" in rules, "accusative" in rules)) is not None:
            kept[(word, i, j)] = (entry, (*rules, why))
    return kept


@dataclass(frozen=True)
class _Text:
    frags: Sequence[str]
    seps: Sequence[str]
    sure: set[int]  # words matched by an entry that is not ambiguous
    nouns: set[int]  # words matched by an ambiguous entry


def frame(text: _Text, span: tuple[int, int], owned: bool, accusative: bool) -> str | None:
    """The insult frame of the ambiguous match on words span (first, last), or None (a
    descriptive use); owned: the word carries a possessive pronoun (وكلبهم), so is definite;
    accusative: it ends in the alif of the accusative (حمارا)."""
    frags, (i, j) = text.frags, span
    before = frags[i - 1] if i else ""
    after = frags[j + 1] if j + 1 < len(frags) else ""
    if before in _VOCATIVE or frags[i].startswith(("يال", "ya")):
        return "addressed"
    if i >= 3 and before == "من" and frags[i - 2] in _WHAT_A and frags[i - 3] in _VOCATIVE:
        return "exclaimed"
    if before in _LIKE or frags[i].startswith(("كال", "وكال", "فكال")):
        return "compared"
    if before in _SON_OF or (i >= 2 and frags[i - 2] in _SON_OF and before in _VOCATIVE):
        return "insult_construct"
    if after in _PARENTS:
        return "insult_construct"
    if i - 1 in text.sure or j + 1 in text.sure:
        return "next_to_listed"
    if subjects.copula_of_person(frags, i):
        return "copula"
    said_of = None if owned else _said_of(text, span)  # the word it is said of, if any
    if said_of is not None and frags[said_of] in _VOCATIVE:
        return "addressed"
    if not owned and _predicate(text, i, accusative):
        return "predicate"
    near = [*frags[max(0, i - _WINDOW) : i], *frags[j + 1 : j + 1 + _WINDOW]]
    if any(_bare(w) in _YOU for w in near) or (said_of is not None and _your(frags[said_of])):
        return "second_person"
    return "alone" if len(frags) <= _ALONE else None


def _said_of(text: _Text, span: tuple[int, int]) -> int | None:
    """The word an indefinite listed word is said of, joined by spaces: the word before it, or
    the one before a head it completes: a noun repeating "your ..." (وجهك وجه قرد), "all of"
    (جيرانك كلهم حمير), or a group after يا (يا شلة قرود; not يا جماعة كلب الجيران, where the
    listed word heads a phrase of its own)."""
    frags, seps, (i, j) = text.frags, text.seps, span
    if not i or _definite(frags[i]) or seps[i].strip():
        return None
    if i >= 2 and not seps[i - 1].strip():
        first, head = _bare(frags[i - 2]), frags[i - 1]
        own = j + 1 < len(frags) and _definite(frags[j + 1])
        if head in _ALL or _repeats(first, head):
            return i - 2
        if head in _GROUP and first in _VOCATIVE and not own:
            return i - 2
    return i - 1


def _repeats(first: str, head: str) -> bool:
    """first is head with "your" (وجهك وجه, جريدتكم جريدة: a folded ة is ت before it)."""
    stem = head[:-1] + "ت" if head.endswith("ه") else head
    return first in (head + "ك", head + "كم", stem + "ك", stem + "كم")


def _predicate(text: _Text, i: int, accusative: bool) -> bool:
    """An indefinite word right after a definite one or a demonstrative, nothing but a space
    between them: "the writer (is a) donkey"; in the accusative only after a copula (كان
    الكاتب حمارا; اشترى الفلاح حمارا is an object). Said of someone (subjects.can_be_insulted),
    not of a thing (الخمر نجسة, الفقر ملعون) nor a listed noun (الكلب نجس, الكلب هل هو نجس)."""
    frags = text.frags
    if not i or text.seps[i].strip() or _definite(frags[i]):
        return False
    before = frags[i - 1]
    if before in _THIS:
        after_noun = any(k in text.nouns for k in range(i - 1 - _WINDOW, i - 1))
        return not (accusative or (before in _HE and after_noun))
    if not (_definite(before) or before.startswith("هال")) or i - 1 in text.nouns:
        return False
    if accusative and not (i >= 2 and subjects.copula(frags[i - 2])):
        return False
    return subjects.can_be_insulted(before)


def _definite(word: str) -> bool:
    return word.startswith(("ال", "وال", "فال", "بال", "لل")) and len(word) > 3


def _your(word: str) -> bool:
    """A noun carrying "your" (شكلك, عقلكم), not ذلك or هناك, nor a news word whose ك is a root
    letter (معارك, سلوك, تحكم: in the news lexicon, which holds no "your" form)."""
    bare = _bare(word)
    if bare in _NOT_YOUR or _definite(word):
        return False
    if not any(bare.endswith(p) and len(bare) - len(p) >= _MIN_STEM for p in _YOUR):
        return False
    return bare not in lexicon.words()


def _bare(word: str) -> str:
    """The word without a leading و or ف (وانت is انت, ولذلك is ذلك)."""
    return word[1:] if word[0] in "وف" and len(word) > 3 else word
