"""Reruns: no new input changes nothing; a changed file supersedes its earlier version."""
from __future__ import annotations

import os
import shutil

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tests import faultkit as fk
from flows.curate import curate


def _run(raw, out):
    return curate(raw_dir=str(raw), out_dir=str(out), batch_size=3, workers=1)


def _where(out) -> dict[str, str]:
    found = {}
    for t in ("articles", "duplicates", "rejects"):
        for src in pq.read_table(out / t, columns=["source"]).column("source").to_pylist():
            found[src] = t
    return found


def _row(out, table, source):
    t = pq.read_table(out / table)
    rows = t.filter(pc.equal(t.column("source"), source)).to_pylist()
    assert len(rows) == 1, rows
    return rows[0]


@pytest.fixture
def curated(prefect_harness, tmp_path):
    raw = fk.make_raw(tmp_path / "raw", 7, copies=1, empties=1)  # copy-000 is an exact copy of story-000
    out = tmp_path / "out"
    _run(raw, out)
    fk.check_corpus(out)
    return raw, out


def test_a_rerun_with_no_new_input_adds_nothing_and_changes_no_file(curated):
    raw, out = curated
    before = fk.file_state(out)
    again = _run(raw, out)
    assert (again["new"], again["kept"], again["duplicates"], again["rejected"]) == (0, 0, 0, 0)
    assert fk.file_state(out) == before
    # touching a file (new mtime, same bytes) is not a change either
    st = os.stat(raw / "story-001.txt")
    os.utime(raw / "story-001.txt", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    touched = _run(raw, out)
    assert touched["new"] == 0 and fk.file_state(out) == before
    # a file deleted from raw/ stays in the corpus
    (raw / "story-002.txt").unlink()
    assert _run(raw, out)["new"] == 0 and fk.file_state(out) == before


def test_a_changed_file_supersedes_its_earlier_version_in_the_same_commit(curated):
    raw, out = curated
    old = _row(out, "articles", "story-004.txt")
    (raw / "story-004.txt").write_text(fk.article(4004), encoding="utf-8")
    result = _run(raw, out)
    assert (result["new"], result["superseded"]) == (1, 1)
    new = _row(out, "articles", "story-004.txt")
    assert new["doc_id"] != old["doc_id"] and new["source_sha256"] != old["source_sha256"]
    assert new["run_id"] == result["run_id"]
    sig_ids = pq.read_table(out / "signatures").column("doc_id").to_pylist()
    assert old["doc_id"] not in sig_ids and new["doc_id"] in sig_ids
    assert _row(out, "manifest", "story-004.txt")["source_sha256"] == new["source_sha256"]
    fk.check_corpus(out)
    assert "1 earlier article version" in (out / "reports" / "latest.md").read_text()


def test_when_the_kept_article_of_a_cluster_changes_its_duplicates_are_curated_again(curated):
    raw, out = curated
    where = _where(out)
    pair = {"story-000.txt", "copy-000.txt"}
    kept = next(s for s in pair if where[s] == "articles")
    dup = (pair - {kept}).pop()
    assert where[dup] == "duplicates"
    (raw / kept).write_text(fk.article(5000), encoding="utf-8")  # the kept one becomes another story
    result = _run(raw, out)
    assert result["new"] == 2  # the changed file, and its duplicate, curated again
    assert _where(out)[dup] == "articles" and _where(out)[kept] == "articles"
    assert pq.read_table(out / "duplicates").num_rows == 0
    fk.check_corpus(out)


def test_when_a_duplicate_changes_only_its_own_row_is_replaced(curated):
    raw, out = curated
    where = _where(out)
    dup = next(s for s in ("story-000.txt", "copy-000.txt") if where[s] == "duplicates")
    kept_part = {p.name: p.stat().st_mtime_ns for p in (out / "articles").glob("*.parquet")}
    (raw / dup).write_text(fk.article(6000), encoding="utf-8")
    result = _run(raw, out)
    assert (result["new"], result["superseded"]) == (1, 0)
    assert _where(out)[dup] == "articles"
    assert {p.name: p.stat().st_mtime_ns for p in (out / "articles").glob("*.parquet")
            if p.name in kept_part} == kept_part  # the articles already there were not rewritten
    fk.check_corpus(out)


def test_a_rejected_file_that_is_fixed_moves_to_articles_and_an_article_that_breaks_moves_to_rejects(curated):
    raw, out = curated
    assert _where(out)["empty-000.txt"] == "rejects"
    (raw / "empty-000.txt").write_text(fk.article(7000), encoding="utf-8")
    (raw / "story-005.txt").write_bytes(b"")
    result = _run(raw, out)
    assert result["new"] == 2 and result["superseded"] == 1
    where = _where(out)
    assert where["empty-000.txt"] == "articles" and where["story-005.txt"] == "rejects"
    assert _row(out, "rejects", "story-005.txt")["reason"] == "empty"
    fk.check_corpus(out)
    # and back: the file changed again supersedes the reject
    shutil.copy(raw / "story-006.txt", raw / "story-005.txt")
    assert _run(raw, out)["new"] == 1
    assert _where(out)["story-005.txt"] == "duplicates"  # now an exact copy of story-006
    fk.check_corpus(out)
