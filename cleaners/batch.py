"""One batch of raw files, start to staged Parquet: the unit of work that runs in a worker process."""
from __future__ import annotations

import time
from typing import Sequence

from cleaners.corpus import Corpus, StagedBatch
from cleaners.pipeline import Settings, process_batch
from cleaners.sources import RawItem


def run_batch(out_dir: str, run_id: str, batch_no: int, items: Sequence[RawItem], settings: Settings,
              known: dict[str, str]) -> StagedBatch:
    """Clean and sign `items`, write their articles and signatures to the run's staging area,
    and return only counts and small lists (texts never travel back to the caller)."""
    started = time.perf_counter()
    staged = Corpus(out_dir).stage_batch(run_id, batch_no, process_batch(items, settings, known))
    staged.seconds = time.perf_counter() - started
    return staged
