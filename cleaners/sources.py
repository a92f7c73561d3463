"""Reading inputs from a raw folder."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from cleaners.decode import Limits
from cleaners.model import RejectError


@dataclass(frozen=True)
class RawItem:
    source: str
    path: str
    member: str | None = None
    url: str | None = None
    fetched: str | None = None


@dataclass(frozen=True)
class RawReject:
    source: str
    reason: str
    detail: str


def discover(raw_root: Path) -> Iterator[RawItem | RawReject]:
    raw_root = Path(raw_root)
    for dirpath, dirnames, filenames in os.walk(raw_root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            p = Path(dirpath) / name
            yield RawItem(source=p.relative_to(raw_root).as_posix(), path=str(p))


def read_bytes(item: RawItem, limits: Limits) -> bytes:
    try:
        with open(item.path, "rb") as fh:
            return fh.read(limits.max_file_bytes + 1)
    except FileNotFoundError:
        raise RejectError("vanished", "the file disappeared before it could be read")


def content_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
