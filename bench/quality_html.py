"""Quality and speed of the HTML path against trafilatura alone, on the shared test sets.

usage: python bench/quality_html.py [--sets aeb,wcxb-dev,l3s-gn1] [--limit N] [--no-baseline]
                                    [--save DIR]

For each set prints bag-of-words P/R/F1 and leak / related_leak (the scorer of
../shared/tools/score.py), metadata accuracy (title, date, author where the truth has them) and
pages per second, for trafilatura alone (comments and tables off, favor_precision off, metadata
on) and for `cleaners.html.extract_html`. Pages are decoded with charset detection first
(decoding is not timed: both sides get the same text).
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaners.html import extract_html, iso_date, split_authors  # noqa: E402
from cleaners.model import RejectError  # noqa: E402

SETS = ("aeb", "wcxb-dev", "l3s-gn1")


def shared_dir() -> Path:
    return Path(os.environ.get("NEWSCURATE_SHARED", ROOT / ".." / "shared")).resolve()


def load_scorer():
    spec = importlib.util.spec_from_file_location("nc_score", shared_dir() / "tools" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def load_pages(name: str, limit: int | None = None) -> dict[str, str]:
    """Decoded HTML of a set's pages, by id (charset detection as a crawler would do it)."""
    from trafilatura.utils import decode_file

    folder = shared_dir() / "datasets" / name / "html"
    out: dict[str, str] = {}
    for p in sorted(folder.iterdir()):
        data = p.read_bytes()
        if p.name.endswith(".gz"):
            data = gzip.decompress(data)
        out[p.name.split(".")[0]] = decode_file(data)
        if limit and len(out) >= limit:
            break
    return out


def load_truth(name: str) -> list[dict]:
    with open(shared_dir() / "datasets" / name / "truth.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def _k(s: str | None) -> str:
    """Title comparison key: lower case, runs of spaces made one, ends stripped (nothing else)."""
    return " ".join((s or "").lower().split())


def _k_loose(s: str | None) -> str:
    """The strict key with typographic quotes and dashes also made ASCII (printed for reference)."""
    return _k((s or "").translate(_QUOTES))


def _kw(s: str | None) -> str:
    return "".join(ch for ch in (s or "").lower() if ch.isalnum())


def meta_accuracy(truth: list[dict], metas: dict[str, dict]) -> dict[str, float]:
    """Share of pages whose title / date / author matches the truth, over pages that have it."""
    res: dict[str, list[int]] = {"title": [], "title_loose": [], "date": [], "author": []}
    for t in truth:
        m = metas.get(t["id"])
        if m is None:
            continue
        if t.get("title"):
            res["title"].append(int(_k(m.get("title")) == _k(t["title"])))
            res["title_loose"].append(int(_k_loose(m.get("title")) == _k_loose(t["title"])))
        if t.get("published"):
            res["date"].append(int(m.get("published") == t["published"][:10]))
        if t.get("author"):
            want = split_authors(t["author"])
            got = {_kw(a) for a in m.get("authors") or []}
            ok = bool(want) and (_kw(want[0]) in got or _kw(" ".join(m.get("authors") or [])) == _kw(t["author"]))
            res["author"].append(int(ok))
    return {k: sum(v) / len(v) for k, v in res.items() if v}


def baseline_one(html: str):
    import trafilatura

    d = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=False, favor_precision=False, with_metadata=True
    )
    if d is None:
        return "", {}
    return (d.text or ""), {"title": d.title, "published": iso_date(d.date), "authors": split_authors(d.author)}


def ours_one(html: str, url: str | None):
    try:
        ex = extract_html(html, url=url)
    except RejectError:
        return None, {}
    meta = {"title": ex.metadata.title, "published": ex.metadata.published, "authors": ex.metadata.authors}
    return "\n\n".join(ex.blocks), meta


def run_both(pages: dict[str, str], urls: dict[str, str], baseline: bool = True):
    """Run trafilatura alone and ours page by page, interleaved, so that the load of a shared
    machine weighs on both timings alike; which one goes first alternates from page to page (the
    second run on a page profits from caches warmed by the first, e.g. date parsing).
    Returns {label: (preds, metas, seconds)} and the number of pages ours rejected."""
    out = {"base": ({}, {}, [0.0]), "ours": ({}, {}, [0.0])}
    rejects = 0
    for n, (pid, html) in enumerate(pages.items()):
        order = ("base", "ours") if n % 2 == 0 else ("ours", "base")
        for label in order:
            if label == "base" and not baseline:
                continue
            t0 = time.perf_counter()
            if label == "base":
                text, meta = baseline_one(html)
            else:
                text, meta = ours_one(html, urls.get(pid))
                if text is None:
                    rejects += 1
                    text = ""
            out[label][2][0] += time.perf_counter() - t0
            out[label][0][pid], out[label][1][pid] = text, meta
    if not baseline:
        del out["base"]
    return {k: (p, m, s[0]) for k, (p, m, s) in out.items()}, rejects


def run_ours(pages: dict[str, str], urls: dict[str, str]):
    runs, rejects = run_both(pages, urls, baseline=False)
    preds, metas, secs = runs["ours"]
    return preds, metas, secs, rejects


def fmt(res: dict, meta: dict, secs: float, n: int) -> str:
    s = f"P={res['P']:.3f} R={res['R']:.3f} F1={res['F1']:.3f}"
    for k in ("leak", "related_leak"):
        if k in res:
            s += f" {k}={res[k]:.3f}"
    for k, v in meta.items():
        s += f" {k}={v:.3f}"
    return s + f" {n / secs:.1f} pages/s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--save", default=None, help="write <set>.ours.jsonl (and .base.jsonl) predictions here")
    args = ap.parse_args()
    scorer = load_scorer()
    for name in args.sets.split(","):
        pages = load_pages(name, args.limit)
        truth = [t for t in load_truth(name) if t["id"] in pages]
        urls = {t["id"]: t.get("url") for t in truth}
        sub = Path(shared_dir() / "datasets" / name)
        out = {}
        runs, rejects = run_both(pages, urls, baseline=not args.no_baseline)
        for label, (preds, metas, secs) in runs.items():
            res = scorer.score(sub, preds) if not args.limit else _score_subset(scorer, truth, preds)
            out[label] = (preds, res, metas, secs)
        print(f"{name} ({len(pages)} pages, {rejects} rejected by ours)")
        for label, (preds, res, meta, secs) in out.items():
            print(f"  {label:5s} {fmt(res, meta_accuracy(truth, meta), secs, len(pages))}")
            if args.save:
                Path(args.save).mkdir(parents=True, exist_ok=True)
                with open(Path(args.save) / f"{name}.{label}.jsonl", "w", encoding="utf-8") as fh:
                    for pid, text in preds.items():
                        fh.write(json.dumps({"id": pid, "text": text}) + "\n")
        if "base" in out:
            print(f"  time ours/base = {out['ours'][3] / out['base'][3]:.2f}")
        sys.stdout.flush()


def _score_subset(scorer, truth: list[dict], preds: dict[str, str]) -> dict:
    """The scorer's figures restricted to the loaded pages (for --limit runs)."""
    rows = [scorer.prf(preds.get(t["id"], ""), t["body"]) for t in truth]
    n = len(rows) or 1
    out = {"P": sum(r[0] for r in rows) / n, "R": sum(r[1] for r in rows) / n, "F1": sum(r[2] for r in rows) / n}
    excl = [(scorer.norm(s), scorer.norm(preds.get(t["id"], ""))) for t in truth for s in t.get("must_exclude", [])]
    if excl:
        out["leak"] = sum(s in x for s, x in excl) / len(excl)
    rel = [(scorer.norm(s), scorer.norm(preds.get(t["id"], ""))) for t in truth for s in t.get("related", []) if len(s) >= 30]
    if rel:
        out["related_leak"] = sum(s in x for s, x in rel) / len(rel)
    return out


if __name__ == "__main__":
    main()
