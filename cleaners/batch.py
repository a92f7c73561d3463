"""Planning a run and running one batch: the units of work the flow hands to Prefect tasks."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from cleaners.corpus import Corpus, StagedBatch
from cleaners.pipeline import Reject, Settings, iter_batch
from cleaners.sources import RawItem, RawReject, discover, is_warc

CHUNK_SIZE = 256  # inputs per staged row group: bounds the texts a worker holds at once


@dataclass
class Plan:
    batches: list[list[RawItem]] = field(default_factory=list)
    known: dict[str, str] = field(default_factory=dict)  # source -> sha256 the corpus holds (changed files)
    rejects: list[Reject] = field(default_factory=list)
    unchanged: int = 0


def plan_run(raw_dir: str | Path, corpus: Corpus, batch_size: int, workers: int = 1) -> Plan:
    """List the raw files, leave out the ones the corpus already holds unchanged (same size and
    mtime as in the manifest), and cut the rest into batches of at most `batch_size` files, and
    smaller when that gives each of `workers` a batch (a small run still uses every core). A WARC file
    gets a batch of its own (it holds many articles; its records are streamed in chunks), and is
    unchanged when a record the manifest holds for it has the file's current size and mtime.
    """
    manifest = corpus.manifest()
    containers: dict[str, list[str]] = {}  # WARC file source -> its record sources in the manifest
    for src in manifest:
        head, sep, _ = src.rpartition("#")
        if sep and head:
            containers.setdefault(head, []).append(src)
    plan = Plan()
    files: list[RawItem] = []
    warcs: list[RawItem] = []
    skipped: dict[str, RawItem] = {}  # plain files left out as unchanged
    for found in discover(Path(raw_dir)):
        if isinstance(found, RawReject):
            prev = manifest.get(found.source)
            if prev is not None and prev[3] == "reject" and prev[0] is None:
                plan.unchanged += 1
            else:
                plan.rejects.append(Reject(found.source, found.reason, found.detail))
            continue
        prev = manifest.get(found.source)
        records = containers.get(found.source)
        if prev is not None or records:
            try:
                st = os.stat(found.path)
            except OSError:
                st = None
            if records:
                # records are stamped with the file's size and mtime when a run reads it; one
                # stamped with the current ones means no byte changed since (records a rerun
                # finds unchanged are not stamped again). A file rejected as a whole (a damaged
                # WARC) is read again, its records already curated counting as unchanged.
                rejected = prev is not None and prev[0] is None
                if not rejected and st is not None and any(
                        manifest[r][1:3] == (st.st_size, st.st_mtime_ns) for r in records):
                    plan.unchanged += len(records)
                    continue
                plan.known.update((r, manifest[r][0]) for r in records if manifest[r][0] is not None)
            else:
                sha, size, mtime_ns, _ = prev
                if st is not None and sha is not None and st.st_size == size and st.st_mtime_ns == mtime_ns:
                    plan.unchanged += 1
                    skipped[found.source] = found
                    continue
                if sha is not None:
                    plan.known[found.source] = sha
        (warcs if records or is_warc(found.source) else files).append(found)
    # the duplicates of a kept article that a changed file supersedes are curated again with it
    changed = [it.source for it in files if it.source in manifest]
    for source in sorted(corpus.dependents(changed)) if changed else ():
        if source in skipped:
            files.append(skipped.pop(source))
            plan.unchanged -= 1
    size = max(1, min(batch_size, -(-len(files) // max(1, workers))))
    plan.batches = [files[i:i + size] for i in range(0, len(files), size)] + [[w] for w in warcs]
    return plan


def run_batch(out_dir: str, run_id: str, batch_no: int, items: Sequence[RawItem], settings: Settings,
              known: dict[str, str]) -> StagedBatch:
    """Clean and sign `items`, write their articles and signatures to the run's staging area as
    they are made, and return only counts and small lists (texts never travel back to the caller)."""
    started, cpu = time.perf_counter(), time.process_time()
    staged = Corpus(out_dir).stage_chunks(run_id, batch_no, iter_batch(items, settings, known, CHUNK_SIZE))
    staged.seconds, staged.cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    return staged
