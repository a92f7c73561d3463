"""The glue that keeps large runs fast and small in memory: batch planning, chunked staging and
commit, signature reading."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cleaners.batch import plan_run, run_batch
from cleaners.corpus import Corpus, read_signatures, signature_rows
from cleaners.dedup import Signature, make_signature
from cleaners.pipeline import Settings

TEXTS = [
    "Quarry workers in Brenton County voted on Thursday to accept a 4.5% pay rise, the union said. "
    "\"We have waited three years for this,\" said Alma Reyes, a shift leader at the Delmore quarry.",
    "The Riverside ferry will stop running in January after the operator, Tidewater Lines, lost "
    "its contract, the harbour board told reporters on Monday.",
    "Short note.",
    "",
]


def _article(i: int) -> str:
    return (f"Parish notice {i}\n\n"
            f"The parish council of Little Ormsby met on day {i} of the month and approved {i * 7} new "
            f"benches for the green, the clerk, Morag Tully, said after a vote of {i % 9} to {i % 5}.\n\n"
            f"Work on bench number {i} starts next week near the old well and the pond.")


def test_read_signatures_is_what_from_record_gives(tmp_path):
    sigs = [make_signature(f"d{i}", t, title=f"Title {i}" if i % 2 else None, sources=["Reuters"] if i == 0 else [])
            for i, t in enumerate(TEXTS)]
    path = tmp_path / "sig.parquet"
    pq.write_table(signature_rows(sigs), path)
    slow = [Signature.from_record(r) for r in pq.read_table(path).to_pylist()]
    fast = read_signatures([path, path])
    assert fast == slow + slow
    assert fast[0].entities and isinstance(fast[0].entities, tuple)
    # one object per distinct feature string, across files
    assert fast[0].entities[0] is fast[len(sigs)].entities[0]


def _raw(tmp_path: Path, n: int) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(n):
        (raw / f"{i:03d}.txt").write_text(_article(i), encoding="utf-8")
    return raw


def test_batches_are_cut_so_every_worker_gets_one(tmp_path):
    raw = _raw(tmp_path, 10)
    corpus = Corpus(tmp_path / "out")
    assert [len(b) for b in plan_run(raw, corpus, batch_size=500, workers=1).batches] == [10]
    assert [len(b) for b in plan_run(raw, corpus, batch_size=500, workers=4).batches] == [3, 3, 3, 1]
    assert [len(b) for b in plan_run(raw, corpus, batch_size=4, workers=2).batches] == [4, 4, 2]


def test_a_batch_is_staged_and_committed_chunk_by_chunk(tmp_path, monkeypatch):
    import cleaners.batch

    monkeypatch.setattr(cleaners.batch, "CHUNK_SIZE", 3)
    raw = _raw(tmp_path, 8)
    out = tmp_path / "out"
    corpus = Corpus(out)
    plan = plan_run(raw, corpus, batch_size=500)
    staged = run_batch(str(out), "r1", 0, plan.batches[0], Settings(), {})
    assert staged.articles == 8 and staged.cpu_seconds > 0
    part = corpus.staging("r1") / "clean" / "part-000000.parquet"
    assert pq.ParquetFile(part).num_row_groups == 3  # 3 + 3 + 2 inputs
    assert pq.ParquetFile(corpus.staging("r1") / "sig" / part.name).num_row_groups == 3
    sigs = corpus.staged_signatures("r1")
    drop = sigs[4].doc_id
    from cleaners.dedup import Decision

    result = corpus.commit("r1", [Decision(drop, sigs[0].doc_id, "near", 0.9, "made up")], [], staged.seen)
    assert result.articles == 7 and result.duplicates == 1
    articles = pq.read_table(out / "articles")
    assert articles.num_rows == 7 and drop not in articles.column("doc_id").to_pylist()
    assert sorted(s.doc_id for s in corpus.signatures()) == sorted(s.doc_id for s in sigs if s.doc_id != drop)
    assert corpus.check_run("r1", [s.source for s in staged.seen]) == []


def _older_build_corpus(tmp_path):
    """A committed corpus of 4 articles whose signatures look as an older build left them (no key,
    hash values that mean something else), with the signatures the current build makes of them."""
    from cleaners.dedup import DedupParams, signature_key

    raw = _raw(tmp_path, 4)
    out = tmp_path / "out"
    corpus = Corpus(out)
    staged = run_batch(str(out), "r1", 0, plan_run(raw, corpus, batch_size=500).batches[0], Settings(), {})
    corpus.commit("r1", [], [], staged.seen)
    params = DedupParams()
    good = {s.doc_id: s for s in corpus.signatures(params=params)}
    assert {s.key for s in good.values()} == {signature_key(params)}
    for part in sorted((out / "signatures").glob("*.parquet")):
        t = pq.read_table(part)
        t = t.drop_columns(["key"]).set_column(t.schema.get_field_index("near_mh"), "near_mh",
                                                 pa.array([b"\0" * len(v.as_py()) for v in t.column("near_mh")]))
        pq.write_table(t, part)
    return raw, out, corpus, params, good


def test_signatures_of_another_key_are_made_again_from_the_stored_texts(tmp_path, caplog):
    from cleaners.dedup import DedupParams, deduplicate, signature_key

    raw, out, corpus, params, good = _older_build_corpus(tmp_path)
    assert all(s.key == "" for s in corpus.signatures())  # read as they are without params
    with caplog.at_level("WARNING"):
        again = {s.doc_id: s for s in corpus.signatures(params=params)}
    assert again == good and "making them again" in caplog.text
    # a new file copying a stored article is found against the remade signatures
    (raw / "copy.txt").write_text(_article(2), encoding="utf-8")
    plan = plan_run(raw, corpus, batch_size=500)
    new = run_batch(str(out), "r2", 0, plan.batches[0], Settings(), {})
    assert new.articles == 1
    decisions = deduplicate(corpus.staged_signatures("r2"), list(again.values()), params)
    assert [d.kind for d in decisions] == ["exact"]
    # other signature-shaping parameters give another key: nothing is compared across keys
    assert signature_key(DedupParams(num_perm=128)) != signature_key(params)


def test_a_run_signs_stale_signatures_again_once_and_stores_them(tmp_path, caplog):
    """Signatures of another key (an older build) are made again from the stored texts by the
    first run that reads the dedup index, and written back: the next run reads them as they are."""
    from cleaners.dedup import deduplicate, signature_key

    raw, out, corpus, params, good = _older_build_corpus(tmp_path)
    with caplog.at_level("WARNING"):
        held = corpus.held_index(params)
    assert "making them again" in caplog.text and held.count == len(good)
    stored = {s.doc_id: s for s in corpus.signatures()}  # as stored, no remaking
    assert stored == good and {s.key for s in stored.values()} == {signature_key(params)}
    caplog.clear()
    with caplog.at_level("WARNING"):
        held = corpus.held_index(params)
    assert "making them again" not in caplog.text
    # a copy of a stored article is found through the migrated index
    (raw / "copy.txt").write_text(_article(2), encoding="utf-8")
    new = run_batch(str(out), "r2", 0, plan_run(raw, corpus, batch_size=500).batches[0], Settings(), {})
    assert new.articles == 1
    assert [d.kind for d in deduplicate(corpus.staged_signatures("r2"), held, params)] == ["exact"]
