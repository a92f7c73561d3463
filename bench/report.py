"""Run-report cost at scale: rendering a report with many duplicate clusters and rejects, and the
title look-up (`lookup_docs`) in a corpus of many article parts. Prints figures.

    python bench/report.py [--articles 200000] [--parts 40] [--duplicates 20000]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from cleaners.corpus import ARTICLES_SCHEMA  # noqa: E402
from cleaners.dedup import Decision  # noqa: E402
from cleaners.pipeline import Reject  # noqa: E402
from cleaners.report import RunSummary, lookup_docs, render_report  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=200_000)
    ap.add_argument("--parts", type=int, default=40)
    ap.add_argument("--duplicates", type=int, default=20_000)
    args = ap.parse_args()
    rnd = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        per = args.articles // args.parts
        body = "word " * 400
        t0 = time.perf_counter()
        for p in range(args.parts):
            ids = [f"{p:04d}{i:08d}" for i in range(per)]
            cols = {name: [None] * per for name in ARTICLES_SCHEMA.names}
            cols.update(doc_id=ids, title=[f"Title {i}" for i in ids], source=[f"raw/{i}.txt" for i in ids],
                        run_id=["r1"] * per, text=[body] * per, authors=[[]] * per, sources=[[]] * per,
                        removed=[[]] * per)
            pq.write_table(pa.table(cols, schema=ARTICLES_SCHEMA), folder / f"part-r1-{p:06d}.parquet",
                           compression="zstd")
        print(f"corpus: {args.articles} articles in {args.parts} parts, written in {time.perf_counter() - t0:.1f} s")
        all_ids = [f"{p:04d}{i:08d}" for p in range(args.parts) for i in range(per)]
        kept = rnd.sample(all_ids, min(len(all_ids), args.duplicates // 2))
        decisions = [Decision(f"new{n:08d}", rnd.choice(kept), rnd.choice(["exact", "near", "story"]),
                              rnd.random(), "resemblance 0.93 on 5-word shingles") for n in range(args.duplicates)]
        t0 = time.perf_counter()
        wanted = {d.duplicate_of for d in decisions}
        docs = lookup_docs([folder], wanted)
        t_lookup = time.perf_counter() - t0
        print(f"lookup_docs: {len(docs)} of {len(wanted)} kept articles found among {args.articles} "
              f"in {t_lookup:.2f} s")
        summary = RunSummary("r2", "raw", "curated", "2024-01-01T00:00:00+00:00", seen=args.duplicates * 3,
                             unchanged=0, kept=args.duplicates, duplicates=decisions,
                             rejects=[Reject(f"bad/{i}.bin", "binary", "not text") for i in range(1000)],
                             removed_reasons={"teaser": 5000, "byline": 3000, "ad": 100}, docs=docs)
        t0 = time.perf_counter()
        md = render_report(summary)
        print(f"render_report: {args.duplicates} duplicates in {len({d.duplicate_of for d in decisions})} clusters, "
              f"1000 rejects -> {len(md) / 2**20:.1f} MiB of markdown in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
