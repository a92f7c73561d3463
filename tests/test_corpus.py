"""The corpus library without Prefect: the invariant guards every commit, and the check finds
rows that break it."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests import faultkit as fk
from cleaners.corpus import Corpus, InvariantViolation, REJECTS_SCHEMA
from cleaners.dedup import deduplicate
from cleaners.pipeline import Reject, Settings, process_batch
from cleaners.sources import discover


def _stage(tmp_path, n=4):
    raw = fk.make_raw(tmp_path / "raw", n, copies=1, empties=1)
    corpus = Corpus(tmp_path / "out")
    out = process_batch([it for it in discover(raw)], Settings())
    staged = corpus.stage_batch("r1", 0, out)
    return corpus, staged


def test_a_commit_that_would_break_the_invariant_publishes_nothing(tmp_path):
    corpus, staged = _stage(tmp_path)
    decisions = deduplicate(corpus.staged_signatures("r1"))
    article_source = staged.seen[0].source
    bad_rejects = staged.rejects + [Reject(article_source, "binary", "made up")]  # an article also rejected
    with pytest.raises(InvariantViolation, match=article_source):
        corpus.commit("r1", decisions, bad_rejects, staged.seen)
    assert not (corpus.root / "articles").exists() and not (corpus.root / "manifest").exists()
    # the same run, told the truth, commits; each file is in exactly one place
    result = corpus.commit("r1", decisions, staged.rejects, staged.seen, report="# r1\n")
    assert corpus.check_run("r1", [s.source for s in staged.seen]) == []
    assert result.articles + result.duplicates + result.rejects == len(staged.seen) == 6
    fk.check_corpus(corpus.root)
    assert "Invariant holds" in (corpus.root / "reports" / "latest.md").read_text()


def test_the_check_finds_a_file_in_two_places_and_rows_for_files_the_run_did_not_see(tmp_path):
    corpus, staged = _stage(tmp_path)
    corpus.commit("r1", deduplicate(corpus.staged_signatures("r1")), staged.rejects, staged.seen)
    sources = [s.source for s in staged.seen]
    extra = pa.Table.from_pylist([{"source": sources[0], "source_sha256": None, "reason": "binary", "detail": "",
                                   "run_id": "r0"},
                                  {"source": "ghost.txt", "source_sha256": None, "reason": "empty", "detail": "",
                                   "run_id": "r1"}], schema=REJECTS_SCHEMA)
    pq.write_table(extra, corpus.root / "rejects" / "part-extra.parquet")
    problems = corpus.check_run("r1", sources)
    assert any(sources[0] in p and "exactly one" in p for p in problems)
    assert any(sources[0] in p and "run r0" in p for p in problems)
    assert any("ghost.txt" in p and "not seen" in p for p in problems)


def test_a_commit_that_fails_after_its_journal_is_completed_by_the_next_recovery(tmp_path, monkeypatch):
    corpus, staged = _stage(tmp_path)
    decisions = deduplicate(corpus.staged_signatures("r1"))
    fk.fail_commit_rename(monkeypatch, "r1", 3)  # the third rename into the corpus fails
    with pytest.raises(OSError):
        corpus.commit("r1", decisions, staged.rejects, staged.seen)
    monkeypatch.undo()
    assert corpus.discard("r1") is False  # the flow's cleanup keeps a journaled staging
    assert corpus.recover() == ["completed the interrupted commit of run r1"]
    assert corpus.check_run("r1", [s.source for s in staged.seen]) == []
    fk.check_corpus(corpus.root)
