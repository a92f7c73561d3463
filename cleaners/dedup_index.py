"""Candidate search of the dedup stage over a persistent, array-only index.

The three signature levels are banded exactly as datasketch ``MinHashLSH`` bands them (the
same ``b`` bands of ``r`` rows: explicit for ``near`` and ``story``, datasketch's own
``_optimal_param`` choice for the ``lead`` threshold), and two documents are candidates of a
level when they agree on every value of one band: the pairs ``MinHashLSH`` buckets give. The
buckets are not Python dicts of sets, though (at 100k documents and 88 bands that is millions
of entries): each band is a sorted ``uint64`` array of band keys, so a run looks up the keys
of its new documents with ``numpy.searchsorted`` and enumerates the bucket pairs with vector
operations.

A :class:`Segment` holds, for one set of signatures (one ``signatures/`` part of the corpus),
everything dedup needs to know about them without loading them: band keys per level, exact
keys, doc_id hashes, the story features as hashes (for the candidate prefilter), the near and
lead MinHash values, and the counts behind the corpus statistics (document frequency of the
story features for ``_Weights``, of the sketch hashes for ``_boilerplate``). Segments are saved
next to the corpus (``dedup_index/<part>.idx``) with a fingerprint of their part and of the
banding; a missing or stale one is rebuilt from its part. A later run thus reads arrays, looks
up only its new documents, and loads just the signatures that are candidates.

The story level is permissive (64 bands of 2 rows: rewrites share few names), so most of its
bucket pairs share a name or two and nothing else. Before verification a story-only pair must
pass ``_story_prefilter``: enough shared names/numbers/quote 4-grams for the story test's
``story_min_features`` to be reachable, or a shared near/lead MinHash value (a copy the other
levels missed). Both are cheap set/array tests.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import xxhash
from datasketch import MinHashLSH

from cleaners.dedup import (STORY_SHORT_MIN, DedupParams, Signature, _quote_grams, _sorted_unique as _uniq,
                            signature_key)

INDEX_VERSION = 1
LEVELS = ("near", "lead", "story")

_U64 = np.uint64


@lru_cache(maxsize=32)
def _threshold_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def band_plan(params: DedupParams) -> dict[str, tuple[str, int, int, int]]:
    """level -> (Signature attribute, num_perm, bands, rows), as MinHashLSH bands each level."""
    return {
        "near": ("near_mh", params.num_perm, params.near_lsh_bands, params.near_lsh_rows),
        "lead": ("lead_mh", params.lead_num_perm, *_threshold_bands(params.lead_lsh_threshold, params.lead_num_perm)),
        "story": ("story_mh", params.story_num_perm, params.story_lsh_bands, params.story_lsh_rows),
    }


def layout_key(params: DedupParams) -> str:
    """What a segment's arrays depend on: the signature key and the banding of each level."""
    plan = band_plan(params)
    return (f"idx{INDEX_VERSION}|{signature_key(params)}|"
            + ";".join(f"{lvl}={plan[lvl][2]}x{plan[lvl][3]}" for lvl in LEVELS))


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (a bijection of uint64), vectorised."""
    x = x ^ (x >> _U64(30))  # a new array; the rest is done in place (the arrays can be large)
    x *= _U64(0xBF58476D1CE4E5B9)
    x ^= x >> _U64(27)
    x *= _U64(0x94D049BB133111EB)
    x ^= x >> _U64(31)
    return x


def band_keys(values: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64 keys of the MinHash values (n, num_perm): equal keys = equal band.

    One or two rows are packed exactly; more are hashed (a collision only adds a candidate,
    which verification then rejects)."""
    n = values.shape[0]
    if rows <= 2:  # made from the uint32 columns, without a uint64 copy of the whole matrix
        h = values[:, 0: bands * rows: rows].astype(_U64)
        if rows == 2:
            h <<= _U64(32)
            h |= values[:, 1: bands * rows: rows]
        return h
    v = values[:, : bands * rows].astype(_U64).reshape(n, bands, rows)
    h = np.zeros((n, bands), dtype=_U64)
    for j in range(rows):
        h = _mix(h ^ v[:, :, j] ^ _U64(j + 1) << _U64(40))
    return h


def _matrix(blobs: Sequence[bytes], width: int) -> np.ndarray:
    """Stack fixed-size little-endian uint32 blobs as an (n, width) array (zeros where a blob
    has another size, e.g. an empty lead MinHash)."""
    out = np.zeros((len(blobs), width), dtype=np.uint32)
    size = 4 * width
    ok = [i for i, b in enumerate(blobs) if len(b) == size]
    if ok:
        if len(ok) == len(blobs):
            out[:] = np.frombuffer(b"".join(blobs), dtype="<u4").reshape(len(blobs), width)
        else:
            out[ok] = np.frombuffer(b"".join(blobs[i] for i in ok), dtype="<u4").reshape(len(ok), width)
    return out


def _h64(s: str) -> int:
    return xxhash.xxh64_intdigest(s.encode("utf-8", "surrogatepass"))


def doc_id_hash(doc_id: str) -> int:
    return _h64(doc_id)


def df_features(s: Signature) -> list[str]:
    """The features ``_Weights`` counts document frequencies of (one count per signature)."""
    return [*s.entities, *s.numbers, *("t:" + t for t in s.lead_terms)]


def prefilter_sets(s: Signature) -> tuple[frozenset[int], frozenset[int]]:
    """Hashes of the names and numbers, and of the quote 4-grams, of one signature."""
    return (frozenset(_h64(x) for x in (*s.entities, *s.numbers)),
            frozenset(_h64(g) for q in s.quotes for g in _quote_grams(q)))


def _table_of(sigs: Sequence[Signature]):
    import pyarrow as pa

    from cleaners.dedup import SIGNATURE_SCHEMA

    records = [s.to_record() for s in sigs]
    return pa.table({name: [r[name] for r in records] for name in SIGNATURE_SCHEMA.names}, schema=SIGNATURE_SCHEMA)


def _list_chunk(column):
    import pyarrow as pa

    return column.chunk(0) if column.num_chunks else pa.array([], type=column.type)


def _offsets(column) -> np.ndarray:
    """Row offsets (n+1,) of a list column (a null list is empty)."""
    arr = _list_chunk(column)
    off = arr.offsets.to_numpy().astype(np.int64)
    return off - off[0]


_HASHES: dict[str, int] = {}  # feature string -> xxh64, kept across segments (features repeat)
_HASHES_MAX = 1_000_000


def _list_hashes(column, prefix: str = "") -> tuple[np.ndarray, np.ndarray]:
    """xxh64 of every string of a list<string> column (each distinct string hashed once), and
    the row offsets."""
    import pyarrow.compute as pc

    arr = _list_chunk(column)
    off = _offsets(column)
    flat = arr.flatten()
    if not len(flat):
        return np.zeros(0, dtype=_U64), off
    if flat.null_count:
        flat = pc.fill_null(flat, "")
    enc = pc.dictionary_encode(flat)
    cache = _HASHES
    if len(cache) > _HASHES_MAX:
        cache.clear()
    h = np.fromiter((cache[x] if x in cache else cache.setdefault(x, _h64(x))
                     for x in (prefix + u for u in enc.dictionary.to_pylist())), dtype=_U64)
    return h[enc.indices.to_numpy(zero_copy_only=False)], off


def _quote_gram_hashes(column) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the 4-grams of each row's quotes, and row offsets."""
    rows = column.to_pylist()
    cache: dict[str, list[int]] = {}
    out: list[int] = []
    off = [0]
    for quotes in rows:
        for q in quotes or ():
            g = cache.get(q)
            if g is None:
                g = cache[q] = [_h64(x) for x in _quote_grams(q)]
            out.extend(g)
        off.append(len(out))
    return np.array(out, dtype=_U64), np.array(off, dtype=np.int64)


def story_eligible(s: Signature) -> bool:
    return bool(s.entities or s.quotes)


@dataclass
class Segment:
    """Index arrays of one set of signatures; row r stands for ``rowmap[r]`` of its source."""

    n: int
    layout: str
    words: np.ndarray  # int32 (n,)
    ids: np.ndarray  # uint64 (n,) doc_id hashes
    content: np.ndarray  # uint64 (n,) content_hash
    keys: dict[str, np.ndarray]  # level -> (bands, m) uint64, each band sorted
    rows: dict[str, np.ndarray]  # level -> (bands, m) int32, the row of each key
    near: np.ndarray  # (n, num_perm) uint32
    lead: np.ndarray  # (n, lead_num_perm) uint32
    feat_off: np.ndarray  # int64 (n+1,) CSR offsets into feat
    feat: np.ndarray  # uint64 name/number hashes
    qg_off: np.ndarray
    qg: np.ndarray  # uint64 quote 4-gram hashes
    df_keys: np.ndarray  # uint64 sorted unique feature hashes
    df_counts: np.ndarray  # int64
    sk_keys: np.ndarray  # uint32 sorted unique sketch hashes
    sk_counts: np.ndarray  # int64
    rowmap: np.ndarray | None = None  # rows of the source (None: identity)
    fingerprint: str = ""  # of the source part the segment was built from

    @classmethod
    def build(cls, sigs: Sequence[Signature], params: DedupParams, fingerprint: str = "",
              rowmap: np.ndarray | None = None) -> "Segment":
        return cls.from_table(_table_of(sigs), params, fingerprint, rowmap)

    @classmethod
    def from_table(cls, table, params: DedupParams, fingerprint: str = "",
                   rowmap: np.ndarray | None = None) -> "Segment":
        """The segment of a table of ``SIGNATURE_SCHEMA`` rows, column by column."""
        t = table.combine_chunks()
        n = t.num_rows
        ents, ent_off = _list_hashes(t.column("entities"))
        nums, num_off = _list_hashes(t.column("numbers"))
        terms, _ = _list_hashes(t.column("lead_terms"), "t:")
        qg, qg_off = _quote_gram_hashes(t.column("quotes"))
        n_ent = np.diff(ent_off)
        story_ok = (n_ent > 0) | (np.diff(_offsets(t.column("quotes"))) > 0)
        words = t.column("words").to_numpy(zero_copy_only=False).astype(np.int32)
        plan = band_plan(params)
        keys, rows = {}, {}
        for lvl, (attr, perm, b, r) in plan.items():
            elig = np.arange(n) if lvl != "story" else np.flatnonzero(story_ok)
            blobs = t.column(attr).to_pylist()
            mat = _matrix([blobs[i] for i in elig.tolist()], perm)
            k = band_keys(mat, b, r).T  # (b, m)
            order = np.argsort(k, axis=1, kind="stable")
            keys[lvl] = np.take_along_axis(k, order, axis=1)
            rows[lvl] = elig[order].astype(np.int32) if len(elig) else np.zeros((b, 0), dtype=np.int32)
        # names and numbers of each row, in row order
        row_of = np.concatenate([np.repeat(np.arange(n), n_ent), np.repeat(np.arange(n), np.diff(num_off))])
        order = np.argsort(row_of, kind="stable")
        feat = np.concatenate([ents, nums])[order]
        df_keys, df_counts = np.unique(np.concatenate([ents, nums, terms]), return_counts=True)
        sk = b"".join(t.column("sketch").to_pylist())
        sk_keys, sk_counts = np.unique(np.frombuffer(sk, dtype="<u4"), return_counts=True)
        return cls(
            n=n, layout=layout_key(params), words=words,
            ids=np.array([doc_id_hash(d) for d in t.column("doc_id").to_pylist()], dtype=_U64),
            content=t.column("content_hash").to_numpy(zero_copy_only=False).astype(_U64),
            keys=keys, rows=rows,
            near=_matrix(t.column("near_mh").to_pylist(), params.num_perm),
            lead=_matrix(t.column("lead_mh").to_pylist(), params.lead_num_perm),
            feat_off=(ent_off + num_off).astype(np.int64), feat=feat,
            qg_off=qg_off, qg=qg,
            df_keys=df_keys.astype(_U64), df_counts=df_counts.astype(np.uint32),
            sk_keys=sk_keys.astype(np.uint32), sk_counts=sk_counts.astype(np.uint32),
            rowmap=rowmap, fingerprint=fingerprint,
        )

    # ---- persistence: one file, a JSON header line then the arrays (8-byte aligned), read
    # through a memory map (only the pages a run looks at are read)
    _ARRAYS = ("words", "ids", "content", "near", "lead", "feat_off", "feat", "qg_off", "qg",
               "df_keys", "df_counts", "sk_keys", "sk_counts")

    def save(self, path: Path) -> None:
        """Write atomically (temporary name, fsync, rename)."""
        arrays = {k: getattr(self, k) for k in self._ARRAYS}
        for lvl in LEVELS:
            arrays[f"keys_{lvl}"] = self.keys[lvl]
            arrays[f"rows_{lvl}"] = self.rows[lvl]
        layout, offset = {}, 0
        for k, v in arrays.items():
            v = np.ascontiguousarray(v)
            arrays[k] = v
            layout[k] = [v.dtype.str, list(v.shape), offset]
            offset += -(-v.nbytes // 8) * 8
        meta = {"format": f"newscurate-dedup-index-{INDEX_VERSION}", "n": self.n, "layout": self.layout,
                "fingerprint": self.fingerprint, "arrays": layout}
        head = json.dumps(meta).encode() + b"\n"
        head += b" " * (-len(head) % 8)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(len(head).to_bytes(8, "little"))
            fh.write(head)
            for k, v in arrays.items():
                fh.write(v.tobytes())
                fh.write(b"\0" * (-v.nbytes % 8))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    @staticmethod
    def _open(path: Path) -> tuple[dict, memoryview, int]:
        import mmap

        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        n = int.from_bytes(mm[:8], "little")
        meta = json.loads(bytes(mm[8: 8 + n]))
        if meta.get("format") != f"newscurate-dedup-index-{INDEX_VERSION}":
            raise ValueError("not a dedup index segment")
        return meta, mm, 8 + n

    @classmethod
    def read_meta(cls, path: Path) -> dict | None:
        try:
            meta, _, start = cls._open(path)
            end = max((o + int(np.prod(sh)) * np.dtype(dt).itemsize for dt, sh, o in meta["arrays"].values()),
                      default=0)
            if path.stat().st_size < start + end:
                return None  # torn
            return meta
        except Exception:  # missing, torn, another format: rebuilt by the caller
            return None

    @classmethod
    def load_array(cls, path: Path, name: str) -> np.ndarray:
        meta, mm, start = cls._open(path)
        return cls._array(mm, start, *meta["arrays"][name])

    @staticmethod
    def _array(mm, start: int, dtype: str, shape: list[int], offset: int) -> np.ndarray:
        count = int(np.prod(shape))
        return np.frombuffer(mm, dtype=np.dtype(dtype), count=count, offset=start + offset).reshape(shape)

    @classmethod
    def load(cls, path: Path) -> "Segment":
        meta, mm, start = cls._open(path)
        a = {k: cls._array(mm, start, *v) for k, v in meta["arrays"].items()}
        return cls(
            n=meta["n"], layout=meta["layout"], fingerprint=meta["fingerprint"],
            keys={lvl: a.pop(f"keys_{lvl}") for lvl in LEVELS}, rows={lvl: a.pop(f"rows_{lvl}") for lvl in LEVELS},
            **a,
        )

    def feat_of(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        return (self.feat[self.feat_off[r]: self.feat_off[r + 1]], self.qg[self.qg_off[r]: self.qg_off[r + 1]])


@dataclass
class HeldSource:
    """One segment of the held signatures and how to get them: positions base .. base+n-1."""

    base: int
    n: int
    segment: Callable[[], Segment]  # loads (or returns) the segment
    signatures: Callable[[Sequence[int]], list[Signature]]  # signatures of source rows


@dataclass
class Held:
    """The signatures a run is deduplicated against, seen through their index segments.

    ``sources`` are in corpus order; a document's position is its source's ``base`` plus its
    row in the source, so positions follow the order of ``Corpus.signatures()``."""

    sources: list[HeldSource] = field(default_factory=list)
    count: int = 0  # live signatures (for the idf statistics)

    @property
    def end(self) -> int:
        return self.sources[-1].base + self.sources[-1].n if self.sources else 0

    @classmethod
    def of(cls, sigs: Sequence[Signature], params: DedupParams) -> "Held":
        """An in-memory index of a list of signatures."""
        sigs = list(sigs)
        if not sigs:
            return cls()
        seg = Segment.build(sigs, params)
        return cls([HeldSource(0, len(sigs), lambda: seg, lambda rows: [sigs[r] for r in rows])], len(sigs))


# --------------------------------------------------------------------------- candidate pairs


_LOW_BITS = 22


def _isin(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """``np.isin`` by sorting and binary search (numpy's hash-based unique is slow here)."""
    values = np.asarray(values)
    s = _uniq(np.asarray(among))
    if not len(s) or not values.size:
        return np.zeros(values.shape, dtype=bool)
    i = np.searchsorted(s, values)
    i[i >= len(s)] = 0
    return s[i] == values


def _low_bits(keys: np.ndarray, bits: int = _LOW_BITS) -> np.ndarray:
    k = keys.astype(_U64, copy=False)
    return ((k ^ (k >> _U64(32))) & _U64((1 << bits) - 1)).astype(np.int64)


def _bitmap(keys: np.ndarray, bits: int = _LOW_BITS) -> np.ndarray:
    """Which low-bit patterns the keys have: a quick first test of membership."""
    bm = np.zeros(1 << bits, dtype=bool)
    bm[_low_bits(keys, bits)] = True
    return bm


def _composite(keys: np.ndarray, band: np.ndarray) -> np.ndarray:
    """One uint64 for (band, key)."""
    return _mix(keys ^ ((band.astype(_U64) + _U64(1)) * _U64(0x9E3779B97F4A7C15)))


def _pairs_in_groups(keys: np.ndarray, pos: np.ndarray, new: np.ndarray, max_bucket: int) -> np.ndarray:
    """Pairs (x < y) of positions sharing a key, at least one of them new; groups larger than
    max_bucket give only their neighbours in position order (as ``tests/lsh_reference.py`` does with MinHashLSH buckets)."""
    if len(keys) < 2:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((pos, keys))
    k, p, nw = keys[order], pos[order], new[order]
    same = k[1:] == k[:-1]
    if not same.any():
        return np.zeros(0, dtype=np.int64)
    # group sizes, per element
    start = np.concatenate(([True], ~same))
    gid = np.cumsum(start) - 1
    size = np.bincount(gid)[gid]
    # groups without a new member give nothing
    has_new = np.bincount(gid, weights=nw.astype(np.float64))[gid] > 0
    keep = (size >= 2) & has_new
    k, p, nw, size = k[keep], p[keep], nw[keep], size[keep]
    gid = gid[keep]
    out = []
    idx = np.arange(len(k) - 1)
    d = 1
    while len(idx):
        j = idx + d
        ok = j < len(k)
        idx, j = idx[ok], j[ok]
        ok = gid[idx] == gid[j]
        if d > 1:
            ok &= size[idx] <= max_bucket
        idx, j = idx[ok], j[ok]
        if not len(idx):
            break
        sel = nw[idx] | nw[j]
        out.append((p[idx[sel]].astype(np.int64) << 32) | p[j[sel]].astype(np.int64))
        if d == 1:
            idx = idx[size[idx] <= max_bucket]
        d += 1
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _exact_pairs(hashes: np.ndarray, words: np.ndarray, pos: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Consecutive pairs (in position order) of each group of equal (content hash, words) that
    holds a new document (as ``deduplicate`` pairs exact groups)."""
    if len(pos) < 2:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((pos, words, hashes))
    h, w, p, nw = hashes[order], words[order], pos[order], new[order]
    same = (h[1:] == h[:-1]) & (w[1:] == w[:-1])
    start = np.concatenate(([True], ~same))
    gid = np.cumsum(start) - 1
    has_new = np.bincount(gid, weights=nw.astype(np.float64))[gid] > 0
    i = np.flatnonzero(same & has_new[1:])
    return (p[i].astype(np.int64) << 32) | p[i + 1].astype(np.int64)


def _unpack(codes: np.ndarray) -> list[tuple[int, int]]:
    codes = _uniq(codes)
    return list(zip((codes >> 32).tolist(), (codes & 0xFFFFFFFF).tolist()))


@dataclass
class _Matched:
    """What the candidate search learnt of held documents, by position."""

    story_feat: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    near: dict[int, np.ndarray] = field(default_factory=dict)
    lead: dict[int, np.ndarray] = field(default_factory=dict)


def candidates(new: Sequence[Signature], held: Held, params: DedupParams,
               prefilter: bool = True) -> tuple[list[tuple[int, int]], np.ndarray, dict]:
    """Candidate pairs (positions x < y) of all levels, the story ones prefiltered.

    New documents have positions ``held.end + i``. Returns the sorted pairs, which new documents
    are judged (a doc_id listed before, held or earlier among the new ones, is judged once at
    most) and figures."""
    n_new = len(new)
    base_new = held.end
    ids = np.array([doc_id_hash(s.doc_id) for s in new], dtype=_U64)
    new_ok = np.ones(n_new, dtype=bool)
    if n_new:
        _, first = np.unique(ids, return_index=True)
        new_ok[:] = False
        new_ok[first] = True
    plan = band_plan(params)
    new_pos = base_new + np.arange(n_new, dtype=np.int64)
    words = np.array([s.words for s in new], dtype=np.int64)
    long_enough = words >= params.min_words
    story_ok = long_enough & np.array([story_eligible(s) for s in new], dtype=bool)
    new_keys: dict[str, np.ndarray] = {}
    for lvl, (attr, perm, b, r) in plan.items():
        elig = long_enough if lvl != "story" else story_ok
        new_keys[lvl] = band_keys(_matrix([getattr(new[i], attr) for i in np.flatnonzero(elig)], perm), b, r)

    # the new keys as (band, key) composites and a bitmap of their low bits, made when held
    # segments are looked up (a first run has none: these are as large as the keys)
    new_comp: dict[str, np.ndarray] = {}
    new_bits: dict[str, np.ndarray] = {}

    def composites(lvl: str) -> tuple[np.ndarray, np.ndarray]:
        if lvl not in new_comp:
            nk = new_keys[lvl]
            new_comp[lvl] = _uniq(_composite(nk, np.arange(nk.shape[1])[None, :]).ravel())
            new_bits[lvl] = _bitmap(nk.ravel())
        return new_comp[lvl], new_bits[lvl]

    # per level and band: (keys, positions) of the held documents in buckets of new ones
    ex_keys: dict[str, list[list[np.ndarray]]] = {lvl: [[] for _ in range(plan[lvl][2])] for lvl in LEVELS}
    ex_pos: dict[str, list[list[np.ndarray]]] = {lvl: [[] for _ in range(plan[lvl][2])] for lvl in LEVELS}
    ex_exact: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    matched = _Matched()
    new_content = np.array([s.content_hash for s in new], dtype=_U64)
    for src in held.sources:
        seg = src.segment()
        new_ok &= ~_isin(ids, seg.ids)
        rowpos = src.base + (seg.rowmap if seg.rowmap is not None else np.arange(seg.n, dtype=np.int64))
        # exact: same content hash (words compared when grouping)
        hit = np.flatnonzero(_isin(seg.content, new_content[words > 0]) & (seg.words > 0))
        if len(hit):
            ex_exact.append((seg.content[hit], seg.words[hit].astype(np.int64), rowpos[hit]))
        for lvl in LEVELS:
            seg_keys = seg.keys[lvl]
            if not new_keys[lvl].size or not seg_keys.size:
                continue
            comp, bits = composites(lvl)
            # keys whose low bits a new key of the level has, then the exact (band, key) test
            jj, cc = np.nonzero(bits[_low_bits(seg_keys)])
            if not len(jj):
                continue
            kk = seg_keys[jj, cc]
            exact_hit = _isin(_composite(kk, jj), comp)
            jj, cc, kk = jj[exact_hit], cc[exact_hit], kk[exact_hit]
            rows = seg.rows[lvl][jj, cc]
            ok = seg.words[rows] >= params.min_words
            jj, kk, rows = jj[ok], kk[ok], rows[ok]
            if not len(rows):
                continue
            bounds = np.searchsorted(jj, np.arange(plan[lvl][2] + 1))
            for j in np.flatnonzero(np.diff(bounds)).tolist():
                ex_keys[lvl][j].append(kk[bounds[j]: bounds[j + 1]])
                ex_pos[lvl][j].append(rowpos[rows[bounds[j]: bounds[j + 1]]])
            if lvl == "story":  # what the story prefilter needs of them
                for r in _uniq(rows).tolist():
                    p = int(rowpos[r])
                    if p not in matched.story_feat:
                        matched.story_feat[p] = seg.feat_of(r)
                        matched.near[p] = seg.near[r]
                        matched.lead[p] = seg.lead[r]
        del seg

    is_new_all = new_ok.astype(bool)
    # exact level
    if ex_exact:
        eh = np.concatenate([e[0] for e in ex_exact])
        ew = np.concatenate([e[1] for e in ex_exact])
        ep = np.concatenate([e[2] for e in ex_exact])
    else:
        eh, ew, ep = np.zeros(0, _U64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    sel = words > 0
    exact = _exact_pairs(np.concatenate([new_content[sel], eh]), np.concatenate([words[sel], ew]),
                         np.concatenate([new_pos[sel], ep]),
                         np.concatenate([is_new_all[sel], np.zeros(len(ep), bool)]))
    copy_codes = [exact]
    story_codes = []
    for lvl in LEVELS:
        elig = long_enough if lvl != "story" else story_ok
        pos_n = new_pos[elig]
        nw_n = is_new_all[elig]
        nk = new_keys[lvl]
        for j in range(plan[lvl][2]):
            ks = ex_keys[lvl][j]
            k = np.concatenate([nk[:, j]] + ks) if ks else nk[:, j]
            p = np.concatenate([pos_n] + ex_pos[lvl][j]) if ks else pos_n
            nw = np.concatenate([nw_n, np.zeros(len(p) - len(pos_n), bool)]) if ks else nw_n
            codes = _pairs_in_groups(k, p, nw, params.max_bucket)
            (story_codes if lvl == "story" else copy_codes).append(codes)
    copy = _uniq(np.concatenate(copy_codes)) if copy_codes else np.zeros(0, np.int64)
    story = _uniq(np.concatenate(story_codes)) if story_codes else np.zeros(0, np.int64)
    story_only = story[~_isin(story, copy)]
    kept = _story_prefilter(story_only, new, base_new, matched, params) if prefilter else story_only
    figures = {"copy_candidates": int(len(copy)), "story_candidates": int(len(story_only)),
               "story_prefiltered": int(len(kept))}
    return _unpack(np.concatenate([copy, kept])), new_ok, figures


def _story_prefilter(codes: np.ndarray, new: Sequence[Signature], base_new: int, matched: _Matched,
                     params: DedupParams) -> np.ndarray:
    """The story-only candidate pairs that could verify: sharing at least
    ``story_min_features`` names/numbers/quote 4-grams, or fewer for a short brief (the story
    test counts only shared ones of those, at most three quote grams), or a MinHash value of the
    near/lead signatures (a copy that did not meet at the copy levels)."""
    if not len(codes):
        return codes
    need = params.story_min_features
    xs_all = codes >> 32
    ys_all = codes & 0xFFFFFFFF
    used = _uniq(np.concatenate([xs_all, ys_all]))
    ix, iy = np.searchsorted(used, xs_all), np.searchsorted(used, ys_all)
    used_l = used.tolist()
    # held documents only have hashed features: then the new ones are hashed too
    hashed = bool(len(used)) and used_l[0] < base_new

    def feats(p: int) -> Iterable:
        if p < base_new:
            return matched.story_feat[p][0].tolist()
        s = new[p - base_new]
        return [_h64(x) for x in (*s.entities, *s.numbers)] if hashed else (*s.entities, *s.numbers)

    def qgrams(p: int) -> Iterable:
        if p < base_new:
            return matched.story_feat[p][1].tolist()
        grams = (g for q in new[p - base_new].quotes for g in _quote_grams(q))
        return [_h64(g) for g in grams] if hashed else grams

    rows = [feats(p) for p in used_l]
    shared = _row_overlaps(rows, ix, iy)
    if params.story_short_share > 0:
        # a short brief needs fewer (``_min_features``): its own names and numbers bound the
        # specific ones it has, so this need is never above the one the story test applies
        own = np.array([len(set(r)) for r in rows], dtype=np.int64)
        short = np.ceil(params.story_short_share * np.minimum(own[ix], own[iy])).astype(np.int64)
        need = np.minimum(need, np.maximum(STORY_SHORT_MIN, short))
    ok = shared >= need
    # quote 4-grams add up to 3: looked at only where they could make up the difference
    maybe = np.flatnonzero(~ok & (shared >= need - 3))
    if len(maybe):
        sub = _uniq(np.concatenate([ix[maybe], iy[maybe]]))
        qx, qy = np.searchsorted(sub, ix[maybe]), np.searchsorted(sub, iy[maybe])
        shared_q = _row_overlaps([qgrams(used_l[i]) for i in sub.tolist()], qx, qy)
        ok[maybe] = shared[maybe] + np.minimum(3, shared_q) >= (need[maybe] if np.ndim(need) else need)
    rest = np.flatnonzero(~ok)
    if len(rest):
        # a copy's MinHash values: one shared slot of the near signatures, or a lead found in
        # the other body (the lead and body signatures share their permutations)
        px_all, py_all = xs_all[rest], ys_all[rest]
        held_used = used[used < base_new].tolist()
        new_used = (used[used >= base_new] - base_new).tolist()
        near = np.concatenate([
            np.array([matched.near[p] for p in held_used], dtype=np.uint32).reshape(len(held_used), params.num_perm),
            _matrix([new[i].near_mh for i in new_used], params.num_perm)])
        lead = np.concatenate([
            np.array([matched.lead[p] for p in held_used], dtype=np.uint32).reshape(len(held_used), params.lead_num_perm),
            _matrix([new[i].lead_mh for i in new_used], params.lead_num_perm)])
        for start in range(0, len(rest), 100_000):
            chunk = rest[start: start + 100_000]
            ix = np.searchsorted(used, px_all[start: start + 100_000])
            iy = np.searchsorted(used, py_all[start: start + 100_000])
            nx, ny = near[ix], near[iy]
            hit = (nx == ny).any(axis=1)
            if params.num_perm == params.lead_num_perm:
                lx, ly = lead[ix], lead[iy]
                hit |= ((lx == ny) & (lx != 0)).any(axis=1) | ((ly == nx) & (ly != 0)).any(axis=1)
            ok[chunk] = hit  # (both story-eligible, hence long enough for the near test)
    return codes[ok]


def _row_overlaps(tokens: Sequence[Iterable], ix: np.ndarray, iy: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    """For each pair (ix[t], iy[t]) of rows, how many distinct tokens the two rows share."""
    import pyarrow as pa
    from scipy.sparse import csr_matrix

    # distinct tokens of each row, numbered by a dictionary encoding of them all
    rows = [list(dict.fromkeys(t)) for t in tokens]
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    flat = [x for r in rows for x in r]
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    if flat:
        enc = pa.array(flat, type=pa.uint64() if isinstance(flat[0], int) else pa.string()).dictionary_encode()
        indices = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        width = len(enc.dictionary)
    else:
        indices, width = np.zeros(0, dtype=np.int64), 1
    a = csr_matrix((np.ones(len(indices), dtype=np.int32), indices, indptr), shape=(len(rows), width))
    out = np.zeros(len(ix), dtype=np.int64)
    for start in range(0, len(ix), chunk):
        x, y = ix[start: start + chunk], iy[start: start + chunk]
        out[start: start + len(x)] = np.asarray(a[x].multiply(a[y]).sum(axis=1)).ravel()
    return out


# --------------------------------------------------------------------------- statistics


def held_counts(held: Held, features: Iterable[str], sketch_hashes: np.ndarray) -> tuple[dict[str, int], np.ndarray]:
    """Document frequencies, among the held signatures, of the given story features and of
    the given (sorted unique) sketch hashes."""
    feats = sorted(set(features))
    fh = np.array([_h64(x) for x in feats], dtype=_U64)
    order = np.argsort(fh)
    fh_sorted = fh[order]
    fcount = np.zeros(len(feats), dtype=np.int64)
    scount = np.zeros(len(sketch_hashes), dtype=np.int64)
    fbits, sbits = _bitmap(fh_sorted, 24), _bitmap(sketch_hashes, 24)
    for src in held.sources:
        seg = src.segment()
        for keys, counts, q, bits, acc in ((seg.df_keys, seg.df_counts, fh_sorted, fbits, fcount),
                                           (seg.sk_keys, seg.sk_counts, sketch_hashes, sbits, scount)):
            if not len(keys) or not len(q):
                continue
            # the segment's keys (those with the low bits of a query) looked up among the queries
            maybe = np.flatnonzero(bits[_low_bits(keys, 24)])
            i = np.searchsorted(q, keys[maybe])
            i[i >= len(q)] = 0
            hit = q[i] == keys[maybe]
            acc[i[hit]] += counts[maybe[hit]]  # keys are unique in a segment: no index twice
    fc = np.zeros(len(feats), dtype=np.int64)
    fc[order] = fcount
    return {f: int(c) for f, c in zip(feats, fc) if c}, scount
