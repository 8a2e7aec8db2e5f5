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
from sklearn.utils.extmath import randomized_svd

SCALE = 1 << 15
DOT_SCALE = float(SCALE * SCALE)


@dataclass(frozen=True)
class Basis:
    """Term coordinates in the latent space (row `index[term]` of `matrix`, float32) and the
    fitted corpus' mean projection (float64, in the units of an unnormalized projection)."""

    terms: tuple[str, ...]
    matrix: np.ndarray
    mean: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {t: i for i, t in enumerate(self.terms)})

    @property
    def dims(self) -> int:
        return int(self.matrix.shape[1])

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
        quantized = np.rint(dense / norm * SCALE)
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
        return cls(terms, matrix, mean)


def fit(
    vectors: Sequence[Mapping[str, int]],
    *,
    dims: int,
    min_df: int = 2,
    max_terms: int = 50_000,
    seed: int = 0,
) -> Basis | None:
    """Fit an LSA basis (and the mean projection) on term vectors; None when too few for `dims`."""
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
    return Basis(terms, matrix, _mean_projection(x, matrix))


def _mean_projection(x: sp.csr_matrix, matrix: np.ndarray) -> np.ndarray:
    """Mean of the unnormalized projections (`project`'s units) of the rows with a basis term."""
    rows = x[x.getnnz(axis=1) > 0]
    if not rows.shape[0]:
        return np.zeros(matrix.shape[1])
    return np.asarray((rows @ matrix.astype(np.float64)).mean(axis=0)).ravel() * SCALE
