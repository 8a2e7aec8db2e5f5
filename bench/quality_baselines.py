"""The baselines of bench/related_quality.py: what a newsroom could rank related articles with.

Each takes per-article token lists (one analyzer) and returns every article's top results
(indices into the corpus, self excluded, best first, ties by position):

- tfidf: tf-idf cosine, smoothed idf (scikit-learn's TfidfVectorizer, as Lucene's classic
  more-like-this ranks), raw or logarithmic (`sublinear`) term frequency;
- lsa: the same tf-idf reduced to 200 dimensions by TruncatedSVD (fixed seed), cosine;
- bm25: Okapi BM25 (k1 1.2, b 0.75) with the article's distinct terms as the query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from shared import arabic

TOP = 5
BLOCK = 1000


def lucene_tokens(text: str) -> list[str]:
    """Lucene-style Arabic analyzer: normalize, stop words, light10."""
    return [arabic.stem_light10(t) for t in arabic.tokenize(text) if t not in arabic.STOP_WORDS]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def top_by(similarity: Callable[[int, int], np.ndarray], n: int, top: int = TOP) -> list[list[int]]:
    """Top results of each row of a similarity computed in row blocks; only scores > 0."""
    results: list[list[int]] = []
    for start in range(0, n, BLOCK):
        sims = np.asarray(similarity(start, min(n, start + BLOCK)), dtype=np.float64)
        for row in range(sims.shape[0]):
            sims[row, start + row] = -np.inf
            head = np.argpartition(-sims[row], top)[: top + 1] if n > top + 1 else np.arange(n)
            best = sorted(head, key=lambda j, r=sims[row]: (-r[j], j))[:top]
            results.append([int(j) for j in best if sims[row, j] > 0])
    return results


def tfidf_matrix(token_lists: Sequence[list[str]], sublinear: bool = False) -> sp.csr_matrix:
    """Unit-length tf-idf rows."""
    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=sublinear)
    return vectorizer.fit_transform(token_lists).tocsr()


def tfidf(token_lists: Sequence[list[str]], sublinear: bool = False) -> list[list[int]]:
    x = tfidf_matrix(token_lists, sublinear)
    return top_by(lambda a, b: (x[a:b] @ x.T).toarray(), x.shape[0])


def lsa(token_lists: Sequence[list[str]], sublinear: bool = False, dims: int = 200) -> list:
    x = tfidf_matrix(token_lists, sublinear)
    dims = min(dims, x.shape[0] - 1, x.shape[1] - 1)
    z = normalize(TruncatedSVD(dims, random_state=0).fit_transform(x))
    return top_by(lambda a, b: z[a:b] @ z.T, x.shape[0])


def bm25(token_lists: Sequence[list[str]], k1: float = 1.2, b: float = 0.75) -> list[list[int]]:
    tf = CountVectorizer(analyzer=_identity).fit_transform(token_lists).tocsr().astype(float)
    n = tf.shape[0]
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    df = np.asarray((tf > 0).sum(axis=0)).ravel()
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
    coo = tf.tocoo()
    norm = k1 * (1 - b + b * lengths[coo.row] / (lengths.mean() or 1.0))
    weights = coo.data * (k1 + 1) / (coo.data + norm) * idf[coo.col]
    docs = sp.csr_matrix((weights, (coo.row, coo.col)), shape=tf.shape)
    queries = (tf > 0).astype(float).tocsr()
    return top_by(lambda a, c: (queries[a:c] @ docs.T).toarray(), n)
