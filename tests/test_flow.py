"""A real flow run on the seeds, and the corpus it writes, read the way consumers read it."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from cleaners.corpus import ARTICLES_SCHEMA, DUPLICATES_SCHEMA, REJECTS_SCHEMA
from flows.curate import curate


@pytest.fixture
def seed_run(prefect_harness, seed_raw: Path, tmp_path: Path):
    out = tmp_path / "curated"
    result = curate(raw_dir=str(seed_raw), out_dir=str(out), batch_size=2, workers=2)
    return seed_raw, out, result


def test_seed_run_keeps_four_and_joins_the_two_reuters_rewrites(seed_run):
    raw, out, result = seed_run
    assert (result["seen"], result["kept"], result["duplicates"], result["rejected"]) == (5, 4, 1, 0)
    articles = ds.dataset(out / "articles", format="parquet").to_table()
    dups = ds.dataset(out / "duplicates", format="parquet").to_table().to_pylist()
    assert articles.num_rows == 4
    assert len(dups) == 1
    dup = dups[0]
    assert dup["kind"] == "story"
    pair = {dup["source"], *articles.filter(pa.compute.equal(articles["doc_id"], dup["duplicate_of"]))["source"].to_pylist()}
    assert pair == {"002_7cefd4c2149a46db.txt", "003_793b89126a662f60.txt"}
    assert dup["evidence"] and 0 < dup["score"] <= 1


def test_corpus_schema_and_readers(seed_run):
    raw, out, _ = seed_run
    table = pq.read_table(out / "articles")
    for name in ("doc_id", "source", "source_sha256", "format", "title", "subtitle", "authors", "published",
                 "site_name", "sources", "text", "word_count", "removed"):
        assert table.schema.field(name).type == ARTICLES_SCHEMA.field(name).type
    assert pq.read_table(out / "duplicates").schema.names[:len(DUPLICATES_SCHEMA.names)] == DUPLICATES_SCHEMA.names
    for part in (out / "articles").glob("*.parquet"):
        meta = pq.ParquetFile(part).metadata
        assert meta.row_group(0).column(0).compression == "ZSTD"
    rows = {r["source"]: r for r in table.to_pylist()}
    greenbot = rows["001_54954cd580b1dcc8.txt"]
    assert greenbot["published"] == dt.date(2016, 8, 22)
    assert greenbot["word_count"] == len(greenbot["text"].split())
    con = duckdb.connect()
    n, words = con.execute(
        f"select count(*), sum(word_count) from read_parquet('{out}/articles/*.parquet')").fetchone()
    assert n == 4 and words == sum(r["word_count"] for r in rows.values())
    joined = con.execute(
        f"select d.kind, a.source from read_parquet('{out}/duplicates/*.parquet') d "
        f"join read_parquet('{out}/articles/*.parquet') a on a.doc_id = d.duplicate_of").fetchall()
    assert len(joined) == 1 and joined[0][0] == "story"
    reasons = con.execute(
        f"select distinct r.reason from read_parquet('{out}/articles/*.parquet'), unnest(removed) as t(r)").fetchall()
    assert {"teaser"} <= {r[0] for r in reasons}


def test_rerun_adds_nothing_and_new_file_is_deduplicated_against_the_corpus(seed_run, tmp_path):
    raw, out, _ = seed_run
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != ".lock"}
    again = curate(raw_dir=str(raw), out_dir=str(out))
    assert (again["new"], again["kept"], again["duplicates"], again["rejected"]) == (0, 0, 0, 0)
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != ".lock"}
    assert after == before
    # an exact copy of a curated article under a new name is judged against the existing corpus
    shutil.copy(raw / "000_068a300c774dd117.txt", raw / "copy of 000.txt")
    third = curate(raw_dir=str(raw), out_dir=str(out))
    assert (third["new"], third["kept"], third["duplicates"]) == (1, 0, 1)
    dups = pq.read_table(out / "duplicates").to_pylist()
    copy = [d for d in dups if d["source"] == "copy of 000.txt"]
    assert copy and copy[0]["kind"] == "exact"


def test_bad_files_are_rejected_and_the_run_goes_on(prefect_harness, seed_raw, tmp_path):
    (seed_raw / "empty.txt").write_bytes(b"")
    (seed_raw / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    out = tmp_path / "out"
    result = curate(raw_dir=str(seed_raw), out_dir=str(out))
    assert result["kept"] == 4 and result["rejected"] == 2
    rejects = {r["source"]: r for r in pq.read_table(out / "rejects").to_pylist()}
    assert set(rejects) == {"empty.txt", "image.txt"}
    assert rejects["empty.txt"]["reason"] == "empty"
    assert rejects["image.txt"]["reason"] == "binary"
    assert pq.read_table(out / "rejects").schema.names[:len(REJECTS_SCHEMA.names)] == REJECTS_SCHEMA.names
