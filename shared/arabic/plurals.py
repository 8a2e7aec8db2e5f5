"""Inflected forms of a listed word: sound plural and dual endings (automatic) and broken-plural
candidates for the moderator to confirm (suggested, never matched unless listed).

Arabic letters in strings and comments are intended, not Latin look-alikes.
"""

from __future__ import annotations

# Dual and sound plural endings, on the normalized (ة→ه) word. A feminine word in ة drops it
# before ات / تان / تين (حقيرة → حقيرات, حقيرتان).
SOUND_SUFFIXES = ("ان", "ين", "ون", "ات")
_FEMININE_SUFFIXES = ("ات", "تان", "تين")
MIN_INFLECTED = 3  # زب + ون would be زبون (customer): only words of three letters or more inflect


def sound_forms(key: str) -> list[str]:
    """The feminine, dual and sound plural forms of a normalized listed word (not the word)."""
    if len(key) < MIN_INFLECTED:
        return []
    forms = [key + s for s in SOUND_SUFFIXES]
    if not key.endswith("ه"):
        forms.append(key + "ه")  # feminine: غبي → غبية
    else:
        forms += [key[:-1] + s for s in _FEMININE_SUFFIXES]
    return list(dict.fromkeys(forms))


# Endings that take no alif of the indefinite accusative: ة (زبالةً), ا, ى, و, ء (أغبياءً).
_NO_ALIF = frozenset("ةاىوءآأإ")


def accusative_form(written: str, key: str) -> str | None:
    """The indefinite accusative of a listed noun or adjective (حمار → حمارا, written ًا or
    just ا; غبي → غبيا; حمير → حميرا), from its written and normalized forms; None for an
    ending that takes no alif, a Latin word, or a word too short to inflect (كس: كسا)."""
    if len(key) < MIN_INFLECTED or written[-1] in _NO_ALIF or not "\u0621" <= key[-1] <= "\u064a":
        return None
    return key + "ا"


def _templates(word: str) -> list[str]:
    """Broken-plural templates that fit the singular's shape (the common patterns of Arabic
    morphology: فَعْل، فِعال، فَعيل، فاعِل، أَفْعَل، مَفْعول، فَعْلَلة، فِعْليل ...)."""
    n = len(word)
    if n == 2:  # doubled root written with one letter: لص → لصوص
        a, b = tuple(word)
        return [a + b + "و" + b, "ا" + a + b + "ا" + b]
    if n == 3:
        a, b, c = tuple(word)
        if c == "ه":  # فَعْلة → فِعال، فُعَل
            return [a + b + "ا", a + b]
        if c == "ي":  # فَعِيّ → أَفْعِلاء: غبي → أغبياء
            return ["ا" + a + b + "ياء", a + b + "ا" + "ي"]
        return [
            a + b + "ا" + c,  # كلب → كلاب
            a + b + "و" + c,  # قرد → قرود
            "ا" + a + b + "ا" + c,  # وسخ → اوساخ
            "ا" + a + b + c,  # نهر → انهر
        ]
    if n == 4:
        a, b, c, d = tuple(word)
        if b == "ا":  # فاعِل
            return [a + c + "ا" + d, a + c + d + "ه", a + c + d + "اء", a + "و" + c + d]
        if c == "ا":  # فِعال
            return [a + b + d, a + b + "ي" + d, "ا" + a + b + d + "ه", a + b + "اي" + d]
        if c == "ي":  # فَعيل
            return [a + b + d + "اء", "ا" + a + b + d + "اء", a + b + "ا" + d, a + b + d + "ي"]
        if a == "ا":  # أَفْعَل
            return [b + c + d, b + c + d + "ي", "ا" + b + "ا" + c + d]
        if a == "م":  # مَفْعَل
            return ["م" + b + "ا" + c + d]
        return [a + b + "ا" + c + d]  # فَعْلَل → فَعالِل
    if n == 5:
        a, b, c, d, e = tuple(word)
        if a == "م" and d == "و":  # مَفْعول → مَفاعيل
            return ["م" + b + "ا" + c + "ي" + e]
        if a == "م" and c == "ا":  # مُفاعِل: sound plural only
            return []
        if d in "يو":  # فِعْليل → فَعاليل
            return [a + b + "ا" + c + "ي" + e]
        if e == "ه":  # فاعِلة → فواعل
            return [a + "وا" + c + d] if b == "ا" else [a + b + "ا" + c + d]
        return [a + b + "ا" + c + d]
    if n == 6 and word[4] == "و" and word[5] == "ه":  # فَعْلولة → فَعاليل: شرموطة → شراميط
        return [word[:2] + "ا" + word[2] + "ي" + word[3]]
    return []


def broken_plural_candidates(key: str) -> list[str]:
    """Candidate broken plurals of a normalized singular, for the moderator to pick from."""
    automatic = set(sound_forms(key))
    candidates = [c for c in _templates(key) if c and c != key and c not in automatic]
    return list(dict.fromkeys(candidates))
