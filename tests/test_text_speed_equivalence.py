"""The fast paths of the text cleaner compute exactly what the plain per-row versions compute."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from cleaners import metadata as md
from cleaners import text as T


def _reference_trees(model: dict, row: list[float]) -> float:
    """One row through the boosted oblivious trees, level by level, straight from the JSON."""
    z = float(model.get("base", 0.0))
    for tree in model["trees"]:
        leaf = 0
        for f, t in zip(tree["f"], tree["t"]):
            leaf = leaf * 2 + (1 if row[f] >= t else 0)
        z += tree["v"][leaf]
    z = min(max(z, -30.0), 30.0)
    return 1.0 / (1.0 + math.exp(-z))


def _models() -> list[dict]:
    m = T._model()
    if not m or "trees" not in m.get("stage1", {}):
        pytest.skip("no tree model shipped")
    return [m["stage1"], m["stage2"]]


@pytest.mark.parametrize("stage", [0, 1])
def test_vectorised_trees_equal_reference_per_row(stage):
    model = _models()[stage]
    width = 1 + max(f for t in model["trees"] for f in t["f"])
    rng = np.random.default_rng(7 + stage)
    # random rows, plus rows sitting exactly on the thresholds (the >= edge)
    X = rng.normal(0.5, 1.0, size=(300, width))
    for k, tree in enumerate(model["trees"][:50]):
        for f, t in zip(tree["f"], tree["t"]):
            X[k, f] = t
    fast = T._trees_p(model, X)
    ref = np.array([_reference_trees(model, row) for row in X.tolist()])
    assert fast.shape == ref.shape
    assert np.allclose(fast, ref, rtol=1e-12, atol=1e-15)
    assert ((fast >= 0.5) == (ref >= 0.5)).all()


PAGE = """Menu

Home » World

A Harbour Town Opens Its New Bridge After Years of Delay

By Sam Example

March 3, 2024

The new bridge over the river opened on Monday, ending a wait of nearly six years for the
people who cross it every day to reach the market and the school on the other side.

Officials said the final cost was well above the first estimate, which they blamed on the
price of steel and a long dispute with the first contractor over the foundations.

* Bridge facts
* 240 metres long
* Two lanes and a footpath

"We waited a long time," said one resident, who crosses twice a day. "It was worth it."

You May Also Like

Another Town Gets a Ferry

Share
"""


def test_stage2_matrix_equals_reference_rows():
    lines, X1 = T._prepare(T.segment(PAGE))
    assert len(lines) > 10
    rng = np.random.default_rng(3)
    for p1 in (rng.random(len(lines)), np.full(len(lines), 0.5), np.zeros(len(lines))):
        fast = T._stage2_matrix(lines, X1, p1)
        ref = np.array(T._stage2_features(lines, p1.tolist()))
        assert fast.shape == ref.shape
        assert (fast == ref).all()  # bit for bit


def test_base_matrix_rows_are_the_line_features():
    lines, X1 = T._prepare(T.segment(PAGE))
    assert X1.tolist() == [x.feats for x in lines]
    # column 1 is log1p(words) exactly as math computes it
    assert [r[1] for r in X1.tolist()] == [math.log1p(x.words) for x in lines]


@pytest.mark.parametrize("line", [
    "Posted Jan 5 by Ann", "JAN. 12", "at 12:30pm local time", "in 1999 and 2020", "x2000y", "SEPT 3",
    "Updated\t4:05", "no dates here at all", "version 3.2.1", "Dec.\t4", "1987", "12:3", "marched 5 miles",
    "Ünïcode März 3 2021", "٣ يناير ٢٠٢٤",
])
def test_month_word_shortcut_matches_regex(line):
    assert T._month_word(line, line.isascii()) == (T._MONTH_WORD.search(line) is not None)


def _reference_find_sources_found(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    base = 0
    for seg in re.split(r"(?<=[.!?\n])\s+", text):
        if md._TRIGGER.search(seg):
            md._credits_in(seg, text.find(seg, base), found)
        base += len(seg)
    return sorted(found)


@pytest.mark.parametrize("text", [
    "The council met on Tuesday. The plan was first reported by The Harbour Gazette. More later.",
    "He said\n\nto Reuters that nothing changed.",
    "Prices rose (Reuters) - again. Sources: Phone Arena and GSM Arena",
    "According to the Daily Example, the vote is off.\nVia The Example Times",
    "Nothing here credits anyone. Just two sentences.",
    "",
])
def test_find_sources_prefilter_keeps_every_credit(text):
    ref = _reference_find_sources_found(text)
    out, seen = [], set()
    for _, name in ref:
        key = name.lower()
        key = key[4:] if key.startswith("the ") else key
        if key not in seen:
            seen.add(key)
            out.append(name)
    assert md.find_sources(text) == out
