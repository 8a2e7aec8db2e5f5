"""A 10k-article rebuild leaves the event loop free: health and reads answer meanwhile (defect 4).

Synthetic articles (random Arabic-letter words over a large vocabulary) keep the corpus sparse
like real news; AKHBAR_LOOP_TEST_ARTICLES changes the size (default the issue's 10,000, ~1.5
min). What stalled the loop at 10k was not only CPU: the cyclic garbage collector's full
passes over the engines (0.1-0.4 s each, every few seconds while a rebuild allocates a second
engine and renders every list; worse in a long-lived process with a bigger heap, where one CI
run saw `/health/live` take 1.1 s). Now the collector is paused while a rebuild works and the
engine is frozen out of its sight afterwards (services/related/heap.py), and the swap's CPU
steps run in worker threads: on the shared 2-core machine at load 4-5, `/health/live` worst
33-193 ms over three runs, reads p95 ~30 ms (worst ~0.5-0.8 s: the database busy with the
rebuild's writes).
"""

from __future__ import annotations

import asyncio
import gc
import os
import random

from shared.events import ArticleSnapshot, Block
from tests.conftest import ADMIN
from tests.integration.related.support import event, snapshot

ARTICLES = int(os.environ.get("AKHBAR_LOOP_TEST_ARTICLES", "10000"))
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def synthetic(n: int, seed: int = 3) -> dict[str, ArticleSnapshot]:
    rng = random.Random(seed)
    vocab = ["".join(rng.choices(LETTERS, k=rng.randint(3, 7))) for _ in range(60_000)]
    return {
        f"s{i:05d}": ArticleSnapshot(
            id=f"s{i:05d}", slug=f"s{i:05d}", title=" ".join(rng.choices(vocab, k=4)),
            body=[Block(type="paragraph", text=" ".join(rng.choices(vocab, k=20)))],
            status="published", version=1,
        )
        for i in range(n)
    }  # fmt: skip


async def test_health_and_reads_answer_within_a_second_during_a_large_rebuild(start_related):
    store = synthetic(ARTICLES)
    seed = {"id": "seed", "slug": "seed", "title": "مقال أول", "paragraphs": ["نص المقال"] * 3}
    store["seed"] = snapshot(seed, version=1)  # still published after the rebuild
    async with start_related(store, articles_page_size=500, write_batch=50) as related:
        client = related.client
        await related.send(event("published", seed, 1))
        await related.processed(1)
        assert (await client.get("/articles/seed/related")).status_code == 200
        job = (await client.post("/admin/rebuild", headers=ADMIN)).json()
        loop = asyncio.get_running_loop()
        samples, phases, phase = 0, set(), "queued"
        took: dict[str, list[float]] = {"/health/live": [], "/articles/seed/related": []}
        slow: list[tuple[str, str, float]] = []
        while True:
            for path, times in took.items():
                started = loop.time()
                answer = await client.get(path)
                times.append(loop.time() - started)
                if times[-1] > 0.3:
                    slow.append((phase, path, round(times[-1], 2)))
                assert answer.status_code == 200
            samples += 1
            state = (await client.get(f"/admin/rebuild/{job['job_id']}", headers=ADMIN)).json()
            phase = state["phase"]
            phases.add(phase)
            if state["status"] in ("succeeded", "failed"):
                break
            await asyncio.sleep(0.1)
        assert state["status"] == "succeeded", state
        # A full collection walks every container it sees with the GIL held (0.3-0.5 s at 10k
        # articles): the live engine is frozen out of its sight (services/related/heap.py).
        engine = related.ctx.index.engine
        assert len(engine) == ARTICLES + 1
        assert not any(o is engine for o in gc.get_objects()) and gc.isenabled()
        assert state["result"]["articles"] == ARTICLES + 1  # and the seed
        assert {"indexing", "writing"} <= phases and samples >= 10
        live, read = sorted(took["/health/live"]), sorted(took["/articles/seed/related"])
        p95 = read[int(len(read) * 0.95)]
        print(
            f"\n{ARTICLES} articles, {samples} samples: live worst {live[-1] * 1000:.0f} ms, "
            f"read p95 {p95 * 1000:.0f} ms, worst {read[-1] * 1000:.0f} ms; slow: {slow}"
        )
        # The event loop never stalls; a read also waits for the database (SecantusDB, shared
        # with the rebuild's writes and, on a loaded CI box, with everything else): its tail
        # is bounded at the 95th percentile.
        assert live[-1] < 1.0
        assert p95 < 1.0
