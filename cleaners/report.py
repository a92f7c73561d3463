"""The run report: what a run saw, kept, joined and rejected, in markdown for people."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from cleaners.dedup import Decision
from cleaners.pipeline import Reject


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

    def counts(self) -> dict[str, int]:
        return {"seen": self.seen, "unchanged": self.unchanged, "kept": self.kept,
                "duplicates": len(self.duplicates), "rejected": len(self.rejects)}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_report(s: RunSummary, top_reasons: int = 10) -> str:
    lines = [f"# Curation run {s.run_id}", "",
             f"Raw folder `{s.raw_dir}`, corpus `{s.out_dir}`, started {s.started}.", "",
             "| files seen | unchanged | kept | duplicates | rejected |",
             "| ---: | ---: | ---: | ---: | ---: |",
             f"| {s.seen} | {s.unchanged} | {s.kept} | {len(s.duplicates)} | {len(s.rejects)} |", ""]
    if s.removed_reasons:
        lines += ["## Top removal reasons", "", "| reason | blocks removed |", "| --- | ---: |"]
        for reason, n in Counter(s.removed_reasons).most_common(top_reasons):
            lines.append(f"| {reason} | {n} |")
        lines.append("")
    if s.duplicates:
        lines += ["## Duplicates", "", "| duplicate | kept | kind | score | evidence |", "| --- | --- | --- | ---: | --- |"]
        for d in s.duplicates:
            lines.append(f"| {d.doc_id} | {d.duplicate_of} | {d.kind} | {d.score:.3f} | {_cell(d.evidence)} |")
        lines.append("")
    if s.rejects:
        lines += ["## Rejected files", "", "| file | reason | detail |", "| --- | --- | --- |"]
        for r in s.rejects:
            lines.append(f"| {_cell(r.source)} | {r.reason} | {_cell(r.detail)} |")
        lines.append("")
    return "\n".join(lines)
