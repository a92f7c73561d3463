"""The steps every entry point runs: read, decode, clean, sign. One code path for the CLI,
the Prefect flow and the tests."""
from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from cleaners.decode import Decoded, Limits, decode
from cleaners.dedup import DedupParams, Signature, make_signature
from cleaners.html import clean_html
from cleaners.layout import split_columns
from cleaners.model import Cleaned, RejectError
from cleaners.sources import (RawItem, RawReject, content_sha256, discover, is_warc, iter_warc, looks_like_warc,
                              read_bytes, read_item)
from cleaners.text import clean_text, rescue_body


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
    """Decoded text -> the article body and metadata, through the text or the HTML path. On the
    text path, columns laid out side by side are first written one after the other
    (`cleaners.layout.split_columns`)."""
    if decoded.format == "html":
        cleaned = clean_html(decoded.text, url=url)
    else:
        cleaned = rescue_body(clean_text(split_columns(decoded.text)))
        cleaned.format = "text"
    if url and not cleaned.metadata.url:
        cleaned.metadata.url = url
    return cleaned


def clean_bytes(data: bytes, *, name: str = "", url: str | None = None, limits: Limits = Limits(),
                min_words: int = 1, charset_hint: str | None = None) -> tuple[Decoded, Cleaned]:
    decoded = decode(data, name=name, limits=limits, charset_hint=charset_hint)
    cleaned = clean_decoded(decoded, url=url)
    # split(None, k) stops after k words: fewer than k words in all iff fewer than k in its result
    if len(cleaned.text.split(None, max(min_words, 0))) < min_words:
        raise RejectError("no_body", f"no article body found after cleaning ({len(cleaned.text.split())} words)")
    return decoded, cleaned


def process_item(item: RawItem, data: bytes, settings: Settings, sha: str | None = None) -> Article | Reject:
    """Clean one input's bytes into an article, or a reject saying why. `sha` is the bytes'
    sha256 when the caller has it already."""
    sha = sha or content_sha256(data)
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


def _add(out: BatchOutput, item: RawItem, data: bytes, size: int, mtime_ns: int, settings: Settings,
         known: dict[str, str]) -> None:
    """Clean and sign one input's bytes into `out` (or count it unchanged)."""
    sha = content_sha256(data)
    if known.get(item.source) == sha:
        out.unchanged += 1
        return
    result = process_item(item, data, settings, sha)
    if isinstance(result, Reject):
        out.rejects.append(result)
        out.seen.append(Seen(item.source, sha, size, mtime_ns, None))
        return
    try:
        sig = make_signature(result.doc_id, result.cleaned.text, title=result.cleaned.metadata.title,
                             sources=result.cleaned.metadata.sources, params=settings.dedup)
    except Exception as exc:  # a bug on one article must not stop the run: recorded, not dropped
        out.rejects.append(Reject(item.source, "cleaner_error", f"signing: {type(exc).__name__}: {exc}", sha))
        out.seen.append(Seen(item.source, sha, size, mtime_ns, None))
        return
    out.articles.append(result)
    out.signatures.append(sig)
    out.seen.append(Seen(item.source, sha, size, mtime_ns, result.doc_id))


def _warc_records(item: RawItem, size: int, mtime_ns: int, settings: Settings, known: dict[str, str],
                  out: BatchOutput) -> Iterator[None]:
    """Each HTML response record of a WARC file into `out`, one at a time (yields after each).

    Records are recorded in the manifest with the WARC file's size and mtime, so that a later run
    skips the whole file when these are unchanged; a reject of the file itself (`corrupt_warc`,
    unreadable) is not, so such a file is looked at again."""
    for found in iter_warc(Path(item.path), raw_root=Path(item.path).parent, limits=settings.limits,
                           source=item.source):
        if isinstance(found, RawReject):
            out.rejects.append(Reject(found.source, found.reason, found.detail))
            is_record = found.source != item.source
            out.seen.append(Seen(found.source, None, size if is_record else -1, mtime_ns if is_record else -1, None))
        else:
            record, payload = found
            _add(out, record, payload, size, mtime_ns, settings, known)
        yield


def _item_outputs(item: RawItem, settings: Settings, known: dict[str, str], out: BatchOutput) -> Iterator[None]:
    """One raw file (a WARC file: each of its records) into `out`; yields after each input."""
    try:
        st = os.stat(item.path)
        if is_warc(item.source):
            yield from _warc_records(item, st.st_size, st.st_mtime_ns, settings, known, out)
            return
        data = read_bytes(item, settings.limits)
    except RejectError as exc:
        out.rejects.append(Reject(item.source, exc.reason, exc.detail))
        out.seen.append(Seen(item.source, None, -1, -1, None))
        yield
        return
    except OSError as exc:
        reason = "vanished" if isinstance(exc, FileNotFoundError) else "unreadable"
        out.rejects.append(Reject(item.source, reason, f"{type(exc).__name__}: {exc}"))
        out.seen.append(Seen(item.source, None, -1, -1, None))
        yield
        return
    if looks_like_warc(data):  # a WARC file under another name
        del data
        yield from _warc_records(item, st.st_size, st.st_mtime_ns, settings, known, out)
        return
    _add(out, item, data, st.st_size, st.st_mtime_ns, settings, known)
    yield


def iter_batch(items: Iterable[RawItem], settings: Settings, known: dict[str, str] | None = None,
               chunk_size: int = 256) -> Iterator[BatchOutput]:
    """Read, decode, clean and sign raw files, handing the results over in chunks of about
    `chunk_size` inputs, so that a caller can write each chunk and let it go (a WARC file of any
    size expands into many chunks). Always yields at least one chunk.

    `known` maps a source to the sha256 the corpus already holds for it: an input whose bytes
    still hash the same is counted as unchanged and produces nothing.
    """
    known = known or {}
    out = BatchOutput()
    yielded = False
    for item in items:
        for _ in _item_outputs(item, settings, known, out):
            if len(out.seen) >= chunk_size:
                # hand the chunk over and empty `out` in place (the item generator holds it)
                yield BatchOutput(out.articles, out.signatures, out.rejects, out.seen, out.unchanged)
                yielded = True
                out.articles, out.signatures, out.rejects, out.seen, out.unchanged = [], [], [], [], 0
    if out.seen or out.unchanged or not yielded:
        yield out


def process_batch(items: Sequence[RawItem], settings: Settings,
                  known: dict[str, str] | None = None) -> BatchOutput:
    """`iter_batch` in one piece."""
    total = BatchOutput()
    for out in iter_batch(items, settings, known, chunk_size=sys.maxsize):
        total.articles += out.articles
        total.signatures += out.signatures
        total.rejects += out.rejects
        total.seen += out.seen
        total.unchanged += out.unchanged
    return total


def batch_known(items: Iterable[RawItem], known: dict[str, str]) -> dict[str, str]:
    """The part of `known` (source -> sha256) a batch needs: its files, and the records of its
    WARC files (sources ``"<file>#<offset>"``)."""
    if not known:
        return {}
    sources = {it.source for it in items}
    return {src: sha for src, sha in known.items() if src in sources or src.rpartition("#")[0] in sources}


def iter_inputs(paths: Iterable[Path], limits: Limits = Limits()) -> Iterator[tuple[RawItem, bytes] | RawReject]:
    """Files and folders (recursively), as `(item, bytes)` or a reject, WARC files expanded into
    their HTML records. A file's source is its path as found: as given, or joined to the folder
    given (a WARC record's is that path plus `#<offset>`)."""
    for p in paths:
        p = Path(p)
        found_items = ((RawItem(source=str(p / f.source), path=f.path) if isinstance(f, RawItem)
                        else RawReject(str(p / f.source), f.reason, f.detail)) for f in discover(p)) \
            if p.is_dir() else iter([RawItem(source=str(p), path=str(p))])
        for item in found_items:
            if isinstance(item, RawReject):
                yield item
            else:
                yield from read_item(item, raw_root=Path(item.path).parent, limits=limits)