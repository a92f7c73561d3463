"""The flow on a Dask cluster writes the same corpus as a local run."""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from flows.curate import curate
from tests.test_warc_pipeline import PAGES, write_warc

distributed = pytest.importorskip("distributed")

# what depends on the run (its id) rather than on the input
RUN_FIELDS = {"run_id"}


def _rows(out: Path, table: str, key: tuple[str, ...]) -> list[dict]:
    rows = pq.read_table(out / table).to_pylist()
    for r in rows:
        for f in RUN_FIELDS:
            r.pop(f, None)
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in key))


def _corpus(out: Path) -> dict[str, list[dict]]:
    return {
        "articles": _rows(out, "articles", ("source",)),
        "duplicates": _rows(out, "duplicates", ("source",)),
        "rejects": _rows(out, "rejects", ("source",)),
        "manifest": _rows(out, "manifest", ("source",)),
    }


@pytest.fixture
def mixed_raw(seed_raw: Path) -> Path:
    """The seeds plus a few made-up files that exercise every outcome: a gzip'd page, an exact
    copy under another name, a nested folder, a WARC file of three pages, an empty file and a
    binary one."""
    sub = seed_raw / "more" / "deeper"
    sub.mkdir(parents=True)
    story = ("Harbour town opens new ferry terminal\n\n"
             "The council of Port Ellery opened a ferry terminal on Tuesday after four years of work, "
             "the mayor, Ines Okafor, said at the ceremony.\n\n"
             "The terminal will carry 1,200 passengers a day to the islands, up from 300, and cost "
             "41 million euros, according to the regional transport office.\n\n"
             "Fishermen said the new breakwater had already changed the currents in the bay.")
    (sub / "ferry.txt").write_text(story, encoding="utf-8")
    (sub / "ferry copy.txt").write_text(story, encoding="utf-8")
    (seed_raw / "more" / "packed.txt.gz").write_bytes(gzip.compress(
        ("Library reopens after flood\n\nThe town library in Marsh Hollow reopened on Monday, eight "
         "months after a flood ruined 20,000 books, the head librarian Tomas Ruiz said.\n\n"
         "Volunteers dried and catalogued the rescued volumes by hand.").encode("utf-8")))
    write_warc(seed_raw / "more" / "crawl.warc.gz", PAGES)
    (seed_raw / "more" / "empty.txt").write_bytes(b"")
    (seed_raw / "more" / "blob.txt").write_bytes(bytes(range(256)) * 16)
    return seed_raw


def test_flow_on_a_local_dask_cluster_writes_the_same_corpus_as_a_local_run(prefect_harness, mixed_raw, tmp_path):
    local_out = tmp_path / "local"
    local = curate(raw_dir=str(mixed_raw), out_dir=str(local_out), batch_size=3, workers=2)

    # a relative raw/out path on purpose: the workers run in other processes and other folders
    dask_out = tmp_path / "dask"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  local_directory=str(tmp_path / "dask-space")) as cluster:
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(tmp_path)
            remote = curate(raw_dir=mixed_raw.name, out_dir=dask_out.name, batch_size=3,
                            dask_address=cluster.scheduler_address)
        # the clean tasks really ran on the cluster's workers
        prefix = cluster.scheduler.task_prefixes.get("clean_batch_task")
        assert prefix is not None and prefix.all_durations.get("compute", 0) > 0
    rejected = {r["source"]: r["reason"] for r in pq.read_table(local_out / "rejects").to_pylist()}
    assert local["kept"] > 0 and local["duplicates"] >= 1
    assert rejected.get("more/empty.txt") == "empty" and rejected.get("more/blob.txt") == "binary", rejected
    from_warc = [r for r in pq.read_table(local_out / "articles").to_pylist() if "#" in r["source"]]
    assert sorted(r["url"] for r in from_warc) == sorted(PAGES) and all(r["fetched"] for r in from_warc)
    for k in ("seen", "new", "kept", "duplicates", "rejected"):
        assert remote[k] == local[k], k
    a, b = _corpus(local_out), _corpus(dask_out)
    for table in a:
        assert b[table] == a[table], table
    assert not (dask_out / "_staging").exists() or not any((dask_out / "_staging").iterdir())
    shutil.rmtree(tmp_path / "dask-space", ignore_errors=True)
