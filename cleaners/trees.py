"""Boosted oblivious trees evaluated in one compiled pass (numba).

The line classifier of `cleaners.text` is two ensembles of oblivious trees (`bench/train_lines.py`):
every level of a tree tests one feature against one threshold, and the bits of the levels, first
level highest, index the tree's leaves. `tree_sums` gives each row's sum of its leaf values, added
the way numpy's `sum` over a row adds them (pairwise, eight running sums), so the scores equal
those of the same trees evaluated with numpy arrays to the last bit.
"""
from __future__ import annotations

import numpy as np
from numba import njit


def pack(trees: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The trees of a model as arrays: feature (T, depth), threshold (T, depth) and leaf values
    (T, 2**depth). A tree with fewer levels gets tests that never pass (threshold +inf) below its
    own, so that its leaves sit at the indices with zero low bits."""
    depth = max(len(t["f"]) for t in trees)
    n = len(trees)
    feats = np.zeros((n, depth), dtype=np.int64)
    thrs = np.full((n, depth), np.inf)
    leaves = np.zeros((n, 1 << depth))
    for k, t in enumerate(trees):
        d = len(t["f"])
        feats[k, :d] = t["f"]
        thrs[k, :d] = t["t"]
        for leaf, v in enumerate(t["v"]):
            leaves[k, leaf << (depth - d)] = v
    return feats, thrs, leaves


@njit(cache=True)
def tree_sums(XT: np.ndarray, feats: np.ndarray, thrs: np.ndarray, leaves: np.ndarray) -> np.ndarray:
    """For each row of the feature matrix whose transpose (features, rows) is `XT`, the sum of its
    leaf values over the trees of `pack` (at most 128 trees). One tree at a time over all rows;
    the sums are numpy's for a short vector: sequential under 8 trees, else eight running sums
    (tree k into sum k % 8) combined as a tree, then the trees past the last multiple of 8."""
    ntree, depth = feats.shape
    n = XT.shape[1]
    leaf = np.empty(n, dtype=np.int64)
    acc = np.zeros((8, n))
    z = np.zeros(n)
    m = ntree - ntree % 8 if ntree >= 8 else 0
    for k in range(ntree):
        for r in range(n):
            leaf[r] = 0
        for d in range(depth):
            f = feats[k, d]
            t = thrs[k, d]
            for r in range(n):
                leaf[r] = (leaf[r] << 1) | (XT[f, r] >= t)
        if k < m:
            j = k % 8
            if k < 8:
                for r in range(n):
                    acc[j, r] = leaves[k, leaf[r]]
            else:
                for r in range(n):
                    acc[j, r] += leaves[k, leaf[r]]
            if k == m - 1:
                for r in range(n):
                    z[r] = ((acc[0, r] + acc[1, r]) + (acc[2, r] + acc[3, r])) \
                        + ((acc[4, r] + acc[5, r]) + (acc[6, r] + acc[7, r]))
        else:
            for r in range(n):
                z[r] += leaves[k, leaf[r]]
    return z


def probabilities(feats: np.ndarray, thrs: np.ndarray, leaves: np.ndarray, base: float,
                  X: np.ndarray) -> np.ndarray:
    """The model's probability for each row of `X` (rows, features): the sigmoid of `base` plus
    the `tree_sums` of the `pack`ed trees, clipped to +-30."""
    if X.shape[0] == 0:
        return np.zeros(0)
    z = tree_sums(np.ascontiguousarray(X.T, dtype=float), feats, thrs, leaves) + base
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
