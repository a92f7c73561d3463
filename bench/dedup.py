"""Dedup figures: seeds, l3s-gn1 labelled pairs, planted corpus, speed.

Usage: python bench/dedup.py [--planted-n 2000] [--speed-n 100000] [--show-unlabelled]
       [--skip-speed] [--skip-planted]
l3s-gn1 figures come three ways: on the truth bodies, on the dumps cleaned by the real pipeline
(what a run on dump/ gives), and on the raw dumps.
Data comes from ../shared (or $NEWSCURATE_SHARED).
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaners.dedup import Decision, DedupParams, deduplicate, make_signature  # noqa: E402


def shared_dir() -> Path:
    env = os.environ.get("NEWSCURATE_SHARED")
    return Path(env) if env else (ROOT / ".." / "shared").resolve()


# --------------------------------------------------------------------------- helpers


def joined_pairs(decisions: list[Decision], ids: list[str] | None = None) -> set[frozenset]:
    """All pairs of documents that end up in one cluster (kept article + its duplicates)."""
    clusters: dict[str, set[str]] = defaultdict(set)
    for d in decisions:
        clusters[d.duplicate_of].add(d.doc_id)
    out: set[frozenset] = set()
    for kept, members in clusters.items():
        for a, b in itertools.combinations(sorted(members | {kept}), 2):
            out.add(frozenset((a, b)))
    return out


def load_seeds() -> list[dict]:
    exp = json.loads((shared_dir() / "seeds" / "expected.json").read_text())
    return [
        {"id": a["file"], "text": a["body"], "title": a.get("title"), "sources": a.get("sources") or []}
        for a in exp["articles"]
    ]


def seeds_figures(params: DedupParams = DedupParams()) -> dict:
    docs = load_seeds()
    sigs = [make_signature(d["id"], d["text"], title=d["title"], sources=d["sources"], params=params) for d in docs]
    dec = deduplicate(sigs, params=params)
    exp = json.loads((shared_dir() / "seeds" / "expected.json").read_text())
    want = {frozenset(p) for p in exp["duplicates"]["same_story"]}
    got = {frozenset((d.doc_id, d.duplicate_of)) for d in dec}
    return {
        "decisions": [(d.doc_id, d.duplicate_of, d.kind, d.score) for d in dec],
        "ok": got == want and all(d.kind == "story" for d in dec),
        "evidence": [d.evidence for d in dec],
    }


def load_l3s(mode: str = "truth") -> list[dict]:
    base = shared_dir() / "datasets" / "l3s-gn1"
    docs = []
    for line in (base / "truth.jsonl").read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        r = json.loads(line)
        title, sources = r.get("title"), ()
        if mode == "truth":
            text = r["body"]
        elif mode == "cleaned":  # what the pipeline feeds dedup: the dump through the real cleaner
            from cleaners.model import RejectError
            from cleaners.pipeline import clean_bytes

            try:
                _, cleaned = clean_bytes((base / "dump" / f"{r['id']}.txt").read_bytes(), name=f"{r['id']}.txt")
            except RejectError:
                continue  # rejected by the pipeline: never reaches dedup
            text, title, sources = cleaned.text, cleaned.metadata.title, cleaned.metadata.sources
        else:
            text = (base / "dump" / f"{r['id']}.txt").read_text(errors="replace")
        docs.append({"id": r["id"], "text": text, "title": title, "sources": sources})
    return docs


def l3s_figures(mode: str = "truth", params: DedupParams = DedupParams(), show: bool = False) -> dict:
    docs = load_l3s(mode)
    titles = {d["id"]: d["title"] or "" for d in docs}
    labels = json.loads((shared_dir() / "datasets" / "l3s-gn1" / "labels.json").read_text())
    sigs = [make_signature(d["id"], d["text"], title=d["title"] if mode != "dump" else None, sources=d["sources"],
                           params=params) for d in docs]
    dec = deduplicate(sigs, params=params)
    joined = joined_pairs(dec)
    copy = [frozenset(p) for p in labels["copy_pairs"]]
    story = [frozenset(p) for p in labels["story_pairs"]]
    neg = [frozenset(p) for p in labels["hard_negative_pairs"]]
    pos = set(copy) | set(story)
    fig = {
        "mode": mode,
        "copy_found": sum(p in joined for p in copy) / len(copy),
        "story_found": sum(p in joined for p in story) / len(story),
        "hard_neg_joined": sum(p in joined for p in neg) / len(neg),
        "joined_pairs": len(joined),
        "joined_labelled_pos": len(joined & pos),
        "joined_labelled_neg": len(joined & set(neg)),
        "joined_unlabelled": len(joined - pos - set(neg)),
        "precision_lower_bound": len(joined & pos) / max(1, len(joined)),
        "precision_on_labelled": len(joined & pos) / max(1, len(joined & (pos | set(neg)))),
        "kinds": {k: sum(d.kind == k for d in dec) for k in ("exact", "near", "story")},
    }
    if show:
        by_pair = {frozenset((d.doc_id, d.duplicate_of)): d for d in dec}
        for p in sorted(joined - pos, key=sorted):
            a, b = sorted(p)
            d = by_pair.get(p)
            tag = "NEG" if p in set(neg) else "unl"
            print(f"  {tag} {a[:8]} {b[:8]} {d.kind if d else 'via-cluster'} {d.score if d else ''}"
                  f" | {titles.get(a, '(rejected)')[:50]} || {titles.get(b, '(rejected)')[:50]}")
            if d:
                print(f"       {d.evidence[:260]}")
        for p in sorted(set(story) | set(copy), key=sorted):
            if p not in joined:
                a, b = sorted(p)
                print(f"  MISSED {'copy' if p in set(copy) else 'story'} {a[:8]} {b[:8]} | {titles.get(a, '(rejected)')[:50]} || {titles.get(b, '(rejected)')[:50]}")
    return fig


def planted_figures(n: int, raw: bool = False, params: DedupParams = DedupParams(), seed: int = 7,
                    cleaned: bool = False) -> dict:
    """Generate a planted corpus of n files and measure pair precision/recall on the planted pairs:
    on the generator's bodies, on the files cleaned by the real pipeline (`cleaned`, what a run
    gives), or on the raw files (`raw`)."""
    from bench.make_corpus import generate

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "corpus"
        truth_path = Path(tmp) / "corpus.truth.json"
        t0 = time.perf_counter()
        generate(n, out, seed=seed, html_share=0.05, truth_path=truth_path)
        gen_s = time.perf_counter() - t0
        truth = json.loads(truth_path.read_text())
        sigs = []
        t0 = time.perf_counter()
        for doc in truth["docs"]:
            title, sources = None, ()
            if cleaned:
                from cleaners.model import RejectError
                from cleaners.pipeline import clean_bytes

                try:
                    _, c = clean_bytes((out / doc["path"]).read_bytes(), name=doc["path"])
                except RejectError:
                    continue
                text, title, sources = c.text, c.metadata.title, c.metadata.sources
            elif raw:
                text = _raw_text(out / doc["path"])
            else:
                text = doc["body"]
            sigs.append(make_signature(doc["id"], text, title=title, sources=sources, params=params))
        sig_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        dec = deduplicate(sigs, params=params)
        dd_s = time.perf_counter() - t0
    joined = joined_pairs(dec)
    groups: dict[str, list[str]] = defaultdict(list)
    for doc in truth["docs"]:
        groups[doc["group"]].append(doc["id"])
    planted = {frozenset(p) for g in groups.values() for p in itertools.combinations(sorted(g), 2)}
    tp = len(joined & planted)
    direct = {frozenset((d.doc_id, d.duplicate_of)): d.kind for d in dec}
    copy_joins = {p for p, k in direct.items() if k in ("exact", "near")}
    story_joins = {p for p, k in direct.items() if k == "story"}
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    kind_of = {doc["id"]: doc["edit"] for doc in truth["docs"]}
    for p in planted:
        a, b = sorted(p)
        k = kind_of[a] if kind_of[a] != "original" else kind_of[b]
        by_kind[k][1] += 1
        by_kind[k][0] += p in joined
    return {
        "n": n,
        "input": "cleaned by the pipeline" if cleaned else ("raw files" if raw else "generator bodies"),
        "planted_pairs": len(planted),
        "joined_pairs": len(joined),
        "precision": tp / max(1, len(joined)),
        "recall": tp / max(1, len(planted)),
        "copy_decisions": len(copy_joins),
        "copy_decision_precision": len(copy_joins & planted) / max(1, len(copy_joins)),
        "story_decisions": len(story_joins),
        "story_decisions_unplanted": len(story_joins - planted),
        "recall_by_edit": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_kind.items())},
        "generate_s": round(gen_s, 1),
        "signatures_per_s": round(len(sigs) / sig_s, 1),
        "dedup_s": round(dd_s, 2),
    }


def _raw_text(path: Path) -> str:
    """The raw file as text: a text dump as it is, an HTML page with its tags stripped."""
    data = path.read_bytes()
    if path.suffix == ".html":
        import lxml.html

        root = lxml.html.fromstring(data)
        for bad in root.xpath("//script|//style"):
            bad.drop_tree()
        return "\n\n".join(t.strip() for t in root.itertext() if t.strip())
    return data.decode("utf-8", errors="replace")


def speed_figures(n: int, params: DedupParams = DedupParams(), seed: int = 11, workers: int = 2) -> dict:
    """Signatures/s on one core, then dedup seconds for n signatures of a planted corpus.

    The n signatures are made in worker processes (as in the pipeline) and cached in
    bench/out/ as a Parquet table of SIGNATURE_SCHEMA, so later runs time the dedup alone.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bench.make_corpus import build_bodies
    from cleaners.dedup import SIGNATURE_SCHEMA, Signature

    shape = f"{params.num_perm}-{params.lead_num_perm}-{params.story_num_perm}-{params.sketch_size}"
    cache = ROOT / "bench" / "out" / f"signatures_{n}_{seed}_{shape}.parquet"
    docs = build_bodies(min(n, 2000), seed=seed)
    t0 = time.perf_counter()
    for d in docs:
        make_signature(d["id"], d["body"], params=params)
    rate = len(docs) / (time.perf_counter() - t0)
    if cache.exists():
        sigs = [Signature.from_record(r) for r in pq.read_table(cache).to_pylist()]
    else:
        from concurrent.futures import ProcessPoolExecutor

        docs = build_bodies(n, seed=seed)
        with ProcessPoolExecutor(max_workers=workers) as ex:
            sigs = list(ex.map(_sig_of, docs, chunksize=500))
        cache.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist([s.to_record() for s in sigs], schema=SIGNATURE_SCHEMA), cache)
    import resource

    import psutil

    rss0 = psutil.Process().memory_info().rss
    t0 = time.perf_counter()
    dec = deduplicate(sigs, params=params)
    dd = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    rec_bytes = cache.stat().st_size / len(sigs)
    return {
        "n": len(sigs),
        "signatures_per_s_one_core": round(rate, 1),
        "dedup_s": round(dd, 1),
        "duplicates": len(dec),
        "rss_before_dedup_mb": round(rss0 / 1e6),
        "peak_rss_mb": round(peak / 1e6),
        "parquet_bytes_per_signature": round(rec_bytes),
    }


def _sig_of(d: dict):
    return make_signature(d["id"], d["body"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--planted-n", type=int, default=2000)
    ap.add_argument("--speed-n", type=int, default=100_000)
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-planted", action="store_true")
    ap.add_argument("--show-unlabelled", action="store_true")
    args = ap.parse_args()
    print("seeds:", json.dumps(seeds_figures(), indent=1))
    for mode in ("truth", "cleaned", "dump"):
        print(f"l3s-gn1 ({mode} text):", json.dumps(l3s_figures(mode, show=args.show_unlabelled), indent=1))
    if not args.skip_planted:
        for raw, cleaned in ((False, False), (False, True), (True, False)):
            print("planted:", json.dumps(planted_figures(args.planted_n, raw, cleaned=cleaned), indent=1))
    if not args.skip_speed:
        print("speed:", json.dumps(speed_figures(args.speed_n), indent=1))


if __name__ == "__main__":
    main()
