"""The Prefect flow: discover -> clean (batches, in parallel processes) -> deduplicate -> commit.

Only orchestration lives here; every step is a function of the `cleaners` library.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import uuid
from collections import Counter
from dataclasses import fields
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python flows/curate.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import flows  # noqa: F401  (sets the offline Prefect defaults)

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
import threading

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from cleaners import faults
from cleaners.batch import plan_run, run_batch
from cleaners.corpus import CommitResult, Corpus, InvariantViolation, StagedBatch
from cleaners.decode import Limits
from cleaners.dedup import DedupParams, deduplicate
from cleaners.pipeline import Reject, Seen, Settings, batch_known
from cleaners.report import RunSummary, render_report
from cleaners.sources import RawItem
from flows import artifacts, progress


# No task result is persisted, so a cache key would never be used; Prefect's default cache policy
# still computes one for every task run by serialising and hashing all its inputs (a batch's file
# list, the run's decisions and manifest rows): NO_CACHE skips that.
@task(name="discover", retries=1, cache_policy=NO_CACHE)
def discover_task(raw_dir: str, out_dir: str, batch_size: int, workers: int = 1) -> dict[str, Any]:
    """List raw files, leave out the ones the corpus already holds unchanged, and cut batches."""
    plan = plan_run(raw_dir, Corpus(out_dir), batch_size, workers)
    return {"batches": plan.batches, "known": plan.known, "rejects": plan.rejects, "unchanged": plan.unchanged}


# Process pools of the runs in progress in this process, by run id. Clean tasks run in threads of
# the flow's process and hand the CPU work to the pool; on a Dask cluster the task itself runs in a
# worker process, finds no pool there, and does the work in place.
_POOLS: dict[str, Executor] = {}


@task(name="clean-batch", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def clean_batch_task(out_dir: str, run_id: str, batch_no: int, items: list[RawItem],
                     settings: Settings, known: dict[str, str]) -> StagedBatch:
    """Read, decode, clean and sign one batch; stage its articles and signatures as Parquet."""
    from prefect.runtime import task_run

    work = faults.batch(batch_no, task_run.run_count, run_batch)  # test hook: run_batch unless a fault is set
    pool = _POOLS.get(run_id)
    if pool is None:
        return work(out_dir, run_id, batch_no, items, settings, known)
    try:
        return pool.submit(work, out_dir, run_id, batch_no, items, settings, known).result()
    except BrokenProcessPool:
        # a worker died (killed, out of memory, a crash in a C library): the pool is unusable, so
        # replace it before Prefect retries this batch (and the others hit by the same death)
        _renew_pool(run_id, pool)
        raise


_POOL_LOCK = threading.Lock()


def _renew_pool(run_id: str, broken: Executor) -> None:
    with _POOL_LOCK:
        if _POOLS.get(run_id) is broken:
            _POOLS[run_id] = _process_pool(broken._max_workers)  # type: ignore[attr-defined]
            broken.shutdown(wait=False, cancel_futures=True)


def _process_pool(workers: int) -> ProcessPoolExecutor:
    # forkserver: workers fork from a clean server process (never from this one, whose Prefect
    # threads would not survive a fork), with the cleaning libraries already imported.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["cleaners.batch", "pandas"])  # pyarrow imports pandas on first use
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


@task(name="deduplicate", cache_policy=NO_CACHE)
def dedup_task(out_dir: str, run_id: str, params: DedupParams, sources: list[str]):
    """Judge the run's new articles against each other and against the corpus, leaving out the
    earlier versions of the files the run saw again (the commit replaces them). The corpus is
    seen through its dedup index: only the kept articles that are candidates are read."""
    corpus = Corpus(out_dir)
    held = corpus.held_index(params, exclude=corpus.held_doc_ids(sources))
    return deduplicate(corpus.staged_signatures(run_id), held, params)


@task(name="commit", cache_policy=NO_CACHE)
def commit_task(out_dir: str, run_id: str, decisions, rejects: list[Reject], seen: list[Seen],
                summary: RunSummary, params: DedupParams | None = None) -> CommitResult:
    corpus = Corpus(out_dir)
    result = corpus.commit(run_id, decisions, rejects, seen, report=render_report(summary), params=params)
    problems = corpus.check_run(run_id, [s.source for s in seen])
    if problems:
        raise InvariantViolation("; ".join(problems[:20]))
    return result


def _runner(workers: int, dask_address: str | None):
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    return ThreadPoolTaskRunner(max_workers=workers)


def _clean_all(batches: list[list[RawItem]], known: dict[str, str], out_dir: str, run_id: str,
               settings: Settings, workers: int, dask_address: str | None) -> list[StagedBatch]:
    """Run one clean task per batch; a batch that still fails after its retries sends its files
    to rejects/ with the error, and the rest of the run goes on."""
    logger = get_run_logger()
    staged: list[StagedBatch] = []
    threads = min(workers, len(batches))
    if run_id in _POOLS:
        # twice as many task threads as worker processes: while a task's Prefect bookkeeping runs
        # (its end, the next one's start), another batch is already waiting in the pool's queue,
        # so no worker process sits idle between batches
        threads = min(2 * workers, len(batches))
    with _runner(threads, dask_address) as runner:
        futures = []
        for n, items in enumerate(batches):
            futures.append(runner.submit(clean_batch_task, parameters=dict(
                out_dir=out_dir, run_id=run_id, batch_no=n, items=items, settings=settings, known=batch_known(items, known))))
        for n, fut in enumerate(futures):
            try:
                staged.append(fut.result())
            except Exception as exc:
                logger.error("batch %d failed after its retries: %s", n, exc)
                Corpus(out_dir).unstage_batch(run_id, n)
                staged.append(StagedBatch(n, 0, 0, rejects=[
                    Reject(it.source, "batch_failed", f"{type(exc).__name__}: {exc}") for it in batches[n]]))
            progress.current().batch_done(len(batches[n]))
    return staged


@flow(name="curate", log_prints=False)
def curate(raw_dir: str = "raw", out_dir: str = "curated", batch_size: int = 500,
           workers: int | None = None, dask_address: str | None = None, lock_timeout: float = 600,
           min_words: int = 1, max_file_mb: float = 64, max_decompressed_mb: float = 64,
           near_jaccard: float = DedupParams.near_jaccard, near_containment: float = DedupParams.near_containment,
           story_score: float = DedupParams.story_score,
           dedup: dict[str, Any] | None = None) -> dict[str, Any]:
    """Curate the raw files under `raw_dir` into the Parquet corpus under `out_dir`.

    `near_jaccard`, `near_containment` and `story_score` are the main dedup thresholds; `dedup`
    overrides any other field of cleaners.dedup.DedupParams (see the README).
    """
    logger = get_run_logger()
    # absolute paths: the clean tasks may run in other processes with another working directory
    # (Dask workers); with a Dask cluster both folders must be on a filesystem the workers share
    raw_dir, out_dir = str(Path(raw_dir).resolve()), str(Path(out_dir).resolve())
    started = dt.datetime.now(dt.timezone.utc)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    corpus = Corpus(out_dir)
    known_fields = {f.name for f in fields(DedupParams)}
    unknown = set(dedup or {}) - known_fields
    if unknown:
        raise ValueError(f"unknown dedup parameters {sorted(unknown)}; known: {sorted(known_fields)}")
    settings = Settings(
        limits=Limits(max_file_bytes=int(max_file_mb * 2**20), max_decompressed_bytes=int(max_decompressed_mb * 2**20)),
        dedup=DedupParams(**{"near_jaccard": near_jaccard, "near_containment": near_containment,
                             "story_score": story_score, **(dedup or {})}), min_words=min_words)
    workers = workers or os.cpu_count() or 1
    with corpus.lock(timeout=lock_timeout):
        for note in corpus.recover():
            logger.warning(note)
        plan = discover_task(raw_dir, out_dir, batch_size, workers)
        batches: list[list[RawItem]] = plan["batches"]
        logger.info("%d new or changed files in %d batches; %d unchanged", sum(map(len, batches)),
                    len(batches), plan["unchanged"])
        tracker = progress.start(run_id, sum(map(len, batches)), len(batches), artifacts.ProgressArtifact())
        staged: list[StagedBatch] = []
        if batches:
            if not dask_address and workers > 1 and len(batches) > 1:
                _POOLS[run_id] = _process_pool(min(workers, len(batches)))
            try:
                staged = _clean_all(batches, plan["known"], out_dir, run_id, settings, workers, dask_address)
            finally:
                pool = _POOLS.pop(run_id, None)
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
        rejects = list(plan["rejects"]) + [r for b in staged for r in b.rejects]
        seen = [s for b in staged for s in b.seen]
        seen_sources = {s.source for s in seen}
        seen += [Seen(r.source, None, -1, -1, None) for r in rejects if r.source not in seen_sources]
        same = corpus.same_rejects(rejects)  # rejected again for the same reason: nothing to write
        if same:
            rejects = [r for r in rejects if r.source not in same]
            seen = [s for s in seen if s.source not in same]
        new_articles = sum(b.articles for b in staged)
        unchanged = plan["unchanged"] + sum(b.unchanged for b in staged) + len(same)
        if not new_articles and not rejects:
            logger.info("nothing new under %s: the corpus is unchanged", raw_dir)
            corpus.discard(run_id)
            summary = RunSummary(run_id=run_id, raw_dir=str(raw_dir), out_dir=str(out_dir),
                                 started=started.isoformat(), seen=unchanged, unchanged=unchanged, kept=0)
            artifacts.publish_report(summary)
            tracker.finish(summary.counts())
            return {"run_id": run_id, "seen": unchanged, "new": 0, "kept": 0, "duplicates": 0, "rejected": 0,
                    "unchanged": unchanged, "superseded": 0, "out_dir": str(Path(out_dir).resolve()),
                    "report": None}
        tracker.stage("dedup")
        decisions = dedup_task(out_dir, run_id, settings.dedup, [s.source for s in seen]) if new_articles else []
        reasons = Counter()
        for b in staged:
            reasons.update(b.removed_reasons)
        summary = RunSummary(run_id=run_id, raw_dir=str(raw_dir), out_dir=str(out_dir), started=started.isoformat(),
                             seen=len(seen) + unchanged, unchanged=unchanged, kept=new_articles - len(decisions),
                             duplicates=list(decisions), rejects=rejects, removed_reasons=dict(reasons),
                             docs=artifacts.report_docs(out_dir, run_id, decisions))
        tracker.stage("commit")
        try:
            result = commit_task(out_dir, run_id, decisions, rejects, seen, summary, settings.dedup)
        finally:
            corpus.discard(run_id)
    logger.info("run %s: %d kept, %d duplicates, %d rejected, %d unchanged", run_id, result.articles,
                result.duplicates, result.rejects, unchanged)
    committed = Path(out_dir) / "reports" / f"{run_id}.md"  # the report as committed, with the invariant check
    artifacts.publish_report(summary, committed.read_text(encoding="utf-8") if committed.is_file() else None)
    tracker.finish(summary.counts())
    return {"run_id": run_id, "seen": len(seen) + unchanged, "new": len(seen), "kept": result.articles,
            "duplicates": result.duplicates, "rejected": result.rejects, "unchanged": unchanged,
            "superseded": result.superseded,
            "out_dir": str(Path(out_dir).resolve()), "report": str(Path(out_dir).resolve() / "reports" / f"{run_id}.md")}


if __name__ == "__main__":
    import json

    print(json.dumps(curate(), indent=2))
