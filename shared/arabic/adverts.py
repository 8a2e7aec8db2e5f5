"""Spam words that are also news (كازينو, مراهنات, casino: gambling is a news topic) count only
in a comment that looks like an advert; the match names the sign:

- advert_link: a link, a domain or a handle (www.x.com, bit.ly/..., t.me/..., @name), but not
  a link to a news site cited as the source (NEWS_SITES: reuters.com, aljazeera.net, ...,
  and the sites a policy adds: `news_links`);
- advert_phone: a phone number, a run of 8 digits or more (spaces, dots or dashes between);
- advert_call: a call to action: a word only adverts use (واتساب, بونص, اربح, العب, bonus,
  register, e3lab) or one that is news too, followed by "now", "with us" or "here" (سجل الان,
  تواصل معنا: سجل is also "recorded", تواصل "continues");
- advert_repeated: spam words three times or more (كازينو كازينو كازينو); news names its
  topic once or twice;
- advert_alone: the comment is little more than the spam word (three words at most:
  مراهنات مضمونة, casino 24/7).

Such an entry is flagged `advert` in the list. A disguised word is an evasion in any comment,
so it counts without a sign: spelled out (ك.ا.ز.ي.ن.و), a letter drawn out (كازيييينو), other
scripts' or styled letters (саsino in Cyrillic, ｃａｓｉｎｏ), invisible characters.

Arabic letters in strings and comments are intended, not Latin look-alikes."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol, TypeVar

from shared.arabic import explain
from shared.arabic.words import positions

_LINK_RE = re.compile(
    r"https?://|www\.|\b(?:t\.me|wa\.me|bit\.ly)/|(?:^|\s)@[a-z0-9_]{3,}"
    r"|\b[a-z0-9-]+\.(?:com|net|org|info|biz|io|me|co|ly|xyz|bet|win|app|site|online|top"
    r"|club|vip|shop|link|tv|ma|tn|eg|sa|ae)\b"
)
# News sites a comment cites as its source: a link to one is not an advert's (the host must
# end there: bbc.com.spins.xyz or reuters-tips.bet are other sites).
NEWS_SITES = frozenset(
    """reuters.com bbc.com bbc.co.uk aljazeera.net aljazeera.com alarabiya.net france24.com
    skynewsarabia.com cnn.com cnnarabic.com apnews.com afp.com rt.com aawsat.com alhurra.com
    dw.com independentarabia.com euronews.com aa.com.tr wam.ae spa.gov.sa mena.org.eg tap.info.tn
    map.ma bloomberg.com ft.com nytimes.com theguardian.com lemonde.fr""".split()
)


@lru_cache(maxsize=16)
def news_links(extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    """A link to one of NEWS_SITES or of `extra` (host names, lower case), any subdomain."""
    sites = sorted(NEWS_SITES | set(extra), key=lambda site: (-len(site), site))
    return re.compile(
        r"(?<![a-z0-9.-])(?:https?://)?(?:[a-z0-9-]+\.)*(?:"
        + "|".join(re.escape(site) for site in sites)
        + r")(?![a-z0-9-]|\.[a-z0-9])(?:/\S*)?"
    )


_NEWS_LINK_RE = news_links()
_PHONE_RE = re.compile(r"\+?\d(?:[\s.-]?\d){7,}")
# Folded (أ إ آ are ا, ى is ي, ة is ه); Latin lower case.
_CALL = frozenset(
    """واتساب واتس وتساب واتسب تلغرام تليغرام تيليجرام تليجرام تلجرام بونص بونس اربح واربح
    اربحي اكسب واكسب العب والعب العبي احصل واحصل اضغط واضغط راسلونا كلمونا
    whatsapp whats telegram bonus register signup join win click deposit spins promo download
    sajel sajjel sajal ishtarek eshtarek erba7 irba7 ekseb iksab e3lab el3ab""".split()
)
_CALL_NOW = frozenset("سجل اشترك تواصل ادخل جرب حمل شارك انضم".split())
_NOW = frozenset("الان الحين هنا معنا معانا فورا حالا مباشره الينا لنا now here".split())
_REPEATED = 3
_ALONE = 3  # words
_MIN_DIGITS = 8
# Rules of a disguised form (explain.surface_rules and the matcher's own)
DISGUISES = frozenset("separators repeated_letters confusable presentation_form invisible".split())


class Flagged(Protocol):
    @property
    def advert(self) -> bool: ...


E = TypeVar("E", bound=Flagged)
Hits = dict[tuple[str, int, int], tuple[E, tuple[str, ...]]]  # (word, first, last word)


Key = tuple[str, int, int]


def in_adverts(
    hits: Hits[E],
    folded: str,
    frags: list[str],
    disguised: Callable[[Key], bool],
    news: re.Pattern[str] = _NEWS_LINK_RE,
) -> Hits[E]:
    """The hits of advert entries kept only when the comment looks like an advert, the sign
    joining their rules; other hits, and a disguised word (disguised(key) or a rule of the
    hit), kept as they are. `news`: the links that cite a source (`news_links`)."""
    flagged = [
        k
        for k, (e, rules) in hits.items()
        if e.advert and DISGUISES.isdisjoint(rules) and not disguised(k)
    ]
    if not flagged:
        return hits
    why = sign(folded, frags, len(flagged), news)
    if why is None:
        return {k: v for k, v in hits.items() if k not in flagged}
    return {k: (e, (*rules, why)) if k in flagged else (e, rules) for k, (e, rules) in hits.items()}


def disguised(
    spans: explain.Spans, frags: list[str], seps: list[str], key: tuple[str, int, int]
) -> bool:
    """The words key[1]..key[2] are written in a disguise (Cyrillic or styled letters...)."""
    where = positions(frags, seps, key[1:])
    form = spans.original(where[key[1]][0], where[key[2]][1])
    return not DISGUISES.isdisjoint(explain.surface_rules(form, key[0]))


def sign(
    folded: str, frags: list[str], spam_words: int, news: re.Pattern[str] = _NEWS_LINK_RE
) -> str | None:
    """What makes the (folded) comment an advert, or None."""
    if _LINK_RE.search(news.sub(" ", folded)):  # a news site cited is a source
        return "advert_link"
    if _PHONE_RE.search(folded) and _digits(folded):
        return "advert_phone"
    if any(_bare(w) in _CALL for w in frags) or _call_now(frags):
        return "advert_call"
    if spam_words >= _REPEATED:
        return "advert_repeated"
    return "advert_alone" if len(frags) <= _ALONE else None


def _digits(folded: str) -> bool:
    """A number of _MIN_DIGITS digits or more (a phone), not a score or a year."""
    return any(
        sum(ch.isdigit() for ch in m.group()) >= _MIN_DIGITS for m in _PHONE_RE.finditer(folded)
    )


def _call_now(frags: list[str]) -> bool:
    return any(
        _bare(w) in _CALL_NOW and any(n in _NOW for n in frags[k + 1 : k + 3])
        for k, w in enumerate(frags)
    )


def _bare(word: str) -> str:
    """Without a leading و or ف (وسجل is سجل)."""
    return word[1:] if word[:1] in ("و", "ف") and len(word) > 3 else word
