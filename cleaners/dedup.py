"""Signatures per level, candidates, verification, clusters, the kept choice."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Sequence

import pyarrow as pa


@dataclass(frozen=True)
class DedupParams:
    num_perm: int = 128


@dataclass(frozen=True)
class Signature:
    doc_id: str
    words: int
    exact: str

    def to_record(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "words": self.words, "exact": self.exact}

    @classmethod
    def from_record(cls, d: dict[str, Any]) -> "Signature":
        return cls(d["doc_id"], d["words"], d["exact"])


SIGNATURE_SCHEMA = pa.schema([("doc_id", pa.string()), ("words", pa.int64()), ("exact", pa.string())])


@dataclass(frozen=True)
class Decision:
    doc_id: str
    duplicate_of: str
    kind: str
    score: float
    evidence: str


def make_signature(doc_id: str, text: str, *, title: str | None = None, sources: Sequence[str] = (),
                   params: DedupParams = DedupParams()) -> Signature:
    words = re.findall(r"\w+", text.lower())
    return Signature(doc_id, len(words), hashlib.sha1(" ".join(words).encode()).hexdigest())


def deduplicate(new: Sequence[Signature], existing: Sequence[Signature] = (),
                params: DedupParams = DedupParams()) -> list[Decision]:
    seen = {s.exact: s.doc_id for s in existing}
    out = []
    for s in sorted(new, key=lambda s: (-s.words, s.doc_id)):
        if s.exact in seen:
            out.append(Decision(s.doc_id, seen[s.exact], "exact", 1.0, "same normalised body"))
        else:
            seen[s.exact] = s.doc_id
    return out
