"""Train the line classifier shipped in cleaners/data/line_model.json.

usage: python bench/train_lines.py [--eval-only]

Data: the three shared sets (../shared/datasets/{aeb,wcxb-dev,l3s-gn1}). Each page goes to the
training part or the held-out part by a hash of "set/id" (about 60/40), so the split is the same
on every run. A dump line is labelled body when its text (bullets and spaces aside) is found in
the truth body, or, for long lines, when nearly all its words are.

The model is two boosted ensembles of oblivious trees (numpy, logistic loss, per-page weights so
every page counts the same): stage 1 on the line features, stage 2 on the same plus stage-1 scores
of the neighbours (cross-fitted on the training pages). The headline scorer is a logistic
regression over the candidate lines above the body.
Printed at the end: bag-of-words P/R/F1 (and leak) of clean_text on the held-out pages only.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaners import text as T  # noqa: E402
from cleaners import trees  # noqa: E402
from cleaners.layout import split_columns  # noqa: E402

SHARED = Path(os.environ.get("NEWSCURATE_SHARED", ROOT / ".." / "shared"))
SETS = ["aeb", "wcxb-dev", "l3s-gn1"]
MODEL = ROOT / "cleaners" / "data" / "line_model.json"
TOKEN = re.compile(r"\w+")


def is_train(dataset: str, page_id: str) -> bool:
    h = int(hashlib.sha1(f"{dataset}/{page_id}".encode()).hexdigest()[:8], 16)
    return h % 10 < 6


def load(dataset: str) -> list[dict]:
    d = SHARED / "datasets" / dataset
    rows = []
    for line in open(d / "truth.jsonl"):
        r = json.loads(line)
        p = d / "dump" / f"{r['id']}.txt"
        # as a run sees it: side-by-side columns written one after the other (cleaners.layout)
        r["dump"] = split_columns(p.read_text(encoding="utf-8", errors="replace")) if p.exists() else ""
        rows.append(r)
    return rows


_BUL = re.compile(r"^(?:[*•·▪‣◦●■□+o–—-]|\d{1,3}[.)])\s+")


def _n(s: str) -> str:
    return " ".join(s.lower().split())


def labels_for(lines, body: str) -> list[int]:
    bnorm = _n(body)
    blines = {_n(_BUL.sub("", x.strip())) for x in body.split("\n") if x.strip()}
    btoks = Counter(TOKEN.findall(body.lower()))
    out = []
    for x in lines:
        t = _n(_BUL.sub("", x.text))
        if not t:
            out.append(0)
            continue
        if x.words < 6:
            out.append(1 if t in blines else 0)
            continue
        if t in bnorm:
            out.append(1)
            continue
        toks = TOKEN.findall(t)
        hit = sum((Counter(toks) & btoks).values())
        out.append(1 if x.words >= 12 and hit / max(len(toks), 1) >= 0.9 else 0)
    return out


def fit_lr(X: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1e-3, iters: int = 400) -> dict:
    mu = X.mean(0)
    sd = X.std(0)
    sd[sd < 1e-6] = 1.0
    Z = (X - mu) / sd
    Z[:, 0] = 0.0  # bias column handled separately
    coef = np.zeros(X.shape[1])
    b = 0.0
    w = w / w.sum()
    # Newton-free: plain gradient descent with Adam
    m1 = np.zeros_like(coef)
    m2 = np.zeros_like(coef)
    mb1 = mb2 = 0.0
    lr = 0.05
    for t in range(1, iters + 1):
        z = Z @ coef + b
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        g = p - y
        gc = Z.T @ (w * g) + l2 * coef
        gb = float((w * g).sum())
        m1 = 0.9 * m1 + 0.1 * gc
        m2 = 0.999 * m2 + 0.001 * gc * gc
        coef -= lr * (m1 / (1 - 0.9 ** t)) / (np.sqrt(m2 / (1 - 0.999 ** t)) + 1e-8)
        mb1 = 0.9 * mb1 + 0.1 * gb
        mb2 = 0.999 * mb2 + 0.001 * gb * gb
        b -= lr * (mb1 / (1 - 0.9 ** t)) / (np.sqrt(mb2 / (1 - 0.999 ** t)) + 1e-8)
    return {"w": [round(float(v), 6) for v in coef], "mu": [round(float(v), 6) for v in mu],
            "sd": [round(float(v), 6) for v in sd], "b": round(float(b), 6)}


def fit_trees(X: np.ndarray, y: np.ndarray, w: np.ndarray, ntrees: int = 100, depth: int = 5, lr: float = 0.2,
              nb: int = 32, lam: float = 1.0, subsample: float = 0.5, seed: int = 0) -> dict:
    """Gradient boosting (logistic loss) of oblivious trees: each level of a tree splits all its
    nodes on the same feature and threshold, so inference is a few array operations."""
    rng = np.random.default_rng(seed)
    n, f = X.shape
    edges = [np.unique(np.quantile(X[:, j], np.linspace(0, 1, nb + 1)[1:-1])) for j in range(f)]
    B = np.stack([np.searchsorted(edges[j], X[:, j], side="right") for j in range(f)], 1).astype(np.int64)
    nb1 = nb + 1
    w = w / w.sum() * n
    base = float(np.log((w * y).sum() / (w * (1 - y)).sum()))
    F = np.full(n, base)
    fitted = []
    for _ in range(ntrees):
        p = 1 / (1 + np.exp(-F))
        g = (p - y) * w
        h = np.maximum(p * (1 - p) * w, 1e-12)
        rows = np.flatnonzero(rng.random(n) < subsample)
        gs, hs, Bs = g[rows], h[rows], B[rows]
        node = np.zeros(len(rows), dtype=np.int64)
        feats: list[int] = []
        thrs: list[float] = []
        cuts: list[int] = []
        for d in range(depth):
            nn = 1 << d
            Gn = np.bincount(node, weights=gs, minlength=nn)
            Hn = np.bincount(node, weights=hs, minlength=nn)
            base_gain = (Gn ** 2 / (Hn + lam)).sum()
            best = (1e-9, -1, -1)
            for j in range(f):
                if len(edges[j]) == 0:
                    continue
                key = node * nb1 + Bs[:, j]
                gb = np.bincount(key, weights=gs, minlength=nn * nb1).reshape(nn, nb1)
                hb = np.bincount(key, weights=hs, minlength=nn * nb1).reshape(nn, nb1)
                gl = np.cumsum(gb, 1)[:, : len(edges[j])]
                hl = np.cumsum(hb, 1)[:, : len(edges[j])]
                gain = (gl ** 2 / (hl + lam) + (Gn[:, None] - gl) ** 2 / (Hn[:, None] - hl + lam)).sum(0) - base_gain
                k = int(np.argmax(gain))
                if gain[k] > best[0]:
                    best = (float(gain[k]), j, k)
            if best[1] < 0:
                break
            j, k = best[1], best[2]
            feats.append(j)
            thrs.append(float(edges[j][k]))
            cuts.append(k)
            node = node * 2 + (Bs[:, j] > k)
        full = np.zeros(n, dtype=np.int64)
        for j, k in zip(feats, cuts):
            full = full * 2 + (B[:, j] > k)
        nl = 1 << len(feats)
        G = np.bincount(node, weights=gs, minlength=nl)
        H = np.bincount(node, weights=hs, minlength=nl)
        leaves = -G / (H + lam) * lr
        F += leaves[full]
        fitted.append({"f": feats, "t": [round(t, 6) for t in thrs], "v": [round(float(v), 5) for v in leaves]})
    return {"trees": fitted, "base": round(base, 6)}


def predict_trees(model: dict, X: np.ndarray) -> np.ndarray:
    """A model being trained scored as the cleaner scores the shipped one."""
    return trees.probabilities(*trees.pack(model["trees"]), model["base"], X)


def predict(model: dict, X: np.ndarray) -> np.ndarray:
    Z = (X - np.array(model["mu"])) / np.array(model["sd"])
    Z[:, 0] = 0.0
    return 1 / (1 + np.exp(-np.clip(Z @ np.array(model["w"]) + model["b"], -30, 30)))


def prf(pred: str, gold: str) -> tuple[float, float, float]:
    p, g = Counter(TOKEN.findall(pred.lower())), Counter(TOKEN.findall(gold.lower()))
    hit = sum((p & g).values())
    P = hit / sum(p.values()) if p else 0.0
    R = hit / sum(g.values()) if g else 0.0
    return P, R, (2 * P * R / (P + R) if P + R else 0.0)


def evaluate(rows: list[dict]) -> dict:
    res = []
    leak = [0, 0]
    rel = [0, 0]
    for r in rows:
        out = T.clean_text(r["dump"]).text
        res.append(prf(out, r["body"]))
        nt = _n(out)
        for s in r.get("must_exclude") or []:
            leak[0] += _n(s) in nt
            leak[1] += 1
        for s in r.get("related") or []:
            if len(s) >= 30:
                rel[0] += _n(s) in nt
                rel[1] += 1
    n = len(res) or 1
    out = {"pages": len(res), "P": sum(x[0] for x in res) / n, "R": sum(x[1] for x in res) / n,
           "F1": sum(x[2] for x in res) / n}
    if leak[1]:
        out["leak"] = leak[0] / leak[1]
    if rel[1]:
        out["related_leak"] = rel[0] / rel[1]
    return out


def _tn(s: str) -> str:
    return T._norm(s or "")


def title_rows(rows: list[dict]):
    """Per page: (candidate features, labels) for the headline scorer."""
    for r in rows:
        if not r.get("title"):
            continue
        lines = T.prepare(T.segment(r["dump"]))
        if not lines:
            continue
        probs = T.score_lines(lines)
        top = T.body_start(lines, probs)
        cands = T.title_candidates(lines, top)
        if not cands:
            yield r, [], [], []
            continue
        t = _tn(r["title"])
        body = T.body_words(lines, probs, top)
        X = [T.title_features(lines, i, cands, top, probs, body) for i in cands]
        y = [1 if _tn(lines[i].text) == t else 0 for i in cands]
        yield r, cands, X, y


def train_title(data) -> dict:
    X, Y, W = [], [], []
    for s in SETS:
        for r, cands, x, y in title_rows([r for r in data[s] if is_train(s, r["id"])]):
            if not cands or not any(y):
                continue
            X += x
            Y += y
            W += [1.0 / len(cands)] * len(cands)
    m = fit_lr(np.array(X), np.array(Y, dtype=float), np.array(W))
    print(f"title scorer: {len(Y)} candidates, {sum(Y)} headlines")
    return m


def title_eval(rows: list[dict]) -> dict:
    ok = fuzzy = n = 0
    for r in rows:
        if not r.get("title"):
            continue
        n += 1
        got = T.clean_text(r["dump"]).metadata.title or ""
        a, b = _tn(got), _tn(r["title"])
        ok += a == b
        ta, tb = set(a.split()), set(b.split())
        fuzzy += bool(ta and tb) and 2 * len(ta & tb) / (len(ta) + len(tb)) >= 0.8
    return {"title_exact": ok / max(n, 1), "title_fuzzy": fuzzy / max(n, 1), "titled": n}


def main() -> None:
    data = {s: load(s) for s in SETS}
    if "--title-only" in sys.argv:
        model = json.loads(MODEL.read_text())
        model["title"] = train_title(data)
        MODEL.write_text(json.dumps(model, separators=(",", ":")))
        T._model.cache_clear()
    elif "--eval-only" not in sys.argv:
        X1, Y, W, DOC = [], [], [], []
        docs = []
        for s in SETS:
            for r in data[s]:
                if not is_train(s, r["id"]):
                    continue
                lines = T.prepare(T.segment(r["dump"]))
                if not lines:
                    continue
                y = labels_for(lines, r["body"])
                tw = sum(x.words + 1 for x in lines)
                docs.append((lines, y))
                for x, lab in zip(lines, y):
                    X1.append(x.feats)
                    Y.append(lab)
                    W.append((x.words + 1) / tw)
        X = np.array(X1, dtype=float)
        Yv = np.array(Y, dtype=float)
        Wv = np.array(W, dtype=float)
        print(f"train lines={len(Y)} body share={Yv.mean():.3f} features={X.shape[1]}")
        t0 = time.time()
        m1 = fit_trees(X, Yv, Wv)
        # stage-2 inputs on the training pages come from stage-1 models that did not see them
        fold = np.zeros(len(Yv), dtype=bool)
        k = 0
        for d, (lines, _) in enumerate(docs):
            fold[k:k + len(lines)] = d % 2 == 0
            k += len(lines)
        p1 = np.zeros(len(Yv))
        for part in (fold, ~fold):
            mp = fit_trees(X[~part], Yv[~part], Wv[~part], seed=1)
            p1[part] = predict_trees(mp, X[part])
        # stage 2 rows
        X2 = []
        k = 0
        for lines, _ in docs:
            part = p1[k:k + len(lines)].tolist()
            X2.extend(T._stage2_features(lines, part))
            k += len(lines)
        X2 = np.array(X2, dtype=float)
        m2 = fit_trees(X2, Yv, Wv, seed=2)
        p2 = predict_trees(m2, X2)
        print(f"fit {time.time() - t0:.1f}s; train acc stage1 (cross-fitted) {((p1 > .5) == Yv).mean():.3f} "
              f"stage2 {((p2 > .5) == Yv).mean():.3f}")
        model = {"stage1": m1, "stage2": m2}
        MODEL.write_text(json.dumps(model, separators=(",", ":")))
        T._model.cache_clear()
        model["title"] = train_title(data)
        MODEL.write_text(json.dumps(model, separators=(",", ":")))
        T._model.cache_clear()
    for s in SETS:
        held = [r for r in data[s] if not is_train(s, r["id"])]
        train = [r for r in data[s] if is_train(s, r["id"])]
        h = evaluate(held)
        t = evaluate(train)
        h.update(title_eval(held) if s != "aeb" else {})
        print(f"{s:9s} held-out " + " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in h.items())
              + f" | train F1={t['F1']:.3f}")


if __name__ == "__main__":
    main()
