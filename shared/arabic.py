"""Arabic text normalization, tokenization, stop words, light stemming and word matching."""

# Arabic letters in strings and comments are intended, not Latin look-alikes.

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import groupby

import Stemmer

# Diacritics (harakat, tanween, shadda, sukun, superscript alef, Quranic marks) and tatweel.
_MARKS = [
    *range(0x0610, 0x061B),
    *range(0x064B, 0x0660),
    0x0670,
    0x0640,
    *range(0x06D6, 0x06DD),
    *range(0x06DF, 0x06E9),
    *range(0x06EA, 0x06EE),
]
# Zero-width, bidi control and other invisible format characters.
_INVISIBLE = [
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0xFEFF,
    0x061C,
    0x00AD,
    0x2060,
]
# Hamza carriers fold to the bare letter because readers type رييس/مسوول as often as
# رئيس/مسؤول; the standalone hamza ء stays. ة→ه and ى→ي follow common Arabic IR practice.
_FOLD = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ة": "ه",
    "ؤ": "و",
    "ئ": "ي",
    "ک": "ك",
    "ڪ": "ك",
    "ی": "ي",
    "ې": "ي",
    "ە": "ه",
    "ۀ": "ه",
    "ھ": "ه",
}
_TABLE: dict[int, str | None] = {cp: None for cp in _MARKS + _INVISIBLE}
_TABLE.update({ord(src): dst for src, dst in _FOLD.items()})
_TABLE.update({0x0660 + i: str(i) for i in range(10)})
_TABLE.update({0x06F0 + i: str(i) for i in range(10)})
_SURFACE_TABLE: dict[int, None] = {cp: None for cp in [*_INVISIBLE, 0x0640]}

_TOKEN_RE = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+|[a-z0-9\u00df-\u00f6\u00f8-\u024f]+")
# A raw word: letters and digits plus the marks and invisible characters normalize() deletes.
_DELETED = re.escape("".join(chr(cp) for cp in _MARKS + _INVISIBLE))
_SURFACE_RE = re.compile(rf"(?:[^\W_]|[{_DELETED}])+")
_SPACE_RE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Return text in the canonical form every index term and match key is built from."""
    text = unicodedata.normalize("NFKC", text).translate(_TABLE).lower()
    return _SPACE_RE.sub(" ", text).strip()


def tokenize(text: str) -> list[str]:
    """Return the normalized Arabic words, Latin words and numbers of text."""
    return _TOKEN_RE.findall(normalize(text))


def tokens_with_surface(text: str) -> list[tuple[str, str]]:
    """Return (normalized token, word as written minus invisible chars) pairs in text order."""
    pairs: list[tuple[str, str]] = []
    for match in _SURFACE_RE.finditer(text):
        word = match.group()
        surface = word.translate(_SURFACE_TABLE)
        pairs.extend((token, surface) for token in _TOKEN_RE.findall(normalize(word)))
    return pairs


_STOP_RAW = """
في من على عن إلى الى مع منذ حتى عند لدى لدي نحو ضد دون بدون عبر خلال بين بينما حول قبل
بعد أمام وراء خلف فوق تحت داخل خارج ضمن لصالح لفائدة إزاء تجاه حيال جراء إثر اثر عقب وسط
جانب قرب حوالي و ف ثم أو أم بل لكن لكنه لكنها لكنهم غير سوى إلا الا إما إذا إذ إذن لو
لولا كي لكي لأن لان حيث كما كيف مثل مثلما كأن كأنه أن إن أنه إنه أنها إنها أنهم إنهم
أنهما أننا إننا أني إني بأن بأنه بأنها لأنه لأنها وأن وإن فإن فإنه قد لقد لم لن لا ما
ليس ليست لست ليسوا هل سوف كلا نعم بلى هو هي هم هن هما أنا نحن أنت أنتم أنتما أنتن إياه
إياها إياهم هذا هذه هذان هاتان هؤلاء ذلك تلك ذلكم أولئك هنا هناك هنالك ذاك الذي التي
الذين اللذان اللتان اللاتي اللواتي اللائي ماذا متى أين أينما كيفما مهما أي أيا أية له
لها لهم لهما لهن لي لنا لك لكم به بها بهم بهما بي بنا بك بكم منه منها منهم منهما مني منا
فيه فيها فيهم فيهما عليه عليها عليهم عليهما علينا عنه عنها عنهم عنهما إليه إليها إليهم
إليهما معه معها معهم معهما لديه لديها لديهم كل كلتا بعض جميع كافة عدة عديد عدد أحد إحدى
أكثر أقل أغلب معظم نفس ذات ذاته ذاتها نفسه نفسها غيرها غيره مختلف كان كانت كانوا يكون
تكون يكونوا كنت أصبح أصبحت أضحى صار ظل ظلت بات مازال لازال مازالت لايزال لاتزال زال يزال
تزال قال قالت يقول تقول قالوا أضاف أضافت يضيف مضيفا مضيفة أكد أكدت يؤكد مؤكدا مؤكدة أوضح
أوضحت يوضح موضحا أشار أشارت يشير مشيرا مشيرة أفاد أفادت يفيد مفيدا أعلن أعلنت يعلن ذكر
ذكرت يذكر صرح صرحت يصرح تابع تابعت لفت لفتت اعتبر اعتبرت يعتبر بينت أبرز أبرزت تم يتم
تمت سيتم وتم جرى يجري جاء جاءت يأتي تأتي قام قامت يقوم تقوم يمكن يجب ينبغي وقال وقالت
وأضاف وأضافت وأكد وأكدت وأوضح وأوضحت وأشار وأشارت وأفاد وأفادت وأعلن وذكر وذكرت وتابع
وبين وهو وهي وهم وفي ومن وعلى وإلى والى وعن ومع وقد ولقد وكان وكانت ولا ولم ولن وما وذلك
وهذا وهذه وتلك والتي والذي والذين وبعد وقبل وحتى وكذلك وأيضا وكما وحيث ولكن وإذا وأكثر
وكل وبعض وله ولها وبه وبها ومنه ومنها وفيه وفيها وعليه وعليها وعنه فقد فيما فلا فلم فهو
فهي فمن فما فكان فكانت كذلك أيضا فقط جدا تماما خاصة خصوصا لاسيما سيما أيضاً حاليا حاليًا
مجددا مجدداً سابقا لاحقا مثلا أساسا فعلا ربما حسب بحسب وفق وفقا طبقا بخصوص بشأن نتيجة
بسبب رغم بالرغم برغم إضافة بالإضافة علاوة فضلا اليوم أمس غدا الآن صباح صباحا مساء مساءا
ليلة ليلا نهارا يوم أيام الساعة ساعة قبيل بعيد
"""
# Calendar words (Maghreb, Levant and Egyptian month names, weekdays): dates say when, not
# what, and the measured precision@5 is higher with them dropped (see STOP_WORDS below).
_DATE_RAW = """
جانفي فيفري مارس أفريل ماي جوان جويلية أوت سبتمبر أكتوبر نوفمبر ديسمبر
يناير فبراير أبريل إبريل مايو يونيو يونيه يوليو يوليه أغسطس
كانون شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين
الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد
"""
# Function words of French and English, frequent in quoted names and captions.
_LATIN_RAW = """
the of and to in a an is are was were for on at by with from as that this it be or
le la les de des du un une et en au aux pour par sur dans est qui que ne pas avec
"""

DATE_WORDS: frozenset[str] = frozenset(normalize(w) for w in _DATE_RAW.split())
STOP_WORDS: frozenset[str] = frozenset(
    normalize(w) for w in (_STOP_RAW + _DATE_RAW + _LATIN_RAW).split()
)


def is_stop(token: str) -> bool:
    """Return True for a normalized token that carries no topic."""
    return token in STOP_WORDS


_L10_ARTICLES = ("وال", "بال", "كال", "فال", "لل", "ال")
_L10_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")


@lru_cache(maxsize=262_144)
def stem_light10(token: str) -> str:
    """Larkey's light10 stemmer on a normalized token (ية/ة are folded into يه/ه already)."""
    if token.startswith("و") and len(token) >= 4:
        token = token[1:]
    for article in _L10_ARTICLES:
        if token.startswith(article) and len(token) - len(article) >= 2:
            token = token[len(article) :]
            break
    for suffix in _L10_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 2:
            token = token[: -len(suffix)]
    return token


_SNOWBALL = Stemmer.Stemmer("arabic")


@lru_cache(maxsize=262_144)
def stem_snowball(token: str) -> str:
    """Snowball Arabic stemmer (PyStemmer) on a normalized token."""
    return _SNOWBALL.stemWord(token)


# light10 wins on measured ranking quality: macro precision@5 of the related engine on ANT
# corpus v1.1 (bench/related_quality.py --stemmer ...) is 0.6055 with light10, 0.5991 with
# Snowball; the Lucene-style tf-idf baseline with light10 scores 0.5882.
stem = stem_light10


def analyze(text: str) -> list[str]:
    """Return the index terms of text: normalized, stop and 1-letter tokens dropped, stemmed."""
    return [stem(t) for t in tokenize(text) if len(t) > 1 and t not in STOP_WORDS]


# --- word-list matching (comment moderation) ------------------------------------------

# Leading clitics: conjunction و/ف, then preposition ب/ك/ل, then the article ال (ل+ال = لل).
_CLITICS = sorted(
    {c + p + a for c in ("", "و", "ف") for p in ("", "ب", "ك") for a in ("", "ال")}
    | {c + p for c in ("", "و", "ف") for p in ("ل", "لل")},
    key=len,
)[1:]
# Trailing attached pronouns (his/her/their/your/our/my): غبيكم, غبيها are still غبي.
_SUFFIXES = ("كما", "هما", "كم", "كن", "هم", "هن", "نا", "ها", "ك", "ه", "ي")
_MIN_STEM = 2
_MIN_SUFFIXED_STEM = 3  # a suffix is only stripped from a longer word, to spare short ones
_Runs = tuple[str, tuple[int, ...]]


def _runs(word: str) -> _Runs:
    """Split a word into its letters with repeats collapsed and the length of each run."""
    groups = [(ch, len(list(run))) for ch, run in groupby(word)]
    return "".join(ch for ch, _ in groups), tuple(n for _, n in groups)


def moderation_key(word: str) -> str:
    """Return the normalized word with every run of a repeated letter collapsed to one."""
    return _runs("".join(_TOKEN_RE.findall(normalize(word))))[0]


def _variants(token: str) -> list[_Runs]:
    """Return the (collapsed key, run lengths) of a token and of its clitic-stripped forms."""
    forms = [token] + [
        token[len(c) :]
        for c in _CLITICS
        if token.startswith(c) and len(_runs(token[len(c) :])[0]) >= _MIN_STEM
    ]
    forms += [
        form[: -len(s)]
        for form in forms
        for s in _SUFFIXES
        if form.endswith(s) and len(_runs(form[: -len(s)])[0]) >= _MIN_SUFFIXED_STEM
    ]
    return [_runs(form) for form in forms]


def moderation_forms(text: str) -> set[str]:
    """Return every match key of every word in text (each word and its clitic-stripped forms)."""
    return {key for token in tokenize(text) for key, _ in _variants(token)}


def match_words(text: str, words: Iterable[str]) -> list[str]:
    """Return the listed words or phrases (as given, in list order) that occur in text.

    A listed word matches a whole text word after normalize(), leading clitics and trailing
    attached pronouns stripped and repeated letters collapsed; a text word must repeat each
    letter at least as often as the listed word (غبييي matches غبي, "as" does not match "ass").
    Phrases match consecutive words.
    """
    tokens = [_variants(t) for t in tokenize(text)]
    found: list[str] = []
    for listed in dict.fromkeys(words):
        parts = [_runs(t) for t in tokenize(listed)]
        if parts and _phrase_at_any(tokens, parts):
            found.append(listed)
    return found


def _phrase_at_any(tokens: list[list[_Runs]], parts: list[_Runs]) -> bool:
    """Return True if the listed parts match consecutive text tokens somewhere."""
    n = len(parts)
    return any(
        all(_token_matches(tokens[i + j], parts[j]) for j in range(n))
        for i in range(len(tokens) - n + 1)
    )


def _token_matches(variants: list[_Runs], part: _Runs) -> bool:
    """Return True if one variant of a text token has the part's letters and enough repeats."""
    key, counts = part
    return any(
        vkey == key and all(v >= c for v, c in zip(vcounts, counts, strict=True))
        for vkey, vcounts in variants
    )
