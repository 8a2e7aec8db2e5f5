"""The moderation matcher of shared.arabic: one character table, each rule with its
explanation, allowed phrases, per-word action, and the forms suggestion."""

from __future__ import annotations

import unicodedata

import pytest

from services.articles.domain import slugify
from shared.arabic import (
    Entry,
    WordList,
    broken_plural_candidates,
    chars,
    fold,
    normalize,
    sound_forms,
)

LIST = WordList(
    [
        Entry("غبي", "hold"),
        Entry("كلب", "spam", ("كلاب",)),
        Entry("حمار", "hold", ("حمير",)),
        Entry("خنزير", "spam", ("خنازير",)),
        Entry("حقيرة", "hold"),
        Entry("casino", "spam"),
        Entry("ابن الكلب", "spam"),
    ],
    ["انفلونزا الخنازير"],
)


def _one(text: str) -> dict[str, object]:
    found = LIST.find(text)
    assert len(found) == 1, found
    return found[0].as_dict()


@pytest.mark.parametrize(
    ("text", "word", "form", "rule"),
    [
        ("انت غ ب ي", "غبي", "غ ب ي", "separators"),
        ("ح😀م😀ا😀ر", "حمار", "ح😀م😀ا😀ر", "separators"),
        ("c_a_s_i_n_o now", "casino", "c_a_s_i_n_o", "separators"),
        ("k.a.l.b", "كلب", "k.a.l.b", "arabizi"),
        ("الكلبين", "كلب", "الكلبين", "plural"),
        ("حقيرات", "حقيرة", "حقيرات", "plural"),
        ("يا غبية", "غبي", "غبية", "feminine"),
        ("بالحمير", "حمار", "بالحمير", "broken_plural"),
        ("ya 7mar", "حمار", "7mar", "arabizi"),
        ("enta kalb", "كلب", "kalb", "arabizi"),
        ("حمlر", "حمار", "حمlر", "confusable"),
        ("саsino", "casino", "саsino", "confusable"),
        ("غ\u2060بي", "غبي", "غ\u2060بي", "invisible"),
        ("غَـبِيٌّ!", "غبي", "غَـبِيٌّ", "diacritics"),
        ("ﻏﺒﻲ", "غبي", "ﻏﺒﻲ", "presentation_form"),
        ("یا کلب", "كلب", "کلب", "letter_variant"),
        ("غبييييي", "غبي", "غبييييي", "repeated_letters"),
        ("وغبيكم", "غبي", "وغبيكم", "pronoun"),
    ],
)
def test_each_rule_finds_and_explains(text: str, word: str, form: str, rule: str) -> None:
    match = _one(text)
    assert (match["word"], match["form"]) == (word, form)
    assert rule in match["rules"]  # type: ignore[operator]


@pytest.mark.parametrize(
    "text",
    [
        "كل بيت",  # words side by side are not spelled out
        "غب يوم",
        "كسكسي بالحوت",  # ك + سكس + ي is not read into couscous
        "عائلة الكلبي",  # no possessive pronoun after the article: a family name
        "humor, hammer, club, ties, tissu, gabby",  # English and French words are not Arabizi
        "الخطوط الحمر",  # broken plurals are never guessed (حمر is not listed)
        "زبون",
        "انفلونزا الخنازير",  # allowed phrase
        "بإنفلونزا الخنازير",
    ],
)
def test_innocent_texts_find_nothing(text: str) -> None:
    assert LIST.find(text) == []


def test_allowed_phrase_spares_only_its_own_occurrence() -> None:
    found = LIST.find("انفلونزا الخنازير؟ بل انتم الخنازير")
    assert [(m.word, m.form) for m in found] == [("خنزير", "الخنازير")]
    assert found[0].action == "spam"


def test_phrases_take_clitics_and_an_optional_article() -> None:
    assert {m.word for m in LIST.find("يا ابن كلب")} == {"ابن الكلب", "كلب"}


def test_matches_come_in_list_order_with_their_action() -> None:
    found = LIST.find("casino و غبي")
    assert [(m.word, m.action) for m in found] == [("غبي", "hold"), ("casino", "spam")]


def test_a_word_listed_twice_keeps_its_first_entry() -> None:
    twice = WordList([Entry("غبي", "hold"), Entry("غبي", "spam")])
    assert [m.action for m in twice.find("غبي")] == ["hold"]


def test_the_one_character_table_drives_normalize_matching_and_slugs() -> None:
    for cp in sorted(chars.DELETED):
        ch = chr(cp)
        assert normalize(f"غ{ch}بي") == "غبي", hex(cp)
        assert fold(f"غ{ch}بي") == "غبي", hex(cp)
        assert slugify(f"غ{ch}بي") == "غبي", hex(cp)
    assert 0x2060 in chars.INVISIBLE
    assert all(
        unicodedata.category(chr(cp)) != "Cf" or cp in chars.INVISIBLE for cp in range(0x3000)
    )


def test_fold_keeps_positions_per_character() -> None:
    text = "ﻻ غَبِيٌّ 𝐜𝐚𝐬𝐢𝐧𝐨"
    assert fold(text) == "".join(fold(ch) for ch in text)


def test_forms_suggestion() -> None:
    assert sound_forms("كذاب") == ["كذابان", "كذابين", "كذابون", "كذابات", "كذابه"]
    assert sound_forms("زب") == []
    assert "كلاب" in broken_plural_candidates("كلب")
    assert "حمير" in broken_plural_candidates("حمار")
    assert "خنازير" in broken_plural_candidates("خنزير")
    assert "اغبياء" in broken_plural_candidates("غبي")
    assert "عواهر" in broken_plural_candidates("عاهره")
