"""A text dump -> blocks, and which blocks are the body."""
from __future__ import annotations

import re

from cleaners.metadata import find_sources
from cleaners.model import Cleaned, Metadata, Removed


def line_key(line: str) -> str:
    return re.sub(r"\d", "0", " ".join(line.lower().split()))


def clean_blocks(blocks: list[str], *, hint: Metadata | None = None, boilerplate: frozenset[str] = frozenset()) -> Cleaned:
    kept: list[str] = []
    removed: list[Removed] = []
    for b in blocks:
        b = b.strip()
        if not b:
            continue
        if line_key(b) in boilerplate:
            removed.append(Removed(b, "boilerplate"))
        else:
            kept.append(b)
    body = "\n\n".join(kept)
    meta = hint or Metadata()
    meta.sources = meta.sources or find_sources(body)
    return Cleaned(text=body, metadata=meta, removed=removed)


def clean_text(text: str, *, boilerplate: frozenset[str] = frozenset()) -> Cleaned:
    blocks = re.split(r"\n\s*\n", text)
    return clean_blocks(blocks, boilerplate=boilerplate)
