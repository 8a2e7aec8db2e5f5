"""Arabic evasions: listed words written to slip past must be caught; innocent words not."""

from __future__ import annotations

import pytest

from services.comments.domain import Facts, Policy, run_pipeline

BANNED = ["غبي", "حمار", "كلب", "أحمق", "لص", "نصب", "ass", "casino777", "حقيرة"]
SUSPECT = ["كذاب"]

# (how it evades, text, the listed word that must be found)
CAUGHT = [
    ("diacritics", "أنت غَبِيٌّ", "غبي"),
    ("diacritics (tanween)", "هذا لصٌّ", "لص"),
    ("tatweel", "يا غـــبي", "غبي"),
    ("tatweel + diacritics + clitics", "وَالْغَـــبِيّ", "غبي"),
    ("clitic و+ال", "والغبي يكتب", "غبي"),
    ("clitic ب+ال", "شبهته بالحمار", "حمار"),
    ("clitic لل", "هذا للكلب", "كلب"),
    ("clitic ف+ال (suspect)", "فالكذاب معروف", "كذاب"),
    ("alef without hamza", "انت احمق", "أحمق"),
    ("alef with hamza below", "انت إحمق", "أحمق"),
    ("alef madda", "انت آحمق", "أحمق"),
    ("alef maqsura for yaa", "انت غبى", "غبي"),
    ("haa for taa marbuta", "امرأة حقيره", "حقيرة"),
    ("Persian kaf", "يا کلب", "كلب"),
    ("presentation forms", "ﻏﺒﻲ", "غبي"),
    ("Arabic-Indic digits", "العب في casino٧٧٧ الآن", "casino777"),
    ("Extended Arabic-Indic digits", "casino۷۷۷", "casino777"),
    ("upper case Latin", "CASINO777", "casino777"),
    ("full-width Latin", "ａｓｓ", "ass"),
    ("zero-width space", "غ\u200bبي", "غبي"),
    ("zero-width joiner", "حم\u200dار", "حمار"),
    ("zero-width non-joiner", "ك\u200cلب", "كلب"),
    ("byte-order mark", "\ufeffغبي", "غبي"),
    ("right-to-left mark", "ل\u200fص", "لص"),
    ("stretched letters", "غبييييي", "غبي"),
    ("punctuation glued", "(حمار)!", "حمار"),
]

# Innocent words that contain a listed word's letters, or look like one.
INNOCENT = [
    ("لص inside ملصق (poster)", "علّقوا الملصق على الجدار"),
    ("لص inside خلص (finished)", "خلص الاجتماع مبكراً"),
    ("نصب inside منصب (post)", "تولى المنصب الجديد"),
    ("كلب vs قلب (heart)", "من كل قلبي"),
    ("كلب inside كلبشات (handcuffs)", "وضعوا الكلبشات في يديه"),
    ("حمار vs الحمراء", "زرنا قصر الحمراء"),
    ("غبي vs غبار (dust)", "عاصفة غبار"),
    ("ass inside class", "a first class article"),
    ("ass inside assessment", "a fair assessment"),
    ("as is not ass", "as expected"),
]


def _verdict(text: str):  # type: ignore[no-untyped-def]
    policy = Policy(banned_words=BANNED, suspect_words=SUSPECT, default_status="approved")
    return run_pipeline(Facts(body=text, policy=policy))


@pytest.mark.parametrize(("how", "text", "word"), CAUGHT, ids=[c[0] for c in CAUGHT])
def test_evasion_is_caught(how: str, text: str, word: str) -> None:
    verdict = _verdict(text)
    found = [*verdict.details.get("banned_words", []), *verdict.details.get("suspect_words", [])]  # type: ignore[misc]
    assert word in found, how
    assert verdict.status == ("pending" if word in SUSPECT else "spam")


@pytest.mark.parametrize(("why", "text"), INNOCENT, ids=[c[0] for c in INNOCENT])
def test_innocent_word_is_not_caught(why: str, text: str) -> None:
    verdict = _verdict(text)
    assert verdict.status == "approved", why
    assert verdict.reasons == ("default_policy",)
