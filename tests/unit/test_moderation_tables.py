"""The labelled evasion / innocent table (tests/data/moderation_cases.tsv) against the realistic
list (data/moderation): recall, false holds and the explanation of every match.

The design rows were written with the rules; the held-out rows after the rules were frozen
(heldout2: before the second round of rules was built; heldout3: before the third, and never
used to tune it; heldout4: before the fourth, which fixed heldout3's known false holds;
heldout5: before the fifth: spam words in adverts only, the subject of a predicate, the
accusative). Their measured misses are the known limits (docs/comments.md) and may not grow."""

from __future__ import annotations

import pytest

from shared.arabic import WordList
from tests.moderation_tables import load_cases, load_entries, score, word_list

CASES = load_cases()
# Rows the rules get wrong, kept in the table and documented (docs/comments.md), not tuned
# away; each may only leave these sets.
KNOWN_MISSES = {
    "9a7ba",  # also reads صحبة (company); held when addressed (ya 9a7ba) or beside a listed word
}
# heldout5, written before the fifth round and measured on the fourth round's rules: recall
# 16/38. The accusative (حمارا, غبيًا, خنازيرا, kalban) is never read as the word, and an
# exclamation (يا له من حمار) is no frame.
KNOWN_MISSES |= {
    "والله صرت حمارا ما تفهم شي",
    "كنت دائما غبيا وستبقى غبيا",
    "أصبح كلبا للسلطة هذا الصحفي",
    "صرتم قرودا تصفقون لكل شيء",
    "كن رجلا ولا تكن جحشا",
    "يا له من حمارٍ لا يستحي",
    "ما زلت غبيًا كما عرفناك",
    "كان الكاتب حمارًا وسيبقى",
    "أراك خنزيرا في كل ما تكتب",
    "أعتبرك كذابا ومنافقا",
    "عرفناه نذلا منذ زمن",
    "كان ولا يزال منافقا",
    "ستظل تافها مهما كتبت",
    "لست إلا حقيرا يا هذا",
    "يا حمارًا لا يفهم الكلام",
    "أراك كلبا مسعورا تنبح على الناس",
    "لا تكن جاهلا يا أخي",
    "كان معتوها منذ البداية",
    "صرت بغلا لا يتحرك",
    "كنتم حميرا وما زلتم",
    "صاروا خنازيرا يأكلون كل شيء",
    "enta sert kalban lel hokoma",
}
# Held-out innocents the rules hold, as measured. heldout3's six (قمار, ملعون, نجس not flagged
# ambiguous, a "your" read into تحكم or a quoted hadith's أحدكم, the Quran's كمثل) were fixed
# by the fourth round; heldout4, written before that round, is measured after it without tuning
# on it (22 of 52 held before, these 5 after): spam words quoted in gambling news (مراهنات,
# كازينو), and a predicate of something that is not a person (الدنيا ملعونة, المشركون نجس, عرق
# الحيوان نجس: the predicate frame does not know who its subject is).
KNOWN_FALSE_HOLDS = {
    "فضيحة مراهنات تهز الدوري الإيطالي وتوقيف ثلاثة لاعبين",
    "كازينو لبنان يعيد فتح أبوابه بعد سنتين من الإغلاق",
    "في الحديث: الدنيا ملعونة ملعون ما فيها إلا ذكر الله",
    "قوله تعالى إنما المشركون نجس فلا يقربوا المسجد الحرام",
    "برنامج الفتاوى: هل عرق الحيوان نجس أم طاهر؟",
}
# heldout5 on the fourth round's rules: 26 of 38 innocents held. A spam word is caught
# anywhere, so gambling news is held; the predicate frame does not know who its subject is.
KNOWN_FALSE_HOLDS |= {
    "السلطات تغلق كازينو غير مرخص في الغردقة وتحيل مديره إلى النيابة",
    "شركة مراهنات بريطانية تدفع غرامة قياسية بسبب ضعف الرقابة على غسل الأموال",
    "الاتحاد الإنجليزي يوقف لاعبا عشرة أشهر لخرقه قواعد المراهنات",
    "أسهم شركات الكازينو في لاس فيغاس تهبط بعد تراجع عدد السياح",
    "تقرير: سوق المراهنات الرياضية عبر الإنترنت يبلغ 90 مليار دولار بحلول 2030",
    "قطر تمنع إعلانات المراهنات في الملاعب خلال البطولة",
    "مسلسل رمضاني يتناول عالم الكازينوهات والمراهنات في القاهرة الستينيات",
    "إعادة عرض فيلم كازينو رويال في صالات السينما بنسخة مرممة",
    "فيلم Casino لسكورسيزي يحتفل بمرور ثلاثين عاما على عرضه الأول",
    "إيرادات ضرائب القمار والمراهنات تدعم ميزانية الولاية للعام المقبل",
    "كازينو مونتي كارلو يستضيف حفلا خيريا لصالح الأطفال المرضى",
    "الشرطة الإسبانية تفكك شبكة مراهنات غير قانونية على مباريات التنس",
    "النادي يفسخ عقده مع راعيه من شركات المراهنات بعد احتجاج الجماهير",
    "قال المدرب في المؤتمر الصحفي: لا أعرف شيئا عن المراهنات ولم أراهن في حياتي",
    "دار الإفتاء: أرباح الكازينو مال حرام لا تجوز الصدقة منه",
    "ضبط 3 متهمين يديرون كازينو سريا في شقة سكنية",
    "المصدر: reuters.com - الهند تفرض ضريبة 28% على المراهنات عبر الإنترنت",
    "البنك الدولي: المراهنات غير القانونية تستنزف مدخرات الأسر الفقيرة في أفريقيا",
    "الخمر نجسة عند جمهور الفقهاء خلافا لبعض المتأخرين",
    "الفقهاء متفقون على أن دم الحيض نجس",
    "البول نجس والمني طاهر عند الشافعية",
    "هذا المال ملعون لأنه جاء من الربا كما يقول الواعظ",
    "يقول المثل الشعبي: الفقر ملعون والغنى ستار",
    "الحرب ملعونة مهما كانت أسبابها، يكتب الروائي في مقدمته",
    "في الأسطورة، الخاتم ملعون ومن يلبسه يموت قبل نهاية العام",
    "يرى بعض الفقهاء أن الكافر نجس نجاسة معنوية لا حسية",
}
SPLITS = ["heldout", "heldout2", "heldout3", "heldout4", "heldout5"]
# Splits whose recall is below the target on the rules as they stand (strict: fixed -> fails)
BELOW_TARGET = {"heldout5"}


@pytest.fixture(scope="module")
def matcher() -> WordList:
    return word_list()


def test_the_table_and_the_list_are_big_enough() -> None:
    assert len(load_entries()) >= 50
    assert sum(c.label == "evasion" for c in CASES) >= 100
    assert sum(c.label == "innocent" for c in CASES) >= 100
    assert {c.split for c in CASES} == {"design", *SPLITS}


def test_design_rows_meet_the_targets(matcher: WordList) -> None:
    s = score(matcher, [c for c in CASES if c.split == "design"])
    assert s.recall >= 0.95, [c.text for c in s.missed]
    assert s.false_holds == 0, [c.text for c in s.wrongly_held]


@pytest.mark.parametrize("split", SPLITS)
def test_heldout_rows_stay_within_their_measured_limits(matcher: WordList, split: str) -> None:
    s = score(matcher, [c for c in CASES if c.split == split])
    assert {c.text for c in s.missed} <= KNOWN_MISSES
    assert {c.text for c in s.wrongly_held} <= KNOWN_FALSE_HOLDS


@pytest.mark.parametrize(
    "split",
    [
        pytest.param(s, marks=pytest.mark.xfail(strict=True)) if s in BELOW_TARGET else s
        for s in SPLITS
    ],
)
def test_heldout_recall_meets_the_target(matcher: WordList, split: str) -> None:
    assert score(matcher, [c for c in CASES if c.split == split]).recall >= 0.95


@pytest.mark.xfail(strict=True, reason="heldout5 measured on the fourth round's rules")
def test_whole_table_recall_and_precision(matcher: WordList) -> None:
    s = score(matcher, CASES)
    assert s.recall >= 0.95
    assert s.precision >= 0.95


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.label == "evasion"], ids=lambda c: f"{c.kind}:{c.text}"
)
def test_every_caught_evasion_explains_itself(matcher: WordList, case) -> None:  # type: ignore[no-untyped-def]
    found = [m for m in matcher.find(case.text) if m.word == case.word]
    if case.text in KNOWN_MISSES:
        assert not found
        return
    assert found, case.kind
    match = found[0]
    assert match.form and match.form in case.text  # the form as written, not the folded one
    assert match.rules and match.action in ("spam", "hold")
    if case.kind in ("separators", "arabizi", "confusable", "broken_plural", "plural"):
        assert case.kind in match.rules, (case.text, match)


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.label == "evasion" and c.kind != "separators"],
    ids=lambda c: f"{c.kind}:{c.text}",
)
def test_an_ambiguous_word_is_caught_through_a_named_frame(matcher: WordList, case) -> None:  # type: ignore[no-untyped-def]
    found = [m for m in matcher.find(case.text) if m.word == case.word]
    ambiguous = {e.word for e in load_entries() if e.ambiguous}
    if case.word not in ambiguous or not found:
        return
    assert set(found[0].rules) & FRAMES, (case.text, found[0].rules)


FRAMES = {
    "addressed",
    "second_person",
    "compared",
    "insult_construct",
    "predicate",
    "alone",
    "next_to_listed",
}
