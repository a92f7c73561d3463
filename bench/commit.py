"""Cost of the corpus bookkeeping at scale: the atomic commit, the invariant check, the reads every
run does, and a commit that supersedes changed files (rewriting the parts that hold them).
Articles are synthetic rows (no cleaning); prints figures.

    python bench/commit.py [--articles 50000] [--parts 50] [--changed 200]
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from cleaners.corpus import SIGNATURE_SCHEMA, Corpus, _write, article_rows  # noqa: E402
from cleaners.dedup import make_signature  # noqa: E402
from cleaners.model import Cleaned, Metadata  # noqa: E402
from cleaners.pipeline import Article, Seen, make_doc_id  # noqa: E402


def _stage(corpus: Corpus, run_id: str, sources: list[str], version: str, parts: int, sigs) -> list[Seen]:
    seen = []
    per = max(1, len(sources) // parts)
    for b, i in enumerate(range(0, len(sources), per)):
        arts, sig_rows = [], []
        for k, src in enumerate(sources[i:i + per]):
            sha = f"{version}{src}".ljust(64, "0")[:64]
            doc_id = make_doc_id(src, sha)
            text = f"Body of {src} version {version}. " * 40
            arts.append(Article(doc_id, src, sha, "text", "utf-8", Cleaned(text, Metadata(title=src))))
            sig_rows.append(dataclasses.replace(sigs[k % len(sigs)], doc_id=doc_id).to_record())
            seen.append(Seen(src, sha, len(text), 1, doc_id))
        stage = corpus.staging(run_id)
        _write(article_rows(arts, run_id), stage / "clean" / f"part-{b:06d}.parquet")
        _write(pa.Table.from_pylist(sig_rows, schema=SIGNATURE_SCHEMA), stage / "sig" / f"part-{b:06d}.parquet")
    return seen


def timed(label: str, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label:<58} {time.perf_counter() - t:8.3f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--parts", type=int, default=50)
    ap.add_argument("--changed", type=int, default=200)
    args = ap.parse_args()
    sigs = [make_signature(f"s{i}", f"Sample body number {i} with some words " * 30) for i in range(50)]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Corpus(Path(tmp) / "out")
        sources = [f"dir{i % 97}/file-{i:07d}.txt" for i in range(args.articles)]
        seen = _stage(corpus, "r1", sources, "a", args.parts, sigs)
        print(f"{args.articles} articles in {args.parts} parts; {args.changed} changed files in the second run")
        timed("first commit (stage, journal, renames)", lambda: corpus.commit("r1", [], [], seen, report="# r1\n"))
        size = sum(p.stat().st_size for p in corpus.root.rglob("*.parquet"))
        print(f"{'corpus size':<58} {size / 2**20:8.1f} MiB")
        timed("manifest read (every run)", corpus.manifest)
        timed("invariant check after the commit (check_run)", lambda: corpus.check_run("r1", sources))
        new = [f"new/file-{i:07d}.txt" for i in range(args.changed)]
        timed(f"held() for {len(new)} new files (nothing to supersede)", lambda: corpus.held(new))
        changed = sources[:: max(1, len(sources) // args.changed)][:args.changed]
        seen2 = _stage(corpus, "r2", changed, "b", max(1, args.parts // 10), sigs)
        timed(f"dedup exclusion: held_doc_ids of {len(changed)} changed files", lambda: corpus.held_doc_ids(changed))
        result = timed(f"commit superseding {len(changed)} files (parts rewritten)",
                       lambda: corpus.commit("r2", [], [], seen2, report="# r2\n"))
        print(f"{'files in that commit':<58} {len(result.files):8d}")
        timed("invariant check after it", lambda: corpus.check_run("r2", changed))
        n = pq.read_table(corpus.root / "articles", columns=["source"]).num_rows
        assert n == args.articles, n


if __name__ == "__main__":
    main()
