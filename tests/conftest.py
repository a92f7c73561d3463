from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import flows  # noqa: F401  (offline Prefect defaults)

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSCURATE_SHARED", ROOT.parent / "shared")).resolve()
SEEDS = SHARED / "seeds"
DATASETS = SHARED / "datasets"


@pytest.fixture(scope="session", autouse=True)
def compiled_kernels():
    """Compile (or load from numba's cache) the text cleaner's kernels once, before any test: the
    first compile takes seconds, which must not land inside a test with a time limit, and worker
    processes started by tests then load them from the cache."""
    from cleaners.text import clean_text

    clean_text("A first line of text that compiles the kernels.\n\nAnd a second, with 12:30 on Jan 5.")


def pytest_collection_modifyitems(config, items):
    if DATASETS.is_dir() and SEEDS.is_dir():
        return
    skip = pytest.mark.skip(reason=f"shared data not found at {SHARED}")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (it takes 16-35 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def expected() -> dict:
    return json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def seed_raw(tmp_path: Path) -> Path:
    """A private copy of the project's raw/ folder (the five seed files)."""
    dest = tmp_path / "raw"
    shutil.copytree(ROOT / "raw", dest)
    return dest
