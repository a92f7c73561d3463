"""Quality and speed of the plain-text cleaner on the shared sets' dumps.

usage: python bench/quality_text.py [--held-out] [SET ...]

For each set: bag-of-words P/R/F1 of the body and the leak figures (scored by
../shared/tools/score.py), metadata accuracy where the truth has it (title exact and fuzzy after
normalising case, spaces and punctuation; date exact; author: a truth author name found among
the extracted authors), and pages per second of clean_text (wall clock, and per CPU second,
which is the per-core figure even when other processes share the machine).
`--held-out` scores only the pages that bench/train_lines.py did not train on.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaners.text import _norm, clean_text  # noqa: E402

SHARED = Path(os.environ.get("NEWSCURATE_SHARED", ROOT / ".." / "shared")).resolve()
SETS = ["aeb", "wcxb-dev", "l3s-gn1"]


def _scorer():
    spec = importlib.util.spec_from_file_location("score", SHARED / "tools" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def is_train(dataset: str, page_id: str) -> bool:
    h = int(hashlib.sha1(f"{dataset}/{page_id}".encode()).hexdigest()[:8], 16)
    return h % 10 < 6


def _fuzzy(a: str, b: str) -> bool:
    ta, tb = set(a.split()), set(b.split())
    return bool(ta and tb) and 2 * len(ta & tb) / (len(ta) + len(tb)) >= 0.8


def run(dataset: str, held_out: bool = False) -> dict:
    d = SHARED / "datasets" / dataset
    truth = [json.loads(x) for x in open(d / "truth.jsonl")]
    if held_out:
        truth = [t for t in truth if not is_train(dataset, t["id"])]
    dumps = {t["id"]: (d / "dump" / f"{t['id']}.txt").read_text(encoding="utf-8", errors="replace") for t in truth}
    t0, c0 = time.perf_counter(), time.process_time()
    out = {i: clean_text(txt) for i, txt in dumps.items()}
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    sc = _scorer()
    if held_out:  # score() reads the whole truth file: give it a filtered copy
        import tempfile

        tmp = Path(tempfile.mkdtemp())
        with open(tmp / "truth.jsonl", "w") as f:
            for t in truth:
                f.write(json.dumps(t) + "\n")
        res = sc.score(tmp, {i: c.text for i, c in out.items()})
    else:
        res = sc.score(d, {i: c.text for i, c in out.items()})
    res["pages_per_s"] = len(dumps) / secs if secs else 0.0  # wall clock: slower on a busy machine
    res["pages_per_cpu_s"] = len(dumps) / cpu if cpu else 0.0  # per core
    titles = [(t["title"], out[t["id"]].metadata.title or "") for t in truth if t.get("title")]
    if titles:
        res["title_exact"] = sum(_norm(a) == _norm(b) for a, b in titles) / len(titles)
        res["title_fuzzy"] = sum(_fuzzy(_norm(a), _norm(b)) for a, b in titles) / len(titles)
    dates = [(t["published"], out[t["id"]].metadata.published) for t in truth if t.get("published")]
    if dates:
        res["date"] = sum(a[:10] == b for a, b in dates) / len(dates)
    auth = [(t["author"], out[t["id"]].metadata.authors) for t in truth if t.get("author")]
    if auth:
        def hit(a: str, got: list[str]) -> bool:
            na = _norm(a)
            return any(_norm(g) and (_norm(g) in na or na in _norm(g)) for g in got)
        res["author"] = sum(hit(a, g) for a, g in auth) / len(auth)
    return res


def main() -> None:
    held = "--held-out" in sys.argv
    sets = [a for a in sys.argv[1:] if not a.startswith("--")] or SETS
    for s in sets:
        res = run(s, held)
        print(f"{s:9s} " + " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in res.items()))


if __name__ == "__main__":
    main()
