"""The Parquet corpus: schemas, staged writes, the atomic commit, reading what is there.

Layout under the output folder::

    articles/part-<run>-<batch>.parquet     kept articles
    duplicates/part-<run>.parquet           one row per file judged a duplicate
    rejects/part-<run>.parquet              one row per file that could not be curated
    manifest/part-<run>.parquet             every raw file a run saw: path, hash, size, mtime, outcome
    signatures/part-<run>-<batch>.parquet   dedup signatures of kept articles (incremental runs)
    dedup_index/part-<run>-<batch>.idx      the dedup index segment of the signatures part of the
                                            same name (band keys, corpus counts; see dedup_index)
    reports/<run>.md, reports/latest.md     the run report
    _staging/<run>/                         work in progress (readers ignore names starting with _)
    .lock, .lock.owner                      held while a run writes; who holds it

Commits. A run stages every file it will publish under `_staging/<run>/commit/` (new parts, the
rewritten parts of files it supersedes, its report), fsyncs them, then writes `JOURNAL.json`
listing them: that write is the commit point. It then renames each file into place and removes
the staging. Every file appears by a rename, so a reader never sees a partial Parquet file. A run
killed before the journal leaves only staging debris, which the next run deletes (the corpus is as
before and the next run redoes the work); a run killed after it is completed by the next run's
`recover()`: re-applying a journal only renames the files still waiting, so it is idempotent and
no row is ever written twice, even when the recovery itself is killed.

Index segments. Each signatures part has a segment of the dedup index, written in the same commit
(and rewritten with it), holding a fingerprint of the part's bytes and of the banding it was made
with. A segment that is missing (a corpus written by an older version), does not match its part
or was made with other dedup parameters is rebuilt from the part when a run reads the index, so
the index can never disagree with the signatures it stands for.

Reruns. A file the corpus already holds, seen again with other bytes, supersedes its earlier
version: the commit that adds the new rows rewrites the parts holding the old ones without them.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import socket
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Collection, Iterable, Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xxhash
from filelock import FileLock, Timeout

from cleaners import faults
from cleaners.dedup import SIGNATURE_SCHEMA, Decision, DedupParams, Signature, make_signature, signature_key
from cleaners.dedup_index import Held, HeldSource, Segment, doc_id_hash, layout_key
from cleaners.dedup_index import _isin as isin
from cleaners.pipeline import Article, BatchOutput, Reject, Seen

log = logging.getLogger(__name__)

COMPRESSION = "zstd"

REMOVED_TYPE = pa.list_(pa.struct([("text", pa.string()), ("reason", pa.string())]))

ARTICLES_SCHEMA = pa.schema([
    ("doc_id", pa.string()),
    ("source", pa.string()),
    ("source_sha256", pa.string()),
    ("format", pa.string()),
    ("encoding", pa.string()),
    ("url", pa.string()),
    ("fetched", pa.string()),
    ("title", pa.string()),
    ("subtitle", pa.string()),
    ("authors", pa.list_(pa.string())),
    ("published", pa.date32()),
    ("site_name", pa.string()),
    ("sources", pa.list_(pa.string())),
    ("text", pa.string()),
    ("word_count", pa.int32()),
    ("removed", REMOVED_TYPE),
    ("run_id", pa.string()),
])

DUPLICATES_SCHEMA = pa.schema([
    ("source", pa.string()),
    ("source_sha256", pa.string()),
    ("doc_id", pa.string()),
    ("title", pa.string()),
    ("duplicate_of", pa.string()),
    ("kind", pa.string()),
    ("score", pa.float64()),
    ("evidence", pa.string()),
    ("run_id", pa.string()),
])

REJECTS_SCHEMA = pa.schema([
    ("source", pa.string()),
    ("source_sha256", pa.string()),
    ("reason", pa.string()),
    ("detail", pa.string()),
    ("run_id", pa.string()),
])

MANIFEST_SCHEMA = pa.schema([
    ("source", pa.string()),
    ("source_sha256", pa.string()),
    ("size", pa.int64()),
    ("mtime_ns", pa.int64()),
    ("doc_id", pa.string()),
    ("outcome", pa.string()),  # article | duplicate | reject
    ("run_id", pa.string()),
])

TABLES = ("articles", "duplicates", "rejects", "manifest", "signatures")


class CorpusBusy(RuntimeError):
    """Another run holds the output folder."""


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def article_rows(articles: Sequence[Article], run_id: str) -> pa.Table:
    cols: dict[str, list] = {name: [] for name in ARTICLES_SCHEMA.names}
    for a in articles:
        m = a.cleaned.metadata
        cols["doc_id"].append(a.doc_id)
        cols["source"].append(a.source)
        cols["source_sha256"].append(a.source_sha256)
        cols["format"].append(a.format)
        cols["encoding"].append(a.encoding)
        cols["url"].append(a.url or m.url)
        cols["fetched"].append(a.fetched)
        cols["title"].append(m.title)
        cols["subtitle"].append(m.subtitle)
        cols["authors"].append(list(m.authors))
        cols["published"].append(_date(m.published))
        cols["site_name"].append(m.site_name)
        cols["sources"].append(list(m.sources))
        cols["text"].append(a.cleaned.text)
        cols["word_count"].append(a.word_count)
        cols["removed"].append([{"text": r.text, "reason": r.reason} for r in a.cleaned.removed])
        cols["run_id"].append(run_id)
    return pa.table(cols, schema=ARTICLES_SCHEMA)


def _fsync_dir(path: Path) -> None:
    """Make the names in a folder durable (a rename is only on disk once its folder is synced)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(table: pa.Table, path: Path) -> None:
    """Write a Parquet file under a temporary name, fsync it, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, compression=COMPRESSION)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _write_text(text: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _parts(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.parquet") if not p.name.startswith((".", "_")))


def read_table(folder: Path, columns: Sequence[str] | None = None, schema: pa.Schema | None = None) -> pa.Table:
    """All parts of one corpus table (empty table with `schema` if there are none)."""
    parts = _parts(folder)
    if not parts:
        if schema is None:
            return pa.table({})
        empty = schema.empty_table()
        return empty.select(list(columns)) if columns else empty
    return pa.concat_tables([pq.read_table(p, columns=list(columns) if columns else None) for p in parts])


def signature_rows(signatures: Sequence[Signature]) -> pa.Table:
    records = [s.to_record() for s in signatures]
    return pa.table({name: [r[name] for r in records] for name in SIGNATURE_SCHEMA.names}, schema=SIGNATURE_SCHEMA)


_SIG_FIELDS = tuple(f.name for f in fields(Signature))
_SIG_TUPLES = frozenset(f.name for f in fields(Signature) if str(f.type).startswith("tuple"))


def _string_tuples(column: pa.ChunkedArray, shared: dict[str, str]) -> list[tuple[str, ...]]:
    """A list<string> column as tuples, one string object per distinct value (feature strings
    repeat across documents: this halves the memory the signatures of a large corpus take, and
    is faster than converting row by row)."""
    out: list[tuple[str, ...]] = []
    for chunk in column.chunks:
        flat = chunk.flatten()
        if flat.null_count:
            out.extend(tuple(shared.setdefault(x, x) for x in v if x is not None) if v else ()
                       for v in chunk.to_pylist())
            continue
        enc = pc.dictionary_encode(flat)
        uniq = [shared.setdefault(x, x) for x in enc.dictionary.to_pylist()]
        values = [uniq[i] for i in enc.indices.to_numpy(zero_copy_only=False).tolist()]
        offsets = chunk.offsets.to_numpy()
        offsets = (offsets - offsets[0]).tolist()
        out.extend(tuple(values[a:b]) for a, b in zip(offsets, offsets[1:]))
    return out


def read_signatures(parts: Iterable[Path]) -> list[Signature]:
    """Signatures from Parquet parts, converted column by column (several times faster than
    row dicts)."""
    out: list[Signature] = []
    shared: dict[str, str] = {}
    for part in parts:
        out.extend(_table_signatures(pq.read_table(part), shared))
    return out


def read_signature_rows(part: Path, rows: Sequence[int]) -> list[Signature]:
    """The signatures of some rows of one part, in the order given."""
    table = pq.read_table(part).take(pa.array(list(rows), type=pa.int64()))
    return _table_signatures(table, {})


def _table_signatures(table: pa.Table, shared: dict[str, str]) -> list[Signature]:
    table = table.combine_chunks()  # one dictionary per column below, not one per row group
    cols = []
    for name in _SIG_FIELDS:
        if name not in table.column_names:
            default = next(f for f in fields(Signature) if f.name == name).default
            cols.append([default] * table.num_rows)
        elif name in _SIG_TUPLES:
            cols.append(_string_tuples(table.column(name), shared))
        elif name == "key":  # one string object per distinct key
            cols.append([shared.setdefault(k, k) if k else "" for k in table.column(name).to_pylist()])
        else:
            cols.append(table.column(name).to_pylist())
    return [Signature(*row) for row in zip(*cols)]


INDEX_DIR = "dedup_index"


def part_fingerprint(path: Path) -> str:
    """Size and xxh3 hash of a file's bytes."""
    h = xxhash.xxh3_64()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return f"{size}:{h.hexdigest()}"


def build_segment(part: Path, params: DedupParams, table: pa.Table | None = None) -> Segment:
    """The index segment of one signatures part (its table, if already read)."""
    if table is None:
        table = pq.read_table(part)
    return Segment.from_table(table, params, fingerprint=part_fingerprint(part))


class _PartWriters:
    """Parquet files written row group by row group under temporary names, renamed into place
    (fsynced) on close; deleted on abort. A file that gets no rows is not created."""

    def __init__(self, targets: dict[str, tuple[Path, pa.Schema]]) -> None:
        self.targets = targets
        self.open: dict[str, tuple[pq.ParquetWriter, Path]] = {}

    def write(self, key: str, table: pa.Table) -> None:
        if key not in self.open:
            path, schema = self.targets[key]
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            self.open[key] = (pq.ParquetWriter(tmp, schema, compression=COMPRESSION), tmp)
        self.open[key][0].write_table(table)

    def close(self) -> None:
        for key, (writer, tmp) in self.open.items():
            writer.close()
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, self.targets[key][0])
        self.open.clear()

    def abort(self) -> None:
        for writer, tmp in self.open.values():
            try:
                writer.close()
            finally:
                tmp.unlink(missing_ok=True)
        self.open.clear()


@dataclass
class StagedBatch:
    """What a clean task hands back to the flow: counts and small lists, never texts."""

    batch_no: int
    articles: int
    unchanged: int
    rejects: list[Reject] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    removed_reasons: Counter = field(default_factory=Counter)
    seconds: float = 0.0  # wall time the worker spent on the batch (read, clean, sign, stage)
    cpu_seconds: float = 0.0  # CPU time of the same


@dataclass
class CommitResult:
    run_id: str
    articles: int
    duplicates: int
    rejects: int
    files: list[str]
    superseded: int = 0  # article rows of earlier versions of changed files, removed by this commit


class Corpus:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.staging_root = self.root / "_staging"
        self.reports = self.root / "reports"

    def table_dir(self, name: str) -> Path:
        return self.root / name

    # ---- locking and recovery -------------------------------------------------------------
    @contextmanager
    def lock(self, timeout: float = 0) -> Iterator[None]:
        """Hold the output folder for one run. Waits up to `timeout` seconds, then CorpusBusy.

        The lock is an OS lock on `<out>/.lock`: the kernel drops it when the holder exits, even
        on SIGKILL, so a crashed run never blocks the next one. While it is held,
        `<out>/.lock.owner` says who holds it (a stale one left by a killed run means nothing).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / ".lock"))
        owner = self.root / ".lock.owner"
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            try:
                holder = f", held by {owner.read_text(encoding='utf-8').strip()}"
            except OSError:
                holder = ""
            raise CorpusBusy(
                f"another run is writing to {self.root} (lock {self.root / '.lock'}{holder}); "
                f"gave up after waiting {timeout:g} s") from None
        try:
            try:
                owner.write_text(f"pid {os.getpid()} on {socket.gethostname()} since "
                                 f"{dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')}\n",
                                 encoding="utf-8")
            except OSError:
                pass
            faults.point("locked")
            yield
        finally:
            owner.unlink(missing_ok=True)
            lock.release()

    def recover(self) -> list[str]:
        """Finish commits that were interrupted after their journal, and clear other debris.

        Call it holding the lock, before anything else. A journal is re-applied from the start:
        every step is a rename whose source either still waits in the staging (not done yet) or
        is gone (done), so a recovery that is itself killed is simply completed by the next one.
        """
        notes = []
        if not self.staging_root.is_dir():
            return notes
        for run_dir in sorted(self.staging_root.iterdir()):
            journal = run_dir / "JOURNAL.json"
            if journal.is_file():
                self._apply(run_dir, _journal_files(journal), point="recover-rename")
                journal.unlink()
                _fsync_dir(run_dir)
                notes.append(f"completed the interrupted commit of run {run_dir.name}")
            else:
                notes.append(f"cleared the unfinished staging of run {run_dir.name}")
            shutil.rmtree(run_dir, ignore_errors=True)
        return notes

    # ---- reading ----------------------------------------------------------------------------
    def manifest(self) -> dict[str, tuple[str | None, int, int, str]]:
        """source -> (sha256, size, mtime_ns, outcome) of the latest version the corpus holds."""
        t = read_table(self.table_dir("manifest"), schema=MANIFEST_SCHEMA,
                       columns=["source", "source_sha256", "size", "mtime_ns", "outcome"])
        out: dict[str, tuple[str | None, int, int, str]] = {}
        for src, sha, size, mtime, outcome in zip(*(t.column(i).to_pylist() for i in range(5))):
            out[src] = (sha, size, mtime, outcome)
        return out

    def signatures(self, exclude: Collection[str] = (), params: DedupParams | None = None) -> list[Signature]:
        """The signatures of the kept articles (what a new run is deduplicated against), minus the
        doc_ids in `exclude`. With `params`, signatures made by other signature code or other
        signature-shaping parameters (another ``signature_key``, e.g. stored by an older
        version) are made again from the stored texts, so that they compare with the run's."""
        sigs = read_signatures(_parts(self.table_dir("signatures")))
        if exclude:
            exclude = set(exclude)
            sigs = [s for s in sigs if s.doc_id not in exclude]
        if params is not None:
            key = signature_key(params)
            stale = {s.doc_id for s in sigs if s.key != key}
            if stale:
                fresh = self._resign(stale, params)
                sigs = [fresh.get(s.doc_id, s) if s.doc_id in stale else s for s in sigs]
        return sigs

    def _resign(self, doc_ids: set[str], params: DedupParams) -> dict[str, Signature]:
        """Signatures of these kept articles made again from their stored texts, part by part."""
        log.warning("%d stored signatures were made with other signature code or parameters than "
                    "%s; making them again from the stored texts", len(doc_ids), signature_key(params))
        want = pa.array(sorted(doc_ids), type=pa.string())
        out: dict[str, Signature] = {}
        for part in _parts(self.table_dir("articles")):
            f = pq.ParquetFile(part)
            for i in range(f.num_row_groups):
                t = f.read_row_group(i, columns=["doc_id", "title", "sources", "text"])
                t = t.filter(pc.is_in(t.column("doc_id"), value_set=want))
                for doc_id, title, sources, text in zip(*(t.column(c).to_pylist() for c in
                                                          ("doc_id", "title", "sources", "text"))):
                    out[doc_id] = make_signature(doc_id, text or "", title=title, sources=sources or (),
                                                 params=params)
        return out

    def _migrate_signatures(self, part: Path, table: pa.Table, key: str,
                            params: DedupParams) -> tuple[pa.Table, set[str]]:
        """Rewrite a signatures part made by other signature code or parameters with signatures
        made again from the stored texts, so later runs read them as they are instead of signing
        the same articles again at every run. The part is replaced atomically (same rows, same
        order; a kill leaves the old part, migrated by the next run). Returns the part's table and
        its set of keys (a row whose text is missing keeps its old signature and key)."""
        sigs = _table_signatures(table, {})
        fresh = self._resign({s.doc_id for s in sigs if s.key != key}, params)
        if not fresh:
            return table, {s.key for s in sigs}
        new = [fresh.get(s.doc_id, s) for s in sigs]
        table = pa.Table.from_pylist([s.to_record() for s in new], schema=SIGNATURE_SCHEMA)
        _write(table, part)
        _fsync_dir(part.parent)
        log.info("signatures part %s made again with %s", part.name, key)
        return table, {s.key for s in new}

    def held_index(self, params: DedupParams, exclude: Collection[str] = ()) -> Held:
        """The kept articles' signatures as the dedup stage sees them: one index segment per
        signatures part, read from ``dedup_index/`` (rebuilt and saved when missing or stale),
        minus the doc_ids in ``exclude``. Signatures are only read for the few rows a run's
        candidates need. A part holding signatures of another ``signature_key`` (an older build,
        other signature parameters) is signed again from the stored texts and rewritten once."""
        layout = layout_key(params)
        key = signature_key(params)
        exclude = set(exclude)
        ex = np.array(sorted({doc_id_hash(d) for d in exclude}), dtype=np.uint64)
        plan: list[tuple[Path, Path, int, list[Signature] | None]] = []
        for part in _parts(self.table_dir("signatures")):
            seg_path = self.table_dir(INDEX_DIR) / f"{part.stem}.idx"
            meta = Segment.read_meta(seg_path)
            sigs = None
            if meta is None or meta.get("layout") != layout or meta.get("fingerprint") != part_fingerprint(part):
                table = pq.read_table(part)
                n = table.num_rows
                keys = set(table.column("key").to_pylist()) if "key" in table.column_names else {""}
                if not keys <= {key}:
                    table, keys = self._migrate_signatures(part, table, key, params)
                if keys <= {key}:
                    build_segment(part, params, table).save(seg_path)
                else:
                    sigs = _table_signatures(table, {})
            else:
                n = meta["n"]
            if sigs is None and len(ex) and isin(Segment.load_array(seg_path, "ids"), ex).any():
                sigs = read_signatures([part])
            plan.append((part, seg_path, n, sigs))
        # signatures of another key: made again from the stored texts, all in one pass
        stale = {s.doc_id for *_, sigs in plan if sigs is not None for s in sigs
                 if s.key != key and s.doc_id not in exclude}
        fresh = self._resign(stale, params) if stale else {}
        held = Held()
        base = 0
        for part, seg_path, n, sigs in plan:
            if sigs is not None:
                # in memory: without the excluded doc_ids, rows keep their place in the part
                rows = [i for i, s in enumerate(sigs) if s.doc_id not in exclude]
                live = [fresh.get(sigs[i].doc_id, sigs[i]) for i in rows]
                by_row = dict(zip(rows, live))
                mem = Segment.build(live, params, rowmap=np.array(rows, dtype=np.int64))
                held.sources.append(HeldSource(base, n, lambda m=mem: m, lambda rs, d=by_row: [d[r] for r in rs]))
                held.count += len(live)
            else:
                held.sources.append(HeldSource(base, n, lambda p=seg_path: Segment.load(p),
                                               lambda rows, p=part: read_signature_rows(p, rows)))
                held.count += n
            base += n
        return held

    def held(self, sources: Collection[str]) -> set[str]:
        """Those of `sources` the corpus already holds (per the manifest)."""
        if not sources:
            return set()
        t = read_table(self.table_dir("manifest"), columns=["source"], schema=MANIFEST_SCHEMA)
        return set(sources) & set(t.column("source").to_pylist())

    def held_doc_ids(self, sources: Collection[str]) -> set[str]:
        """doc_ids of the kept articles of these raw files (the versions a new run supersedes)."""
        sources = self.held(sources)
        if not sources:
            return set()
        value_set = pa.array(sorted(set(sources)), type=pa.string())
        ids: set[str] = set()
        for part in _parts(self.table_dir("articles")):
            t = pq.read_table(part, columns=["source", "doc_id"])
            ids.update(t.filter(pc.is_in(t.column("source"), value_set=value_set)).column("doc_id").to_pylist())
        return ids

    def dependents(self, sources: Collection[str]) -> set[str]:
        """Raw files judged duplicates of a kept article of one of `sources`.

        When such a kept article is superseded by a new version, these are curated again in the
        same run, so that no duplicate row points to an article the corpus no longer holds.
        """
        ids = self.held_doc_ids(sources)
        if not ids:
            return set()
        t = read_table(self.table_dir("duplicates"), columns=["source", "duplicate_of"], schema=DUPLICATES_SCHEMA)
        hit = pc.is_in(t.column("duplicate_of"), value_set=pa.array(sorted(ids), type=pa.string()))
        return set(t.filter(hit).column("source").to_pylist()) - set(sources)

    def same_rejects(self, rejects: Sequence[Reject]) -> set[str]:
        """Sources of `rejects` the corpus already rejects for the same reason, with the same hash
        (or none): a rerun that meets the same failure again has nothing to write for them."""
        if not rejects:
            return set()
        t = read_table(self.table_dir("rejects"), columns=["source", "source_sha256", "reason"], schema=REJECTS_SCHEMA)
        held = set(zip(*(t.column(c).to_pylist() for c in ("source", "source_sha256", "reason"))))
        return {r.source for r in rejects if (r.source, r.source_sha256, r.reason) in held}

    # ---- staging ------------------------------------------------------------------------------
    def staging(self, run_id: str) -> Path:
        return self.staging_root / run_id

    def stage_batch(self, run_id: str, batch_no: int, out: BatchOutput) -> StagedBatch:
        return self.stage_chunks(run_id, batch_no, [out])

    def stage_chunks(self, run_id: str, batch_no: int, chunks: Iterable[BatchOutput]) -> StagedBatch:
        """Write a batch's articles and signatures to the run's staging area chunk by chunk (one
        Parquet row group per chunk), so only one chunk's texts are in memory at a time."""
        stage = self.staging(run_id)
        name = f"part-{batch_no:06d}.parquet"
        writers = _PartWriters({"clean": (stage / "clean" / name, ARTICLES_SCHEMA),
                                "sig": (stage / "sig" / name, SIGNATURE_SCHEMA)})
        staged = StagedBatch(batch_no, 0, 0)
        try:
            for out in chunks:
                if out.articles:
                    writers.write("clean", article_rows(out.articles, run_id))
                    writers.write("sig", signature_rows(out.signatures))
                for a in out.articles:
                    staged.removed_reasons.update(r.reason for r in a.cleaned.removed)
                staged.articles += len(out.articles)
                staged.unchanged += out.unchanged
                staged.rejects += out.rejects
                staged.seen += out.seen
        except BaseException:
            writers.abort()
            raise
        writers.close()
        if staged.articles:
            faults.point("staged")
        return staged

    def unstage_batch(self, run_id: str, batch_no: int) -> None:
        """Drop whatever a failed batch staged, so that its files are only in rejects/."""
        for kind in ("clean", "sig"):
            (self.staging(run_id) / kind / f"part-{batch_no:06d}.parquet").unlink(missing_ok=True)

    def staged_signatures(self, run_id: str) -> list[Signature]:
        return read_signatures(_parts(self.staging(run_id) / "sig"))

    # ---- commit -------------------------------------------------------------------------------
    def _superseded_parts(self, sources: Collection[str]) -> tuple[dict[str, pa.Table], int]:
        """The existing parts holding rows of `sources` (earlier versions of files this run saw
        again), each rewritten without those rows; and how many article rows that removes."""
        rewrites: dict[str, pa.Table] = {}
        sources = self.held(sources)
        if not sources:
            return rewrites, 0
        value_set = pa.array(sorted(set(sources)), type=pa.string())
        dropped_ids: set[str] = set()
        dropped_articles = 0
        for table in ("articles", "duplicates", "rejects", "manifest"):
            for part in _parts(self.table_dir(table)):
                hit = pc.is_in(pq.read_table(part, columns=["source"]).column("source"), value_set=value_set)
                if not pc.any(hit).as_py():
                    continue
                full = pq.read_table(part)
                if table == "articles":
                    dropped_ids.update(full.filter(hit).column("doc_id").to_pylist())
                    dropped_articles += pc.sum(hit).as_py()
                rewrites[f"{table}/{part.name}"] = full.filter(pc.invert(hit))
        if dropped_ids:
            ids = pa.array(sorted(dropped_ids), type=pa.string())
            for part in _parts(self.table_dir("signatures")):
                hit = pc.is_in(pq.read_table(part, columns=["doc_id"]).column("doc_id"), value_set=ids)
                if pc.any(hit).as_py():
                    rewrites[f"signatures/{part.name}"] = pq.read_table(part).filter(pc.invert(hit))
        return rewrites, dropped_articles

    def commit(self, run_id: str, decisions: Sequence[Decision], rejects: Sequence[Reject],
               seen: Sequence[Seen], report: str | None = None, params: DedupParams | None = None) -> CommitResult:
        """Move a run's staged batches into the corpus, minus the duplicates, as one commit.

        Rows of earlier versions of the files this run saw are removed in the same commit (the
        parts holding them are rewritten), so every raw file has exactly one row in the corpus.
        The commit checks the invariant on what it is about to publish and raises
        InvariantViolation, leaving the corpus untouched, when it does not hold.

        Steps: (1) stage every new and rewritten file under `_staging/<run>/commit/`, fsynced;
        (2) write `JOURNAL.json` naming them — the commit point; (3) rename each into place;
        (4) remove the staging. A kill before (2) leaves the corpus as it was (the next run
        clears the debris and redoes the work); a kill after it is completed by `recover()`.
        Every signatures part written or rewritten gets its dedup index segment in the same commit
        (banded per `params`, the run's dedup parameters).
        """
        params = params or DedupParams()
        stage = self.staging(run_id)
        dest = stage / "commit"
        shutil.rmtree(dest, ignore_errors=True)
        (stage / "JOURNAL.json").unlink(missing_ok=True)
        dups = {d.doc_id: d for d in decisions}
        dup_ids = pa.array(list(dups), type=pa.string())
        files: list[str] = []
        dup_rows: list[dict] = []
        kept_sources: list[str] = []
        for part in _parts(stage / "clean"):
            # row group by row group: one batch's texts at a time, however large the batch
            n = part.stem.split("-")[-1]
            writers = _PartWriters({"articles": (dest / f"articles/part-{run_id}-{n}.parquet", ARTICLES_SCHEMA),
                                    "signatures": (dest / f"signatures/part-{run_id}-{n}.parquet", SIGNATURE_SCHEMA)})
            try:
                clean = pq.ParquetFile(part)
                for i in range(clean.num_row_groups):
                    table = clean.read_row_group(i)
                    is_dup = pc.is_in(table.column("doc_id"), value_set=dup_ids)
                    keep = table.filter(pc.invert(is_dup))
                    kept_sources += keep.column("source").to_pylist()
                    for row in table.filter(is_dup).select(["source", "source_sha256", "doc_id", "title"]).to_pylist():
                        d = dups[row["doc_id"]]
                        dup_rows.append({**row, "duplicate_of": d.duplicate_of, "kind": d.kind, "score": d.score,
                                         "evidence": d.evidence, "run_id": run_id})
                    if keep.num_rows:
                        writers.write("articles", keep)
                sig = pq.ParquetFile(stage / "sig" / part.name)
                for i in range(sig.num_row_groups):
                    table = sig.read_row_group(i)
                    table = table.filter(pc.invert(pc.is_in(table.column("doc_id"), value_set=dup_ids)))
                    if table.num_rows:
                        writers.write("signatures", table)
            except BaseException:
                writers.abort()
                raise
            files += [f"{key}/{path.name}" for key, (path, _) in writers.targets.items() if key in writers.open]
            wrote_sigs = "signatures" in writers.open
            writers.close()
            if wrote_sigs:
                files.append(self._stage_segment(dest, f"signatures/part-{run_id}-{n}.parquet", params))
        if len(dup_rows) != len(dups):
            raise RuntimeError(f"{len(dups) - len(dup_rows)} duplicate decisions name no staged article")
        if dup_rows:
            _write(pa.Table.from_pylist(dup_rows, schema=DUPLICATES_SCHEMA), dest / f"duplicates/part-{run_id}.parquet")
            files.append(f"duplicates/part-{run_id}.parquet")
        if rejects:
            rows = [{"source": r.source, "source_sha256": r.source_sha256, "reason": r.reason,
                     "detail": r.detail, "run_id": run_id} for r in rejects]
            _write(pa.Table.from_pylist(rows, schema=REJECTS_SCHEMA), dest / f"rejects/part-{run_id}.parquet")
            files.append(f"rejects/part-{run_id}.parquet")
        if seen:
            rows = [{"source": s.source, "source_sha256": s.source_sha256, "size": s.size,
                     "mtime_ns": s.mtime_ns, "doc_id": s.doc_id,
                     "outcome": "reject" if s.doc_id is None else ("duplicate" if s.doc_id in dups else "article"),
                     "run_id": run_id} for s in seen]
            _write(pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA), dest / f"manifest/part-{run_id}.parquet")
            files.append(f"manifest/part-{run_id}.parquet")
        # the invariant, on what this commit publishes, before anything is published
        problems = invariant_problems([s.source for s in seen],
                                      {"articles": kept_sources, "duplicates": [r["source"] for r in dup_rows],
                                       "rejects": [r.source for r in rejects]})
        if problems:
            raise InvariantViolation(f"run {run_id} would break the invariant: " + "; ".join(problems[:20]))
        rewrites, superseded = self._superseded_parts([s.source for s in seen])
        for name, table in rewrites.items():
            _write(table, dest / name)
            files.append(name)
            if name.startswith("signatures/"):
                files.append(self._stage_segment(dest, name, params))
        # every table folder holds at least one part, so readers never meet a missing folder
        for table, schema in (("articles", ARTICLES_SCHEMA), ("duplicates", DUPLICATES_SCHEMA),
                              ("rejects", REJECTS_SCHEMA), ("manifest", MANIFEST_SCHEMA),
                              ("signatures", SIGNATURE_SCHEMA)):
            if not _parts(self.table_dir(table)) and not any(f.startswith(table + "/") for f in files):
                name = f"{table}/part-{run_id}.parquet"
                _write(schema.empty_table(), dest / name)
                files.append(name)
        if report is not None:
            report = report.rstrip("\n") + "\n\n" + _invariant_note(len(seen), superseded) + "\n"
            _write_text(report, dest / f"reports/{run_id}.md")
            _write_text(report, dest / "reports/latest.md")
            files += [f"reports/{run_id}.md", "reports/latest.md"]
        for folder in sorted({(dest / f).parent for f in files}) + [dest]:
            _fsync_dir(folder)
        faults.point("commit-staged")
        _write_text(json.dumps({"run_id": run_id, "files": files}), stage / "JOURNAL.json")
        for folder in (stage, self.staging_root, self.root):  # the journal's own path is durable
            _fsync_dir(folder)
        faults.point("journal")
        self._apply(stage, files, point="rename")
        faults.point("renamed")
        (stage / "JOURNAL.json").unlink()
        _fsync_dir(stage)
        shutil.rmtree(stage, ignore_errors=True)
        return CommitResult(run_id, len(kept_sources), len(dup_rows), len(rejects), files, superseded)

    @staticmethod
    def _stage_segment(dest: Path, sig_name: str, params: DedupParams) -> str:
        """Stage the index segment of a staged signatures part; its name in the commit."""
        part = dest / sig_name
        name = f"{INDEX_DIR}/{part.stem}.idx"
        build_segment(part, params).save(dest / name)
        return name

    def _apply(self, stage: Path, files: Sequence[str], point: str = "rename") -> None:
        """Rename the journaled files into the corpus, in order; skip the ones already moved."""
        touched = set()
        for name in files:
            src, dst = stage / "commit" / name, self.root / name
            if src.exists():
                if dst.parent not in touched and not dst.parent.is_dir():
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    _fsync_dir(self.root)
                os.replace(src, dst)
                faults.point(point)
            touched.add(dst.parent)
        for folder in sorted(touched):
            _fsync_dir(folder)

    def discard(self, run_id: str) -> bool:
        """Remove a run's staging, unless it holds a journal: a commit that failed after its commit
        point (a rename that raised) is left for the next run's `recover()` to complete."""
        if (self.staging(run_id) / "JOURNAL.json").exists():
            return False
        shutil.rmtree(self.staging(run_id), ignore_errors=True)
        return True

    # ---- the invariant -------------------------------------------------------------------------
    def check_run(self, run_id: str, sources: Sequence[str]) -> list[str]:
        """Every raw file a run saw is in exactly one of articles/, duplicates/ or rejects/: one row
        in the whole corpus, written by this run; and the run wrote no row for a file it did not see.

        Returns the violations, in words (an empty list when the invariant holds).
        """
        wanted = set(sources)
        found: dict[str, list[str]] = {}
        foreign: list[str] = []
        for table in ("articles", "duplicates", "rejects"):
            t = read_table(self.table_dir(table), columns=["source", "run_id"], schema=_SCHEMAS[table])
            found[table] = []
            for src, rid in zip(t.column("source").to_pylist(), t.column("run_id").to_pylist()):
                if src in wanted:
                    found[table].append(src)
                    if rid != run_id:
                        foreign.append(f"{src}: a row of run {rid} in {table}/ outlived the version run {run_id} saw")
                elif rid == run_id:
                    foreign.append(f"{src}: in {table}/ for run {run_id} but not seen by it")
        return invariant_problems(list(sources), found) + foreign


_SCHEMAS = {"articles": ARTICLES_SCHEMA, "duplicates": DUPLICATES_SCHEMA, "rejects": REJECTS_SCHEMA}


class InvariantViolation(RuntimeError):
    """A raw file seen by the run is not in exactly one of articles/, duplicates/, rejects/."""


def invariant_problems(seen: Sequence[str], found: dict[str, Sequence[str]]) -> list[str]:
    """Compare the files a run saw with where they are (table name -> sources, one per row)."""
    where: dict[str, Counter] = {table: Counter(srcs) for table, srcs in found.items()}
    expected = Counter(seen)
    problems = []
    for src, n in expected.items():
        if n != 1:
            problems.append(f"{src}: seen {n} times by one run")
        places = {table: c[src] for table, c in where.items() if c.get(src)}
        if sum(places.values()) != 1:
            where_str = ", ".join(f"{k} {v}x" for k, v in places.items()) or "nowhere"
            problems.append(f"{src}: expected in exactly one of articles/, duplicates/, rejects/, found {where_str}")
    for table, c in where.items():
        for src in c.keys() - expected.keys():
            problems.append(f"{src}: in {table}/ but not seen by the run")
    return problems


def _invariant_note(n: int, superseded: int) -> str:
    line = (f"Invariant holds: each of the {n} files this run curated is in exactly one of articles/, "
            f"duplicates/ and rejects/.")
    if superseded:
        line += f" {superseded} earlier article version(s) of changed files were replaced."
    return "## Check\n\n" + line


def _journal_files(journal: Path) -> list[str]:
    data = json.loads(journal.read_text(encoding="utf-8"))
    return list(data["files"] if isinstance(data, dict) else data)
