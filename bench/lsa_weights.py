"""Log-entropy term weights for the LSA basis: tried for issue 10, not kept (docs/related.md).

`entropy_weights` gives each term its log-entropy global weight, 1 + sum_j p_j ln p_j / ln n
with p_j = tf_j / sum tf over the n articles (1 for a term in one article, towards 0 for a term
spread evenly); `weighted_basis` fits the engine's basis on term vectors scaled by those weights
(back to unit length) and folds the weights into the coordinates, so `Basis.project` of an
unweighted vector gives the weighted projection (uncentred, as it was measured). It helps at
10,000 articles and hurts below a few thousand, which is why the engine does not use it;
related_tune.py --entropy measures it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from services.related import semantic


def entropy_weights(frequencies: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Log-entropy global weight of every term of the given term frequencies."""
    rows = list(frequencies)
    totals: defaultdict[str, float] = defaultdict(float)
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


def weighted_basis(
    vectors: Sequence[Mapping[str, int]], weights: Mapping[str, float], *, dims: int, seed: int
) -> semantic.Basis | None:
    """The engine's basis fitted on weighted unit rows, the weights folded into its rows."""
    scaled = []
    for vector in vectors:
        raw = {t: q * weights.get(t, 1.0) for t, q in vector.items()}
        norm = math.sqrt(sum(w * w for w in raw.values())) or 1.0
        scaled.append({t: q for t, w in raw.items() if (q := round(w / norm * semantic.SCALE))})
    basis = semantic.fit(scaled, dims=dims, seed=seed)
    if basis is None:
        return None
    scale = np.array([weights.get(t, 1.0) for t in basis.terms])[:, None]
    return semantic.Basis(basis.terms, (basis.matrix * scale).astype(np.float32))
