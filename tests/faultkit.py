"""Helpers for the fault tests: made-up raw articles, real `curate run` subprocesses, corpus snapshots."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("articles", "duplicates", "rejects", "manifest", "signatures")

_SYLLABLES = ["ka", "lo", "mer", "tan", "vi", "dus", "pre", "sol", "gar", "nu", "bel", "tor", "ris", "han",
              "qua", "zen", "mo", "lit", "ser", "fa", "ost", "cri", "pel", "um"]
_COMMON = ["the", "a", "of", "in", "on", "and", "to", "with", "after", "before", "said", "was", "has", "had",
           "will", "from", "for", "by", "at", "that", "which", "their", "its", "more", "than"]


def _word(rnd: random.Random) -> str:
    return "".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(1, 3)))


def article(seed: int, paragraphs: int = 5) -> str:
    """A made-up news story (plain-text dump) in a made-up language: its own names, numbers and
    words, so that two seeds never tell the same story."""
    rnd = random.Random(seed)
    names = [_word(rnd).capitalize() + " " + _word(rnd).capitalize() for _ in range(4)]
    lines = [" ".join(_word(rnd).capitalize() if i == 0 else _word(rnd) for i in range(rnd.randint(5, 9))), ""]
    for _ in range(paragraphs):
        sents = []
        for _ in range(rnd.randint(3, 5)):
            words = [rnd.choice(_COMMON) if rnd.random() < 0.35 else _word(rnd) for _ in range(rnd.randint(10, 18))]
            words.insert(rnd.randrange(len(words)), rnd.choice(names))
            words.insert(rnd.randrange(len(words)), str(rnd.randint(2, 99999)))
            sents.append(" ".join(words).capitalize() + ".")
        lines += [" ".join(sents), ""]
    return "\n".join(lines)


def make_raw(folder: Path, n: int, start: int = 0, copies: int = 2, empties: int = 1) -> Path:
    """`n` made-up articles, `copies` exact copies of some of them, `empties` empty files."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        (folder / f"story-{i:03d}.txt").write_text(article(i), encoding="utf-8")
    for k in range(copies):
        (folder / f"copy-{start + k:03d}.txt").write_text(article(start + k), encoding="utf-8")
    for k in range(empties):
        (folder / f"empty-{start + k:03d}.txt").write_bytes(b"")
    return folder


def run_cmd(raw: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "flows.cli", "run", "--raw", str(raw), "--out", str(out), *extra]


def start(api_url: str, raw: Path, out: Path, *extra: str, fault: str | None = None) -> subprocess.Popen:
    """A real `curate run` in its own process group, against the given Prefect API."""
    env = {**os.environ, "PREFECT_API_URL": api_url, "PYTHONPATH": str(ROOT)}
    env.pop("NEWSCURATE_FAULT", None)
    if fault:
        env["NEWSCURATE_FAULT"] = fault
    return subprocess.Popen(run_cmd(raw, out, *extra), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(proc: subprocess.Popen, timeout: float = 240) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        kill_group(proc)
    return proc.returncode, out, err


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the run and anything it started (its process group), if still there."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass


def parts(out: Path) -> list[Path]:
    return sorted(p for t in TABLES for p in (out / t).glob("*.parquet") if not p.name.startswith((".", "_")))


def snapshot(out: Path) -> dict[str, list[tuple]]:
    """The corpus content, table by table, independent of run ids and part names: sorted rows."""
    state = {}
    for t in TABLES:
        folder = out / t
        if not folder.is_dir():
            state[t] = []
            continue
        table = pq.read_table(folder)
        table = table.drop_columns([c for c in ("run_id",) if c in table.column_names])
        state[t] = sorted(tuple(repr(v) for v in row.values()) for row in table.to_pylist())
    return state


def file_state(out: Path) -> dict[str, tuple[int, int]]:
    """Every file of the corpus folder (lock files aside) -> (size, mtime_ns)."""
    return {str(p.relative_to(out)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in out.rglob("*") if p.is_file() and not p.name.startswith(".lock")}


def check_corpus(out: Path) -> None:
    """What must hold of any corpus at rest: every part readable, no staging left, one row per
    source across articles/duplicates/rejects, one manifest row per source, every duplicate
    pointing to a kept article, one signature per kept article."""
    for p in parts(out):
        pq.read_table(p)
    assert not any((out / "_staging").glob("*")), list((out / "_staging").rglob("*"))
    where: dict[str, list[str]] = {}
    for t in ("articles", "duplicates", "rejects"):
        for src in pq.read_table(out / t, columns=["source"]).column("source").to_pylist():
            where.setdefault(src, []).append(t)
    assert all(len(v) == 1 for v in where.values()), {k: v for k, v in where.items() if len(v) != 1}
    manifest = pq.read_table(out / "manifest", columns=["source", "outcome"]).to_pylist()
    assert sorted(r["source"] for r in manifest) == sorted(where)
    assert all(where[r["source"]] == [{"article": "articles", "duplicate": "duplicates",
                                       "reject": "rejects"}[r["outcome"]]] for r in manifest)
    ids = pq.read_table(out / "articles", columns=["doc_id"]).column("doc_id").to_pylist()
    assert len(ids) == len(set(ids))
    assert set(pq.read_table(out / "duplicates", columns=["duplicate_of"]).column("duplicate_of").to_pylist()) <= set(ids)
    assert sorted(pq.read_table(out / "signatures", columns=["doc_id"]).column("doc_id").to_pylist()) == sorted(ids)


def fail_commit_rename(monkeypatch, run_id: str, nth: int) -> list:
    """Make the `nth` rename of run `run_id`'s staged files into the corpus fail (say, the disk
    is full); returns the list of (src, dst) renames tried. Undo with ``monkeypatch.undo()``."""
    real_replace, calls = os.replace, []

    def failing_replace(src, dst):
        if f"/_staging/{run_id}/commit/" in str(src) and "/_staging/" not in str(dst):
            calls.append((src, dst))
            if len(calls) == nth:
                raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr("cleaners.corpus.os.replace", failing_replace)
    return calls
