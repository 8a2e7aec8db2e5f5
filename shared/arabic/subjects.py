"""Who an ambiguous listed word is said of: a copula conjugated for a person (صرتم, كنت, لا تكن,
كونوا), and subject nouns that can be insulted: people, bodies and what they publish.

A predicate of a thing or an abstraction (الخمر نجسة, الفقر ملعون, الخاتم ملعون) is religion,
proverb or fiction, not an insult. The subject nouns are those that speak in the news (data/
persons_ar.txt, built from the ANT corpus by bench/person_lexicon.py: الوزير, الناطق, الحكومة,
البيان), the people and publications of colloquial comments below, their plurals in ون, ين,
ات (المعلقون) and a nisba or family name (الصحفي, الغنوشي, الصحفيين). Words are folded
(أ إ آ are ا, ى is ي, ة is ه).

Arabic letters in strings and comments are intended, not Latin look-alikes."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

PERSONS_PATH = Path(__file__).resolve().parent / "data" / "persons_ar.txt"

# People of colloquial comments and what a comment insults (the article, the show, the
# channel), which the news lexicon rarely has as a speaker.
_PEOPLE = frozenset(
    """رجل راجل زلمه شب شاب ولد واد عيل بنت مره امراه ست شخص انسان زول نفر بشر ناس شعب جمهور
    قوم جماعه اخ اخت اب ابو ام عم خال جد ابن زوج زوجه جار صاحب صديق حبيب زميل معلق مذيع
    مذيعه مقدم صحفي كاتب مولف شاعر فنان ممثل مغني لاعب مدرب حكم رييس وزير نايب مسوول مدير
    شيخ امام خطيب داعيه طبيب دكتور استاذ معلم مدرس طالب محامي قاضي ضابط شرطي جندي زعيم ملك
    امير حاكم تاجر مواطن محلل مراسل ناشط مقال تعليق كلام راي برنامج حلقه فيديو قناه جريده
    صحيفه موقع حكومه نظام حزب برلمان اعلام""".split()
)
_PLURAL = ("ون", "ين")  # sound masculine plural: rational beings (المعلقون, الصحفيين)
_FEMININE = ("ه", "ات")  # المذيعة, المذيعات
_ARTICLE = ("وال", "فال", "بال", "لل", "ال", "هال")  # هال: this (هالمذيع)
_MIN_NISBA = 4  # الصحفي, الغنوشي; not حي, ري

# A copula said of a person: perfect 1st / 2nd person and the plural of rational beings,
# imperatives; not the 3rd person singular, said of things too (صار الماء ..., كانت الحرب).
_COPULA_PERSON = frozenset(
    """كنت كنتم كنتي كنتو كنتوا كنتما كنتن كنا كانوا صرت صرتم صرتي صرتو صرتوا صرنا صاروا
    لست لستم لستي لستو لسنا ليسوا زلت زلتم زلتي زلتو زلنا زالوا مازلت مازلتم مازلتي مازالوا
    لازلت لازلتم لازالوا ظللت ظللتم ظليت ظلوا بتم باتوا بقيتم بقيتو بقينا بقوا اصبحتم اصبحتو
    اصبحنا اصبحوا اضحيتم امسيتم كن كوني كونوا كونو صير صيري صيروا تكونوا تكونون يكونوا
    يكونون تصيروا تصيرون صاروا تظلوا تظلون تبقوا تبقون يبقوا تزالون""".split()
)
_COPULA_BARE = frozenset(
    "كان كانت صار صارت ليس ليست اصبح اصبحت ظل ظلت بات باتت بقي بقيت يكون تكون يظل تظل".split()
)
_ADVERBS = frozenset("دايما دائما فعلا حقا ابدا بالفعل مجرد".split())  # كنت دائما ...
_NOT = frozenset("لا ولا فلا ما".split())  # لا تكن, فلا تكن, ما زلت


@cache
def _persons() -> frozenset[str]:
    """The nouns that speak in the news (read once per process) and the colloquial ones."""
    lines = PERSONS_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#")) | _PEOPLE


def can_be_insulted(word: str) -> bool:
    """A definite subject noun that a listed word can be said of as an insult (الكاتب,
    هالمذيع, الصحفيون), not a thing or an abstraction (الخمر, الدنيا, الحيوان)."""
    stem = next((word[len(a) :] for a in _ARTICLE if word.startswith(a)), word)
    persons = _persons()
    if stem in persons or (stem.endswith("ي") and len(stem) >= _MIN_NISBA):
        return True
    return any(
        stem.endswith(s) and (stem[: -len(s)] in persons or stem[: -len(s)] + "ه" in persons)
        for s in (*_PLURAL, *_FEMININE)
    ) or any(stem.endswith(s) and stem[: -len(s)].endswith("ي") for s in _PLURAL)


def copula_of_person(frags: Sequence[str], i: int) -> bool:
    """A copula said of a person right before word i (an adverb may stand between): صرتم
    قرودا, كنت دائما حمارا, ما زلت, لا تكن, ستظلون (a leading و, ف or future س is cut)."""
    k = i - 1 if i and frags[i - 1] not in _ADVERBS else i - 2
    if k < 0:
        return False
    verb = _bare(frags[k])
    if verb in _COPULA_PERSON:
        return True
    return verb in ("تكن", "تكوني", "تصير") and k > 0 and frags[k - 1] in _NOT


def copula(word: str) -> bool:
    """Any form of a copula (كان الكاتب ...: the subject, then the accusative)."""
    verb = _bare(word)
    return verb in _COPULA_PERSON or verb in _COPULA_BARE


def _bare(word: str) -> str:
    """Without a leading و or ف and a future س (وستظلون is تظلون)."""
    if word[:1] in ("و", "ف") and len(word) > 3:
        word = word[1:]
    return word[1:] if word[:1] == "س" and word[1:2] in "تي" and len(word) > 4 else word
