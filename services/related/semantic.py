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
class Basis:
    """Term coordinates in the latent space (row `index[term]` of `matrix`, float32), the
    fitted corpus' mean projection (float64, in the units of an unnormalized projection) and
    its topics."""

    terms: tuple[str, ...]
    matrix: np.ndarray
    mean: np.ndarray | None = None
    topics: Topics | None = None

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
        return cls(terms, matrix, mean, topics)


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
) -> Basis | None:
    """Fit an LSA basis (the mean projection, and `topics` centroids when asked and the corpus
    holds at least 4 articles per topic) on term vectors; None when too few for `dims`."""
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
    return Basis(terms, matrix, mean, fitted)


def _centroids(centred: np.ndarray, k: int, seed: int) -> np.ndarray | None:
    """k-means centroids (unit rows) of the unit projections; None below 4 articles a topic."""
    norms = np.sqrt(np.einsum("ij,ij->i", centred, centred))
    units = centred[norms > 0] / norms[norms > 0, None]
    if len(units) < 4 * k:
        return None
    centres = KMeans(k, n_init=3, random_state=seed).fit(units).cluster_centers_
    lengths = np.sqrt(np.einsum("ij,ij->i", centres, centres))
    return np.ascontiguousarray(centres / np.maximum(lengths, 1e-12)[:, None])
