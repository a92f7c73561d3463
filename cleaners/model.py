"""The small dataclasses the cleaner modules pass around."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Removed:
    """A block the cleaner dropped, and why (a reason from `cleaners.rules.REASONS`)."""

    text: str
    reason: str


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO date, YYYY-MM-DD
    site_name: str | None = None
    sources: list[str] = field(default_factory=list)  # credited sources: "via Reuters", "told Bloomberg"
    url: str | None = None


@dataclass(slots=True)
class Cleaned:
    """One cleaned article: the body alone plus its metadata and what was removed."""

    text: str
    metadata: Metadata
    removed: list[Removed] = field(default_factory=list)
    format: str = "text"  # "text" | "html"


class RejectError(Exception):
    """A file that cannot be curated. `reason` is a short code, `detail` says it for people."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
