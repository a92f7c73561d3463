"""Reading raw inputs from a folder safely: discovery, capped reads, WARC records, hashing.

Nothing here raises on bad input; problems become `RawReject(source, reason, detail)` records
(from `discover`, `iter_warc`, `iter_raw`) or `RejectError(reason, detail)` (from `read_bytes`).

Discovery rules (`discover`):

- The walk is recursive with `os.scandir`, entries sorted by name (code-point order), so the
  order is deterministic.
- Hidden entries (names starting with ".") are skipped, files and directories alike: they are
  editor swap files, ``.DS_Store``, ``.git`` and the like, never articles.
- Every other regular file is taken whatever its extension (or none): the decoder sniffs gzip,
  binary and HTML from the content. WARC files (named ``.warc``/``.warc.gz``, see `is_warc`, or
  whose content starts with ``WARC/``, see `looks_like_warc`) are expanded by `iter_raw`.
- Symlinks are never followed out of the raw root: a link whose target resolves outside it gives
  ``symlink_outside_raw``. A link to a file inside the root is followed (its item's ``path`` is
  the resolved target, its ``source`` the link's own name). A link to a directory is not walked
  (``symlink_dir``): the target, being inside the root, is walked under its own name anyway, and
  this rules out symlink loops. A dangling link gives ``broken_symlink``.
- FIFOs, sockets and devices give ``not_regular_file``; an unreadable directory gives
  ``unreadable_dir``.
- Odd names (spaces, unicode, leading dash, newline) are kept as they are. Names that are not
  valid UTF-8 (possible on POSIX) keep their real ``path`` but get a ``source`` with the bad bytes
  written as ``\\xNN`` so it can be stored as text.

Reading (`read_bytes`) opens with ``O_NOFOLLOW | O_NONBLOCK`` (a file swapped for a symlink or a
FIFO after discovery neither escapes nor blocks), checks the size against
``Limits.max_file_bytes`` before and while reading, and compares ``fstat`` size and
``mtime_ns`` before and after: a file that changes while read is re-read once, then rejected
with ``changed_while_reading``. A change that keeps both size and mtime_ns is not detectable.

WARC (`iter_warc`) uses warcio (pure Python, installs cleanly with pip on 3.11) and streams the
file: each ``response`` (or ``resource``) record with an HTML content type and a 2xx status yields
its payload (HTTP headers stripped, chunked transfer and content encodings undone), capped at
``Limits.max_file_bytes`` per record; the WARC file itself has no size cap. Skipped records are
counted in the optional ``stats`` dict. A corrupt or truncated WARC yields ``corrupt_warc`` for
the file after the records read so far.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cleaners.decode import Limits
from cleaners.model import RejectError


@dataclass(frozen=True, slots=True)
class RawItem:
    """One input: a file, or one record of a WARC file."""

    source: str
    """Path relative to the raw root, POSIX; for a WARC record ``"file.warc.gz#<offset>"``."""
    path: str
    """Absolute path of the file to open (for a followed symlink, its resolved target)."""
    member: str | None = None
    """WARC-Record-ID for WARC records, else None."""
    url: str | None = None
    """WARC-Target-URI for WARC records, else None."""
    fetched: str | None = None
    """WARC-Date (ISO 8601 timestamp, as written in the WARC) for WARC records, else None."""
    charset: str | None = None
    """Charset declared by the HTTP Content-Type of a WARC record: pass to
    ``decode(..., charset_hint=item.charset)``."""


@dataclass(frozen=True, slots=True)
class RawReject:
    """An input that cannot be used, with a short reason code and a detail for people."""

    source: str
    reason: str
    detail: str


# --------------------------------------------------------------------------------------------
# hashing


def content_sha256(data: bytes) -> str:
    """Hex SHA-256 of raw bytes (the key for incremental runs)."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# discovery


def _printable_name(name: str) -> str:
    """`name` with undecodable bytes (surrogate escapes from os.fsdecode) as ``\\xNN``."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def discover(raw_root: Path) -> Iterator[RawItem | RawReject]:
    """Every candidate input under `raw_root`, deterministic order; see the module docstring."""
    root = os.path.realpath(raw_root)
    if not os.path.isdir(root):
        yield RawReject(_printable_name(str(raw_root)), "unreadable_dir", "raw root is not a directory")
        return
    yield from _walk(root, root, "")


def _list(directory: str, prefix: str) -> tuple[list[os.DirEntry[str]], RawReject | None]:
    try:
        with os.scandir(directory) as it:
            return sorted(it, key=lambda e: e.name), None
    except OSError as exc:
        detail = f"{type(exc).__name__}: {exc.strerror or exc}"
        return [], RawReject(prefix.rstrip("/") or ".", "unreadable_dir", detail)


def _walk(root: str, directory: str, prefix: str) -> Iterator[RawItem | RawReject]:
    """Depth-first, sorted; iterative so that deep trees cannot exhaust the recursion limit."""
    stack: list[tuple[Iterator[os.DirEntry[str]], str]] = []
    entries, problem = _list(directory, prefix)
    if problem:
        yield problem
    stack.append((iter(entries), prefix))
    while stack:
        it, prefix = stack[-1]
        entry = next(it, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        source = prefix + _printable_name(entry.name)
        try:
            if entry.is_symlink():
                yield from _symlink(root, entry, source)
            elif entry.is_dir(follow_symlinks=False):
                entries, problem = _list(entry.path, source + "/")
                if problem:
                    yield problem
                stack.append((iter(entries), source + "/"))
            elif entry.is_file(follow_symlinks=False):
                yield RawItem(source=source, path=entry.path)
            else:
                yield RawReject(source, "not_regular_file", _kind(entry.path))
        except OSError as exc:  # vanished or unreadable between listing and stat
            yield RawReject(source, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}")


def _kind(path: str) -> str:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "vanished during discovery"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return f"not a regular file (mode {oct(mode)})"


def _symlink(root: str, entry: os.DirEntry[str], source: str) -> Iterator[RawItem | RawReject]:
    target = os.path.realpath(entry.path)  # resolves chains; loops end unresolved
    if not _within(target, root):
        yield RawReject(source, "symlink_outside_raw", "symbolic link to a path outside the raw root (not followed)")
        return
    try:
        st = os.stat(target)
    except OSError as exc:
        reason = "symlink_loop" if exc.errno == errno.ELOOP else "broken_symlink"
        yield RawReject(source, reason, f"symbolic link that does not resolve: {exc.strerror or exc}")
        return
    if stat.S_ISDIR(st.st_mode):
        yield RawReject(source, "symlink_dir", "symbolic link to a directory inside the raw root (walked under its own name)")
    elif stat.S_ISREG(st.st_mode):
        yield RawItem(source=source, path=target)
    else:
        yield RawReject(source, "not_regular_file", "symbolic link to " + _kind(target))


# --------------------------------------------------------------------------------------------
# reading


def _read_all(fd: int, cap: int) -> bytes:
    """Read `fd` to its end, at most `cap` bytes. (A separate function so tests can hook it.)"""
    chunks: list[bytes] = []
    total = 0
    while total < cap:
        chunk = os.read(fd, min(1 << 20, cap - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_bytes(item: RawItem, limits: Limits = Limits()) -> bytes:
    """The bytes of a discovered file, or RejectError: ``vanished``, ``too_large``,
    ``changed_while_reading``, ``not_regular_file``, ``unreadable``."""
    for attempt in (1, 2):
        data, changed = _read_once(item, limits)
        if not changed:
            return data
    raise RejectError("changed_while_reading", f"{item.source} changed while being read ({changed}), twice")


def _read_once(item: RawItem, limits: Limits) -> tuple[bytes, str]:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(item.path, flags)
    except FileNotFoundError:
        raise RejectError("vanished", f"{item.source} no longer exists") from None
    except IsADirectoryError:
        raise RejectError("not_regular_file", f"{item.source} is now a directory") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # the path became a symlink after discovery
            raise RejectError("not_regular_file", f"{item.source} became a symbolic link") from None
        raise RejectError("unreadable", f"{item.source}: {exc.strerror or exc}") from None
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise RejectError("not_regular_file", f"{item.source} is no longer a regular file")
        cap = limits.max_file_bytes
        if before.st_size > cap:
            raise RejectError("too_large", f"{before.st_size} bytes > max_file_bytes {cap}")
        try:
            data = _read_all(fd, cap + 1)
        except OSError as exc:
            raise RejectError("unreadable", f"{item.source}: {exc.strerror or exc}") from None
        if len(data) > cap:
            raise RejectError("too_large", f"more than max_file_bytes {cap} bytes (grew while read)")
        after = os.fstat(fd)
    finally:
        os.close(fd)
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        return data, f"size {before.st_size} -> {after.st_size}, mtime_ns {before.st_mtime_ns} -> {after.st_mtime_ns}"
    if len(data) != after.st_size:
        return data, f"read {len(data)} bytes of {after.st_size}"
    return data, ""


# --------------------------------------------------------------------------------------------
# WARC

_WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")


def is_warc(path: str | os.PathLike[str]) -> bool:
    """True for names ending in ``.warc``, ``.warc.gz``, ``.arc`` or ``.arc.gz``."""
    return os.fspath(path).lower().endswith(_WARC_SUFFIXES)


def looks_like_warc(data: bytes) -> bool:
    """True when the bytes (gzipped or not) start with a WARC version line."""
    head = data[:4096]
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def _relative(path: Path, raw_root: Path) -> str:
    try:
        rel = Path(os.path.realpath(path)).relative_to(os.path.realpath(raw_root))
        return _printable_name(rel.as_posix())
    except ValueError:
        return _printable_name(Path(path).name)


def _charset_of(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return None


def iter_warc(
    path: Path,
    *,
    raw_root: Path,
    limits: Limits = Limits(),
    stats: dict[str, int] | None = None,
    source: str | None = None,
) -> Iterator[tuple[RawItem, bytes] | RawReject]:
    """Stream a WARC file: ``(RawItem, payload bytes)`` for each HTML response, `RawReject` for a
    record or file that cannot be used. `stats` (if given) counts ``records``, ``html``,
    ``skipped_type``, ``skipped_not_html``, ``skipped_status``, ``rejected``. `source` names the
    file in records' sources (default: its path relative to `raw_root`)."""

    counts = stats if stats is not None else {}
    for key in ("records", "html", "skipped_type", "skipped_not_html", "skipped_status", "rejected"):
        counts.setdefault(key, 0)
    file_source = source if source is not None else _relative(path, raw_root)
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        counts["rejected"] += 1
        yield RawReject(file_source, "vanished", f"{file_source} no longer exists")
        return
    except OSError as exc:
        counts["rejected"] += 1
        yield RawReject(file_source, "unreadable", f"{exc.strerror or exc}")
        return
    with fh:
        yield from _iter_warc_open(fh, file_source, os.path.abspath(path), limits, counts)


def _corrupt(file_source: str, detail: str, counts: dict[str, int]) -> RawReject:
    counts["rejected"] += 1
    return RawReject(file_source, "corrupt_warc", detail[:500])


def _iter_warc_open(fh, file_source: str, abspath: str, limits: Limits, counts: dict[str, int]):  # type: ignore[no-untyped-def]
    from warcio.archiveiterator import ArchiveIterator

    if not looks_like_warc(fh.read(4096)):
        yield _corrupt(file_source, "does not start with a WARC/ version line", counts)
        return
    fh.seek(0)
    size = os.fstat(fh.fileno()).st_size
    iterator = ArchiveIterator(fh, check_digests=False)
    records = iter(iterator)
    last_end = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except Exception as exc:  # warcio raises many kinds on corrupt input
            yield _corrupt(file_source, f"after byte {last_end}: {type(exc).__name__}: {exc}", counts)
            return
        counts["records"] += 1
        try:
            if record.rec_type is None or record.rec_headers.get_header("WARC-Record-ID") is None:
                yield _corrupt(file_source, f"record after byte {last_end} has no WARC-Type or WARC-Record-ID", counts)
                return
            result = _warc_record(record, limits, counts)
            offset = iterator.get_record_offset()  # reads the record to its end
            if getattr(record.raw_stream, "limit", 0) > 0:
                yield _corrupt(file_source, f"record at byte {offset} is truncated", counts)
                return
            last_end = offset + iterator.get_record_length()
        except Exception as exc:
            yield _corrupt(file_source, f"record after byte {last_end}: {type(exc).__name__}: {exc}", counts)
            return
        if result is None:
            continue
        source = f"{file_source}#{offset}"
        if isinstance(result, RawReject):
            counts["rejected"] += 1
            yield RawReject(source, result.reason, result.detail)
            continue
        counts["html"] += 1
        fields, payload = result
        yield RawItem(source=source, path=abspath, **fields), payload
    if size - last_end > 4:
        fh.seek(last_end)
        tail = fh.read(4096)
        if tail.strip(b"\r\n\x00 \t"):
            yield _corrupt(
                file_source,
                f"truncated or damaged: {size - last_end} bytes after the last complete record "
                f"(ending at byte {last_end}) could not be read",
                counts,
            )


def _warc_record(record, limits: Limits, counts: dict[str, int]):  # type: ignore[no-untyped-def]
    """None (skipped), a RawReject (source filled in by the caller), or (RawItem fields, payload)."""
    if record.rec_type not in ("response", "resource"):
        counts["skipped_type"] += 1
        return None
    if record.rec_type == "response":
        if record.http_headers is None:
            counts["skipped_not_html"] += 1
            return None
        status = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            counts["skipped_status"] += 1
            return None
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    if content_type.split(";")[0].strip().lower() not in _HTML_TYPES:
        counts["skipped_not_html"] += 1
        return None
    cap = limits.max_file_bytes
    try:
        payload = record.content_stream().read(cap + 1)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        return RawReject("", "corrupt_record", f"payload cannot be read: {type(exc).__name__}: {exc}"[:500])
    if len(payload) > cap:
        return RawReject("", "too_large", f"record payload over max_file_bytes {cap}")
    fields = {
        "member": record.rec_headers.get_header("WARC-Record-ID"),
        "url": record.rec_headers.get_header("WARC-Target-URI"),
        "fetched": record.rec_headers.get_header("WARC-Date"),
        "charset": _charset_of(content_type),
    }
    return fields, payload


# --------------------------------------------------------------------------------------------
# everything together


def iter_raw(
    raw_root: Path,
    limits: Limits = Limits(),
    stats: dict[str, int] | None = None,
) -> Iterator[tuple[RawItem, bytes] | RawReject]:
    """`discover` + `read_bytes` + `iter_warc`: every input's bytes, or a reject, in order.

    WARC files are recognised by name (`is_warc`, no size cap) or, for other names, by content
    (`looks_like_warc`, after a capped read)."""
    for found in discover(raw_root):
        if isinstance(found, RawReject):
            yield found
        else:
            yield from read_item(found, raw_root=raw_root, limits=limits, stats=stats)


def read_item(
    item: RawItem,
    *,
    raw_root: Path,
    limits: Limits = Limits(),
    stats: dict[str, int] | None = None,
) -> Iterator[tuple[RawItem, bytes] | RawReject]:
    """One discovered file's bytes, or its WARC records' (recognised by name, with no size cap, or
    by content after a capped read), or a reject."""
    if is_warc(item.source):
        yield from iter_warc(Path(item.path), raw_root=raw_root, limits=limits, stats=stats, source=item.source)
        return
    try:
        data = read_bytes(item, limits)
    except RejectError as exc:
        yield RawReject(item.source, exc.reason, exc.detail)
        return
    if looks_like_warc(data):
        yield from iter_warc(Path(item.path), raw_root=raw_root, limits=limits, stats=stats, source=item.source)
    else:
        yield item, data


__all__ = [
    "RawItem",
    "RawReject",
    "content_sha256",
    "discover",
    "is_warc",
    "iter_raw",
    "looks_like_warc",
    "iter_warc",
    "read_bytes",
    "read_item",
    "sha256_file",
]
