"""Where the moderation matcher reads context: Arabizi words with more than one reading,
the hamza in Arabizi, and allowed phrases in any number and with a `*` for a listed word."""

from __future__ import annotations

import pytest

from shared.arabic import Entry, WordList
from shared.arabic.arabizi import ArabiziIndex, spoken
from shared.arabic.readings import alternatives
from shared.arabic.words import cut, fold, positions

LIST = WordList(
    [
        Entry("كلب", "spam", ("كلاب",)),
        Entry("حمار", "hold", ("حمير",)),
        Entry("خنزير", "spam", ("خنازير",)),
        Entry("عرص", "spam"),
        Entry("شرموطة", "spam"),
        Entry("خائن", "hold", ("خونة",)),
        Entry("منافق", "hold"),
        Entry("تيس", "hold"),
        Entry("أبله", "hold"),
        Entry("أهبل", "hold"),
    ],
    ["لحم الخنزير", "حمى *", "الكلاب الضالة"],
)


def _found(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(m.word, m.form, m.rules) for m in LIST.find(text)]


def test_letters_sharing_a_latin_spelling_give_the_other_readings() -> None:
    assert "قلب" in set(alternatives("كلب"))  # k: ك or ق
    assert {"قرض", "ارد"} <= set(alternatives("قرد"))  # 9ard: loan; 2: ء or ق
    assert "عرس" in set(alternatives("عرص"))  # s: س or ص
    assert "كلب" not in set(alternatives("كلب"))


@pytest.mark.parametrize(
    "text",
    [
        "kalbi ma3ak",  # قلبي, my heart, before كلبي
        "ya kalbi",  # addressed, but "my ...": never an insult
        "kalb el 3alam",  # قلب, heart, with nothing around it saying otherwise
        "alf mabrouk el 3ars",  # عرس, wedding
    ],
)
def test_an_ambiguous_arabizi_word_alone_is_not_held(text: str) -> None:
    assert _found(text) == []


@pytest.mark.parametrize(
    ("text", "form", "why"),
    [
        ("enta kalb", "kalb", "addressed"),
        ("yakalb", "yakalb", "addressed"),
        ("ya 3ars", "3ars", "addressed"),
        ("انت kalb", "kalb", "addressed"),
    ],
)
def test_an_ambiguous_arabizi_word_said_to_someone_is_held(text: str, form: str, why: str) -> None:
    [(_, found_form, rules)] = _found(text)
    assert found_form == form and "arabizi" in rules and why in rules


def test_an_ambiguous_word_beside_a_sure_match_is_held() -> None:
    found = _found("sharmouta kalb")
    assert ("كلب", "kalb", ("arabizi", "next_to_listed")) in found
    assert [w for w, _, _ in found] == ["كلب", "شرموطة"]


def test_an_unambiguous_arabizi_word_needs_no_context() -> None:
    assert [w for w, _, _ in _found("7mar")] == ["حمار"]
    assert [w for w, _, _ in _found("manafe2")] == ["منافق"]


def test_a_word_spelled_out_letter_by_letter_is_never_ambiguous() -> None:
    assert [w for w, _, _ in _found("k.a.l.b")] == ["كلب"]


@pytest.mark.parametrize("latin", ["khaen", "kha2in", "khayen", "5a2en", "kha'en", "ya khaena"])
def test_the_hamza_is_written_as_2_or_as_its_vowel(latin: str) -> None:
    assert [w for w, _, _ in _found(latin)] == ["خائن"]


@pytest.mark.parametrize("text", ["tissa", "toisa", "habla", "oublie", "obole", "fiable"])
def test_french_words_are_not_read_through_a_feminine_ending_or_a_leading_o(text: str) -> None:
    assert _found(text) == []


def test_a_feminine_ending_counts_when_said_to_someone() -> None:
    assert [(w, f) for w, f, _ in _found("enti tayesa")] == [("تيس", "tayesa")]
    assert [w for w, _, _ in _found("tayes")] == ["تيس"]


def test_a_hamza_is_never_read_into_nothing() -> None:
    assert _found("khan") == []  # خان (inn, Khan) is not خائن
    assert spoken("خاين") == spoken("خائن") == "خائن"  # written without its hamza
    index = ArabiziIndex([("مسوول", spoken("مسؤول"))])
    assert all(index.find(w) for w in ("mas2oul", "mas'oul", "masoul"))


@pytest.mark.parametrize(
    "text",
    [
        "لحم الخنزير",
        "لحوم الخنازير",  # both words in the plural
        "ولحوم خنازير",  # clitic, no article
        "حمى الخنازير",  # * stands for a listed word
        "حمى الكلاب",
        "الكلب الضال",  # the singular of an allowed plural
        "كلاب ضالة",
    ],
)
def test_allowed_phrases_match_in_any_number(text: str) -> None:
    assert _found(text) == []


def test_a_wildcard_stands_only_for_a_listed_word() -> None:
    assert _found("حمى شديدة") == []
    found = _found("حمى الخنازير وانتم خنازير")
    assert [(w, f) for w, f, _ in found] == [("خنزير", "خنازير")]


def test_an_allowed_phrase_needs_all_its_words() -> None:
    assert [f for _, f, _ in _found("لحم حمار")] == ["حمار"]  # حمار is not in لحم الخنزير
    assert [f for _, f, _ in _found("المنافق الضال")] == ["المنافق"]


def test_look_alikes_inside_arabic_words_are_read_after_the_split() -> None:
    assert cut(fold("يا حمlر و حlمlر, ok")) == (
        ["يا", "حمار", "و", "حامار", "ok"],
        ["", " ", " ", " ", ", ", ""],
    )
    assert cut(fold("ح1lر")) == (["ح", "1l", "ر"], ["", "", "", ""])  # two in a row: no word


def test_positions_of_the_wanted_words_in_the_folded_text() -> None:
    words, seps = cut("ab, cd  ef")
    assert positions(words, seps, [2, 0]) == {0: (0, 2), 2: (8, 10)}
