"""Fault injection for tests: named crash points and injected batch failures.

Inert unless the environment variable NEWSCURATE_FAULT is set. It holds comma-separated entries:

    kill:<point>[@n]     SIGKILL this process the n-th time it reaches <point> (default: the first)
    pause:<point>[@s]    sleep s seconds (default 5) each time this process reaches <point>
    fail:batch-<k>[@n]   the clean task of batch k raises on its first n attempts (default: all)
    die:batch-<k>[@n]    the worker process running batch k is killed on its first n attempts
                         (only with a process pool, i.e. workers > 1: otherwise it kills the run)

Points, in the order a run reaches them: `locked` (the run holds the output folder), `staged`
(a batch's Parquet files are staged), `commit-staged` (every file of the commit is staged, no
journal yet), `journal` (the journal is durable, nothing renamed yet), `rename` (after each rename
into the corpus), `renamed` (every rename done, staging not yet removed), `recover-rename` (after
each rename while a later run completes an interrupted commit).

Used by the tests to kill real runs at chosen moments; never set it in production.
"""
from __future__ import annotations

import os
import signal
import time
from collections import Counter
from typing import Callable, TypeVar

T = TypeVar("T")

ENV = "NEWSCURATE_FAULT"
POINTS = ("locked", "staged", "commit-staged", "journal", "rename", "renamed", "recover-rename")

_hits: Counter = Counter()


def _entries() -> list[tuple[str, str, str | None]]:
    spec = os.environ.get(ENV, "")
    out = []
    for entry in filter(None, (e.strip() for e in spec.split(","))):
        action, _, rest = entry.partition(":")
        target, _, arg = rest.partition("@")
        out.append((action, target, arg or None))
    return out


def point(name: str) -> None:
    """Mark that the process reached crash point `name` (a no-op unless a fault targets it)."""
    if ENV not in os.environ:
        return
    _hits[name] += 1
    for action, target, arg in _entries():
        if target != name:
            continue
        if action == "kill" and _hits[name] == int(arg or 1):
            os.kill(os.getpid(), signal.SIGKILL)
        elif action == "pause":
            time.sleep(float(arg or 5))


def batch(batch_no: int, attempt: int, work: Callable[..., T]) -> Callable[..., T]:
    """The function that attempt `attempt` (1-based) of batch `batch_no` should run: `work`, unless
    a fault makes the attempt raise here (`fail:`) or kill the worker process running it (`die:`)."""
    if ENV not in os.environ:
        return work
    for action, target, arg in _entries():
        if target == f"batch-{batch_no}" and (arg is None or attempt <= int(arg)):
            if action == "fail":
                raise RuntimeError(f"injected failure of batch {batch_no}, attempt {attempt} ({ENV})")
            if action == "die":
                return die
    return work


def die(*args: object) -> None:
    """SIGKILL the calling process (a worker, when submitted to a process pool)."""
    os.kill(os.getpid(), signal.SIGKILL)
