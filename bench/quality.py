"""Extraction quality and speed of the real cleaning path on the shared sets, both inputs.

usage: python bench/quality.py [DATASETS_DIR] [--sets aeb,wcxb-dev,l3s-gn1] [--inputs dump,html]
                               [--held-out] [--no-baseline]

Every page goes through `cleaners.pipeline.clean_bytes` (decode -> text or HTML path -> rules), the
code path of the flow and the CLI. For each set and input it prints bag-of-words P/R/F1 of the body
and the leak figures (scored by ../shared/tools/score.py), metadata accuracy where the truth has it
(title equal after normalising case and spaces; date exact; author: a truth author found among the
extracted authors, or the other way round), and pages/s on one core. For html/ it also runs
trafilatura alone (comments and tables off, metadata on: ours extracts metadata too) on the same
decoded pages, page by page in alternating
order with ours, and prints its scores and the time ratio ours / trafilatura (ours includes decoding
the bytes; the baseline gets them decoded). `--held-out` keeps only the pages the line classifier did not train
on (see bench/train_lines.py).
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaners.decode import decode  # noqa: E402
from cleaners.model import RejectError  # noqa: E402
from cleaners.pipeline import clean_bytes  # noqa: E402

SHARED = Path(os.environ.get("NEWSCURATE_SHARED", ROOT.parent / "shared")).resolve()
SETS = ("aeb", "wcxb-dev", "l3s-gn1")


def _load_scorer(datasets: Path):
    spec = importlib.util.spec_from_file_location("score", datasets.parent / "tools" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def is_train(dataset: str, page_id: str) -> bool:
    """The split of bench/train_lines.py: 60% of each set's pages by hash train the classifier."""
    return int(hashlib.sha1(f"{dataset}/{page_id}".encode()).hexdigest()[:8], 16) % 10 < 6


def norm(s: str | None) -> str:
    return " ".join((s or "").lower().split())


def page_file(folder: Path, page_id: str, kind: str) -> Path | None:
    names = [f"{page_id}.txt"] if kind == "dump" else [f"{page_id}.html.gz", f"{page_id}.html"]
    for name in names:
        if (folder / kind / name).is_file():
            return folder / kind / name
    return None


def metadata_scores(truth: list[dict], meta: dict[str, object]) -> dict[str, float]:
    out = {}
    titles = [(t["title"], meta.get(t["id"])) for t in truth if t.get("title")]
    if titles:
        out["title"] = sum(norm(a) == norm(m.title if m else None) for a, m in titles) / len(titles)
    dates = [(t["published"][:10], meta.get(t["id"])) for t in truth if t.get("published")]
    if dates:
        out["date"] = sum(m is not None and a == m.published for a, m in dates) / len(dates)
    authors = [(norm(t["author"]), meta.get(t["id"])) for t in truth if t.get("author")]
    if authors:
        def hit(a: str, m) -> bool:
            return m is not None and any(norm(g) and (norm(g) in a or a in norm(g)) for g in m.authors)
        out["author"] = sum(hit(a, m) for a, m in authors) / len(authors)
    return out


def score(scorer, folder: Path, truth: list[dict], preds: dict[str, str], subset: bool) -> dict:
    if not subset:
        return scorer.score(folder, preds)
    with tempfile.TemporaryDirectory() as tmp:
        with open(Path(tmp) / "truth.jsonl", "w", encoding="utf-8") as fh:
            for t in truth:
                fh.write(json.dumps(t) + "\n")
        return scorer.score(Path(tmp), preds)


def run_set(scorer, datasets: Path, name: str, kind: str, held_out: bool, baseline: bool) -> list[dict]:
    folder = datasets / name
    truth = [json.loads(line) for line in open(folder / "truth.jsonl", encoding="utf-8")]
    if held_out:
        truth = [t for t in truth if not is_train(name, t["id"])]
    pages = {t["id"]: page_file(folder, t["id"], kind) for t in truth}
    raw = {i: p.read_bytes() for i, p in pages.items() if p is not None}
    preds, meta, rejected = {}, {}, 0
    base: dict[str, str] = {}
    ours_s = base_s = 0.0
    compare = kind == "html" and baseline
    if compare:
        import trafilatura
    for n, (i, data) in enumerate(raw.items()):
        # with the baseline on, the two run page by page in alternating order, so that a busy
        # machine slows both alike; the baseline gets the page decoded by our decoder, untimed
        html = None
        if compare:
            try:
                html = decode(data, name=pages[i].name).text
            except RejectError:
                html = None
        for step in ((0, 1) if n % 2 == 0 else (1, 0)):
            if step == 0:
                t0 = time.perf_counter()
                try:
                    _, cleaned = clean_bytes(data, name=pages[i].name, url=None)
                    preds[i], meta[i] = cleaned.text, cleaned.metadata
                except RejectError:
                    rejected += 1
                ours_s += time.perf_counter() - t0
            elif html is not None:
                t0 = time.perf_counter()
                doc = trafilatura.bare_extraction(html, include_comments=False, include_tables=False,
                                                  with_metadata=True)
                base[i] = (doc.text if doc is not None else "") or ""
                base_s += time.perf_counter() - t0
    row = {"set": name, "input": kind, "method": "ours", **score(scorer, folder, truth, preds, held_out),
           **metadata_scores(truth, meta), "rejected": rejected, "pages/s": len(raw) / ours_s}
    rows = [row]
    if compare:
        rows.append({"set": name, "input": kind, "method": "trafilatura",
                     **score(scorer, folder, truth, base, held_out), "pages/s": len(base) / base_s})
        row["time_vs_trafilatura"] = ours_s / base_s
    return rows


def fmt(row: dict) -> str:
    cols = ["set", "input", "method", "pages", "P", "R", "F1", "leak", "related_leak", "title", "date", "author",
            "rejected", "pages/s", "time_vs_trafilatura"]
    out = []
    for c in cols:
        v = row.get(c, "")
        out.append(f"{v:.3f}" if isinstance(v, float) and c not in ("pages/s",) else
                   (f"{v:.0f}" if isinstance(v, float) else str(v)))
    return "| " + " | ".join(out) + " |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("datasets", nargs="?", default=str(SHARED / "datasets"))
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--inputs", default="dump,html")
    ap.add_argument("--held-out", action="store_true")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()
    datasets = Path(args.datasets).resolve()
    scorer = _load_scorer(datasets)
    # one page cleaned untimed: the one-time set-up of the process (the line model, the compiled
    # kernels loaded from numba's cache, about 0.4 s) is not counted against the first set
    try:
        clean_bytes(b"A line of text.\n\nAnother line of text, on 5 May 2024.", name="warm.txt", url=None)
    except RejectError:  # too short to be an article: it only had to run
        pass
    print("| set | input | method | pages | P | R | F1 | leak | related_leak | title | date | author | rejected "
          "| pages/s | time vs trafilatura |")
    print("|" + " --- |" * 15)
    for kind in args.inputs.split(","):
        for name in args.sets.split(","):
            for row in run_set(scorer, datasets, name, kind, args.held_out, not args.no_baseline):
                print(fmt(row), flush=True)


if __name__ == "__main__":
    main()
