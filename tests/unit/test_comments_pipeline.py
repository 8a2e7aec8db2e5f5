"""The moderation pipeline as pure steps: each step, its reason codes and the order."""

from __future__ import annotations

import pytest

from services.comments.domain import (
    PIPELINE,
    REFUSED,
    Facts,
    Policy,
    count_links,
    run_pipeline,
    writer_view,
)

POLICY = Policy(banned_words=["غبي"], suspect_words=["كذاب"])


def facts(**kw: object) -> Facts:
    return Facts(**{"body": "تعليق عادي", "policy": POLICY, **kw})  # type: ignore[arg-type]


def test_pipeline_order_is_the_documented_one() -> None:
    assert [s.__name__ for s in PIPELINE] == [
        "honeypot",
        "banned_author",
        "flood",
        "duplicate",
        "words",
        "links",
        "premoderation",
        "author_policy",
    ]


@pytest.mark.parametrize(
    ("given", "status", "reasons", "http"),
    [
        ({"honeypot": "http://bot.example"}, "spam", ("honeypot",), 201),
        ({"banned_author": True}, "rejected", ("banned_author",), 201),
        ({"seconds_since_last": 3.0}, REFUSED, ("flood",), 429),
        ({"duplicate": True}, REFUSED, ("duplicate",), 409),
        ({"body": "أنت غبي"}, "spam", ("banned_word",), 201),
        ({"body": "أنت كذاب"}, "pending", ("suspect_word",), 201),
        ({"body": "see http://a.example and www.b.example"}, "pending", ("too_many_links",), 201),
        ({"article_premoderated": True}, "pending", ("article_premoderation",), 201),
        ({"policy": Policy(premoderation=True)}, "pending", ("premoderation",), 201),
        ({"trusted_author": True}, "approved", ("trusted_author",), 201),
        ({}, "pending", ("default_policy",), 201),
        ({"policy": Policy(default_status="approved")}, "approved", ("default_policy",), 201),
    ],
)
def test_each_step(
    given: dict[str, object], status: str, reasons: tuple[str, ...], http: int
) -> None:
    verdict = run_pipeline(facts(**given))
    assert (verdict.status, verdict.reasons, verdict.http_status) == (status, reasons, http)


def test_honeypot_wins_over_everything_after_it() -> None:
    verdict = run_pipeline(facts(honeypot="x", banned_author=True, duplicate=True, body="غبي"))
    assert verdict.reasons == ("honeypot",)


def test_ban_comes_before_flood_and_flood_before_duplicate() -> None:
    assert run_pipeline(facts(banned_author=True, seconds_since_last=1.0)).reasons == (
        "banned_author",
    )
    assert run_pipeline(facts(seconds_since_last=1.0, duplicate=True)).reasons == ("flood",)


def test_flood_respects_the_interval_and_can_be_disabled() -> None:
    assert run_pipeline(facts(seconds_since_last=15.0)).reasons == ("default_policy",)
    off = Policy(flood_interval_seconds=0)
    assert run_pipeline(facts(policy=off, seconds_since_last=0.1)).reasons == ("default_policy",)


def test_duplicate_before_banned_words() -> None:
    assert run_pipeline(facts(duplicate=True, body="غبي")).reasons == ("duplicate",)


def test_banned_word_beats_suspect_word_and_links() -> None:
    verdict = run_pipeline(facts(body="غبي كذاب http://a.example http://b.example"))
    assert (verdict.status, verdict.reasons) == ("spam", ("banned_word",))
    assert verdict.details["banned_words"] == ["غبي"]
    assert verdict.details["matches"] == [
        {"word": "غبي", "form": "غبي", "rules": ["exact"], "action": "spam"},
        {"word": "كذاب", "form": "كذاب", "rules": ["exact"], "action": "hold"},
    ]


def test_holds_gather_their_reasons_and_block_a_trusted_approval() -> None:
    verdict = run_pipeline(
        facts(
            body="كذاب http://a.example http://b.example",
            article_premoderated=True,
            trusted_author=True,
        )
    )
    assert verdict.status == "pending"
    assert verdict.reasons == ("suspect_word", "too_many_links", "article_premoderation")
    assert verdict.details == {
        "suspect_words": ["كذاب"],
        "matches": [{"word": "كذاب", "form": "كذاب", "rules": ["exact"], "action": "hold"}],
        "links": 2,
    }


def test_premoderation_holds_a_trusted_author() -> None:
    verdict = run_pipeline(facts(policy=Policy(premoderation=True), trusted_author=True))
    assert (verdict.status, verdict.reasons) == ("pending", ("premoderation",))


def test_trust_can_be_switched_off() -> None:
    verdict = run_pipeline(
        facts(policy=Policy(trusted_author_autoapprove=False), trusted_author=True)
    )
    assert verdict.reasons == ("default_policy",)


def test_link_limit() -> None:
    assert count_links("one https://a.example/x?y=1 two www.b.org three c.com") == 3
    assert count_links("لا روابط هنا، فقط نص.") == 0
    one_link = facts(body="https://a.example")
    assert run_pipeline(one_link).reasons == ("default_policy",)
    no_limit = facts(policy=Policy(link_limit=0), body="http://a.example http://b.example")
    assert run_pipeline(no_limit).reasons == ("default_policy",)


def test_writer_never_learns_about_spam() -> None:
    assert writer_view("spam") == writer_view("pending")
    assert writer_view("pending")[2] == "تعليقك بانتظار المراجعة."
    assert writer_view("rejected")[0] == "rejected"
