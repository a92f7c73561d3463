"""The dedup index: band-key candidates equal MinHashLSH's bucket pairs, the corpus index decides as
the full list of signatures does, and a missing or stale segment is rebuilt."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from cleaners import dedup as D
from tests.lsh_reference import lsh_pairs
from cleaners import dedup_index as X
from cleaners.corpus import Corpus, part_fingerprint, signature_rows
from cleaners.dedup import DedupParams, deduplicate, make_signature

FIRST = ["Alma", "Tobias", "Greta", "Idris", "Maren", "Osric", "Perla", "Quentin", "Rosalind", "Severin",
         "Talia", "Ulric", "Vesna", "Wendel", "Xenia", "Yorick"]
LAST = ["Reyes", "Grint", "Holloway", "Okafor", "Lindqvist", "Marchetti", "Duval", "Petrakis", "Szabo",
        "Ferreira", "Nakamura", "Brannigan", "Castellanos", "Whitfield", "Albescu", "Kowalczyk"]
TOWNS = ["Brenton", "Little Ormsby", "Calder Vale", "Marrowdale", "Eastholm", "Fenwick Cross", "Glenmoor",
         "Harrowgate Point", "Ivybridge", "Juniper Falls"]
WORDS = ("river path mill morning harvest weather talked walked quiet cold grey along near about old new "
         "field barn fence gate hill road bridge market bread apple orchard cattle sheep rain wind").split()
THINGS = ["ferry contract", "quarry expansion", "library budget", "tram line", "flood barrier", "school merger"]


def _story(k: int) -> dict:
    rng = random.Random(k)
    who = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    other = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    town, thing = rng.choice(TOWNS), rng.choice(THINGS)
    a, b, money = rng.randint(5, 40), rng.randint(2, 30), rng.randint(2, 900) * 1000
    return dict(who=who, other=other, town=town, thing=thing, a=a, b=b, money=money, k=k)


def _report(s: dict) -> str:
    return (f"The {s['town']} council voted {s['a']} to {s['b']} on Tuesday to back the {s['thing']}, "
            f"which will cost {s['money']:,} pounds over four years, council leader {s['who']} said.\n\n"
            f"\"This is the most important decision we have taken in a decade,\" {s['who']} told the meeting, "
            f"where {s['other']} of the opposition group argued the money should go to road repairs first.\n\n"
            f"Work is due to start in the spring of 20{10 + s['k'] % 15} and the contract goes to tender next month, "
            f"officials from {s['town']} said, adding that residents can comment until the end of the year.")


def _rewrite(s: dict) -> str:
    return (f"Councillors in {s['town']} have approved the {s['thing']} by {s['a']} votes to {s['b']}. "
            f"Leader {s['who']} called it \"the most important decision we have taken in a decade\" while "
            f"{s['other']} wanted the {s['money']:,} pounds spent on fixing roads instead.\n\n"
            f"Tenders open next month; building begins in 20{10 + s['k'] % 15}, according to the authority.")


def _corpus(n_stories: int, seed: int) -> list[tuple[str, str]]:
    """(doc_id, text): reports, exact and truncated copies, rewrites of the same story."""
    rng = random.Random(seed)
    docs = []
    for k in range(n_stories):
        s = _story(seed * 1000 + k)
        text = _report(s)
        docs.append((f"s{seed}-{k}", text))
        r = rng.random()
        if r < 0.2:
            docs.append((f"s{seed}-{k}-copy", text.upper()))
        elif r < 0.35:
            docs.append((f"s{seed}-{k}-trunc", "\n\n".join(text.split("\n\n")[:2])))
        elif r < 0.5:
            docs.append((f"s{seed}-{k}-story", _rewrite(s)))
    return docs


def _walks(n: int, seed: int):
    """Signatures of unrelated made-up texts naming two people each (some names recur)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b = (f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(2))
        filler = " ".join(rng.choice(WORDS) for _ in range(40))
        out.append(make_signature(f"w{seed}-{i}", f"{a} and {b} {filler}."))
    return out


def _sigs(docs, params=DedupParams()):
    return [make_signature(d, t, params=params) for d, t in docs]


def _key(decisions):
    return [(d.doc_id, d.duplicate_of, d.kind, d.score, d.evidence) for d in decisions]


# --------------------------------------------------------------------------- candidates


def _colliding(n: int, seed: int):
    """Signatures whose MinHash values collide a lot (few distinct values), some exact groups."""
    rng = np.random.default_rng(seed)
    sigs = []
    for i in range(n):
        hv = (rng.integers(0, 3, 64, dtype=np.uint32) if i % 3
              else rng.integers(0, 2**32, 64, dtype=np.uint64).astype(np.uint32))
        b = hv.astype("<u4").tobytes()
        sigs.append(D.Signature(doc_id=f"d{i}", words=20 if i % 11 else 3, content_hash=i % 40 if i % 4 == 0 else 1000 + i,
                                shingles=1, near_mh=b, lead_mh=b[::-1], story_mh=(b * 4)[: 4 * DedupParams().story_num_perm], sketch=b"", sketch_size=4,
                                entities=("x",) if i % 7 else ()))
    return sigs


@pytest.mark.parametrize("split", [0, 150])
@pytest.mark.parametrize("max_bucket", [400, 20])
def test_band_candidates_are_the_minhashlsh_bucket_pairs(split, max_bucket):
    params = DedupParams(max_bucket=max_bucket)
    sigs = _colliding(400, 7)
    is_new = [i >= split for i in range(len(sigs))]
    long_enough = [i for i, s in enumerate(sigs) if s.words >= params.min_words]
    want = set()
    for lvl, (attr, perm, b, r) in X.band_plan(params).items():
        elig = [i for i in long_enough if lvl != "story" or sigs[i].entities]
        want |= lsh_pairs(sigs, attr, None, perm, elig, is_new, params.max_bucket, bands=(b, r))
    groups = {}
    for i, s in enumerate(sigs):
        groups.setdefault((s.content_hash, s.words), []).append(i)
    for g in groups.values():
        if len(g) > 1 and any(is_new[i] for i in g):
            want |= set(zip(g, g[1:]))
    held = X.Held.of(sigs[:split], params)
    got, new_ok, _ = X.candidates(sigs[split:], held, params, prefilter=False)
    assert len(want) > 1000 and set(got) == want
    assert new_ok.all()


def test_lead_threshold_bands_are_datasketch_choice():
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=0.7, num_perm=64)
    assert X.band_plan(DedupParams())["lead"][2:] == (lsh.b, lsh.r)


def test_band_keys_equal_exactly_when_the_band_values_do():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 4, (300, 24), dtype=np.uint32)
    for rows in (1, 2, 3, 4):
        bands = 24 // rows
        keys = X.band_keys(values, bands, rows)
        for j in range(bands):
            band = values[:, j * rows:(j + 1) * rows]
            same_vals = (band[:, None, :] == band[None, :, :]).all(axis=2)
            assert (same_vals == (keys[:, j][:, None] == keys[:, j][None, :])).all()


def test_a_doc_id_listed_twice_is_judged_once():
    docs = _corpus(6, 1)
    sigs = _sigs(docs)
    held = X.Held.of(sigs[:3], DedupParams())
    _, new_ok, _ = X.candidates([sigs[1], sigs[4], sigs[4], sigs[5]], held, DedupParams())
    assert new_ok.tolist() == [False, True, False, True]


# --------------------------------------------------------------------------- story prefilter


def test_story_prefilter_keeps_every_pair_that_verifies(monkeypatch):
    sigs = _sigs(_corpus(80, 2) + _corpus(40, 3))
    with_prefilter = deduplicate(sigs)
    stories = [d for d in with_prefilter if d.kind == "story"]
    assert stories and any(d.kind != "story" for d in with_prefilter)
    everything = X.candidates
    monkeypatch.setattr(X, "candidates", lambda new, held, params, prefilter=True: everything(new, held, params, False))
    assert _key(deduplicate(sigs)) == _key(with_prefilter)
    # and it does leave pairs out: a name or two shared by chance is not a story
    _, _, fig = everything(_walks(150, 9), X.Held(), DedupParams())
    assert fig["story_candidates"] > 100 and fig["story_prefiltered"] < fig["story_candidates"] / 20


def test_story_prefilter_needs_fewer_shared_names_of_a_short_brief():
    def doc(i, entities):
        rng = np.random.default_rng(i)  # copy signatures sharing no value
        mh = [rng.integers(1, 2**32, DedupParams().num_perm, dtype=np.uint64).astype("<u4").tobytes() for _ in (0, 1)]
        return D.Signature(doc_id=f"d{i}", words=60, content_hash=i, shingles=1, near_mh=mh[0], lead_mh=mh[1],
                           story_mh=b"", sketch=b"", sketch_size=0, entities=tuple(entities))

    long_a = doc(0, ["marlow bridge", "bridge", "port elverin", "elverin", "vasquez", "halvorsen", "gazette", "ferry"])
    long_b = doc(1, ["marlow bridge", "bridge", "port elverin", "vasquez", "tomas brandt", "brandt", "harbour"])
    brief = doc(2, ["marlow bridge", "bridge", "vasquez"])  # three names: all of them shared with long_a
    codes = np.array([(0 << 32) | 1, (0 << 32) | 2], dtype=np.uint64)
    kept = X._story_prefilter(codes, [long_a, long_b, brief], 0, X._Matched(), DedupParams()).tolist()
    assert kept == [1, 2]  # 4 shared between the long ones; 3 of the brief's 3
    off = X._story_prefilter(codes, [long_a, long_b, brief], 0, X._Matched(), DedupParams(story_short_share=0))
    assert off.tolist() == [1]


@pytest.mark.shared
def test_story_prefilter_changes_no_decision_on_labelled_news(l3s_truth_sigs, monkeypatch):
    with_prefilter = deduplicate(l3s_truth_sigs)
    everything = X.candidates
    monkeypatch.setattr(X, "candidates", lambda new, held, params, prefilter=True: everything(new, held, params, False))
    assert _key(deduplicate(l3s_truth_sigs)) == _key(with_prefilter)


@pytest.fixture(scope="module")
def l3s_truth_sigs():
    import json

    from tests.conftest import DATASETS

    path = DATASETS / "l3s-gn1" / "truth.jsonl"
    if not path.exists():
        pytest.skip("no shared data")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [make_signature(r["id"], r["body"], title=r.get("title")) for r in rows]


# --------------------------------------------------------------------------- the corpus index


def _commit(corpus: Corpus, run_id: str, sigs, params=DedupParams(), parts: int = 3) -> None:
    """Commit signatures as a run would (several parts), with no article texts."""
    dest = corpus.staging(run_id) / "commit"
    files = []
    for n in range(parts):
        chunk = sigs[n::parts]
        name = f"signatures/part-{run_id}-{n:06d}.parquet"
        (dest / "signatures").mkdir(parents=True, exist_ok=True)
        pq.write_table(signature_rows(chunk), dest / name)
        files += [name, corpus._stage_segment(dest, name, params)]
    corpus._apply(corpus.staging(run_id), files)


def _two_runs(tmp_path: Path):
    corpus = Corpus(tmp_path / "out")
    old = _sigs(_corpus(60, 4)) + _walks(100, 6)
    random.Random(1).shuffle(old)
    _commit(corpus, "r1", old)
    # new documents: copies and rewrites of held stories, and stories of their own
    new_docs = [(f"n-{d}", t) for d, t in _corpus(60, 4)[::3]]
    new_docs += [(f"n-rw{k}", _rewrite(_story(4 * 1000 + k))) for k in range(0, 60, 5)]
    new_docs += _corpus(20, 5)
    return corpus, old, _sigs(new_docs)


def test_the_corpus_index_decides_as_the_full_list_of_signatures(tmp_path):
    corpus, old, new = _two_runs(tmp_path)
    assert len(list((corpus.root / "dedup_index").glob("*.idx"))) == 3
    held = corpus.held_index(DedupParams())
    assert held.count == len(old)
    got = deduplicate(new, held)
    want = deduplicate(new, corpus.signatures(params=DedupParams()))
    assert got and {d.kind for d in got} >= {"exact", "story"}
    assert _key(got) == _key(want)
    # only the held signatures that are candidates are read
    read = []
    for src in held.sources:
        load = src.signatures
        src.signatures = lambda rows, load=load: read.extend(rows) or load(rows)
    assert _key(deduplicate(new, held)) == _key(want)
    assert 0 < len(read) < len(old)


def test_a_missing_corrupt_or_stale_segment_is_rebuilt(tmp_path):
    corpus, old, new = _two_runs(tmp_path)
    want = _key(deduplicate(new, corpus.signatures(params=DedupParams())))
    segs = sorted((corpus.root / "dedup_index").glob("*.idx"))
    parts = sorted((corpus.root / "signatures").glob("*.parquet"))
    segs[0].unlink()  # a corpus written before the index existed
    segs[1].write_bytes(b"not an index")  # a torn file
    t = pq.read_table(parts[2])  # the part rewritten without its first row, the segment left behind
    pq.write_table(t.slice(1), parts[2])
    held = corpus.held_index(DedupParams())
    assert held.count == len(old) - 1
    assert _key(deduplicate(new, held)) == _key(deduplicate(new, corpus.signatures(params=DedupParams())))
    for part in parts:
        meta = X.Segment.read_meta(corpus.root / "dedup_index" / f"{part.stem}.idx")
        assert meta and meta["fingerprint"] == part_fingerprint(part)
    # put back, the part's old segment would be stale again: rebuilt again, same decisions as at first
    pq.write_table(t, parts[2])
    assert _key(deduplicate(new, corpus.held_index(DedupParams()))) == want


def test_other_banding_parameters_rebuild_the_segments(tmp_path):
    corpus, _, new = _two_runs(tmp_path)
    params = DedupParams(story_lsh_bands=32, near_lsh_bands=8, near_lsh_rows=8)
    assert X.layout_key(params) != X.layout_key(DedupParams())
    got = deduplicate(new, corpus.held_index(params), params)
    assert _key(got) == _key(deduplicate(new, corpus.signatures(params=params), params))
    meta = X.Segment.read_meta(next((corpus.root / "dedup_index").glob("*.idx")))
    assert meta["layout"] == X.layout_key(params)


def test_excluded_documents_are_left_out_of_the_index(tmp_path):
    corpus, old, new = _two_runs(tmp_path)
    found = deduplicate(new, corpus.held_index(DedupParams()))
    # the held articles that new documents were judged duplicates of (kept heads can be new ones too)
    gone = {d.duplicate_of for d in found} & {s.doc_id for s in old}
    assert gone
    held = corpus.held_index(DedupParams(), exclude=gone)
    assert held.count == len(old) - len(gone)
    got = deduplicate(new, held)
    assert not gone & {d.duplicate_of for d in got}
    rest = [s for s in corpus.signatures(params=DedupParams()) if s.doc_id not in gone]
    assert _key(got) == _key(deduplicate(new, rest))


def test_incremental_runs_decide_as_one_run_over_the_same_files(tmp_path):
    """New files judged against the committed corpus through its index decide as a run given
    every kept signature of the corpus (in corpus order) as existing ones."""
    corpus, old, new = _two_runs(tmp_path)
    first, second = new[: len(new) // 2], new[len(new) // 2:]
    d1 = deduplicate(first, corpus.held_index(DedupParams()))
    assert _key(d1) == _key(deduplicate(first, corpus.signatures()))
    kept1 = [s for s in first if s.doc_id not in {d.doc_id for d in d1}]
    _commit(corpus, "r2", kept1, parts=2)
    held = corpus.held_index(DedupParams())
    assert held.count == len(old) + len(kept1)
    d2 = deduplicate(second, held)
    assert d2 and _key(d2) == _key(deduplicate(second, corpus.signatures()))
    # the same documents in another order of the corpus may break score ties otherwise, but
    # every document found a duplicate is found one either way
    assert {d.doc_id for d in d2} == {d.doc_id for d in deduplicate(second, old + kept1)}


def test_a_commit_stages_each_signatures_part_with_its_segment_and_recovery_completes_both(tmp_path, monkeypatch):
    from cleaners.pipeline import Settings, process_batch
    from cleaners.sources import discover
    from tests import faultkit as fk

    raw = fk.make_raw(tmp_path / "raw", 6, copies=1, empties=1)
    corpus = Corpus(tmp_path / "out")
    staged = corpus.stage_batch("r1", 0, process_batch(list(discover(raw)), Settings()))
    decisions = deduplicate(corpus.staged_signatures("r1"))
    fk.fail_commit_rename(monkeypatch, "r1", 2)  # the second rename into the corpus fails
    with pytest.raises(OSError):
        corpus.commit("r1", decisions, staged.rejects, staged.seen)
    monkeypatch.undo()
    journal = (corpus.staging("r1") / "JOURNAL.json").read_text()
    assert "dedup_index/part-r1-000000.idx" in journal and "signatures/part-r1-000000.parquet" in journal
    corpus.recover()
    part = corpus.root / "signatures" / "part-r1-000000.parquet"
    meta = X.Segment.read_meta(corpus.root / "dedup_index" / "part-r1-000000.idx")
    assert meta["fingerprint"] == part_fingerprint(part) and meta["layout"] == X.layout_key(DedupParams())
    # read as committed, not rebuilt
    before = (corpus.root / "dedup_index" / "part-r1-000000.idx").stat().st_mtime_ns
    held = corpus.held_index(DedupParams())
    assert (corpus.root / "dedup_index" / "part-r1-000000.idx").stat().st_mtime_ns == before
    assert held.count == len(corpus.signatures()) == staged.articles - len(decisions)
