"""Cost of the column repair (`cleaners.layout.split_columns`) on the text path.

usage: python bench/speed_layout.py [--repeat N] [SET ...]

For every dump of the shared sets (aeb, wcxb-dev, l3s-gn1; default all three) and the seeds:
decodes the file (untimed), then prints per set the CPU time (time.process_time) that
`split_columns` adds per page (mean over all pages, and apart over the pages without an internal
run of 8 spaces, which cost one regex search, and the pages with one), how many pages it changed,
and the text cleaner's pages per CPU second without and with the repair in front
(`clean_text(text)` vs `clean_text(split_columns(text))`). The best of `--repeat` runs (default 3)
is printed, to damp the noise of a shared machine.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.speed_text import SETS, _files  # noqa: E402
from cleaners.decode import decode  # noqa: E402
from cleaners.layout import _WIDE_RX, split_columns  # noqa: E402
from cleaners.model import RejectError  # noqa: E402
from cleaners.text import clean_text  # noqa: E402


def _texts(name: str) -> list[str]:
    out = []
    for p in _files(name):
        try:
            out.append(decode(p.read_bytes(), name=p.name).text)
        except RejectError:
            pass
    return out


def _cpu(fn, items) -> float:
    t0 = time.process_time()
    for x in items:
        fn(x)
    return time.process_time() - t0


def _clean(text: str) -> None:
    try:
        clean_text(text)
    except RejectError:
        pass


def _clean_split(text: str) -> None:
    _clean(split_columns(text))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="*", default=SETS)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    _clean("Warm-up page.\n\nOne line of text for the line model to load.")
    print("| set | pages | with wide gap | changed | split µs/page (all) | no gap | with gap "
          "| clean_text pages/CPU-s | with split_columns |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in args.sets:
        texts = _texts(name)
        if not texts:
            continue
        gap = [t for t in texts if _WIDE_RX.search(t)]
        plain = [t for t in texts if not _WIDE_RX.search(t)]
        changed = sum(1 for t in gap if split_columns(t) != t)
        best = lambda fn, items: min(_cpu(fn, items) for _ in range(args.repeat))  # noqa: E731
        t_all = best(split_columns, texts)
        t_plain = best(split_columns, plain) if plain else 0.0
        t_gap = best(split_columns, gap) if gap else 0.0
        c0 = best(_clean, texts)
        c1 = best(_clean_split, texts)
        us = lambda t, n: f"{1e6 * t / n:.1f}" if n else "-"  # noqa: E731
        print(f"| {name} | {len(texts)} | {len(gap)} | {changed} | {us(t_all, len(texts))} | "
              f"{us(t_plain, len(plain))} | {us(t_gap, len(gap))} | {len(texts) / c0:.0f} | {len(texts) / c1:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
