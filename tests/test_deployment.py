"""The scheduled deployment, end to end, with the README's commands: a real `prefect server start`,
a process work pool, `prefect deploy` from a copy of the project folder, a run triggered by hand,
and `prefect worker start --run-once` running it."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
PREFECT = [sys.executable, "-m", "prefect"]
POOL, DEPLOYMENT = "newscurate", "curate/nightly"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen, grace: float = 10) -> None:
    """Stop a process this test started, and its children, by its own process group."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # whatever of the group is left
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(timeout=grace)


class Prefect:
    """Runs the `prefect` CLI against one private server; remembers every process it started."""

    def __init__(self, home: Path, port: int, logs: Path) -> None:
        self.api = f"http://127.0.0.1:{port}/api"
        self.port = port
        self.logs = logs
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update(PREFECT_HOME=str(home), PREFECT_API_URL=self.api, DO_NOT_TRACK="1",
                   PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_UI_ENABLED="false",
                   # no runs from the cron schedule while the test runs: only the one it triggers
                   PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",
                   PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120")
        self.env = env
        self.procs: list[subprocess.Popen] = []

    def start(self, name: str, *args: str, cwd: Path) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")
        proc = subprocess.Popen([*PREFECT, *args], cwd=cwd, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs.append(proc)
        return proc

    def run(self, name: str, *args: str, cwd: Path, timeout: float = 120) -> str:
        proc = self.start(name, *args, cwd=cwd)
        try:
            proc.wait(timeout=timeout)
        finally:
            _stop(proc)
        out = (self.logs / f"{name}.log").read_text(errors="replace")
        assert proc.returncode == 0, f"prefect {' '.join(args)} failed:\n{out[-4000:]}"
        return out

    def stop_all(self) -> None:
        for proc in self.procs:
            _stop(proc)


@pytest.mark.slow
def test_deploy_trigger_and_run_on_a_real_server(tmp_path: Path):
    project = tmp_path / "project"  # the project folder, as a user has it
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis", "curated", "tests", "bench"))
    elsewhere = tmp_path / "elsewhere"  # the worker runs from another folder
    out = tmp_path / "out"
    home, logs = tmp_path / "prefect-home", tmp_path / "logs"
    for d in (elsewhere, home, logs):
        d.mkdir()
    prefect = Prefect(home, _free_port(), logs)
    try:
        server = prefect.start("server", "server", "start", "--host", "127.0.0.1", "--port", str(prefect.port),
                               cwd=tmp_path)
        deadline = time.monotonic() + 150
        while True:
            assert server.poll() is None, (logs / "server.log").read_text()[-4000:]
            try:
                if httpx.get(f"{prefect.api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start in time"
            time.sleep(0.5)

        prefect.run("pool", "work-pool", "create", POOL, "--type", "process", cwd=project)
        prefect.run("deploy", "--no-prompt", "deploy", "--all", cwd=project)
        triggered = prefect.run("trigger", "deployment", "run", DEPLOYMENT, "--param", f"out_dir={out}",
                                cwd=elsewhere)
        flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", triggered).group(1)
        prefect.run("worker", "worker", "start", "--pool", POOL, "--run-once", cwd=elsewhere, timeout=180)

        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings({PREFECT_API_URL: prefect.api}), get_client(sync_client=True) as client:
            run = client.read_flow_run(flow_run_id)
            deployment = client.read_deployment_by_name(DEPLOYMENT)
        worker_log = (logs / "worker.log").read_text(errors="replace")
        assert run.state is not None and run.state.is_completed(), f"{run.state}\n{worker_log[-4000:]}"

        # the deployment as prefect.yaml declares it
        assert [s.schedule.cron for s in deployment.schedules] == ["0 2 * * *"]
        assert deployment.global_concurrency_limit.limit == 1
        assert deployment.concurrency_options.collision_strategy == "ENQUEUE"
        assert deployment.work_pool_name == POOL and deployment.entrypoint == "flows/curate.py:curate"
        assert deployment.job_variables["env"]["PREFECT_LOGGING_EXTRA_LOGGERS"] == "cleaners"
        [step] = deployment.pull_steps
        assert Path(step["prefect.deployments.steps.set_working_directory"]["directory"]).resolve() == project.resolve()
        assert run.parameters["out_dir"] == str(out) and run.parameters["raw_dir"] == "raw"

        # raw_dir "raw" was read from the project folder (the pull step), the corpus written to out_dir
        seen = pq.read_table(out / "manifest", columns=["source"]).column("source").to_pylist()
        assert sorted(seen) == sorted(p.name for p in (project / "raw").iterdir())
        assert len(seen) == 5
        articles = pq.read_table(out / "articles", columns=["doc_id", "title"])
        duplicates = pq.read_table(out / "duplicates", columns=["doc_id"])
        rejects = pq.read_table(out / "rejects", columns=["source"])
        assert rejects.num_rows == 0
        assert articles.num_rows > 0
        assert articles.num_rows + duplicates.num_rows == 5 - rejects.num_rows
        reports = sorted(p.name for p in (out / "reports").glob("*.md"))
        assert "latest.md" in reports and len(reports) == 2
        report = (out / "reports" / "latest.md").read_text(encoding="utf-8")
        assert f"| 5 | 0 | {articles.num_rows} | {duplicates.num_rows} | 0 |" in report
        assert not (project / "curated").exists() or not any((project / "curated").iterdir())

        # the run's artifacts, as the UI shows them
        body = {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}, "sort": "CREATED_DESC", "limit": 50,
                "offset": 0}
        artifacts = {a["key"]: a for a in httpx.post(f"{prefect.api}/artifacts/filter", json=body, timeout=10).json()}
        assert artifacts["curate-report"]["data"] == report
        counts = artifacts["curate-counts"]["data"]
        counts = json.loads(counts) if isinstance(counts, str) else counts
        assert {r["outcome"]: r["files"] for r in counts}["kept"] == articles.num_rows
        assert float(artifacts["curate-progress"]["data"]) == 100.0
    finally:
        prefect.stop_all()
    assert all(p.poll() is not None for p in prefect.procs)
