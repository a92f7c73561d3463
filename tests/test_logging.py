"""Logging: the library never prints; what it logs reaches the flow run's logs through Prefect."""
from __future__ import annotations

import ast
import logging
import time
from pathlib import Path

import httpx
from prefect import flow
from prefect.settings import PREFECT_API_URL

ROOT = Path(__file__).resolve().parents[1]


def _prints(path: Path) -> list[int]:
    """Lines of print() calls and sys.stdout/stderr writes outside an `if __name__ == "__main__"` block."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    main_blocks = [n for n in tree.body if isinstance(n, ast.If) and "__main__" in ast.unparse(n.test)]
    skip = {id(x) for block in main_blocks for x in ast.walk(block)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        if name == "print" or name.startswith(("sys.stdout.", "sys.stderr.")):
            found.append(node.lineno)
    return found


def test_the_library_and_the_flow_never_print():
    files = sorted((ROOT / "cleaners").rglob("*.py")) + [ROOT / "flows" / n for n in
                                                          ("curate.py", "artifacts.py", "progress.py")]
    offenders = {str(p.relative_to(ROOT)): lines for p in files if (lines := _prints(p))}
    assert offenders == {}


def test_the_checker_finds_prints(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("import sys\nprint('x')\nsys.stderr.write('y')\nif __name__ == '__main__':\n    print('ok')\n")
    assert _prints(src) == [2, 3]


def test_library_log_records_reach_the_flow_run_logs(prefect_harness):
    @flow(name="log-probe")
    def probe() -> None:
        logging.getLogger("cleaners.probe").warning("a file was truncated at 64 MiB")

    state = probe(return_state=True)
    flow_run_id = str(state.state_details.flow_run_id)
    body = {"logs": {"flow_run_id": {"any_": [flow_run_id]}}, "sort": "TIMESTAMP_ASC", "limit": 200, "offset": 0}
    deadline = time.monotonic() + 30  # run logs are sent to the server in batches, in the background
    while True:
        logs = httpx.post(f"{PREFECT_API_URL.value()}/logs/filter", json=body, timeout=30).json()
        if any(r["message"] == "a file was truncated at 64 MiB" and r["name"] == "cleaners.probe" for r in logs):
            break
        assert time.monotonic() < deadline, [r["message"] for r in logs]
        time.sleep(0.5)
