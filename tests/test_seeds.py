"""The seeds give exactly what ../shared/seeds/expected.json says, through the real code path."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from cleaners.pipeline import clean_bytes

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.shared


def f1(pred: str, gold: str) -> float:
    p, g = Counter(re.findall(r"\w+", pred.lower())), Counter(re.findall(r"\w+", gold.lower()))
    hit = sum((p & g).values())
    if not hit:
        return 0.0
    P, R = hit / sum(p.values()), hit / sum(g.values())
    return 2 * P * R / (P + R)


def seed_cases():
    import json
    from tests.conftest import SEEDS

    if not (SEEDS / "expected.json").is_file():
        return []
    return json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))["articles"]


@pytest.mark.parametrize("case", seed_cases(), ids=lambda c: c["file"][:3])
def test_seed_matches_expected(case):
    _, cleaned = clean_bytes((ROOT / "raw" / case["file"]).read_bytes(), name=case["file"])
    m = cleaned.metadata
    assert f1(cleaned.text, case["body"]) >= 0.98
    assert (m.title, m.subtitle, m.authors, m.published, m.site_name, m.sources) == (
        case["title"], case["subtitle"], case["authors"], case["published"], case["site_name"], case["sources"])
