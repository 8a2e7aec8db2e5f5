"""The dense side of the related engine: an LSA basis fitted at build time, folded into per doc.

`fit` runs a truncated SVD (scikit-learn's randomized SVD, fixed seed) over the engine's own
BM25 term vectors and keeps, for the terms seen in at least `min_df` articles, their
coordinates in `dims` latent dimensions. An article's dense vector is the projection of its
term vector on that basis (LSA "folding in"): new articles are projected with no refit, so a
score stays a pure function of two articles and the frozen basis, like the lexical side.
The basis also keeps the mean of the projections of the articles it was fitted on, and a
projection is centred on it before it is normalized: the direction every article shares
(common vocabulary) then stops counting in every cosine. A basis stored without a mean
(epochs fitted before) projects uncentred, as its lists were computed.

Topics. The basis also keeps `topics`: k-means centroids (16) of the fitted articles' unit
projections. An article's soft membership in them (a softmax of its cosines with the
centroids at `temperature` 0.1, unit length) is appended to its dense vector, the two parts
weighted so that a dot of two dense vectors is `(1 - share) x LSA cosine + share x topic
cosine`: two articles in the same region of the latent space score higher even when their
own directions differ a little. The centroids are frozen with the basis, so this is still a
pure function of the two articles and the snapshot (docs/related.md has the measured effect).
A basis stored without topics projects as before.

Neighbourhood (query expansion). The basis also keeps `anchors`: the dense vectors of the
articles it was fitted on, frozen with it. An article ranks the others with its *query*
vector: its own dense vector plus `weight` x the mean of its `neighbours` closest anchors
(ties by anchor order), unit length — pseudo-relevance feedback on the dense side, with the
feedback taken from the frozen snapshot, never from the live index, so a score is still a pure
function of two articles and the epoch. The score is then directed: article a ranks b by
`query(a) . dense(b)`. A basis stored without anchors has query == dense vector.

Dense vectors are unit length, scaled to integers (`SCALE`) and held in float64: every partial
sum of a dot product of two of them is an integer below 2**53, so it is exact in any summation
order and the incremental path and the blocked full build agree bit for bit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.utils.extmath import randomized_svd

SCALE = 1 << 15
DOT_SCALE = float(SCALE * SCALE)


@dataclass(frozen=True)
class Topics:
    """Unit centroids (k x dims, float64) of the fitted articles' unit projections, the
    softmax temperature of a membership and its share of a dense dot."""

    centroids: np.ndarray
    share: float
    temperature: float

    def membership(self, unit: np.ndarray) -> np.ndarray:
        """An article's soft membership (unit length) given its unit projection."""
        sims = self.centroids @ unit
        weights = np.exp((sims - sims.max()) / self.temperature)
        return np.asarray(weights / np.sqrt(weights @ weights))


@dataclass(frozen=True)
class Anchors:
    """The fitted articles' dense vectors (integer-valued float64 rows, unit x SCALE), how many
    of the closest make an article's neighbourhood, and its weight in the query vector."""

    rows: np.ndarray
    neighbours: int
    weight: float

    def sims(self, dense: np.ndarray) -> np.ndarray:
        """Exact integer dots of anchors with one dense vector (or rows: n x anchors)."""
        return np.asarray(dense @ self.rows.T)

    def query(self, dense: np.ndarray, sims: np.ndarray) -> np.ndarray:
        """The query vector of a dense vector given its dots with the anchors (same units)."""
        k = min(self.neighbours, len(sims))
        head = np.argpartition(-sims, k - 1)[:k] if k < len(sims) else np.arange(len(sims))
        cut = sims[head].min()
        tied = np.flatnonzero(sims >= cut)  # every anchor at the cut, then by anchor order
        chosen = tied[np.lexsort((tied, -sims[tied]))[:k]]
        centre = self.rows[chosen].sum(axis=0) / (k * SCALE)  # integer sums: exact in any order
        expanded = dense / SCALE + self.weight * centre
        norm = float(np.sqrt(expanded @ expanded))
        quantized = np.rint(expanded / norm * SCALE) if norm else dense
        return quantized if quantized.any() else dense


@dataclass(frozen=True)
class Basis:
    """Term coordinates in the latent space (row `index[term]` of `matrix`, float32), the
    fitted corpus' mean projection (float64, in the units of an unnormalized projection) and
    its topics."""

    terms: tuple[str, ...]
    matrix: np.ndarray
    mean: np.ndarray | None = None
    topics: Topics | None = None
    anchors: Anchors | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {t: i for i, t in enumerate(self.terms)})

    @property
    def dims(self) -> int:
        """Latent dimensions."""
        return int(self.matrix.shape[1])

    @property
    def width(self) -> int:
        """Length of a dense vector: the latent dimensions and one per topic."""
        return self.dims + (0 if self.topics is None else len(self.topics.centroids))

    def project(self, vector: Mapping[str, int]) -> np.ndarray | None:
        """Dense vector of a term vector: integer-valued float64, unit x SCALE; None if empty."""
        index: dict[str, int] = self.index  # type: ignore[attr-defined]
        rows = sorted(index[t] for t in vector if t in index)
        if not rows:
            return None
        weights = np.array([vector[self.terms[r]] for r in rows], dtype=np.float64)
        dense = weights @ self.matrix[rows].astype(np.float64)
        if self.mean is not None:
            dense = dense - self.mean
        norm = float(np.sqrt(dense @ dense))
        if not norm:
            return None
        unit = dense / norm
        if self.topics is not None:
            share = self.topics.share
            unit = np.concatenate(
                [unit * np.sqrt(1.0 - share), self.topics.membership(unit) * np.sqrt(share)]
            )
        quantized = np.rint(unit * SCALE)
        return quantized if quantized.any() else None

    def query(self, dense: np.ndarray | None) -> np.ndarray | None:
        """The vector an article ranks others with: its dense vector, expanded by its
        neighbourhood among the anchors when the basis has them."""
        if dense is None or self.anchors is None:
            return dense
        return self.anchors.query(dense, self.anchors.sims(dense))

    def queries(self, dense: np.ndarray, block: int = 128) -> np.ndarray:
        """`query` of every row of `dense` (rows of zeros stay zeros), the anchor dots taken
        a block at a time; each row is finished by the same code as `query`, so the result is
        the same bit for bit (the dots are exact integers in any order)."""
        if self.anchors is None:
            return dense
        out = dense.copy()
        for start in range(0, len(dense), block):
            sims = self.anchors.sims(dense[start : start + block])
            for i, row in enumerate(sims, start):
                if dense[i].any():
                    out[i] = self.anchors.query(dense[i], row)
        return out

    def to_parts(self, terms_per_part: int = 2000) -> list[dict[str, Any]]:
        """Plain documents (terms and float32 bytes) to store the basis in chunks."""
        parts: list[dict[str, Any]] = [
            {
                "part": part,
                "dims": self.dims,
                "terms": list(self.terms[start : start + terms_per_part]),
                "matrix": self.matrix[start : start + terms_per_part].tobytes(),
            }
            for part, start in enumerate(range(0, len(self.terms), terms_per_part))
        ]
        if self.mean is not None:
            parts[0]["mean"] = self.mean.astype(np.float64).tobytes()
        if self.topics is not None:
            parts[0]["topics"] = {
                "centroids": self.topics.centroids.astype(np.float64).tobytes(),
                "share": self.topics.share,
                "temperature": self.topics.temperature,
            }
        if self.anchors is not None:
            rows = self.anchors.rows.astype(np.int32)
            parts[0]["anchors"] = {
                "neighbours": self.anchors.neighbours,
                "weight": self.anchors.weight,
                "width": int(rows.shape[1]),
            }
            step = max(1, terms_per_part)
            parts += [
                {"part": len(parts) + i, "dims": self.dims, "terms": [], "matrix": b"",
                 "anchor_rows": rows[start : start + step].tobytes()}
                for i, start in enumerate(range(0, len(rows), step))
            ]  # fmt: skip
        return parts

    @classmethod
    def from_parts(cls, parts: Sequence[Mapping[str, Any]]) -> Basis:
        """Rebuild what to_parts exported (parts in order); identical arrays, identical scores."""
        dims = int(parts[0]["dims"])
        terms = tuple(t for part in parts for t in part["terms"])
        blocks = [np.frombuffer(bytes(p["matrix"]), dtype=np.float32) for p in parts]
        matrix = np.concatenate(blocks).reshape(len(terms), dims).copy()
        stored = parts[0].get("mean")
        mean = None if stored is None else np.frombuffer(bytes(stored), dtype=np.float64).copy()
        kept = parts[0].get("topics")
        topics = None
        if kept is not None:
            centroids = np.frombuffer(bytes(kept["centroids"]), dtype=np.float64)
            topics = Topics(
                centroids.reshape(-1, dims).copy(), float(kept["share"]), float(kept["temperature"])
            )
        held = parts[0].get("anchors")
        anchors = None
        if held is not None:
            rows = [np.frombuffer(bytes(p["anchor_rows"]), dtype=np.int32) for p in parts
                    if "anchor_rows" in p]  # fmt: skip
            anchors = Anchors(
                np.concatenate(rows).reshape(-1, int(held["width"])).astype(np.float64),
                int(held["neighbours"]),
                float(held["weight"]),
            )
        return cls(terms, matrix, mean, topics, anchors)


def fit(
    vectors: Sequence[Mapping[str, int]],
    *,
    dims: int,
    min_df: int = 2,
    max_terms: int = 50_000,
    seed: int = 0,
    topics: int = 0,
    topic_share: float = 0.15,
    temperature: float = 0.1,
    neighbours: int = 0,
    neighbour_weight: float = 2.0,
    max_anchors: int = 20_000,
) -> Basis | None:
    """Fit an LSA basis (the mean projection, `topics` centroids when asked and the corpus
    holds at least 4 articles per topic, and the anchors of a `neighbours` expansion when
    asked: the fitted articles' dense vectors, at most `max_anchors` spread evenly over them)
    on term vectors; None when too few for `dims`."""
    df = Counter(t for v in vectors for t in v)
    kept = sorted((t for t, n in df.items() if n >= min_df), key=lambda t: (-df[t], t))
    terms = tuple(sorted(kept[:max_terms]))
    dims = min(dims, len(vectors) - 1, len(terms) - 1)
    if dims < 2:
        return None
    index = {t: i for i, t in enumerate(terms)}
    rows, cols, vals = [], [], []
    for r, vector in enumerate(vectors):
        for term, weight in vector.items():
            if term in index:
                rows.append(r)
                cols.append(index[term])
                vals.append(weight / SCALE)
    x = sp.csr_matrix((vals, (rows, cols)), shape=(len(vectors), len(terms)))
    _, _, vt = randomized_svd(x, dims, n_iter=5, random_state=seed)
    matrix = np.ascontiguousarray(vt.T, dtype=np.float32)
    # the unnormalized projections (`project`'s units) of the articles with a basis term
    projected = np.asarray(x[x.getnnz(axis=1) > 0] @ matrix.astype(np.float64)) * SCALE
    mean = projected.mean(axis=0) if len(projected) else np.zeros(dims)
    fitted = None
    if topics and topic_share > 0:
        centroids = _centroids(projected - mean, topics, seed)
        if centroids is not None:
            fitted = Topics(centroids, topic_share, temperature)
    basis = Basis(terms, matrix, mean, fitted)
    if neighbours <= 0 or neighbour_weight <= 0:
        return basis
    step = -(-len(vectors) // max_anchors)
    dense = [basis.project(v) for v in vectors[::step]]
    kept_rows = np.array([d for d in dense if d is not None])
    if len(kept_rows) <= neighbours:
        return basis
    return Basis(terms, matrix, mean, fitted, Anchors(kept_rows, neighbours, neighbour_weight))


def _centroids(centred: np.ndarray, k: int, seed: int) -> np.ndarray | None:
    """k-means centroids (unit rows) of the unit projections; None below 4 articles a topic."""
    norms = np.sqrt(np.einsum("ij,ij->i", centred, centred))
    units = centred[norms > 0] / norms[norms > 0, None]
    if len(units) < 4 * k:
        return None
    centres = KMeans(k, n_init=3, random_state=seed).fit(units).cluster_centers_
    lengths = np.sqrt(np.einsum("ij,ij->i", centres, centres))
    return np.ascontiguousarray(centres / np.maximum(lengths, 1e-12)[:, None])
