"""Extraction quality of the HTML path (`cleaners.html.clean_html`, what the pipeline runs) on the
shared test sets (bag-of-words scorer of ../shared/tools).

trafilatura alone (comments and tables off) scores aeb 0.956, wcxb-dev 0.930 (leak 0.051),
l3s-gn1 0.903 (related_leak 0.165) on the same pages. The targets for this path are aeb >= 0.965,
wcxb-dev >= 0.95 with leak <= 0.04, l3s-gn1 >= 0.93 with related_leak <= 0.08, and on wcxb-dev
metadata title >= 0.90 (equal after lower-casing and normalising spaces), date >= 0.85, author >= 0.80.
Where a target is not reached yet the floor
below is the measured level less a small margin (a regression guard), and says so.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSCURATE_SHARED", ROOT / ".." / "shared")).resolve()

pytestmark = [
    pytest.mark.shared,
    pytest.mark.slow,
    pytest.mark.skipif(not (SHARED / "datasets").is_dir(), reason="shared datasets not available"),
]

# set -> (minimum F1, {leak key: maximum})
TARGETS = {
    "aeb": (0.965, {}),
    "wcxb-dev": (0.95, {"leak": 0.04}),
    "l3s-gn1": (0.93, {"related_leak": 0.08}),
}
# wcxb-dev metadata floors: date and author at their targets 0.85 / 0.80. The title target 0.90 is
# not reached: titles are compared strictly (lower case and runs of spaces only), measured 0.871
# (0.903 with quotes and dashes made ASCII, `title_loose`), so the floor is a regression guard.
# bench/title_sources.py shows why: 4% of the truths are on no page source as written (or only in
# another quote style), and where the h1 and <title> differ in words the truth follows the h1 on
# 127 pages and the <title> on 54 with no page feature telling them apart.
META_FLOORS = {"title": 0.86, "date": 0.85, "author": 0.80}
# l3s-gn1 truth titles (the annotated headline block, sometimes with its subheading): measured 0.619
L3S_TITLE_FLOOR = 0.60


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(ROOT / "bench"))
    import quality_html

    return quality_html


_CACHE: dict[str, tuple[dict, dict]] = {}


def _run(bench, name):
    if name in _CACHE:
        return _CACHE[name]
    pages = bench.load_pages(name)
    truth = bench.load_truth(name)
    urls = {t["id"]: t.get("url") for t in truth}
    from cleaners.html import clean_html
    from cleaners.model import RejectError

    preds, metas = {}, {}
    for pid, html in pages.items():
        try:
            c = clean_html(html, url=urls.get(pid))
        except RejectError:
            preds[pid], metas[pid] = "", {}
            continue
        preds[pid] = c.text
        metas[pid] = {"title": c.metadata.title, "published": c.metadata.published, "authors": c.metadata.authors}
    scorer = bench.load_scorer()
    _CACHE[name] = (scorer.score(SHARED / "datasets" / name, preds), bench.meta_accuracy(truth, metas))
    return _CACHE[name]


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_body_extraction_meets_targets(bench, name):
    res, _meta = _run(bench, name)
    min_f1, max_leaks = TARGETS[name]
    assert res["F1"] >= min_f1, res
    for key, ceiling in max_leaks.items():
        assert res[key] <= ceiling, res


def test_metadata_accuracy_on_wcxb(bench):
    _res, meta = _run(bench, "wcxb-dev")
    for key, floor in META_FLOORS.items():
        assert meta[key] >= floor, meta


def test_title_accuracy_on_l3s(bench):
    _res, meta = _run(bench, "l3s-gn1")
    assert meta["title"] >= L3S_TITLE_FLOOR, meta
