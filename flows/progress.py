"""Progress of a curation run, for whoever watches it.

The flow owns one `RunProgress` per run and tells it what happened (files cleaned, a stage
started, the run finished). The tracker

* keeps a Prefect progress artifact of the run up to date (the "progress" card in the UI), and
* calls the progress hooks registered in this process. `curate run` registers one that draws
  progress bars on the terminal (`TerminalProgress`); a deployment's flow run, which runs in a
  worker's subprocess, has none, so there the hooks are a no-op.

Hooks receive a `Progress` snapshot. A hook that raises is logged and ignored: watching a run
must never fail it.
"""
from __future__ import annotations

import contextvars
import io
import logging
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator, Mapping

STAGES = ("discover", "clean", "dedup", "commit", "done")

# how far along (in %) a run is when each stage starts; cleaning fills the space up to dedup
_STAGE_PERCENT = {"discover": 0.0, "clean": 2.0, "dedup": 90.0, "commit": 95.0, "done": 100.0}


@dataclass(frozen=True)
class Progress:
    """One snapshot of a run's progress."""

    run_id: str
    stage: str  # one of STAGES
    files_total: int = 0
    files_done: int = 0  # files cleaned (kept, duplicate or rejected: read and judged)
    batches_total: int = 0
    batches_done: int = 0  # batches cleaned and hashed (their dedup signatures are staged)
    counts: Mapping[str, int] = field(default_factory=dict)  # the run's counts, once it is done

    @property
    def percent(self) -> float:
        if self.stage == "clean" and self.files_total:
            lo, hi = _STAGE_PERCENT["clean"], _STAGE_PERCENT["dedup"]
            return lo + (hi - lo) * min(1.0, self.files_done / self.files_total)
        return _STAGE_PERCENT.get(self.stage, 0.0)


Hook = Callable[[Progress], None]

_HOOKS: list[Hook] = []
_HOOKS_LOCK = threading.Lock()
_FAILED: set[int] = set()  # hooks whose failure was reported already
log = logging.getLogger(__name__)


def add_hook(hook: Hook) -> None:
    with _HOOKS_LOCK:
        _HOOKS.append(hook)


def remove_hook(hook: Hook) -> None:
    with _HOOKS_LOCK:
        if hook in _HOOKS:
            _HOOKS.remove(hook)
        _FAILED.discard(id(hook))


@contextmanager
def progress_hook(hook: Hook) -> Iterator[Hook]:
    """Call `hook` with every progress snapshot of the runs in this process while the block runs."""
    add_hook(hook)
    try:
        yield hook
    finally:
        remove_hook(hook)


def _logger() -> logging.Logger | logging.LoggerAdapter:
    """The flow run's logger inside a run (its lines reach the Prefect UI), else this module's."""
    try:
        from prefect import get_run_logger

        return get_run_logger()
    except Exception:
        return log


def emit(p: Progress) -> None:
    """Hand `p` to every registered hook; a hook that raises is reported once and otherwise ignored."""
    with _HOOKS_LOCK:
        hooks = list(_HOOKS)
    for hook in hooks:
        try:
            hook(p)
        except Exception as exc:  # a broken display must not break the run
            if id(hook) not in _FAILED:
                _FAILED.add(id(hook))
                _logger().warning("progress hook %r failed (further failures not reported): %s: %s",
                                  hook, type(exc).__name__, exc)


class RunProgress:
    """The progress of one run: feeds the hooks and the run's Prefect progress artifact.

    `artifact` is None (no artifact), or an object with `create(percent, description) -> id|None`
    and `update(id, percent, description)`, such as `flows.artifacts.ProgressArtifact`. Artifact
    updates are throttled to one per `min_interval` seconds unless the stage changes.
    """

    def __init__(self, run_id: str, files: int, batches: int, artifact=None, min_interval: float = 1.0) -> None:
        self._lock = threading.Lock()
        self.state = Progress(run_id, "clean" if batches else "dedup", files_total=files, batches_total=batches)
        self._artifact = artifact
        self._artifact_id = None
        self._last_update = 0.0
        self._last_stage = ""
        self.min_interval = min_interval
        self._publish(force=True)

    def _description(self) -> str:
        p = self.state
        if p.stage == "done":
            c = p.counts
            return (f"Run {p.run_id} done: {c.get('seen', 0)} files seen, {c.get('kept', 0)} kept, "
                    f"{c.get('duplicates', 0)} duplicates, {c.get('rejected', 0)} rejected")
        return (f"Run {p.run_id}: {p.stage}; {p.files_done}/{p.files_total} files cleaned, "
                f"{p.batches_done}/{p.batches_total} batches hashed")

    def _publish(self, force: bool = False) -> None:
        p = self.state
        emit(p)
        if self._artifact is None:
            return
        now = time.monotonic()
        if not force and p.stage == self._last_stage and now - self._last_update < self.min_interval:
            return
        self._last_update, self._last_stage = now, p.stage
        if self._artifact_id is None:
            self._artifact_id = self._artifact.create(p.percent, self._description())
        else:
            self._artifact.update(self._artifact_id, p.percent, self._description())

    def batch_done(self, files: int) -> None:
        """One clean batch of `files` files finished (its files are cleaned and hashed, or rejected)."""
        with self._lock:
            p = self.state
            self.state = replace(p, files_done=min(p.files_total, p.files_done + files),
                                 batches_done=min(p.batches_total, p.batches_done + 1))
            done = self.state.batches_done == self.state.batches_total
            self._publish(force=done)

    def stage(self, name: str) -> None:
        if name not in STAGES:
            raise ValueError(f"unknown stage {name!r}; known: {STAGES}")
        with self._lock:
            self.state = replace(self.state, stage=name)
            self._publish(force=True)

    def finish(self, counts: Mapping[str, int]) -> None:
        with self._lock:
            self.state = replace(self.state, stage="done", counts=dict(counts))
            self._publish(force=True)
        if _CURRENT.get() is self:
            _CURRENT.set(None)


class _NoProgress(RunProgress):
    def __init__(self) -> None:  # noqa: D107 - a tracker that tracks nothing
        self._lock = threading.Lock()
        self.state = Progress("", "discover")
        self._artifact = None

    def _publish(self, force: bool = False) -> None:
        return None


_CURRENT: contextvars.ContextVar[RunProgress | None] = contextvars.ContextVar("newscurate_run_progress", default=None)


def start(run_id: str, files: int, batches: int, artifact=None) -> RunProgress:
    """Start tracking a run in the current context; `current()` returns the tracker from now on."""
    tracker = RunProgress(run_id, files, batches, artifact=artifact)
    _CURRENT.set(tracker)
    return tracker


def current() -> RunProgress:
    """The tracker of the run in progress in this context, or one that does nothing."""
    return _CURRENT.get() or _NoProgress()


class _Forward(io.TextIOBase):
    """Writes to `target`; hides what it is, so that rich does not unwrap its own proxy."""

    def __init__(self, target) -> None:
        self._target = target

    def write(self, text: str) -> int:
        self._target.write(text)
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return True


class TerminalProgress:
    """Progress bars on a terminal (rich), as a hook: `with TerminalProgress(): curate(...)`.

    Two bars, "files cleaned" and "batches hashed", and the current stage. While the bars are up,
    Prefect's console log lines are printed above them instead of through them.
    """

    def __init__(self, console=None) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bars, TextColumn,
                                   TimeElapsedColumn)

        class Count(MofNCompleteColumn):  # nothing to count on the stage line
            def render(self, task):
                return "" if task.fields.get("status") else super().render(task)

        self.console = console or Console(stderr=True)
        self.bars = Bars(TextColumn("{task.description:<16}"), BarColumn(), Count(),
                         TimeElapsedColumn(), console=self.console, redirect_stdout=False,
                         redirect_stderr=True, transient=False)
        self._tasks: dict[str, int] = {}
        self._run: str | None = None
        self._saved: list[tuple[object, object, object]] = []

    def __call__(self, p: Progress) -> None:
        if p.run_id != self._run:
            self._run = p.run_id
            for task_id in self._tasks.values():
                self.bars.remove_task(task_id)
            self._tasks = {
                "files": self.bars.add_task("files cleaned", total=p.files_total or None),
                "batches": self.bars.add_task("batches hashed", total=p.batches_total or None),
                "stage": self.bars.add_task("stage: " + p.stage, total=None, status=True),
            }
        self.bars.update(self._tasks["files"], completed=p.files_done, total=p.files_total or None)
        self.bars.update(self._tasks["batches"], completed=p.batches_done, total=p.batches_total or None)
        self.bars.update(self._tasks["stage"], description="stage: " + p.stage)
        if p.stage == "done":
            for task_id in (self._tasks["files"], self._tasks["batches"]):
                self.bars.update(task_id, total=max(1, self.bars.tasks[task_id].total or 0),
                                 completed=max(1, self.bars.tasks[task_id].total or 0))
            self.bars.update(self._tasks["stage"], total=1, completed=1)

    def _route_prefect_logs(self, terminal: object) -> None:
        from prefect.logging.handlers import PrefectConsoleHandler

        loggers = [logging.getLogger()] + [lg for lg in logging.Logger.manager.loggerDict.values()
                                           if isinstance(lg, logging.Logger)]
        for lg in loggers:
            for h in lg.handlers:
                if isinstance(h, PrefectConsoleHandler) and h.stream in (terminal, sys.__stderr__):
                    self._saved.append((h, h.stream, h.console.file))
                    # into rich's stderr proxy, which prints each line above the bars (a console
                    # given the proxy itself would bypass it and write to the terminal directly)
                    h.stream = h.console.file = _Forward(sys.stderr)

    def __enter__(self) -> "TerminalProgress":
        terminal = sys.stderr
        self.bars.start()
        try:
            self._route_prefect_logs(terminal)
        except Exception as exc:  # an older or newer Prefect: logs may cut through the bars
            log.debug("could not route Prefect logs above the progress bars: %s", exc)
        add_hook(self)
        return self

    def __exit__(self, *exc) -> None:
        remove_hook(self)
        for h, stream, file in self._saved:
            h.stream = stream
            h.console.file = file
        self._saved.clear()
        self.bars.stop()
