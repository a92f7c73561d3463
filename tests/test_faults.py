"""Never lose an article: crashes (real runs killed with SIGKILL), overlapping runs, failing batches.

The killed runs are real `curate run` processes; they talk to the session's Prefect test server.
"""
from __future__ import annotations

import random
import re
import shutil
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests import faultkit as fk
from cleaners.corpus import Corpus
from flows.curate import curate


@pytest.fixture(scope="module")
def api_url(prefect_harness) -> str:
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


@pytest.fixture(scope="module")
def story(prefect_harness, tmp_path_factory):
    """A corpus curated from raw1 (`base`, snapshot S1), and raw2 = raw1 plus new files, one kept
    article changed and the empty file filled in; S2 = the corpus after a clean incremental run."""
    root = tmp_path_factory.mktemp("story")
    raw1 = fk.make_raw(root / "raw1", 24)
    raw2 = root / "raw2"
    shutil.copytree(raw1, raw2)  # copy2: sizes and mtimes preserved, so unchanged files stay unchanged
    fk.make_raw(raw2, 8, start=100, copies=1, empties=0)
    (raw2 / "story-003.txt").write_text(fk.article(1003), encoding="utf-8")
    (raw2 / "empty-000.txt").write_text(fk.article(1004), encoding="utf-8")
    ref = root / "ref"
    curate(raw_dir=str(raw1), out_dir=str(ref), batch_size=4, workers=1)
    fk.check_corpus(ref)
    base = root / "base"
    shutil.copytree(ref, base)
    s1 = fk.snapshot(ref)
    second = curate(raw_dir=str(raw2), out_dir=str(ref), batch_size=4, workers=1)
    assert (second["new"], second["superseded"]) == (8 + 1 + 2, 1)  # new files, copy, changed story, filled file
    fk.check_corpus(ref)
    return {"raw1": raw1, "raw2": raw2, "base": base, "s1": s1, "s2": fk.snapshot(ref), "root": root}


def _fresh(story, name: str) -> Path:
    out = story["root"] / name
    shutil.copytree(story["base"], out)
    return out


def _tables_unchanged(out: Path, base: Path) -> bool:
    def tables(folder: Path) -> dict:
        return {k: v for k, v in fk.file_state(folder).items() if not k.startswith("_staging")}
    return tables(out) == tables(base)


BEFORE_JOURNAL = ["kill:staged@2", "kill:commit-staged"]
AFTER_JOURNAL = ["kill:journal", "kill:rename@1", "kill:rename@3", "kill:renamed"]


@pytest.mark.slow
@pytest.mark.parametrize("fault", BEFORE_JOURNAL + AFTER_JOURNAL)
def test_run_killed_at_a_crash_point_leaves_a_valid_corpus_and_the_next_run_completes_it(story, api_url, fault):
    out = _fresh(story, "kill-" + fault.replace(":", "-").replace("@", "-"))
    rc, stdout, stderr = fk.finish(fk.start(api_url, story["raw2"], out, "--workers", "1", "--batch-size", "4",
                                            fault=fault))
    assert rc == -9, (rc, stderr[-2000:])
    for p in fk.parts(out):  # whatever the moment, every visible part is a whole Parquet file
        pq.read_table(p)
    if fault in BEFORE_JOURNAL:
        assert _tables_unchanged(out, story["base"]), "a run killed before its commit point changed the corpus"
        assert fk.snapshot(out) == story["s1"]
    else:
        assert (out / "_staging").is_dir() and list((out / "_staging").glob("*/JOURNAL.json"))
    result = curate(raw_dir=str(story["raw2"]), out_dir=str(out), batch_size=4, workers=1)
    fk.check_corpus(out)
    assert fk.snapshot(out) == story["s2"]  # completed, no row twice, nothing missing
    if fault in AFTER_JOURNAL:
        assert result["new"] == 0  # the recovery finished the killed run's commit: nothing left to do
        reports = sorted(p for p in (out / "reports").glob("*.md") if p.name != "latest.md")
        assert len(reports) == 2 and (out / "reports" / "latest.md").read_text() == reports[-1].read_text()


@pytest.mark.slow
def test_a_recovery_killed_between_its_renames_is_completed_by_the_next_run(story, api_url):
    out = _fresh(story, "kill-recovery")
    rc, _, err = fk.finish(fk.start(api_url, story["raw2"], out, "--workers", "1", "--batch-size", "4",
                                    fault="kill:rename@2"))
    assert rc == -9, err[-2000:]
    rc, _, err = fk.finish(fk.start(api_url, story["raw2"], out, "--workers", "1", fault="kill:recover-rename@2"))
    assert rc == -9, err[-2000:]
    for p in fk.parts(out):
        pq.read_table(p)
    curate(raw_dir=str(story["raw2"]), out_dir=str(out), batch_size=4, workers=1)
    fk.check_corpus(out)
    assert fk.snapshot(out) == story["s2"]


def _reader(out: Path, stop: threading.Event, errors: list, reads: list) -> None:
    """Read every visible part over and over, the way a downstream job would."""
    while not stop.is_set():
        for p in fk.parts(out):
            try:
                # one open handle: a rewritten part replaces the old one under the same name, and
                # pq.read_table(path) opens the path twice (schema, then scan), which can pair the
                # old file's footer with the new file's pages. The rename is atomic; that read is not.
                with pa.OSFile(str(p)) as fh:
                    pq.read_table(fh)
                reads.append(p)
            except FileNotFoundError:
                pass  # listed, then renamed over: the reader simply lists again
            except Exception as exc:  # a partial or corrupt file
                errors.append(f"{p}: {type(exc).__name__}: {exc}")


def _wait_for_lock(out: Path, proc) -> float:
    """When `proc` takes the lock (a killed run leaves a stale .lock.owner: look for this pid)."""
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if f"pid {proc.pid} " in (out / ".lock.owner").read_text():
                break
        except OSError:
            pass
        time.sleep(0.01)
    return time.monotonic()


@pytest.mark.slow
def test_runs_killed_at_random_moments_never_expose_a_partial_file_and_the_corpus_completes(story, api_url):
    args = ("--workers", "1", "--batch-size", "2")
    # how long a whole run takes once it holds the lock, to spread the kills over all of it
    calibration = _fresh(story, "kill-random-calibration")
    proc = fk.start(api_url, story["raw2"], calibration, *args)
    locked = _wait_for_lock(calibration, proc)
    assert fk.finish(proc)[0] == 0
    span = time.monotonic() - locked
    out = _fresh(story, "kill-random")
    seed = random.randrange(2**32)
    rnd = random.Random(seed)
    stop, errors, reads = threading.Event(), [], []
    reader = threading.Thread(target=_reader, args=(out, stop, errors, reads), daemon=True)
    reader.start()
    outcomes = []
    try:
        for _ in range(4):
            proc = fk.start(api_url, story["raw2"], out, *args)
            _wait_for_lock(out, proc)
            delay = rnd.uniform(0, span)
            time.sleep(delay)
            fk.kill_group(proc)  # SIGKILL the run and its worker processes
            phase = ("after journal" if list(out.glob("_staging/*/JOURNAL.json"))
                     else "staging" if list(out.glob("_staging/*")) else "nothing staged")
            outcomes.append((round(delay, 2), proc.returncode, phase))
            for p in fk.parts(out):
                pq.read_table(p)
    finally:
        stop.set()
        reader.join(timeout=30)
    assert not errors, (seed, errors[:5])
    assert reads, "the reader never read anything"
    curate(raw_dir=str(story["raw2"]), out_dir=str(out), batch_size=3, workers=1)
    fk.check_corpus(out)
    assert fk.snapshot(out) == story["s2"], (seed, outcomes)
    print(f"random kills over a {span:.1f} s run (delay after lock s, return code, state left):", outcomes)


@pytest.mark.slow
def test_overlapping_runs_never_interleave_the_second_waits_or_exits_with_code_3(story, api_url):
    out = story["root"] / "overlap"
    first = fk.start(api_url, story["raw1"], out, "--workers", "1", fault="pause:locked@25")
    deadline = time.monotonic() + 120
    _wait_for_lock(out, first)
    assert first.poll() is None, first.communicate()
    impatient = fk.start(api_url, story["raw1"], out, "--workers", "1", "--lock-timeout", "1")
    patient = fk.start(api_url, story["raw1"], out, "--workers", "1", "--lock-timeout", "300")
    rc, stdout, stderr = fk.finish(impatient)
    assert rc == 3, stderr[-2000:]
    assert "another run is writing to" in stderr and f"pid {first.pid}" in stderr
    assert first.poll() is None  # the impatient run gave up while the first one held the folder
    ended = {}
    while len(ended) < 2:
        for name, proc in (("first", first), ("patient", patient)):
            if name not in ended and proc.poll() is not None:
                ended[name] = time.monotonic()
        assert time.monotonic() < deadline + 240
        time.sleep(0.05)
    rc1, out1, err1 = fk.finish(first)
    rc2, out2, err2 = fk.finish(patient)
    assert rc1 == 0 and rc2 == 0, (err1[-2000:], err2[-2000:])
    # No ordering of process exits is asserted: the first run releases the lock before its Prefect
    # teardown ends, so the patient run may exit first. What proves there was no interleaving is
    # that the patient run found everything already committed by the first one.
    assert re.search(r"kept\s+0\s", out2)
    assert len([p for p in (out / "reports").glob("*.md") if p.name != "latest.md"]) == 1
    assert len(set(pq.read_table(out / "manifest", columns=["run_id"]).column("run_id").to_pylist())) == 1
    fk.check_corpus(out)


# ---- batch failures (in process) ---------------------------------------------------------------

def test_a_transient_batch_failure_is_retried(prefect_harness, tmp_path, monkeypatch):
    raw = fk.make_raw(tmp_path / "raw", 6, copies=0, empties=0)
    monkeypatch.setenv("NEWSCURATE_FAULT", "fail:batch-1@1")  # batch 1 fails its first attempt only
    out = tmp_path / "out"
    result = curate(raw_dir=str(raw), out_dir=str(out), batch_size=2, workers=1)
    assert result["rejected"] == 0 and result["kept"] + result["duplicates"] == 6
    fk.check_corpus(out)


def test_a_batch_that_keeps_failing_sends_its_files_to_rejects_and_the_run_completes(prefect_harness, tmp_path,
                                                                                    monkeypatch):
    raw = fk.make_raw(tmp_path / "raw", 6, copies=0, empties=0)
    monkeypatch.setenv("NEWSCURATE_FAULT", "fail:batch-1")  # every attempt of batch 1 fails
    out = tmp_path / "out"
    result = curate(raw_dir=str(raw), out_dir=str(out), batch_size=2, workers=1)
    rejects = pq.read_table(out / "rejects").to_pylist()
    assert sorted(r["source"] for r in rejects) == ["story-002.txt", "story-003.txt"]  # batch 1 of sorted names
    assert {r["reason"] for r in rejects} == {"batch_failed"}
    assert all("injected failure of batch 1, attempt 3" in r["detail"] for r in rejects)  # 1 try + 2 retries
    assert result["rejected"] == 2 and result["kept"] + result["duplicates"] == 4
    fk.check_corpus(out)
    report = (out / "reports" / "latest.md").read_text()
    assert "batch_failed" in report and "Invariant holds" in report
    # a rerun retries them (alone, they are batch 0 now); failing again, it has nothing to write
    before = fk.file_state(out)
    monkeypatch.setenv("NEWSCURATE_FAULT", "fail:batch-0")
    assert curate(raw_dir=str(raw), out_dir=str(out), batch_size=2, workers=1)["new"] == 0
    assert fk.file_state(out) == before
    # once the failure is gone, the next run curates them; their reject rows are replaced
    monkeypatch.delenv("NEWSCURATE_FAULT")
    again = curate(raw_dir=str(raw), out_dir=str(out), batch_size=2, workers=1)
    assert again["new"] == 2 and again["rejected"] == 0
    fk.check_corpus(out)
    assert pq.read_table(out / "rejects").num_rows == 0


def test_a_worker_process_killed_mid_batch_is_replaced_and_the_batch_retried(prefect_harness, tmp_path, monkeypatch):
    raw = fk.make_raw(tmp_path / "raw", 8, copies=0, empties=0)
    monkeypatch.setenv("NEWSCURATE_FAULT", "die:batch-1@1")  # the worker running batch 1 is SIGKILLed once
    out = tmp_path / "out"
    result = curate(raw_dir=str(raw), out_dir=str(out), batch_size=2, workers=2)
    assert result["rejected"] == 0 and result["kept"] + result["duplicates"] == 8
    fk.check_corpus(out)
