"""The `curate` command: `curate run` runs the Prefect flow, `curate clean` cleans files without
writing a corpus."""
from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

import flows  # noqa: F401  (offline Prefect defaults, before Prefect is imported)
from cleaners.decode import Limits
from cleaners.model import RejectError
from cleaners.pipeline import clean_bytes, iter_inputs
from cleaners.sources import RawReject


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Clean, deduplicate and curate scraped news articles into a Parquet corpus."""


@main.command()
@click.option("--raw", "raw_dir", default="raw", show_default=True, type=click.Path(file_okay=False),
              help="Folder of raw article files (read recursively).")
@click.option("--out", "out_dir", default="curated", show_default=True, type=click.Path(file_okay=False),
              help="Corpus folder to write.")
@click.option("--batch-size", default=500, show_default=True, help="Files per clean task.")
@click.option("--workers", type=int, default=None, help="Worker processes (default: all cores).")
@click.option("--dask-address", default=None, help="Run the clean tasks on this Dask scheduler.")
@click.option("--lock-timeout", default=600.0, show_default=True,
              help="Seconds to wait for another run on the same --out to finish.")
@click.option("--dedup", "dedup_opts", multiple=True, metavar="NAME=VALUE",
              help="Override a dedup threshold (see the README); repeatable.")
def run(raw_dir: str, out_dir: str, batch_size: int, workers: int | None, dask_address: str | None,
        lock_timeout: float, dedup_opts: tuple[str, ...]) -> None:
    """Run the curation flow on RAW and write the corpus to OUT."""
    from cleaners.corpus import CorpusBusy
    from cleaners.report import summary_lines
    from flows.curate import curate
    from flows.progress import TerminalProgress

    if not Path(raw_dir).is_dir():
        raise click.UsageError(f"raw folder {raw_dir!r} does not exist")
    dedup = {}
    for opt in dedup_opts:
        name, _, value = opt.partition("=")
        if not value:
            raise click.UsageError(f"--dedup takes NAME=VALUE, got {opt!r}")
        dedup[name.strip()] = json.loads(value)
    # progress bars (files cleaned, batches hashed) only when a person watches the terminal
    bars = TerminalProgress() if sys.stderr.isatty() else contextlib.nullcontext()
    try:
        with bars:
            result = curate(raw_dir=raw_dir, out_dir=out_dir, batch_size=batch_size, workers=workers,
                            dask_address=dask_address, lock_timeout=lock_timeout, dedup=dedup or None)
    except CorpusBusy as exc:
        click.echo(f"curate: {exc}", err=True)
        sys.exit(3)
    out = Path(result["out_dir"])
    click.echo(f"\nrun {result['run_id']}")
    where = {"kept": out / "articles", "duplicates": out / "duplicates", "rejected": out / "rejects"}
    for line in summary_lines(result, where):
        click.echo("  " + line)
    if result.get("report"):
        click.echo(f"report: {result['report']}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--max-file-mb", default=64.0, show_default=True)
def clean(paths: tuple[str, ...], max_file_mb: float) -> None:
    """Clean files or folders (recursively) and print one JSON object per input file."""
    limits = Limits(max_file_bytes=int(max_file_mb * 2**20))
    failed = 0
    for found in iter_inputs((Path(p) for p in paths), limits):
        if isinstance(found, RawReject):
            row = {"source": found.source, "error": {"reason": found.reason, "detail": found.detail}}
            failed += 1
        else:
            item, data = found
            try:
                _, cleaned = clean_bytes(data, name=item.source, url=item.url, limits=limits,
                                         charset_hint=item.charset)
                m = cleaned.metadata
                row = {"source": item.source, "format": cleaned.format, "title": m.title, "subtitle": m.subtitle,
                       "authors": list(m.authors), "published": m.published, "site_name": m.site_name,
                       "sources": list(m.sources), "text": cleaned.text,
                       "removed": [{"text": r.text, "reason": r.reason} for r in cleaned.removed]}
            except RejectError as exc:
                row = {"source": item.source, "error": {"reason": exc.reason, "detail": exc.detail}}
                failed += 1
        click.echo(json.dumps(row, ensure_ascii=False))
    if failed:
        click.echo(f"curate: {failed} file(s) could not be cleaned (see their \"error\")", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
