"""The text cleaner on real data: the seeds give exactly what expected.json says, and the shared
sets' dumps stay above the quality floors (bag-of-words F1 of the body, leaks)."""
from __future__ import annotations

import importlib.util
import json
import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from cleaners.rules import REASONS
from cleaners.text import clean_text

SHARED = Path(os.environ.get("NEWSCURATE_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared")).resolve()
pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not (SHARED / "seeds" / "expected.json").exists(), reason="../shared is missing"),
]

TOKEN = re.compile(r"\w+")


def f1(pred: str, gold: str) -> float:
    p, g = Counter(TOKEN.findall(pred.lower())), Counter(TOKEN.findall(gold.lower()))
    hit = sum((p & g).values())
    if not hit:
        return 0.0
    P, R = hit / sum(p.values()), hit / sum(g.values())
    return 2 * P * R / (P + R)


def _expected() -> list[dict]:
    return json.loads((SHARED / "seeds" / "expected.json").read_text())["articles"]


@pytest.mark.parametrize("art", _expected() if (SHARED / "seeds" / "expected.json").exists() else [],
                         ids=lambda a: a["file"][:3])
def test_seed_matches_expected(art):
    c = clean_text((SHARED / "seeds" / "raw" / art["file"]).read_text(encoding="utf-8"))
    assert f1(c.text, art["body"]) >= 0.98
    m = c.metadata
    assert m.title == art["title"]
    assert m.subtitle == art["subtitle"]
    assert m.authors == art["authors"]
    assert m.published == art["published"]
    assert m.site_name == art["site_name"]
    assert m.sources == art["sources"]
    assert all(r.reason in REASONS for r in c.removed)


@lru_cache(maxsize=None)
def _scored(dataset: str) -> dict:
    spec = importlib.util.spec_from_file_location("score", SHARED / "tools" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    d = SHARED / "datasets" / dataset
    preds = {}
    for line in open(d / "truth.jsonl"):
        pid = json.loads(line)["id"]
        p = d / "dump" / f"{pid}.txt"
        preds[pid] = clean_text(p.read_text(encoding="utf-8", errors="replace")).text if p.exists() else ""
    return mod.score(d, preds)


# floors: measured figures less a small margin, so a regression fails the test
FLOORS = {
    "aeb": {"F1": 0.90},
    "wcxb-dev": {"F1": 0.91, "leak_max": 0.06},
    "l3s-gn1": {"F1": 0.83, "related_leak_max": 0.08},
}


@pytest.mark.parametrize("dataset", list(FLOORS))
def test_shared_set_quality(dataset):
    if not (SHARED / "datasets" / dataset / "truth.jsonl").exists():
        pytest.skip(f"{dataset} missing")
    res = _scored(dataset)
    floor = FLOORS[dataset]
    assert res["F1"] >= floor["F1"], res
    if "leak_max" in floor:
        assert res["leak"] <= floor["leak_max"], res
    if "related_leak_max" in floor:
        assert res["related_leak"] <= floor["related_leak_max"], res
