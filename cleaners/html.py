"""HTML -> blocks and metadata via trafilatura."""
from __future__ import annotations

from dataclasses import dataclass, field

import trafilatura

from cleaners.model import Cleaned, Metadata, Removed


@dataclass
class HtmlExtract:
    blocks: list[str]
    metadata: Metadata
    removed: list[Removed] = field(default_factory=list)


def extract_html(html: str, *, url: str | None = None) -> HtmlExtract:
    doc = trafilatura.bare_extraction(html, url=url, include_comments=False, include_tables=False, with_metadata=True)
    if doc is None:
        return HtmlExtract([], Metadata(url=url))
    text = doc.text or ""
    meta = Metadata(title=doc.title, authors=[a.strip() for a in (doc.author or "").split(";") if a.strip()],
                    published=doc.date, site_name=doc.sitename, url=url)
    return HtmlExtract([b for b in text.split("\n") if b.strip()], meta)


def clean_html(html: str, *, url: str | None = None) -> Cleaned:
    ex = extract_html(html, url=url)
    return Cleaned(text="\n\n".join(ex.blocks), metadata=ex.metadata, removed=ex.removed, format="html")
