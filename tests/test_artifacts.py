"""What a flow run publishes: the Prefect artifacts (read back through the Prefect API), the report
next to the corpus, and the progress hooks."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pyarrow.parquet as pq
from prefect.settings import PREFECT_API_URL

from flows import progress
from flows.artifacts import COUNTS_KEY, PROGRESS_KEY, REPORT_KEY
from flows.curate import curate


def _artifacts(flow_run_id) -> dict[str, dict]:
    """The artifacts of one flow run, by key, as the Prefect REST API returns them."""
    body = {"artifacts": {"flow_run_id": {"any_": [str(flow_run_id)]}}, "sort": "CREATED_DESC",
            "limit": 100, "offset": 0}
    response = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", json=body, timeout=30)
    response.raise_for_status()
    return {a["key"]: a for a in response.json()}


def _run(**params):
    state = curate(return_state=True, **params)
    assert state.is_completed(), state
    return state.state_details.flow_run_id, state.result()


def test_a_run_publishes_report_counts_and_progress(prefect_harness, seed_raw: Path, tmp_path: Path):
    # an exact copy under another name: a duplicate whatever the dedup thresholds are
    shutil.copy(seed_raw / "001_54954cd580b1dcc8.txt", seed_raw / "republished.txt")
    (seed_raw / "empty.txt").write_bytes(b"")
    out = tmp_path / "curated"
    snapshots: list[progress.Progress] = []

    def broken(p):
        raise RuntimeError("a display that fails")

    with progress.progress_hook(snapshots.append), progress.progress_hook(broken):
        flow_run_id, result = _run(raw_dir=str(seed_raw), out_dir=str(out), batch_size=2, workers=1)
    assert result["seen"] == 7 and result["rejected"] == 1 and result["duplicates"] >= 1

    arts = _artifacts(flow_run_id)
    assert {REPORT_KEY, COUNTS_KEY, PROGRESS_KEY} <= set(arts)
    # the markdown artifact is the report written next to the corpus
    report_file = Path(result["report"])
    assert report_file.parent == out.resolve() / "reports"
    assert arts[REPORT_KEY]["data"] == report_file.read_text(encoding="utf-8")
    assert (out / "reports" / "latest.md").read_text(encoding="utf-8") == arts[REPORT_KEY]["data"]
    md = arts[REPORT_KEY]["data"]
    assert f"| 7 | 0 | {result['kept']} | {result['duplicates']} | 1 |" in md
    assert "| empty.txt | empty |" in md
    # every duplicate is listed under the kept article, with the titles and files of both
    articles = {r["doc_id"]: r for r in pq.read_table(out / "articles", columns=["doc_id", "title", "source"]).to_pylist()}
    heads = [line for line in md.splitlines() if line.startswith("### ")]
    for dup in pq.read_table(out / "duplicates").to_pylist():
        kept = articles[dup["duplicate_of"]]
        head = next(h for h in heads if dup["duplicate_of"] in h)
        assert kept["source"] in head and (kept["title"] is None or kept["title"] in head)
        row = next(line for line in md.splitlines() if line.startswith("| ") and f"`{dup['doc_id']}`" in line)
        assert dup["source"] in row and (dup["title"] is None or dup["title"] in row)
        assert f"| {dup['kind']} | {dup['score']:.3f} |" in row
    # the table artifact holds the same counts
    table = arts[COUNTS_KEY]["data"]
    rows = json.loads(table) if isinstance(table, str) else table
    assert {r["outcome"]: r["files"] for r in rows} == {
        "files seen": 7, "unchanged since the last run": 0, "kept": result["kept"],
        "duplicates": result["duplicates"], "rejected": 1}
    assert arts[PROGRESS_KEY]["type"] == "progress" and float(arts[PROGRESS_KEY]["data"]) == 100.0

    # the hooks saw the run from the first batch to the end; the broken one changed nothing
    assert snapshots[-1].stage == "done"
    assert snapshots[-1].files_done == snapshots[-1].files_total == 7
    assert snapshots[-1].batches_done == snapshots[-1].batches_total == 4
    assert dict(snapshots[-1].counts) == {k: result[k] for k in ("seen", "unchanged", "kept", "duplicates")} | {
        "rejected": 1}
    done = [p.files_done for p in snapshots]
    assert done == sorted(done) and len(set(done)) >= 4
    assert [s for s in dict.fromkeys(p.stage for p in snapshots)] == ["clean", "dedup", "commit", "done"]


def test_kept_article_of_an_earlier_run_is_named_in_the_report(prefect_harness, seed_raw: Path, tmp_path: Path):
    out = tmp_path / "curated"
    _, first = _run(raw_dir=str(seed_raw), out_dir=str(out))
    shutil.copy(seed_raw / "000_068a300c774dd117.txt", seed_raw / "copy of 000.txt")
    flow_run_id, second = _run(raw_dir=str(seed_raw), out_dir=str(out))
    assert (second["new"], second["duplicates"]) == (1, 1)
    original = pq.read_table(out / "articles", columns=["source", "title", "doc_id"]).to_pylist()
    original = next(r for r in original if r["source"] == "000_068a300c774dd117.txt")
    md = _artifacts(flow_run_id)[REPORT_KEY]["data"]
    head = next(line for line in md.splitlines() if line.startswith("### 1. Kept:"))
    assert f"kept in run {first['run_id']}" in head
    assert "000_068a300c774dd117.txt" in head and original["doc_id"] in head
    if original["title"]:
        assert original["title"] in head
    # a third run with nothing new still publishes its counts, but writes no report file
    flow_run_id, third = _run(raw_dir=str(seed_raw), out_dir=str(out))
    assert third["new"] == 0 and third["report"] is None
    arts = _artifacts(flow_run_id)
    assert "Nothing new" in arts[REPORT_KEY]["data"]
    assert not (out / "reports" / f"{third['run_id']}.md").exists()
    assert float(arts[PROGRESS_KEY]["data"]) == 100.0
