"""The candidate search of one dedup level done with datasketch's own ``MinHashLSH`` index: the
reference that ``cleaners.dedup_index``'s band-key arrays are tested against."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from datasketch import MinHashLSH
from datasketch.lean_minhash import LeanMinHash

from cleaners import dedup as D




def _lean(hv: bytes) -> LeanMinHash:
    return LeanMinHash(seed=D._SEED, hashvalues=D._hv(hv).astype(np.uint32), scheme=D._SCHEME)


def lsh_pairs(
    sigs: Sequence[D.Signature],
    attr: str,
    threshold: float | None,
    num_perm: int,
    eligible: Sequence[int],
    is_new: Sequence[bool],
    max_bucket: int,
    bands: tuple[int, int] | None = None,
) -> set[tuple[int, int]]:
    """Candidate pairs of one level: the eligible signatures go into a datasketch ``MinHashLSH``
    index (banded per ``threshold`` or explicit ``bands``), and every bucket of two or more that
    holds a new document gives its pairs (a new document against everything else in the bucket).

    ``cleaners.dedup.deduplicate`` finds the same pairs with ``dedup_index.candidates`` (sorted band-key arrays,
    no Python dict entry per band and document); this is the reference it is tested against."""
    if bands is not None:
        lsh = MinHashLSH(num_perm=num_perm, params=bands)
    else:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    with lsh.insertion_session() as sess:
        for i in eligible:
            sess.insert(i, _lean(getattr(sigs[i], attr)), check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for table in lsh.hashtables:
        for key in table.keys():
            members = table.get(key)
            if len(members) < 2:
                continue
            _bucket_pairs(sorted(members), is_new, max_bucket, pairs)
    return pairs


def _bucket_pairs(mem: list[int], is_new: Sequence[bool], max_bucket: int, pairs: set[tuple[int, int]]) -> None:
    news = [i for i in mem if is_new[i]]
    if not news:
        return
    if len(mem) > max_bucket:
        # a degenerate bucket (boilerplate-only bodies): pair each new doc with
        # its neighbours in id order only, which keeps exact groups connected
        for k in range(len(mem) - 1):
            if is_new[mem[k]] or is_new[mem[k + 1]]:
                pairs.add((mem[k], mem[k + 1]))
        return
    for x in news:
        for y in mem:
            if x != y and (not is_new[y] or y > x):
                pairs.add((x, y) if x < y else (y, x))
