"""The Pol.is clustering steps red-dwarf 0.4.0's `run_pipeline` leaves out, rebuilt from
red-dwarf's own `PolisKMeans` and scikit-learn, to show which step explains a difference.

On red-dwarf's participant projections (its PCA, its in-conv participants), for k = 2..5:
- `sorted`: red-dwarf's own clustering (init="polis": `np.unique(X, axis=0)[:k]`, the
  distinct points sorted by x, then y);
- `first_rows`: the same k-means started from the first k distinct points in participant
  order, as Pol.is's cold start does (shared/spec/polis-math.md A.7);
- `base`: Pol.is's two levels: 100 base clusters (first-distinct-points start), then
  k-means on their centres weighted by size, silhouette over the centres (A.7.1-3).
Each gives {k: {"labels": {participant id: group}, "silhouette": s}}. k smoothing across
runs (A.7.4) is not rebuilt: it needs the history of runs, which the export lacks.
"""

import numpy as np
from reddwarf.sklearn.cluster import PolisKMeans
from sklearn.metrics import silhouette_score

BASE_K = 100
KS = range(2, 6)


def first_distinct(X, n):
    """The first n distinct rows of X, in row order."""
    _, first = np.unique(X, axis=0, return_index=True)
    return X[np.sort(first)[:n]]


def _one_level(X, ids, start):
    out = {}
    for k in KS:
        if len(np.unique(X, axis=0)) <= k:
            break
        if start == "sorted":
            km = PolisKMeans(n_clusters=k, init="polis")
        else:
            km = PolisKMeans(n_clusters=k, init_centers=first_distinct(X, k))
        labels = km.fit(X).labels_
        out[k] = {
            "labels": {str(int(p)): int(g) for p, g in zip(ids, labels)},
            "silhouette": float(silhouette_score(X, labels)),
        }
    return out


def _two_level(X, ids):
    n_base = min(BASE_K, len(np.unique(X, axis=0)))
    base = PolisKMeans(n_clusters=n_base, init_centers=first_distinct(X, n_base)).fit(X)
    sizes = np.bincount(base.labels_, minlength=n_base)
    kept = np.flatnonzero(sizes)  # Pol.is drops empty clusters
    centres, weights = base.cluster_centers_[kept], sizes[kept]
    index = np.full(n_base, -1)
    index[kept] = np.arange(len(kept))
    out = {}
    for k in KS:
        if len(centres) <= k:
            break
        groups = PolisKMeans(n_clusters=k, init_centers=first_distinct(centres, k))
        groups.fit(centres, sample_weight=weights)
        labels = groups.labels_[index[base.labels_]]
        out[k] = {
            "labels": {str(int(p)): int(g) for p, g in zip(ids, labels)},
            "silhouette": float(silhouette_score(centres, groups.labels_)),
        }
    return out


def rebuild(participants_df):
    """All three variants on the participants red-dwarf clustered."""
    clustered = participants_df[participants_df["to_cluster"]]
    X = clustered[["x", "y"]].to_numpy(dtype=float)
    ids = list(clustered.index)
    return {
        "sorted": _one_level(X, ids, "sorted"),
        "first_rows": _one_level(X, ids, "first_rows"),
        "base": _two_level(X, ids),
    }
