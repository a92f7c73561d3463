"""Speed of the plain-text cleaner, and a check that its output has not changed.

usage: python bench/speed_text.py [--pipeline] [--snapshot FILE] [--compare FILE] [--limit N] [SET ...]

Runs `cleaners.text.clean_text` over every dump of the shared sets (aeb, wcxb-dev, l3s-gn1) and
the seed files, and prints pages per CPU second per set (time.process_time, so the figure is per
core even when other processes share the machine). Reading the files is not timed. One page is
cleaned untimed first, so that the one-time set-up of a process (loading the line model, compiling
the rule variants by first character: about 0.05 CPU s) is not counted against the first set.

--pipeline       time the whole text-dump path instead: `cleaners.pipeline.clean_bytes` on the
                 file's bytes (decode, clean, rescue of an empty body); a rejected page is
                 recorded with its reason.

--snapshot FILE  write one JSON line per page with the full output (text, every metadata field,
                 the removed list, the format).
--compare FILE   compare the current output with a snapshot and print the number of pages whose
                 output differs (and the first few ids). Exit status 1 when any differ.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaners.model import Cleaned, RejectError  # noqa: E402
from cleaners.pipeline import clean_bytes  # noqa: E402
from cleaners.text import clean_text  # noqa: E402

SHARED = Path(os.environ.get("NEWSCURATE_SHARED", ROOT / ".." / "shared")).resolve()
SETS = ["aeb", "wcxb-dev", "l3s-gn1", "seeds"]


def _files(name: str) -> list[Path]:
    d = SHARED / "seeds" / "raw" if name == "seeds" else SHARED / "datasets" / name / "dump"
    return sorted(d.glob("*.txt"))


def _record(name: str, path: Path, cleaned: Cleaned | RejectError) -> dict:
    if isinstance(cleaned, RejectError):
        return {"set": name, "id": path.stem, "reject": [cleaned.reason, cleaned.detail]}
    return {
        "set": name,
        "id": path.stem,
        "text": cleaned.text,
        "metadata": dataclasses.asdict(cleaned.metadata),
        "removed": [[r.text, r.reason] for r in cleaned.removed],
        "format": cleaned.format,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", nargs="*", default=SETS)
    ap.add_argument("--snapshot", type=Path)
    ap.add_argument("--compare", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="at most N pages per set")
    ap.add_argument("--pipeline", action="store_true", help="time clean_bytes on the raw bytes")
    a = ap.parse_args(argv)

    want = None
    if a.compare:
        want = {}
        for line in a.compare.read_text().splitlines():
            r = json.loads(line)
            want[(r["set"], r["id"])] = line
    snap = a.snapshot.open("w") if a.snapshot else None
    diffs: list[str] = []
    checked = 0
    def run(data: bytes | str, name: str) -> Cleaned | RejectError:
        if not a.pipeline:
            return clean_text(data)
        try:
            return clean_bytes(data, name=name)[1]
        except RejectError as exc:
            return exc

    # lines starting with every ASCII letter, digit and sign: the rule variants by first character
    warm = "\n\n".join(f"{c}arm-up line {i}" for i, c in enumerate(string.ascii_letters + string.digits
                                                                 + string.punctuation))
    run(warm.encode() if a.pipeline else warm, "warm-up.txt")
    print(f"{'set':10} {'pages':>6} {'cpu s':>7} {'pages/cpu s':>12}")
    for name in a.sets:
        files = _files(name)
        if a.limit:
            files = files[: a.limit]
        texts = [(p, p.read_bytes() if a.pipeline else p.read_text(encoding="utf-8", errors="replace"))
                 for p in files]
        outs = []
        t0 = time.process_time()
        for p, t in texts:
            outs.append(run(t, p.name))
        cpu = time.process_time() - t0
        rate = len(texts) / cpu if cpu > 0 else float("inf")
        print(f"{name:10} {len(texts):6d} {cpu:7.2f} {rate:12.1f}", flush=True)
        for (p, _), c in zip(texts, outs):
            line = json.dumps(_record(name, p, c), ensure_ascii=False, sort_keys=True)
            if snap:
                snap.write(line + "\n")
            if want is not None:
                checked += 1
                if want.get((name, p.stem)) != line:
                    diffs.append(f"{name}/{p.stem}")
    if snap:
        snap.close()
    if want is not None:
        print(f"compared {checked} pages: {len(diffs)} differ")
        for d in diffs[:20]:
            print("  differs:", d)
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
