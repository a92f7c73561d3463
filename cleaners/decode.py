"""bytes -> text: gzip, BOMs, charset detection, format sniffing, size limits."""
from __future__ import annotations

import gzip
import re
from dataclasses import dataclass

from cleaners.model import RejectError


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 64 * 1024 * 1024
    max_decompressed_bytes: int = 64 * 1024 * 1024


@dataclass(frozen=True)
class Decoded:
    text: str
    format: str
    encoding: str
    notes: tuple[str, ...] = ()


_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*(<!doctype html|<html|<head|<body|<meta|<div|<p\b|<article)", re.I | re.S)


def decode(data: bytes, *, name: str = "", limits: Limits = Limits()) -> Decoded:
    notes: list[str] = []
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
        notes.append("gzip")
    if not data.strip():
        raise RejectError("empty", "the file has no content")
    try:
        text, enc = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        import charset_normalizer

        best = charset_normalizer.from_bytes(data).best()
        if best is None:
            raise RejectError("binary", "no text encoding fits the bytes")
        text, enc = str(best), best.encoding
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fmt = "html" if _HTML_START.match(text[:2000]) else "text"
    return Decoded(text=text, format=fmt, encoding=enc, notes=tuple(notes))
