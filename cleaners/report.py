"""The run report: what a run saw, kept, joined and rejected, in markdown for people.

Everything here is plain Python over the run's results; the flow publishes the same text as a
Prefect artifact and the corpus keeps it under `reports/`.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import pyarrow.parquet as pq

from cleaners.dedup import Decision
from cleaners.pipeline import Reject
from cleaners.rules import REASONS


@dataclass(frozen=True)
class DocInfo:
    """What the report shows of one article: its title, where it came from, the run that curated it."""

    doc_id: str
    title: str | None = None
    source: str | None = None
    run_id: str | None = None


@dataclass
class RunSummary:
    run_id: str
    raw_dir: str
    out_dir: str
    started: str
    seen: int
    unchanged: int
    kept: int
    duplicates: Sequence[Decision] = ()
    rejects: Sequence[Reject] = ()
    removed_reasons: dict[str, int] = field(default_factory=dict)
    # doc_id -> title/source/run of the duplicates and of the articles they duplicate (see lookup_docs)
    docs: Mapping[str, DocInfo] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"seen": self.seen, "unchanged": self.unchanged, "kept": self.kept,
                "duplicates": len(self.duplicates), "rejected": len(self.rejects)}


COUNT_LABELS = {"seen": "files seen", "unchanged": "unchanged since the last run", "kept": "kept",
                "duplicates": "duplicates", "rejected": "rejected"}


@dataclass(frozen=True)
class Cluster:
    """One kept article and the files judged duplicates of it in this run."""

    kept: str
    members: tuple[Decision, ...]


def duplicate_clusters(decisions: Iterable[Decision]) -> list[Cluster]:
    """Group duplicate decisions by the article they duplicate; biggest clusters first."""
    groups: dict[str, list[Decision]] = defaultdict(list)
    for d in decisions:
        groups[d.duplicate_of].append(d)
    clusters = [Cluster(kept, tuple(sorted(ms, key=lambda d: (-d.score, d.doc_id)))) for kept, ms in groups.items()]
    return sorted(clusters, key=lambda c: (-len(c.members), c.kept))


def counts_table(s: RunSummary) -> list[dict[str, object]]:
    """The run's counts as table rows (`outcome`, `files`), in the report's order."""
    return [{"outcome": COUNT_LABELS[k], "files": v} for k, v in s.counts().items()]


def summary_lines(s: RunSummary | Mapping[str, int], where: Mapping[str, object] | None = None) -> list[str]:
    """The run's counts as aligned plain-text lines (what `curate run` prints at the end);
    `where` adds "-> location" to the lines of the counts it names."""
    counts = s.counts() if isinstance(s, RunSummary) else s
    where = where or {}
    width = max(len(label) for label in COUNT_LABELS.values())
    return [f"{COUNT_LABELS[k]:<{width}}  {counts.get(k, 0):>7}" + (f"  -> {where[k]}" if k in where else "")
            for k in COUNT_LABELS]


def lookup_docs(folders: Iterable[Path | str], doc_ids: Iterable[str]) -> dict[str, DocInfo]:
    """Title, source and run of each of `doc_ids`, looked up in the Parquet parts of `folders`
    (an articles table and the run's staged articles); only those four columns are read, and only
    the matching rows are kept. Ids found nowhere are left out."""
    wanted = sorted(set(doc_ids))
    found: dict[str, DocInfo] = {}
    if not wanted:
        return found
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for part in sorted(folder.glob("*.parquet")):
            if part.name.startswith((".", "_")):
                continue
            cols = [c for c in ("doc_id", "title", "source", "run_id") if c in pq.read_schema(part).names]
            if "doc_id" not in cols:
                continue
            table = pq.read_table(part, columns=cols, filters=[("doc_id", "in", wanted)])
            for row in table.to_pylist():
                found.setdefault(row["doc_id"], DocInfo(row["doc_id"], row.get("title"), row.get("source"),
                                                        row.get("run_id")))
            if len(found) == len(wanted):
                return found
    return found


def _cell(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _doc(s: RunSummary, doc_id: str) -> str:
    info = s.docs.get(doc_id)
    if info is None:
        return f"`{doc_id}`"
    title = f"“{_cell(info.title)}”" if info.title else "(no title)"
    where = f" — `{_cell(info.source)}`" if info.source else ""
    return f"{title}{where} (`{doc_id}`)"


def render_report(s: RunSummary, top_reasons: int = 10) -> str:
    lines = [f"# Curation run {s.run_id}", "",
             f"Raw folder `{s.raw_dir}`, corpus `{s.out_dir}`, started {s.started}.", "",
             "| files seen | unchanged | kept | duplicates | rejected |",
             "| ---: | ---: | ---: | ---: | ---: |",
             f"| {s.seen} | {s.unchanged} | {s.kept} | {len(s.duplicates)} | {len(s.rejects)} |", ""]
    if s.seen == s.unchanged and not s.rejects:
        lines += ["Nothing new: every file was already curated, the corpus is unchanged.", ""]
    if s.removed_reasons:
        reasons = Counter(s.removed_reasons).most_common()
        lines += ["## Top removal reasons", "",
                  "Blocks the cleaner dropped from the kept and duplicate articles of this run.", "",
                  "| reason | blocks removed | what it is |", "| --- | ---: | --- |"]
        for reason, n in reasons[:top_reasons]:
            lines.append(f"| {_cell(reason)} | {n} | {_cell(REASONS.get(reason, ''))} |")
        rest = reasons[top_reasons:]
        if rest:
            lines.append(f"| ({len(rest)} other reasons) | {sum(n for _, n in rest)} | |")
        lines.append("")
    if s.duplicates:
        clusters = duplicate_clusters(s.duplicates)
        lines += ["## Duplicate clusters", "",
                  f"{len(s.duplicates)} file(s) judged duplicates of {len(clusters)} kept article(s). "
                  "Kinds: `exact` copy, `near` copy (same text, edited or truncated), `story` (the same "
                  "event rewritten).", ""]
        for n, c in enumerate(clusters, 1):
            info = s.docs.get(c.kept)
            when = ""
            if info is not None and info.run_id:
                when = " (kept in this run)" if info.run_id == s.run_id else f" (kept in run {info.run_id})"
            lines += [f"### {n}. Kept: {_doc(s, c.kept)}{when}", "",
                      "| duplicate | kind | score | evidence |", "| --- | --- | ---: | --- |"]
            for d in c.members:
                lines.append(f"| {_doc(s, d.doc_id)} | {_cell(d.kind)} | {d.score:.3f} | {_cell(d.evidence)} |")
            lines.append("")
    if s.rejects:
        by_reason = Counter(r.reason for r in s.rejects)
        lines += ["## Rejected files", "",
                  ", ".join(f"{reason}: {n}" for reason, n in by_reason.most_common()), "",
                  "| file | reason | detail |", "| --- | --- | --- |"]
        for r in s.rejects:
            lines.append(f"| {_cell(r.source)} | {_cell(r.reason)} | {_cell(r.detail)} |")
        lines.append("")
    return "\n".join(lines)
