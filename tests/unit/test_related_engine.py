"""Related-articles engine: list semantics, reasons, and incremental == full rebuild."""

import gzip
import json
import pickle
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from services.related.engine import EngineConfig, RelatedEngine
from services.related.scoring import EngineInput
from services.related.semantic import Basis

SUBSET = Path(__file__).resolve().parents[2] / "data/ant-subset/articles.jsonl.gz"
CATEGORIES = ["sport", "economy", None]
SMALL = EngineConfig(
    semantic_dims=40, semantic_min_docs=50
)  # a small basis: quick to fit on 405 articles


@pytest.fixture(scope="module")
def corpus() -> list[EngineInput]:
    """The 405 ANT subset articles as engine docs, with synthetic tags, categories, dates."""
    rng = random.Random(7)
    base = datetime(2017, 1, 1, tzinfo=UTC)
    docs = []
    with gzip.open(SUBSET, "rt", encoding="utf-8") as lines:
        for line in lines:
            raw = json.loads(line)
            docs.append(
                EngineInput(
                    id=raw["docno"],
                    title=raw["title"],
                    summary=raw["abstract"],
                    body=raw["text"],
                    tags=tuple(rng.sample(["تونس", "الرياضة", "الاقتصاد", "كرة القدم"], 1)),
                    category=rng.choice(CATEGORIES),
                    published_at=base + timedelta(hours=rng.randrange(24 * 200)),
                )
            )
    return docs


def _events(
    engine: RelatedEngine, docs: list[EngineInput], live: dict[str, EngineInput], seed: int
) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        roll = rng.random()
        if roll < 0.5:
            doc = rng.choice(docs)
            engine.upsert(doc)
            live[doc.id] = doc
        elif roll < 0.7 and live:
            doc = live[rng.choice(sorted(live))]
            edited = replace(doc, body=doc.body[: len(doc.body) // 2], title=doc.title + " جديد")
            engine.upsert(edited)
            live[doc.id] = edited
        elif live:
            article_id = rng.choice(sorted(live))
            engine.remove(article_id)
            del live[article_id]


@pytest.mark.parametrize(
    "config",
    [
        SMALL,
        replace(SMALL, half_life_days=30, depth=12, duplicate_cosine=0.5),
        EngineConfig(semantic_weight=0),
    ],
)
def test_incremental_equals_full_rebuild(corpus: list[EngineInput], config: EngineConfig) -> None:
    start = corpus[::2]
    engine = RelatedEngine.build(start, config=config)
    live = {d.id: d for d in start}
    _events(engine, corpus, live, seed=11)
    rebuilt = RelatedEngine.build(
        live.values(), config=config, stats=engine.stats, basis=engine.basis
    )
    assert engine.lists() == rebuilt.lists()
    assert sum(map(len, engine.lists().values())) > 0
    assert (engine.basis is None) == (config.semantic_weight == 0)


def test_incremental_from_empty_equals_build(corpus: list[EngineInput]) -> None:
    full = RelatedEngine.build(corpus, config=SMALL)
    engine = RelatedEngine(SMALL, full.stats, full.basis)
    for doc in reversed(corpus[:150]):
        engine.upsert(doc)
    rebuilt = RelatedEngine.build(corpus[:150], config=SMALL, stats=full.stats, basis=full.basis)
    assert engine.lists() == rebuilt.lists()


def test_postings_find_every_candidate(corpus: list[EngineInput]) -> None:
    engine = RelatedEngine.build(corpus[:200], config=SMALL)
    for doc in corpus[:20]:
        exhaustive = engine.rank_exhaustive(doc.id)
        assert [(o, s) for s, o in [(-n, o) for n, o in engine._full_ranking(doc.id)]] == exhaustive


def test_postings_stay_exact_through_edits_and_removals(corpus: list[EngineInput]) -> None:
    engine = RelatedEngine.build(corpus[::2], config=SMALL)
    live = {d.id: d for d in corpus[::2]}
    _events(engine, corpus, live, seed=5)  # removals move postings around (swap with the last)
    for article_id in sorted(live)[:25]:
        exhaustive = engine.rank_exhaustive(article_id)
        assert [(o, -n) for n, o in engine._full_ranking(article_id)] == exhaustive


def test_self_and_removed_are_excluded(corpus: list[EngineInput]) -> None:
    engine = RelatedEngine.build(corpus, config=SMALL)
    target = corpus[0].id
    first = engine.related(target)[0].article_id
    assert all(it.article_id != target for it in engine.related(target))
    changed = engine.remove(first)
    assert target in changed and first in changed
    assert first not in engine
    assert all(oid != first for items in engine.lists().values() for oid, _ in items)
    assert engine.related(first) == []


def test_min_score_threshold(corpus: list[EngineInput]) -> None:
    loose = RelatedEngine.build(corpus, config=SMALL)
    floor = sorted(s for items in loose.lists().values() for _, s in items)[-1000]
    engine = RelatedEngine.build(corpus, config=replace(SMALL, min_score=floor))
    scores = [s for items in engine.lists().values() for _, s in items]
    assert scores and min(scores) >= floor
    assert sum(map(len, loose.lists().values())) > len(scores)


def test_items_say_which_side_found_them(corpus: list[EngineInput]) -> None:
    engine = RelatedEngine.build(corpus, config=SMALL)
    sources = {it.reasons.source for d in corpus for it in engine.related(d.id)}
    assert sources <= {"lexical", "semantic", "both"} and len(sources) >= 2
    lexical = RelatedEngine.build(corpus, config=replace(SMALL, semantic_weight=0))
    assert lexical.basis is None
    assert {it.reasons.source for d in corpus[:50] for it in lexical.related(d.id)} == {"lexical"}


def test_reasons_in_surface_form(corpus: list[EngineInput]) -> None:
    engine = RelatedEngine.build(corpus, config=SMALL)
    source = corpus[0]
    items = engine.related(source.id, 3)
    assert len(items) == 3
    for item in items:
        assert item.reasons.terms
        text = source.title + source.summary + source.body
        assert all(term in text for term in item.reasons.terms)
        other = next(d for d in corpus if d.id == item.article_id)
        assert set(item.reasons.tags) == set(source.tags) & set(other.tags)
        assert item.reasons.same_category == (
            source.category is not None and source.category == other.category
        )


def test_order_is_score_then_id_and_ties_are_stable() -> None:
    text = "مباراة الترجي والنجم في الدوري التونسي لكرة القدم"
    docs = [EngineInput(id=f"a{i}", title=text, body=text + f" رقم{i}") for i in range(5)]
    config = EngineConfig(duplicate_cosine=1.01)
    engine = RelatedEngine.build(docs, config=config)
    listed = engine.lists()["a2"]
    assert [o for o, _ in listed] == ["a0", "a1", "a3", "a4"]
    assert [s for _, s in listed] == sorted((s for _, s in listed), reverse=True)
    assert RelatedEngine.build(reversed(docs), config=config).lists() == engine.lists()


def test_near_duplicates_do_not_fill_the_list(corpus: list[EngineInput]) -> None:
    source = corpus[10]
    copies = [replace(source, id=f"copy{i}", title=source.title + f" {i}") for i in range(3)]
    engine = RelatedEngine.build([*corpus, *copies], config=SMALL)
    listed = [it.article_id for it in engine.related(source.id)]
    assert not set(listed) & {c.id for c in copies}
    assert sum(o.startswith("copy") for o in [it.article_id for it in engine.related("copy0")]) == 0


def test_duplicate_upsert_changes_nothing(corpus: list[EngineInput]) -> None:
    engine = RelatedEngine.build(corpus[:100], config=SMALL)
    before = engine.lists()
    engine.take_dirty()
    assert engine.upsert(corpus[5]) == set()
    assert engine.lists() == before and engine.take_dirty() == set()


def test_upsert_reports_changed_lists(corpus: list[EngineInput]) -> None:
    engine = RelatedEngine.build(corpus[:200], config=SMALL)
    before = engine.lists()
    changed = engine.upsert(corpus[250])
    after = engine.lists()
    assert corpus[250].id in changed
    assert changed - {corpus[250].id} == {a for a in before if before[a] != after[a]}


def test_state_roundtrip(corpus: list[EngineInput]) -> None:
    engine = RelatedEngine.build(corpus[:120], config=SMALL)
    assert engine.basis is not None
    basis = Basis.from_parts(pickle.loads(pickle.dumps(engine.basis.to_parts(terms_per_part=500))))
    clone = RelatedEngine(
        engine.config, type(engine.stats).from_dict(engine.stats.to_dict()), basis
    )
    for doc in corpus[:120]:
        clone.load_doc(json.loads(json.dumps(engine.doc_state(doc.id), ensure_ascii=False)))
    assert clone.lists() == engine.lists()
    for doc in corpus[120:160]:
        assert clone.upsert(doc) == engine.upsert(doc)
    clone.remove(corpus[3].id)
    engine.remove(corpus[3].id)
    assert clone.lists() == engine.lists()


def test_a_build_fits_topics_with_its_basis_unless_switched_off(corpus):
    with_topics = RelatedEngine.build(corpus, config=SMALL)
    assert with_topics.basis is not None and with_topics.basis.topics is not None
    assert with_topics.basis.width == SMALL.semantic_dims + SMALL.topic_clusters
    plain = RelatedEngine.build(corpus, config=replace(SMALL, topic_share=0.0))
    assert plain.basis is not None and plain.basis.topics is None


def test_an_article_ranks_others_with_its_neighbourhood_expanded_query(corpus):
    """The dense side is directed: a ranks b by a's query vector (expanded by a's closest
    anchors) with b's dense vector. Lists are still exact: every full ranking equals the
    pair-by-pair reference, and incremental equals a full build (tests above, same config)."""
    engine = RelatedEngine.build(corpus, config=SMALL)
    assert engine.basis is not None and engine.basis.anchors is not None
    assert engine.basis.anchors.neighbours == SMALL.neighbours
    entries = engine._entries
    a, b = corpus[0].id, engine.related(corpus[0].id)[0].article_id
    ea, eb = entries[a], entries[b]
    assert ea.query is not None and ea.dense is not None and not np.array_equal(ea.query, ea.dense)
    assert engine.basis.query(ea.dense).tobytes() == ea.query.tobytes()  # built in blocks
    assert (ea.query @ eb.dense) != (eb.query @ ea.dense)  # asymmetric
    for doc in corpus[:15]:
        assert [(o, -n) for n, o in engine._full_ranking(doc.id)] == engine.rank_exhaustive(doc.id)
    upserted = RelatedEngine(SMALL, engine.stats, engine.basis)
    for doc in corpus[:40]:
        upserted.upsert(doc)
    once = RelatedEngine.build(corpus[:40], config=SMALL, stats=engine.stats, basis=engine.basis)
    assert upserted.lists() == once.lists()
    for aid in upserted.lists():
        assert upserted._entries[aid].query.tobytes() == once._entries[aid].query.tobytes()


def test_without_neighbours_an_article_ranks_with_its_dense_vector(corpus):
    engine = RelatedEngine.build(corpus[:200], config=replace(SMALL, neighbours=0))
    assert engine.basis is not None and engine.basis.anchors is None
    entry = engine._entries[corpus[0].id]
    assert entry.query is entry.dense
