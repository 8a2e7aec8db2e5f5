"""The dense side of the related engine: an LSA basis fitted at build time, folded into per doc.

`fit` runs a truncated SVD (scikit-learn's randomized SVD, fixed seed) over the engine's own
BM25 term vectors and keeps, for the terms seen in at least `min_df` articles, their
coordinates in `dims` latent dimensions. An article's dense vector is the projection of its
term vector on that basis (LSA "folding in"): new articles are projected with no refit, so a
score stays a pure function of two articles and the frozen basis, like the lexical side.

Term weights (`entropy_weights`: the log-entropy global weight of LSA, computed by the full
build) scale each term before the fit and are folded into the stored coordinates, so
projecting stays one weighted sum over the basis rows and the stored basis keeps its shape.

Dense vectors are unit length, scaled to integers (`SCALE`) and held in float64: every partial
sum of a dot product of two of them is an integer below 2**53, so it is exact in any summation
order and the incremental path and the blocked full build agree bit for bit.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import randomized_svd

SCALE = 1 << 15
DOT_SCALE = float(SCALE * SCALE)


@dataclass(frozen=True)
class Basis:
    """Term coordinates in the latent space: row `index[term]` of `matrix` (float32)."""

    terms: tuple[str, ...]
    matrix: np.ndarray

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
        norm = float(np.sqrt(dense @ dense))
        if not norm:
            return None
        quantized = np.rint(dense / norm * SCALE)
        return quantized if quantized.any() else None

    def to_parts(self, terms_per_part: int = 2000) -> list[dict[str, Any]]:
        """Plain documents (terms and float32 bytes) to store the basis in chunks."""
        return [
            {
                "part": part,
                "dims": self.dims,
                "terms": list(self.terms[start : start + terms_per_part]),
                "matrix": self.matrix[start : start + terms_per_part].tobytes(),
            }
            for part, start in enumerate(range(0, len(self.terms), terms_per_part))
        ]

    @classmethod
    def from_parts(cls, parts: Sequence[Mapping[str, Any]]) -> Basis:
        """Rebuild what to_parts exported (parts in order); identical arrays, identical scores."""
        dims = int(parts[0]["dims"])
        terms = tuple(t for part in parts for t in part["terms"])
        blocks = [np.frombuffer(bytes(p["matrix"]), dtype=np.float32) for p in parts]
        matrix = np.concatenate(blocks).reshape(len(terms), dims).copy()
        return cls(terms, matrix)


def entropy_weights(frequencies: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Log-entropy global weight per term: 1 + sum_j p_j ln p_j / ln n, p_j = tf_j / sum tf.

    1 for a term in one article, towards 0 for a term spread evenly over all of them.
    """
    totals: defaultdict[str, float] = defaultdict(float)
    rows = list(frequencies)
    for tf in rows:
        for term, f in tf.items():
            totals[term] += f
    if len(rows) < 2:
        return dict.fromkeys(totals, 1.0)
    entropy: defaultdict[str, float] = defaultdict(float)
    for tf in rows:
        for term, f in tf.items():
            p = f / totals[term]
            entropy[term] += p * math.log(p)
    log_n = math.log(len(rows))
    return {t: 1.0 + entropy[t] / log_n for t in totals}


def fit(
    vectors: Sequence[Mapping[str, int]],
    *,
    dims: int,
    term_weights: Mapping[str, float] | None = None,
    min_df: int = 2,
    max_terms: int = 50_000,
    seed: int = 0,
) -> Basis | None:
    """Fit an LSA basis on term vectors; None when the corpus is too small for `dims`.

    With `term_weights`, each row is reweighted term by term and brought back to unit length
    before the fit, and the weights are folded into the coordinates kept.
    """
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
    scale = np.ones(len(terms))
    if term_weights is not None:
        scale = np.array([term_weights.get(t, 1.0) for t in terms])
        x = _unit_rows(x @ sp.diags(scale))
    _, _, vt = randomized_svd(x, dims, n_iter=5, random_state=seed)
    return Basis(terms, np.ascontiguousarray(vt.T * scale[:, None], dtype=np.float32))


def _unit_rows(x: sp.spmatrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ x)
