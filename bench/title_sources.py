"""Where the HTML path's titles go wrong, and how far the page's own title sources can take them.

usage: python bench/title_sources.py [--set wcxb-dev] [--list KIND]

Every page is decoded as the pipeline does (`cleaners.decode`) and its title read as
`cleaners.html.clean_html` reads it (`read_metadata` on the parsed page). The title is compared
with the truth strictly (lower case, runs of spaces made one, ends stripped: nothing else) and
loosely (also typographic quotes and dashes made ASCII). Printed:

- strict and loose accuracy, and the ceiling of any chooser among the page's own sources: the
  share of pages whose truth equals (strictly) one of them (each h1, with and without a trailing
  section; <title>, og:title, twitter:title, JSON-LD headline, itemprop=headline, each as written
  and without its site part);
- the wrong titles by kind (`--list KIND` prints the pages of one kind);
- where the h1 and the declared title (og:title, else <title>, site part stripped) differ in
  words: how often the truth follows each, and the share that follows the title among pages
  with each page feature;
- a check of a fitted switch: a logistic regression over those features, fitted on the pages of
  the 60/40 hash split's training part (`is_train`, the split of bench/quality.py) that switch
  from the h1 to the declared title, applied to the held-out part.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaners import html as H  # noqa: E402
from cleaners.decode import decode  # noqa: E402
from cleaners.model import RejectError  # noqa: E402

SHARED = Path(os.environ.get("NEWSCURATE_SHARED", ROOT.parent / "shared")).resolve()
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def is_train(dataset: str, page_id: str) -> bool:
    """The split of bench/quality.py and bench/train_lines.py: 60% of the pages by hash."""
    return int(hashlib.sha1(f"{dataset}/{page_id}".encode()).hexdigest()[:8], 16) % 10 < 6


def strict(s: str | None) -> str:
    return " ".join((s or "").lower().split())


def loose(s: str | None) -> str:
    return strict((s or "").translate(_QUOTES))


def page_sources(tree, url: str | None, site: str | None) -> dict[str, str]:
    """Every title the page offers, by name."""
    host = H._host(url)
    sm = H.structured_metadata(tree)
    out: dict[str, str] = {}
    for i, h in enumerate(tree.iter("h1")):
        if i >= 5:
            break
        t = H._heading_text(h)
        out[f"h1[{i}]"] = t
        out[f"h1[{i}] tail off"] = H.strip_headline_tail(t, site, host)
    for k in ("html_title", "og:title", "twitter:title", "headline"):
        if sm.get(k):
            t = H._title_text(str(sm[k]))
            out[k] = t
            out[f"{k} site off"] = H.strip_site_from_title(t, site, host)
    for i, e in enumerate(tree.xpath('//*[@itemprop="headline"]')[:2]):
        out[f"itemprop[{i}]"] = H._title_text(e.get("content") or e.text_content())
    return out


def read_pages(name: str) -> list[dict]:
    folder = SHARED / "datasets" / name
    rows = []
    for line in open(folder / "truth.jsonl", encoding="utf-8"):
        t = json.loads(line)
        if not t.get("title"):
            continue
        path = next((p for p in (folder / "html" / f"{t['id']}.html.gz", folder / "html" / f"{t['id']}.html")
                     if p.is_file()), None)
        if path is None:
            continue
        row = {"id": t["id"], "truth": t["title"], "url": t.get("url"), "title": None, "sources": {}}
        try:
            tree = H.parse_html(decode(path.read_bytes(), name=path.name).text)
            md, _ = H.read_metadata(tree, t.get("url"))
        except RejectError:
            rows.append(row)
            continue
        row["title"] = md.title
        row["sources"] = page_sources(tree, t.get("url"), md.site_name)
        row["h1"] = [{"anc": [a.tag for a in h.iterancestors()],
                      "attrs": " ".join(filter(None, (h.get("class"), h.get("id"), h.get("itemprop"))))}
                     for h in list(tree.iter("h1"))[:5]]
        rows.append(row)
    return rows


def kind(row: dict) -> str:
    """Why a wrong title is wrong."""
    t, got, src = row["truth"], row["title"], row["sources"]
    on_page = [k for k, v in src.items() if strict(v) == strict(t)]
    if loose(got) == loose(t):
        return "quote/dash style: another source has the truth's" if on_page else \
            "quote/dash style: no source on the page has the truth's"
    if not on_page:
        return "truth not on the page as written" if not any(loose(v) == loose(t) for v in src.values()) else \
            "truth on the page only in another quote/dash style"
    declared = [k for k in on_page if not k.startswith("h1")]
    if declared and all(" site off" not in k for k in declared) and strict(t) != strict(src.get("html_title site off")) \
            and not any(k in ("og:title", "twitter:title", "headline") for k in declared):
        return "truth is the <title> with its site name"
    got_h1 = any(strict(v) == strict(got) for k, v in src.items() if k.startswith("h1"))
    if declared and got_h1:
        return "truth is a declared title, we took an h1 that differs"
    if declared:
        return "truth is a declared title, we took another"
    return "truth is an h1, we took another source"


def disagreements(rows: list[dict]) -> list[tuple[dict, str, str, bool]]:
    """Pages whose title is an h1 that differs in words from the declared title, and whose truth
    is one of the two: (row, h1 text, declared title, truth follows the declared title)."""
    out = []
    for r in rows:
        src, got = r["sources"], r["title"]
        declared = src.get("og:title site off") or src.get("html_title site off")
        if not got or not declared or H._key(declared) == H._key(got):
            continue
        idx = next((k.split("]")[0] + "]" for k, v in src.items() if k.startswith("h1") and strict(v) == strict(got)), None)
        if idx is None:
            continue
        titles = {strict(v) for k, v in src.items() if k.endswith("title site off")}
        follows_title = strict(r["truth"]) in titles
        if follows_title or strict(r["truth"]) == strict(got):
            out.append((r, idx, declared, follows_title))
    return out


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def features(r: dict, h1_key: str, declared: str) -> dict[str, float]:
    src, got = r["sources"], r["title"]
    h = r["h1"][int(h1_key[3:-1])]
    hl = src.get("headline site off")
    slug = re.sub(r"[^a-z0-9]+", " ", (r["url"] or "").lower().rstrip("/").rsplit("/", 1)[-1]).split()

    def slug_share(t: str) -> float:
        w = set(H._key(t).split())
        return len(w & set(slug)) / max(1, len(w))

    titles = {H._key(v) for k, v in src.items() if k.endswith("title site off")}
    return {
        "JSON-LD headline = title": float(bool(hl) and H._key(hl) == H._key(declared)),
        "JSON-LD headline = h1": float(bool(hl) and H._key(hl) == H._key(got)),
        "og, <title>, twitter agree": float(len(titles) == 1 and sum(k.endswith("title site off") for k in src) >= 2),
        "h1 words inside title": float(H._key(got) in H._key(declared)),
        "title words inside h1": float(H._key(declared) in H._key(got)),
        "h1 in article/main": float(any(a in ("article", "main") for a in h["anc"])),
        "h1 in header": float("header" in h["anc"]),
        "one h1 on the page": float(len(r["h1"]) == 1),
        "h1 class says title/headline": float(bool(re.search("title|headline", h["attrs"], re.I))),
        "year in title only": float(bool(_YEAR.search(declared)) and not _YEAR.search(got)),
        "title longer": float(len(declared) > len(got)),
        "url slug closer to title": slug_share(declared) - slug_share(got),
    }


def fit_logistic(x: np.ndarray, y: np.ndarray, lam: float, steps: int = 3000, lr: float = 0.1) -> np.ndarray:
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        g = x.T @ (p - y) / len(y)
        g[1:] += lam * w[1:] / len(y)
        w -= lr * g
    return w


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", default="wcxb-dev")
    ap.add_argument("--list", default=None, help="print the pages of the failure kinds that contain this text")
    args = ap.parse_args()
    rows = read_pages(args.set)
    n = len(rows)
    ok = sum(strict(r["title"]) == strict(r["truth"]) for r in rows)
    lo = sum(loose(r["title"]) == loose(r["truth"]) for r in rows)
    ceiling = sum(any(strict(v) == strict(r["truth"]) for v in r["sources"].values()) for r in rows)
    print(f"{args.set}: {n} pages with a truth title")
    print(f"  strict {ok / n:.3f} ({ok})   loose {lo / n:.3f} ({lo})   "
          f"truth equal to one of the page's sources: {ceiling / n:.3f} ({ceiling})")
    kinds = Counter()
    for r in rows:
        if strict(r["title"]) != strict(r["truth"]):
            k = kind(r)
            kinds[k] += 1
            if args.list and args.list in k:
                print(f"    {r['id']} truth={r['truth']!r} ours={r['title']!r}")
    print("  wrong titles by kind:")
    for k, c in kinds.most_common():
        print(f"    {c:4d}  {k}")

    style = Counter()
    for r in rows:
        got = r["title"] or ""
        other = {v for k, v in r["sources"].items() if H._key(v) == H._key(got) and strict(v) != strict(got)}
        if not other:
            continue
        to_straight = any("\u2019" in got and "'" in v for v in other)
        side = "ours" if strict(got) == strict(r["truth"]) else \
            "the other" if any(strict(v) == strict(r["truth"]) for v in other) else "neither"
        style[("curly ours, straight other" if to_straight else "other differences", side)] += 1
    print("  same words as our title in another source, other characters (quotes, dashes, marks):")
    for (what, side), c in sorted(style.items()):
        print(f"    {what:28s} truth follows {side:9s} {c:3d}")
    curly = [r for r in rows if "\u2019" in (r["title"] or "") and loose(r["title"]) == loose(r["truth"])]
    straight = sum("\u2019" not in r["truth"] for r in curly)
    print(f"  our title has \u2019 and the truth the same words: {len(curly)} pages, the truth writes ' on {straight}, "
          f"\u2019 on {len(curly) - straight}")

    dis = disagreements(rows)
    follows = sum(f for *_, f in dis)
    print(f"  h1 taken and the declared title differs in words, truth one of them: {len(dis)} pages, "
          f"truth follows the h1 on {len(dis) - follows}, the declared title on {follows}")
    if not dis:
        return
    feats = [features(r, k, d) for r, k, d, _ in dis]
    y = np.array([f for *_, f in dis], float)
    names = list(feats[0])
    print(f"    {'feature':32s} pages  share following the title")
    for name in names:
        on = np.array([f[name] > 0 for f in feats])
        if on.any():
            print(f"    {name:32s} {on.sum():5d}  {y[on].mean():.2f}")
    x = np.array([[1.0] + [f[k] for k in names] for f in feats])
    train = np.array([is_train(args.set, r["id"]) for r, *_ in dis])
    for lam in (0.1, 1.0):
        w = fit_logistic(x[train], y[train], lam)
        for part, m in (("train", train), ("held-out", ~train)):
            switch = (x[m] @ w) > 0
            gain = int((switch & (y[m] == 1)).sum() - (switch & (y[m] == 0)).sum())
            print(f"    fitted switch (L2 {lam}) {part:8s}: {m.sum():3d} pages, switches {switch.sum():2d}, "
                  f"net pages gained {gain:+d}")


if __name__ == "__main__":
    main()
