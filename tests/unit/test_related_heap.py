"""The collector stays off the index engine: paused while one is built, the result frozen."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from services.related import heap
from services.related.engine import RelatedEngine


class Engine:
    """Stands for the index engine: a long-lived container."""

    def __init__(self) -> None:
        self.postings: dict[str, list[int]] = {"term": [1, 2, 3]}


def seen_by_collector(obj: object) -> bool:
    return any(o is obj for o in gc.get_objects())


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    yield
    gc.unfreeze()
    gc.enable()


def test_what_a_build_leaves_alive_is_out_of_the_collectors_sight() -> None:
    with heap.building():
        assert not gc.isenabled()  # no full collection while the engine is allocated
        engine = Engine()
        assert seen_by_collector(engine.postings)
    assert gc.isenabled()
    assert not seen_by_collector(engine.postings)
    heap.release()
    assert seen_by_collector(engine.postings)


def test_nested_and_overlapping_builds_share_one_pause() -> None:
    outer = heap.building()
    outer.__enter__()
    with heap.building():
        pass
    assert not gc.isenabled()  # the outer build still runs
    engine = Engine()
    outer.__exit__(None, None, None)
    assert gc.isenabled() and not seen_by_collector(engine)


def test_a_collector_switched_off_by_the_host_stays_off() -> None:
    gc.disable()
    with heap.building():
        pass
    assert not gc.isenabled()


def test_a_dropped_engine_is_freed_though_frozen() -> None:
    with heap.building():
        engine = Engine()
    frozen = gc.get_freeze_count()
    del engine  # reference counting frees it: the engine holds no cycles
    assert gc.get_freeze_count() < frozen


def test_a_failed_build_resumes_the_collector() -> None:
    with pytest.raises(RuntimeError), heap.building():
        raise RuntimeError("build failed")
    assert gc.isenabled()


def test_the_real_engine_holds_no_cycles_so_freezing_it_leaks_nothing() -> None:
    docs = [
        {"id": f"a{i}", "title": f"عنوان الخبر {i}", "text": "الحكومة تعلن خطة اقتصادية جديدة " * 5}
        for i in range(30)
    ]
    RelatedEngine.build(docs)  # first use: caches filled once
    gc.collect()
    untouched = len(gc.get_objects())
    with heap.building():
        engine = RelatedEngine.build(docs)
        tracked = len(gc.get_objects()) - untouched  # the engine's containers
    frozen = gc.get_freeze_count()
    assert tracked > 100
    del engine
    assert frozen - gc.get_freeze_count() >= tracked * 0.95  # freed by reference counting
