"""The run report (cleaners.report): pure rendering and the title look-up in Parquet parts."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from cleaners.corpus import ARTICLES_SCHEMA
from cleaners.dedup import Decision
from cleaners.pipeline import Reject
from cleaners.report import (DocInfo, RunSummary, counts_table, duplicate_clusters, lookup_docs, render_report,
                             summary_lines)


def _summary(**kw) -> RunSummary:
    base = dict(run_id="r2", raw_dir="in", out_dir="out", started="2024-05-01T00:00:00+00:00",
                seen=9, unchanged=1, kept=4)
    base.update(kw)
    return RunSummary(**base)


DECISIONS = [
    Decision("d-copy", "k-harbour", "exact", 1.0, "same normalised body"),
    Decision("d-rewrite", "k-harbour", "story", 0.62, "shared entities: harbour, ferry; same date"),
    Decision("d-trim", "k-election", "near", 0.91, "resemblance 0.91 on 5-word shingles"),
]
DOCS = {
    "k-harbour": DocInfo("k-harbour", "Ferry strike shuts the harbour", "a/harbour.txt", "r1"),
    "d-copy": DocInfo("d-copy", "Ferry strike shuts the harbour", "b/copy.txt", "r2"),
    "d-rewrite": DocInfo("d-rewrite", "Harbour closed as ferry crews walk out", "c/rewrite.html", "r2"),
    "k-election": DocInfo("k-election", "Council vote | recount ordered", "d/vote.txt", "r2"),
    "d-trim": DocInfo("d-trim", None, "e/trim.txt", "r2"),
}


def test_clusters_group_by_kept_article_biggest_first():
    clusters = duplicate_clusters(DECISIONS)
    assert [c.kept for c in clusters] == ["k-harbour", "k-election"]
    assert [d.doc_id for d in clusters[0].members] == ["d-copy", "d-rewrite"]  # best score first
    assert duplicate_clusters([]) == []


def test_report_shows_each_cluster_with_both_titles_kind_score_and_evidence():
    md = render_report(_summary(duplicates=DECISIONS, docs=DOCS))
    lines = md.splitlines()
    assert "## Duplicate clusters" in lines
    heads = [l for l in lines if l.startswith("### ")]
    assert len(heads) == 2
    # the kept article came from an earlier run: the report says so and shows its title and file
    assert "Ferry strike shuts the harbour" in heads[0] and "a/harbour.txt" in heads[0]
    assert "kept in run r1" in heads[0]
    assert "kept in this run" in heads[1]
    rewrite = next(l for l in lines if "d-rewrite" in l)
    assert "Harbour closed as ferry crews walk out" in rewrite
    assert "| story | 0.620 |" in rewrite and "shared entities: harbour, ferry; same date" in rewrite
    trim = next(l for l in lines if "`d-trim`" in l and l.startswith("|"))
    assert "(no title)" in trim and "| near | 0.910 |" in trim
    # a pipe in a title is escaped so that it cannot split a table cell
    assert r"Council vote \| recount ordered" in heads[1]


def test_report_without_titles_falls_back_to_ids():
    md = render_report(_summary(duplicates=DECISIONS[:1]))
    assert "### 1. Kept: `k-harbour`" in md
    assert "| `d-copy` | exact | 1.000 | same normalised body |" in md


def test_counts_reasons_and_rejects():
    rejects = [Reject("x/empty.txt", "empty", "no bytes"), Reject("x/pic.txt", "binary", "PNG\nheader"),
               Reject("x/blank.txt", "empty", "only spaces")]
    reasons = {f"r{i}": 100 - i for i in range(12)} | {"teaser": 500}
    s = _summary(duplicates=DECISIONS, rejects=rejects, removed_reasons=reasons)
    md = render_report(s, top_reasons=3)
    assert "| 9 | 1 | 4 | 3 | 3 |" in md
    reason_rows = md.split("## Top removal reasons")[1].split("##")[0]
    assert "| teaser | 500 |" in reason_rows and "teasers of other stories" in reason_rows
    assert "| r0 | 100 |" in reason_rows and "| r1 | 99 |" in reason_rows and "| r2 |" not in reason_rows
    assert f"| (10 other reasons) | {sum(100 - i for i in range(2, 12))} | |" in reason_rows
    rej = md.split("## Rejected files")[1]
    assert "empty: 2, binary: 1" in rej
    assert "| x/pic.txt | binary | PNG header |" in rej
    assert "Nothing new" not in md


def test_nothing_new_run():
    md = render_report(_summary(seen=3, unchanged=3, kept=0))
    assert "Nothing new" in md and "## Duplicate clusters" not in md and "## Rejected files" not in md


def test_counts_table_and_summary_lines_match_the_counts():
    s = _summary(duplicates=DECISIONS, rejects=[Reject("a", "empty", "")])
    rows = counts_table(s)
    assert [r["files"] for r in rows] == [9, 1, 4, 3, 1]
    assert rows[0]["outcome"] == "files seen"
    lines = summary_lines(s)
    assert len(lines) == 5 and lines[2].split() == ["kept", "4"]
    assert summary_lines(s.counts()) == lines
    assert len({len(l) for l in lines}) == 1  # aligned


def _articles(rows: list[dict]) -> pa.Table:
    full = [{name: r.get(name) for name in ARTICLES_SCHEMA.names} for r in rows]
    return pa.Table.from_pylist(full, schema=ARTICLES_SCHEMA)


def test_lookup_docs_reads_corpus_and_staged_parts(tmp_path):
    articles, staged = tmp_path / "articles", tmp_path / "_staging" / "r2" / "clean"
    articles.mkdir()
    staged.mkdir(parents=True)
    pq.write_table(_articles([{"doc_id": "k1", "title": "Old story", "source": "old.txt", "run_id": "r1",
                               "text": "body " * 50},
                              {"doc_id": "other", "title": "Unrelated", "source": "u.txt", "run_id": "r1"}]),
                   articles / "part-r1-000000.parquet")
    pq.write_table(_articles([{"doc_id": "zz", "title": "debris", "run_id": "r0"}]), articles / "_debris.parquet")
    pq.write_table(_articles([{"doc_id": "d1", "title": "New copy", "source": "new.txt", "run_id": "r2"}]),
                   staged / "part-000000.parquet")
    found = lookup_docs([articles, staged, tmp_path / "missing"], ["k1", "d1", "nowhere", "k1"])
    assert found == {"k1": DocInfo("k1", "Old story", "old.txt", "r1"),
                     "d1": DocInfo("d1", "New copy", "new.txt", "r2")}
    assert lookup_docs([articles], []) == {}


def test_a_huge_report_is_cut_in_the_artifact_with_a_pointer_to_the_file():
    from flows.artifacts import artifact_markdown

    decisions = [Decision(f"dup-{i}", f"kept-{i % 50}", "near", 0.9, "resemblance 0.90") for i in range(3000)]
    md = render_report(_summary(duplicates=decisions))
    assert artifact_markdown(md, "out/reports/r2.md", limit=len(md)) == md
    cut = artifact_markdown(md, "out/reports/r2.md", limit=20_000)
    assert len(cut) < 20_500 and md.startswith(cut.rsplit("\n\n**", 1)[0])
    assert cut.rstrip().endswith("`out/reports/r2.md`.**")
    assert "| `dup-" in cut  # whole table rows, not half lines
    assert all(line.count("|") in (0, 5) for line in cut.splitlines() if line.startswith("| `dup-"))
