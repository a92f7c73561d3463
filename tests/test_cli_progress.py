"""`curate run` as people use it: progress bars on a terminal, none in a pipe, the summary at the end."""
from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

from prefect.settings import PREFECT_API_URL

from cleaners.report import summary_lines

ROOT = Path(__file__).resolve().parents[1]
# the `curate` command, run from this checkout (the console script may point at another install)
CURATE = [sys.executable, "-m", "flows.cli"]


def _env() -> dict[str, str]:
    # the session's temporary server, so the command does not start one of its own
    return {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_API_URL": str(PREFECT_API_URL.value()), "COLUMNS": "120", "TERM": "xterm"}


def _report_counts(report: Path) -> dict[str, int]:
    row = next(line for line in report.read_text(encoding="utf-8").splitlines() if re.fullmatch(r"\|( \d+ \|){5}", line))
    return dict(zip(("seen", "unchanged", "kept", "duplicates", "rejected"), map(int, re.findall(r"\d+", row))))


def _summary(stdout: str, out: Path) -> tuple[dict[str, int], Path]:
    lines = stdout.splitlines()
    report = Path(next(line for line in lines if line.startswith("report: ")).removeprefix("report: "))
    counts = _report_counts(report)
    where = {"kept": out / "articles", "duplicates": out / "duplicates", "rejected": out / "rejects"}
    # the summary printed is the report's counts, line for line
    expected = ["  " + line for line in summary_lines(counts, {k: v.resolve() for k, v in where.items()})]
    i = lines.index(expected[0])
    assert lines[i:i + len(expected)] == expected
    return counts, report


def test_run_on_a_terminal_draws_progress_bars_then_prints_the_summary(prefect_harness, seed_raw, tmp_path):
    out = tmp_path / "out"
    master, slave = pty.openpty()
    proc = subprocess.Popen([*CURATE, "run", "--raw", str(seed_raw), "--out", str(out), "--batch-size", "2",
                             "--workers", "1"], cwd=ROOT, env=_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the other end closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        stdout, _ = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
        reader.join(timeout=10)
        os.close(master)
    terminal = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    assert proc.returncode == 0, terminal[-3000:]
    counts, _ = _summary(stdout, out)
    assert counts["seen"] == 5
    assert "files cleaned" in terminal and "batches hashed" in terminal
    assert re.search(r"files cleaned\s.*\b5/5\b", terminal) and re.search(r"batches hashed\s.*\b3/3\b", terminal)
    assert "stage: done" in terminal
    # Prefect's own log lines still reach the terminal
    assert "Finished in state Completed" in terminal


def test_run_in_a_pipe_prints_no_bars_only_logs_and_the_summary(prefect_harness, seed_raw, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([*CURATE, "run", "--raw", str(seed_raw), "--out", str(out)], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "files cleaned" not in proc.stderr and "batches hashed" not in proc.stderr
    assert "Finished in state Completed" in proc.stderr
    counts, report = _summary(proc.stdout, out)
    assert counts["seen"] == 5 and report.parent == out.resolve() / "reports"
