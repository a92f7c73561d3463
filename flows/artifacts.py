"""The Prefect artifacts of a run: the markdown report, a table of the counts, a progress card.

They show up on the flow run's page in the Prefect UI (and, by key, on the Artifacts page). The
same markdown report is written next to the corpus, under `reports/`, by the commit.
Publishing is best effort: a failure is logged as a warning and the run goes on.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable
from uuid import UUID

from prefect import get_run_logger
from prefect.artifacts import (create_markdown_artifact, create_progress_artifact, create_table_artifact,
                               update_progress_artifact)

from cleaners.corpus import Corpus
from cleaners.dedup import Decision
from cleaners.report import DocInfo, RunSummary, counts_table, lookup_docs, render_report

REPORT_KEY = "curate-report"
COUNTS_KEY = "curate-counts"
PROGRESS_KEY = "curate-progress"


def _warn(what: str, exc: Exception) -> None:
    get_run_logger().warning("could not publish the %s artifact: %s: %s", what, type(exc).__name__, exc)


def report_docs(out_dir: str | Path, run_id: str, decisions: Iterable[Decision]) -> dict[str, DocInfo]:
    """Titles and files of the duplicates of a run and of the articles they duplicate: from the
    run's staged articles, and from the corpus's articles/ for those kept by earlier runs.
    Best effort too: if the look-up fails, the report names the articles by doc_id only."""
    ids = {i for d in decisions for i in (d.doc_id, d.duplicate_of)}
    if not ids:
        return {}
    corpus = Corpus(out_dir)
    try:
        return lookup_docs([corpus.staging(run_id) / "clean", corpus.table_dir("articles")], ids)
    except Exception as exc:
        get_run_logger().warning("could not look up the titles of the duplicates for the report: %s: %s",
                                 type(exc).__name__, exc)
        return {}


# a bigger report (tens of thousands of duplicates) is cut in the artifact, which then points to the
# full file under reports/: the Prefect UI renders the artifact in the browser
MAX_ARTIFACT_CHARS = 1_000_000


def artifact_markdown(markdown: str, full_report: str, limit: int = MAX_ARTIFACT_CHARS) -> str:
    """`markdown`, or its first `limit` characters (whole lines) and a note naming the full report."""
    if len(markdown) <= limit:
        return markdown
    head = markdown[:limit].rsplit("\n", 1)[0]
    return (f"{head}\n\n**The report is {len(markdown):,} characters long; the rest is in the full report, "
            f"`{full_report}`.**\n")


def publish_report(summary: RunSummary, markdown: str | None = None) -> dict[str, UUID | None]:
    """Publish the run report (markdown) and its counts (table); returns the artifact ids."""
    markdown = render_report(summary) if markdown is None else markdown
    markdown = artifact_markdown(markdown, str(Path(summary.out_dir) / "reports" / f"{summary.run_id}.md"))
    c = summary.counts()
    description = (f"Curation run {summary.run_id}: {c['seen']} files seen, {c['kept']} kept, "
                   f"{c['duplicates']} duplicates, {c['rejected']} rejected")
    ids: dict[str, UUID | None] = {"report": None, "counts": None}
    try:
        ids["report"] = create_markdown_artifact(markdown, key=REPORT_KEY, description=description)
    except Exception as exc:
        _warn("report", exc)
    try:
        ids["counts"] = create_table_artifact(counts_table(summary), key=COUNTS_KEY, description=description)
    except Exception as exc:
        _warn("counts", exc)
    return ids


class ProgressArtifact:
    """The run's progress card; plugs into flows.progress.RunProgress."""

    def __init__(self, key: str = PROGRESS_KEY) -> None:
        self.key = key

    def create(self, percent: float, description: str) -> UUID | None:
        try:
            return create_progress_artifact(progress=percent, key=self.key, description=description)
        except Exception as exc:
            _warn("progress", exc)
            return None

    def update(self, artifact_id: UUID | None, percent: float, description: str) -> None:
        if artifact_id is None:
            return
        try:
            update_progress_artifact(artifact_id=artifact_id, progress=percent, description=description)
        except Exception as exc:
            _warn("progress", exc)
