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

_TOWNS = ["Arlen", "Brookfield", "Castor Bay", "Dunmore", "Eastleigh", "Fairhaven", "Glenwood", "Harlow"]
_THINGS = ["bridge", "library", "tram line", "harbour wall", "school roof", "water main", "bus depot", "market hall"]
_PEOPLE = ["the mayor", "a council engineer", "local residents", "the transport board", "a union official",
           "the regional auditor", "two shop owners", "the fire service"]
_VERBS = ["approved", "delayed", "questioned", "funded", "inspected", "postponed", "criticised", "reopened"]


def article(seed: int, paragraphs: int = 5) -> str:
    """A made-up local news story (plain-text dump), different for every seed."""
    rnd = random.Random(seed)
    town, thing = rnd.choice(_TOWNS), rnd.choice(_THINGS)
    lines = [f"{town} {thing} plan {rnd.choice(_VERBS)} after {rnd.randint(2, 40)} months", ""]
    for _ in range(paragraphs):
        sents = []
        for _ in range(rnd.randint(3, 5)):
            sents.append(f"{rnd.choice(_PEOPLE).capitalize()} {rnd.choice(_VERBS)} the {rnd.choice(_THINGS)} "
                         f"project in {rnd.choice(_TOWNS)} on {rnd.choice(['Monday', 'Tuesday', 'Friday'])}, "
                         f"citing {rnd.randint(3, 900)} complaints and a budget of {rnd.randint(1, 90)} million.")
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
