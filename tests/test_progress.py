"""Run progress (flows.progress): the tracker, the hooks, and the terminal bars."""
from __future__ import annotations

import io
import logging
import re
import sys

import pytest
from rich.console import Console

from flows import progress
from flows.progress import Progress, RunProgress, TerminalProgress


class Card:
    """Records what a tracker publishes to its progress artifact."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def create(self, percent, description):
        self.calls.append(("create", percent, description))
        return "card-1"

    def update(self, artifact_id, percent, description):
        self.calls.append(("update", artifact_id, percent, description))


def test_tracker_counts_files_and_batches_and_feeds_hooks_and_the_card():
    seen: list[Progress] = []
    card = Card()
    with progress.progress_hook(seen.append):
        t = RunProgress("run-a", files=10, batches=3, artifact=card, min_interval=3600)
        t.batch_done(4)
        t.batch_done(4)   # throttled: same stage, within min_interval
        t.batch_done(2)   # last batch: always published
        t.stage("dedup")
        t.stage("commit")
        t.finish({"seen": 10, "kept": 8, "duplicates": 1, "rejected": 1, "unchanged": 0})
    assert [(p.stage, p.files_done, p.batches_done) for p in seen] == [
        ("clean", 0, 0), ("clean", 4, 1), ("clean", 8, 2), ("clean", 10, 3), ("dedup", 10, 3), ("commit", 10, 3),
        ("done", 10, 3)]
    assert seen[-1].counts["kept"] == 8
    kinds = [c[0] for c in card.calls]
    assert kinds == ["create", "update", "update", "update", "update"]
    percents = [c[1] for c in card.calls[:1]] + [c[2] for c in card.calls[1:]]
    assert percents == sorted(percents) and percents[0] == 2.0 and percents[-1] == 100.0
    assert "8 kept" in card.calls[-1][3] and "1 duplicates" in card.calls[-1][3]
    # no hooks once the block is left
    t.stage("commit")
    assert len(seen) == 7


def test_percent_follows_the_files_cleaned():
    assert Progress("r", "clean", files_total=200, files_done=100).percent == pytest.approx(46.0)
    assert Progress("r", "clean", files_total=0).percent == 2.0
    assert Progress("r", "dedup").percent == 90.0 and Progress("r", "done").percent == 100.0
    with pytest.raises(ValueError):
        RunProgress("r", 1, 1).stage("sleeping")


def test_outside_a_run_current_is_a_tracker_that_does_nothing():
    seen = []
    with progress.progress_hook(seen.append):
        progress.current().batch_done(5)
        assert seen == []
        tracker = progress.start("run-d", files=5, batches=1)
        assert progress.current() is tracker
        progress.current().batch_done(5)
        tracker.finish({"seen": 5})
        progress.current().batch_done(5)  # the run is over: nothing more is reported
    assert [(p.stage, p.files_done) for p in seen] == [("clean", 0), ("clean", 5), ("done", 5)]


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_failing_hook_is_reported_once_and_the_others_still_run():
    seen = []
    records = Records()

    def broken(p):
        raise KeyError("no terminal")

    logging.getLogger("flows.progress").addHandler(records)
    try:
        with progress.progress_hook(broken), progress.progress_hook(seen.append):
            t = RunProgress("run-b", files=2, batches=2)
            t.batch_done(1)
            t.batch_done(1)
    finally:
        logging.getLogger("flows.progress").removeHandler(records)
    assert len(seen) == 3
    assert len([r for r in records.records if "no terminal" in r.getMessage()]) == 1


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_terminal_bars_draw_files_batches_and_stage_and_put_log_lines_above_them():
    from prefect.logging.handlers import PrefectConsoleHandler

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100, color_system=None)
    handler = PrefectConsoleHandler(stream=sys.stderr)
    logger = logging.getLogger("newscurate-test-progress")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        with TerminalProgress(console=console) as bars:
            bars(Progress("run-c", "clean", files_total=6, files_done=0, batches_total=3))
            bars(Progress("run-c", "clean", files_total=6, files_done=4, batches_total=3, batches_done=2))
            assert handler.stream is not sys.stderr  # routed to the bars' console meanwhile
            logger.info("Task run 'clean-batch' - Finished in state Completed()")
            bars(Progress("run-c", "done", files_total=6, files_done=6, batches_total=3, batches_done=3))
        assert handler.stream is sys.stderr and handler.console.file is sys.stderr
    finally:
        logger.removeHandler(handler)
    out = _plain(screen.getvalue())
    assert "Finished in state Completed()" in out
    assert re.search(r"files cleaned\s+━+\s+6/6", out) and re.search(r"batches hashed\s+━+\s+3/3", out)
    assert "stage: done" in out
    # the log line is printed before the last drawing of the bars, not through it
    assert out.rindex("Finished in state Completed()") < out.rindex("files cleaned")
    # the hook is gone once the block is left
    assert all(h is not bars for h in progress._HOOKS)
