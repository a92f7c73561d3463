"""title, subtitle, authors, date, site, credited sources."""
from __future__ import annotations

import re

_VIA = re.compile(r"\[?\b(?:via|told|Sources?:)\s+([A-Z][\w&.]*(?:\s+[A-Z][\w&.]*)*)")


def find_sources(text: str) -> list[str]:
    out: list[str] = []
    for m in _VIA.finditer(text):
        if m.group(1) not in out:
            out.append(m.group(1))
    return out


def parse_date(s: str) -> str | None:
    return None
