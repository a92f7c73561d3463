"""The compiled line features and tree sums compute exactly what the plain versions compute."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from cleaners import linefeats as lf
from cleaners import text as T
from cleaners import trees

SHARED = Path(os.environ.get("NEWSCURATE_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared")).resolve()
SETS = ["aeb", "wcxb-dev", "l3s-gn1"]


def _dump_pages(step: int) -> list[tuple[str, str, list[str]]]:
    """Every `step`-th dump of the shared sets as the cleaner's trimmed lines."""
    out = []
    for name in SETS:
        for f in sorted((SHARED / "datasets" / name / "dump").glob("*.txt"))[::step]:
            texts = [x.text for x in T._page_lines(T.segment(f.read_text(encoding="utf-8", errors="replace")))[0]]
            if texts:
                out.append((name, f.stem, texts))
    return out


def _readable(t: str) -> bool:
    return all(c.isascii() or c in lf.NEAR_EXTRA or lf.is_plain(c) for c in t)


# --- line features -------------------------------------------------------------------------------

@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "datasets").is_dir(), reason="../shared is missing")
def test_page_prims_equal_the_line_by_line_reference_on_the_shared_dumps():
    pages = _dump_pages(3)
    assert len(pages) > 400
    read = total = 0
    for name, page, texts in pages:
        P, words, sent, keys, ok = lf.page_prims(texts, T._WORD_TABLE)
        for i, t in enumerate(texts):
            total += 1
            assert bool(ok[i]) == _readable(t), (name, page, t)
            if not ok[i]:
                continue
            read += 1
            _, w, s, prims = T._line_info.__wrapped__(t)
            assert (int(words[i]), bool(sent[i])) == (w, s), (name, page, t)
            assert tuple(int(v) for v in P[i]) == tuple(int(v) for v in prims[:-1]), (name, page, t)
            assert int(keys[i]) == lf.key_hash(prims[-1]), (name, page, t)
    assert read >= 0.9 * total  # the compiled pass reads nearly every line; the rest go line by line


@pytest.mark.parametrize("line, stop, chrome", [
    ("the cat sat", 1, 0), ("Subscribe to our newsletter", 2, 2), ("they’re", 1, 0),
    ("It’s don’t DON’T don't", 3, 0), ("the, and. the", 1, 0), ("Read more — the video.", 2, 3),
    ("Read more - the video.", 2, 2),
])
def test_stopwords_and_chrome_words_are_looked_up_by_hash(line, stop, chrome):
    # an ASCII line counts its space-separated words as they are (punctuation included); a line
    # with typographic punctuation counts its tokens
    P, *_ = lf.page_prims([line], T._WORD_TABLE)
    _, _, _, prims = T._line_info.__wrapped__(line)
    assert (int(P[0, 3]), int(P[0, 4])) == prims[3:5] == (stop, chrome)


def test_near_characters_are_the_ones_the_kernel_reads():
    assert all(lf._is_near(ord(c)) for c in lf.NEAR_EXTRA)
    assert not any(lf._is_near(c) for c in range(0x2400) if chr(c) not in lf.NEAR_EXTRA)
    assert T._NEAR_ASCII_EXTRA == lf.NEAR_EXTRA


def test_word_table_holds_every_word_once_with_its_lists():
    table = T._WORD_TABLE
    for w in T._STOP | T._CHROME_SET:
        want = (w in T._STOP) + 2 * (w in T._CHROME_SET)
        assert lf._word_flags(table, lf.key_hash(w)) == want, w
    for w in ("cats", "thee", "", "x" * 40, "don't"):
        assert lf._word_flags(table, lf.key_hash(w)) == 0, w
    assert table[-1, 0] == max(map(len, T._STOP | T._CHROME_SET))


def test_key_hash_is_fnv1a_of_the_code_points():
    assert lf.key_hash("") == np.int64(np.uint64(0xCBF29CE484222325).view(np.int64))
    assert lf.key_hash("a") == np.uint64(0xAF63DC4C8601EC8C).view(np.int64)  # FNV-1a 64 of b"a"
    assert lf.key_hash("it’s") != lf.key_hash("it's")


def test_lines_with_letters_beyond_ascii_are_left_to_the_caller():
    lines = ["plain line", "Ünïcode line", "It’s “fine”", "© 2024 Example ★ →", "漢字", "Next 。", "lone \udc80 5"]
    *_, ok = lf.page_prims(lines, T._WORD_TABLE)
    assert ok.tolist() == [True, False, True, True, False, False, True]  # (a lone surrogate is no letter)
    words, sent, P, keys = T._page_info(lines)  # the caller fills them from the reference
    assert isinstance(keys[1], str) and isinstance(keys[0], int)
    assert words[1] == T.count_words(lines[1]) and words[4] == T.count_words(lines[4])
    assert keys[6] == lf.key_hash(T.line_key(lines[6]))


def test_plain_characters_take_the_near_ascii_path_of_the_reference():
    # every character read as punctuation is one the reference reads so too: no word character,
    # no CJK, unchanged by lower(), and none of the characters the line tests name
    plain = [chr(o) for o in range(0x80, 0x10000) if not 0xD800 <= o < 0xE000 and lf.is_plain(chr(o))]
    assert len(plain) > 3000 and "©" in plain and "★" in plain and "é" not in plain and "▪" not in plain
    for ch in plain:
        assert T._FAR_CHAR.search(ch) is None and ch.lower() == ch and not ch.isspace(), hex(ord(ch))
    lines = ["A “quote” © 2024 — ★★★ 12:30 → Jan 5", "ⓐ ⒜ ½ ² ✅ ↩ ️", "* ★ item", "- → next"]
    _assert_lines(lines)


def _assert_lines(lines: list[str]) -> None:
    P, words, sent, keys, ok = lf.page_prims(lines, T._WORD_TABLE)
    for i, t in enumerate(lines):
        if ok[i]:
            _, w, s, prims = T._line_info.__wrapped__(t)
            assert (int(words[i]), bool(sent[i]), int(keys[i])) == (w, s, lf.key_hash(prims[-1])), t
            assert tuple(int(v) for v in P[i]) == tuple(int(v) for v in prims[:-1]), t


# --- stage-1 features ----------------------------------------------------------------------------

def _reference_base_matrix(lines: list, P: np.ndarray, keys: list) -> np.ndarray:
    """The stage-1 features as whole-column numpy operations, the plain form of the compiled pass."""
    n = len(lines)
    X = np.zeros((n, T._N_BASE + 11))
    log1p = T._log1p_table()
    words = np.array([x.words for x in lines])
    sent = np.array([x.sent for x in lines])
    norule = np.array([not x.rule for x in lines])
    count: dict = {}
    for k in keys:
        count[k] = count.get(k, 0) + 1
    L, nw, nl, stop_c, chrome_c, caps_c, dig_c, nonsp, comma_c = P[:, :9].T
    F = np.concatenate((P[:, 9:19], np.array([[x.header, bool(x.bio), count[k] > 1]
                                              for x, k in zip(lines, keys)]).reshape(n, 3)), axis=1).astype(bool)
    nbk = np.array([x.nb for x in lines])
    rcol = np.array([T._REASON_FLAG[x.rule] if x.rule else -1 for x in lines])
    total_words = int(words.sum()) or 1
    textl = np.flatnonzero((words >= 20) & sent & norule)
    first_text = int(textl[0]) if textl.size else n
    last_text = int(textl[-1]) if textl.size else -1
    tw = np.where((words >= 12) & sent & norule, words, 0)
    total_tw = int(tw.sum()) or 1
    cum = np.concatenate(([0], np.cumsum(words)[:-1]))
    cum_tw = np.concatenate(([0], np.cumsum(tw)[:-1]))
    idx = np.arange(n)
    lw = log1p[words]
    stop = stop_c / nl
    caps = caps_c / nw
    tw_before = cum_tw / total_tw
    X[:, 0] = 1.0
    X[:, 1] = lw
    X[:, 2] = log1p[L] / 5
    X[:, 3] = sent
    X[:, [4, 5, 11, 12, 13, 14, 20, 22, 23, 34, 35]] = F[:, [0, 1, 2, 3, 4, 5, 12, 6, 7, 8, 9]]
    X[:, 6] = stop
    X[:, 7] = caps
    X[:, 8] = dig_c / np.maximum(L.astype(float), 1)
    X[:, 9] = np.minimum(nonsp / nw, 12) / 6
    X[:, 10] = np.minimum(comma_c / nw, 1.0)
    X[:, 15] = idx / max(n - 1, 1)
    X[:, 16] = cum / total_words
    X[:, 17] = tw_before
    X[:, 18] = nbk > 1
    X[:, 19] = np.minimum(nbk, 10) / 10
    X[:, 21] = np.minimum(chrome_c / nl, 1.0)
    X[:, 24] = words <= 2
    X[:, 25] = words <= 5
    X[:, 26] = words >= 15
    X[:, 27] = words >= 40
    X[:, 28] = idx < first_text
    X[:, 29] = idx > last_text
    X[:, 30] = log1p[np.where(idx < first_text, first_text - idx, 0)] / 3
    X[:, 31] = log1p[np.where(idx > last_text, idx - last_text, 0)] / 3
    X[:, 32] = np.maximum.accumulate(F[:, 10] & (tw_before > 0.3))
    X[:, 33] = np.maximum.accumulate(F[:, 11] & (tw_before > 0.3))
    X[:, 36] = stop * lw
    X[:, 37] = np.where(words <= 12, caps, 0.0)
    X[idx[rcol >= 0], 38 + rcol[rcol >= 0]] = 1.0
    X[F[:, 10], 38 + T._REASON_FLAG["teaser_header"]] = 1.0
    X[F[:, 11], 38 + T._REASON_FLAG["bio"]] = 1.0
    c = T._N_BASE
    X[1:, c:c + 4] = X[:-1, [1, 3, 6, 11]]
    X[0, c + 4] = 1.0
    X[:-1, c + 5:c + 9] = X[1:, [1, 3, 6, 11]]
    X[-1, c + 9] = 1.0
    ctw = np.concatenate(([0], np.cumsum(tw)))
    X[:, c + 10] = log1p[ctw[np.minimum(idx + 4, n)] - ctw[np.maximum(idx - 3, 0)] - tw] / 5
    return X


def _assert_base_matrix(blocks: list[str]) -> int:
    lines, P, keys = T._page_lines(blocks)
    if not lines:
        return 0
    X1 = T._prepare(blocks)[1]  # with the rules, zones and bios set
    lines = T.prepare(blocks)
    assert X1.shape == (len(lines), T._N_BASE + 11)
    assert np.array_equal(X1, _reference_base_matrix(lines, P, keys))  # bit for bit
    return len(lines)


def test_base_matrix_equals_the_column_version_on_a_made_up_page():
    from tests.test_text_speed_equivalence import PAGE
    assert _assert_base_matrix(T.segment(PAGE)) > 10


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "datasets").is_dir(), reason="../shared is missing")
def test_base_and_stage2_matrices_equal_the_plain_versions_on_the_shared_dumps():
    rng = np.random.default_rng(5)
    checked = 0
    for name in SETS:
        for f in sorted((SHARED / "datasets" / name / "dump").glob("*.txt"))[::9]:
            blocks = T.segment(f.read_text(encoding="utf-8", errors="replace"))
            checked += _assert_base_matrix(blocks) > 0
            lines, X1 = T._prepare(blocks)
            if lines:
                p1 = rng.random(len(lines))
                ref = np.array(T._stage2_features(lines, p1.tolist()))
                assert np.array_equal(T._stage2_matrix(lines, X1, p1), ref), (name, f.stem)
    assert checked > 150


# --- trees ---------------------------------------------------------------------------------------

def _numpy_tree_sums(X: np.ndarray, feats: np.ndarray, thrs: np.ndarray, leaves: np.ndarray) -> np.ndarray:
    leaf = np.zeros((X.shape[0], feats.shape[0]), dtype=np.int64)
    for d in range(feats.shape[1]):
        leaf = (leaf << 1) | (X[:, feats[:, d]] >= thrs[:, d])
    return leaves[np.arange(feats.shape[0]), leaf].sum(1)


@pytest.mark.parametrize("ntree", [1, 7, 8, 9, 16, 100, 128])
def test_tree_sums_add_like_numpy_to_the_last_bit(ntree):
    rng = np.random.default_rng(ntree)
    width = 12
    made = [{"f": rng.integers(0, width, size=d).tolist(), "t": rng.normal(size=d).tolist(),
             "v": (rng.normal(size=1 << d) * rng.choice([1e-4, 1.0, 1e3], size=1 << d)).tolist()}
            for d in rng.integers(1, 6, size=ntree)]
    feats, thrs, leaves = trees.pack(made)
    X = rng.normal(size=(257, width))
    X[0, feats[0, 0]] = thrs[0, 0]  # on a threshold: goes right
    got = trees.tree_sums(np.ascontiguousarray(X.T), feats, thrs, leaves)
    assert np.array_equal(got, _numpy_tree_sums(X, feats, thrs, leaves))
    # and each row is its trees' leaves, level by level, straight from the lists
    for r in range(3):
        want = 0.0
        for t in made:
            leaf = 0
            for f, th in zip(t["f"], t["t"]):
                leaf = 2 * leaf + (X[r, f] >= th)
            want += t["v"][leaf]
        assert got[r] == pytest.approx(want, rel=1e-12, abs=1e-9)


def test_shipped_model_scores_equal_the_numpy_sums():
    m = T._model()
    if not m or "trees" not in m.get("stage1", {}):
        pytest.skip("no tree model shipped")
    for stage in ("stage1", "stage2"):
        feats, thrs, leaves, base = T._packed(m[stage])
        width = 1 + int(feats.max())
        X = np.random.default_rng(1).normal(0.5, 1.0, size=(500, width))
        z = _numpy_tree_sums(X, feats, thrs, leaves) + base
        assert np.array_equal(T._trees_p(m[stage], X), 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))))
