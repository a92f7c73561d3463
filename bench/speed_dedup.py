"""Speed of make_signature and deduplicate, with an output snapshot to prove nothing changed.

    python bench/speed_dedup.py [--n-gen 3000] [--dedup-n 10000] [--big]
                                [--snapshot FILE | --compare FILE]

Inputs: every body of ../shared/datasets/*/truth.jsonl (doc_id = set/id, with its title),
plus ``--n-gen`` deterministic variants of them (paragraph dropped, truncated, words swapped,
paragraphs of two bodies joined). Figures:

* make_signature: signatures per CPU-second (time.process_time) over all those inputs;
* deduplicate: seconds for ``--dedup-n`` signatures (and 100k with ``--big``). Past the real
  inputs, signatures are derived from the real ones (doc_id renamed, a deterministic share of
  MinHash/sketch values and names replaced: 10% copies, 90% unrelated) so large runs need
  no text.

``--snapshot FILE`` writes every signature's to_record() and the decisions (real inputs, and
the dedup-n run) as a pickle; ``--compare FILE`` recomputes them and prints the number of
differences.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from cleaners.dedup import Signature, deduplicate, make_signature  # noqa: E402

SETS = ("aeb", "wcxb-dev", "l3s-gn1")


def shared_dir() -> Path:
    env = os.environ.get("NEWSCURATE_SHARED")
    return Path(env) if env else (ROOT / ".." / "shared").resolve()


def load_truth() -> list[dict]:
    docs = []
    for s in SETS:
        p = shared_dir() / "datasets" / s / "truth.jsonl"
        if not p.exists():
            continue
        for line in p.open(encoding="utf-8"):
            r = json.loads(line)
            if r.get("body"):
                docs.append({"id": f"{s}/{r['id']}", "text": r["body"], "title": r.get("title")})
    return docs


def variants(docs: list[dict], n: int, seed: int = 7) -> list[dict]:
    """Deterministic edited copies of the real bodies (cheap, no corpus generator)."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        d = docs[rng.randrange(len(docs))]
        paras = [p for p in d["text"].split("\n") if p.strip()] or [d["text"]]
        op = k % 4
        if op == 0 and len(paras) > 1:
            del paras[rng.randrange(len(paras))]
        elif op == 1:
            paras = paras[: max(1, int(len(paras) * rng.uniform(0.4, 0.9)))]
        elif op == 2:
            i = rng.randrange(len(paras))
            w = paras[i].split()
            for _ in range(max(1, len(w) // 10)):
                if len(w) > 1:
                    a, b = rng.randrange(len(w)), rng.randrange(len(w))
                    w[a], w[b] = w[b], w[a]
            paras[i] = " ".join(w)
        else:
            o = docs[rng.randrange(len(docs))]
            paras = paras + [p for p in o["text"].split("\n") if p.strip()][:3]
        out.append({"id": f"gen/{k:06d}", "text": "\n".join(paras), "title": d["title"] if k % 3 else None})
    return out


def derive(sigs: list[Signature], n: int, seed: int = 5) -> list[Signature]:
    """n signatures: the given ones, then renamed copies with part of their content replaced."""
    rng = np.random.default_rng(seed)
    out = list(sigs)
    k = 0
    while len(out) < n:
        s = sigs[k % len(sigs)]
        k += 1
        # one in ten an exact copy, a near copy or a loose one; the rest unrelated articles
        share = {0: 0.0, 1: 0.1, 2: 0.5}.get(k % 10, 1.0)

        def mutate(b: bytes) -> bytes:
            a = np.frombuffer(b, dtype="<u4").copy()
            m = rng.random(len(a)) < share
            a[m] = rng.integers(0, 2**32, int(m.sum()), dtype=np.uint64).astype(np.uint32)
            return a.astype("<u4").tobytes()

        sk = np.frombuffer(mutate(s.sketch), dtype="<u4")
        sk = np.unique(sk)
        ents = tuple(e if rng.random() >= share else f"{e}{k}" for e in s.entities)
        out.append(Signature(
            doc_id=f"{s.doc_id}#{k}", words=s.words if share == 0.0 else s.words + int(rng.integers(0, 50)),
            content_hash=s.content_hash if share == 0.0 else int(rng.integers(0, 2**63)),
            shingles=s.shingles, near_mh=mutate(s.near_mh), lead_mh=mutate(s.lead_mh),
            story_mh=mutate(s.story_mh), sketch=sk.astype("<u4").tobytes(), sketch_size=s.sketch_size,
            entities=tuple(sorted(set(ents))), numbers=s.numbers, quotes=s.quotes, sources=s.sources,
            lead_terms=s.lead_terms,
        ))
    return out


def signatures(docs: list[dict]) -> tuple[list[Signature], float]:
    t0 = time.process_time()
    sigs = [make_signature(d["id"], d["text"], title=d["title"]) for d in docs]
    return sigs, time.process_time() - t0


def timed_dedup(sigs: list[Signature]) -> tuple[list, float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    dec = deduplicate(sigs)
    return dec, time.perf_counter() - t0, time.process_time() - c0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n-gen", type=int, default=3000)
    ap.add_argument("--dedup-n", type=int, default=10_000)
    ap.add_argument("--big", action="store_true", help="also time deduplicate at 100k signatures")
    ap.add_argument("--snapshot", type=Path)
    ap.add_argument("--compare", type=Path)
    ap.add_argument("--sig-only", action="store_true", help="skip deduplicate timings")
    a = ap.parse_args(argv)

    real = load_truth()
    docs = real + variants(real, a.n_gen)
    sigs, cpu = signatures(docs)
    print(f"make_signature: {len(docs)} docs in {cpu:.1f} CPU-s = {len(docs) / cpu:.0f}/CPU-s")
    out = {"records": [s.to_record() for s in sigs]}
    if not a.sig_only:
        dec, wall, c = timed_dedup(sigs)
        print(f"deduplicate real+variants {len(sigs)}: {wall:.2f}s wall, {c:.2f} CPU-s, {len(dec)} decisions")
        out["decisions_real"] = [d.__dict__ for d in dec]
        big = derive(sigs, a.dedup_n)
        dec, wall, c = timed_dedup(big)
        print(f"deduplicate {len(big)}: {wall:.2f}s wall, {c:.2f} CPU-s, {len(dec)} decisions")
        out["decisions_n"] = [d.__dict__ for d in dec]
        if a.big:
            big = derive(sigs, 100_000)
            dec, wall, c = timed_dedup(big)
            print(f"deduplicate {len(big)}: {wall:.2f}s wall, {c:.2f} CPU-s, {len(dec)} decisions")
            out["decisions_big"] = [d.__dict__ for d in dec]
    if a.snapshot:
        a.snapshot.write_bytes(pickle.dumps(out))
        print(f"snapshot written to {a.snapshot}")
    if a.compare:
        ref = pickle.loads(a.compare.read_bytes())
        diffs = 0
        for key, vals in out.items():
            if key not in ref:
                print(f"  {key}: not in snapshot, skipped")
                continue
            rv = ref[key]
            d = sum(1 for x, y in zip(vals, rv) if x != y) + abs(len(vals) - len(rv))
            print(f"  {key}: {len(vals)} items, {d} differences")
            diffs += d
        print(f"differences: {diffs}")


if __name__ == "__main__":
    main()
