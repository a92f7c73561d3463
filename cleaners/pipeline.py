"""The steps every entry point runs: read, decode, clean, sign. One code path for the CLI,
the Prefect flow and the tests."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from cleaners.decode import Decoded, Limits, decode
from cleaners.dedup import DedupParams, Signature, make_signature
from cleaners.html import extract_html
from cleaners.model import Cleaned, RejectError
from cleaners.sources import RawItem, RawReject, content_sha256, discover, read_bytes
from cleaners.text import clean_blocks, clean_text


@dataclass(frozen=True)
class Settings:
    """Everything a batch needs to know; plain values so it pickles to worker processes."""

    limits: Limits = Limits()
    dedup: DedupParams = DedupParams()
    min_words: int = 1  # a body with fewer words is rejected as "no_body"


@dataclass
class Article:
    doc_id: str
    source: str
    source_sha256: str
    format: str
    encoding: str
    cleaned: Cleaned
    url: str | None = None
    fetched: str | None = None

    @property
    def word_count(self) -> int:
        return len(self.cleaned.text.split())


@dataclass
class Reject:
    source: str
    reason: str
    detail: str
    source_sha256: str | None = None


@dataclass
class Seen:
    """What the manifest records of one raw file, so that a later run can skip it."""

    source: str
    source_sha256: str | None
    size: int
    mtime_ns: int
    doc_id: str | None


@dataclass
class BatchOutput:
    articles: list[Article] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    unchanged: int = 0


def make_doc_id(source: str, sha256: str) -> str:
    """Stable id of one version of one raw file: the same path and bytes give the same id."""
    return hashlib.sha256(f"{source}\0{sha256}".encode()).hexdigest()[:24]


def clean_decoded(decoded: Decoded, *, url: str | None = None) -> Cleaned:
    """Decoded text -> the article body and metadata, through the text or the HTML path."""
    if decoded.format == "html":
        extract = extract_html(decoded.text, url=url)
        cleaned = clean_blocks(extract.blocks, hint=extract.metadata)
        cleaned.removed = extract.removed + cleaned.removed
        cleaned.format = "html"
    else:
        cleaned = clean_text(decoded.text)
        cleaned.format = "text"
    if url and not cleaned.metadata.url:
        cleaned.metadata.url = url
    return cleaned


def clean_bytes(data: bytes, *, name: str = "", url: str | None = None, limits: Limits = Limits(),
                min_words: int = 1, charset_hint: str | None = None) -> tuple[Decoded, Cleaned]:
    decoded = decode(data, name=name, limits=limits, charset_hint=charset_hint)
    cleaned = clean_decoded(decoded, url=url)
    if len(cleaned.text.split()) < min_words:
        raise RejectError("no_body", f"no article body found after cleaning ({len(cleaned.text.split())} words)")
    return decoded, cleaned


def process_item(item: RawItem, data: bytes, settings: Settings) -> Article | Reject:
    sha = content_sha256(data)
    try:
        decoded, cleaned = clean_bytes(data, name=item.source, url=item.url, limits=settings.limits,
                                       min_words=settings.min_words, charset_hint=item.charset)
    except RejectError as exc:
        return Reject(item.source, exc.reason, exc.detail, sha)
    except RecursionError:
        return Reject(item.source, "too_complex", "the document nests too deeply to parse", sha)
    except Exception as exc:  # a bug or a library failure on one file must not stop the run
        return Reject(item.source, "cleaner_error", f"{type(exc).__name__}: {exc}", sha)
    return Article(doc_id=make_doc_id(item.source, sha), source=item.source, source_sha256=sha,
                   format=cleaned.format, encoding=decoded.encoding, cleaned=cleaned,
                   url=item.url, fetched=item.fetched)


def process_batch(items: Sequence[RawItem], settings: Settings,
                  known: dict[str, str] | None = None) -> BatchOutput:
    """Read, decode, clean and sign a batch of raw files.

    `known` maps a source path to the sha256 the corpus already holds for it: an item whose bytes
    still hash the same is counted as unchanged and produces nothing.
    """
    out = BatchOutput()
    known = known or {}
    for item in items:
        try:
            st = Path(item.path).stat()
            data = read_bytes(item, settings.limits)
        except RejectError as exc:
            out.rejects.append(Reject(item.source, exc.reason, exc.detail))
            out.seen.append(Seen(item.source, None, -1, -1, None))
            continue
        except OSError as exc:
            out.rejects.append(Reject(item.source, "unreadable", f"{type(exc).__name__}: {exc}"))
            out.seen.append(Seen(item.source, None, -1, -1, None))
            continue
        sha = content_sha256(data)
        if known.get(item.source) == sha:
            out.unchanged += 1
            continue
        result = process_item(item, data, settings)
        if isinstance(result, Reject):
            out.rejects.append(result)
            out.seen.append(Seen(item.source, sha, st.st_size, st.st_mtime_ns, None))
            continue
        out.articles.append(result)
        out.signatures.append(make_signature(result.doc_id, result.cleaned.text,
                                             title=result.cleaned.metadata.title,
                                             sources=result.cleaned.metadata.sources,
                                             params=settings.dedup))
        out.seen.append(Seen(item.source, sha, st.st_size, st.st_mtime_ns, result.doc_id))
    return out


def iter_inputs(paths: Iterable[Path]) -> Iterable[RawItem | RawReject]:
    """Files and folders (recursively) as raw items; a file's source is the path as given."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for found in discover(p):
                if isinstance(found, RawItem):
                    yield RawItem(source=str(Path(found.path)), path=found.path, member=found.member,
                                  url=found.url, fetched=found.fetched)
                else:
                    yield found
        else:
            yield RawItem(source=str(p), path=str(p))
