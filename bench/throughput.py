"""Throughput of the real `curate` flow on generated corpora of text dumps.

    python bench/throughput.py                 # 10k and 100k articles (a few minutes)
    python bench/throughput.py --quick         # 2k and 10k
    python bench/throughput.py --sizes 5000    # any sizes

For each size it generates a corpus (not timed), runs the flow into an empty output folder, then
adds 1% new files and runs it again (the incremental rerun). It prints, per size: wall time,
articles/s, peak RSS of the whole process tree (this process, the cleaning worker processes and the
local Prefect server, sampled every 0.1 s with psutil), the share of wall time spent in Prefect
overhead, and at the end time(largest)/time(smallest).

Prefect overhead, two ways:
* `tasks`: every task body of the flow (discover, clean-batch, deduplicate, commit) is timed from
  inside (its Python function, i.e. the library calls it makes). The time during which at least
  one task body was running is library time; the rest of the flow's wall time (flow and task run
  bookkeeping, API calls, scheduling gaps between tasks) is Prefect overhead.
* `bare` (sizes up to --bare-max): the same library steps (discover, run_batch in a process pool
  of the same size and batch size, deduplicate, commit) called directly without Prefect on a fresh
  output folder; overhead = 1 - bare/flow. This also counts CPU that Prefect takes from the
  workers, which the first method cannot see.
The local Prefect server is started once before the timed runs (its start-up time is printed
separately): a production deployment talks to a server that is already running.
"""
from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import flows  # noqa: E402,F401  (offline Prefect defaults)

# ---------------------------------------------------------------------------------- corpora
def make_corpus(n: int, out: Path, seed: int, truth: Path) -> str:
    """n text dumps (no HTML) from bench/make_corpus.py; its truth file goes to `truth`."""
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(n), str(out), "--seed",
                           str(seed), "--html-share", "0", "--truth", str(truth)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"bench/make_corpus.py failed:\n{done.stderr}")
    return "bench/make_corpus.py, text dumps, 10% planted duplicates"


# ---------------------------------------------------------------------------------- measuring
class TreeRss:
    """Peak resident memory of this process and all its descendants, and the CPU time each of
    them used, sampled in a thread (a process that ends between samples loses at most one
    interval of CPU time)."""

    def __init__(self, interval: float = 0.1) -> None:
        import psutil

        self._me = psutil.Process()
        self.interval = interval
        self.peak = 0
        self.cpu: dict[int, tuple[str, float]] = {}  # pid -> (role, CPU seconds since start)
        self.own_cpu = 0.0  # CPU time of the sampling itself (in the flow's process)
        self.peak_pss = 0  # the same for PSS: pages shared between processes counted once
        self._n = 0
        self._base: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _role(self, p) -> str:
        if p.pid == self._me.pid:
            return "flow"
        try:
            cmd = " ".join(p.cmdline())
        except Exception:
            cmd = ""
        return "server" if "prefect.server" in cmd else "workers"

    def sample(self) -> int:
        total = 0
        procs = [self._me]
        try:
            procs += self._me.children(recursive=True)
        except Exception:
            pass
        self._n += 1
        pss = 0 if self._n % 10 == 0 else None  # PSS is costlier to read: every 10th sample
        for p in procs:
            try:
                total += p.memory_info().rss
                if pss is not None:
                    pss += p.memory_full_info().pss
                t = p.cpu_times()
                used = t.user + t.system
            except Exception:
                continue
            if p.pid not in self.cpu:
                self._base.setdefault(p.pid, used if self._thread is None else 0.0)
                self.cpu[p.pid] = (self._role(p), 0.0)
            self.cpu[p.pid] = (self.cpu[p.pid][0], used - self._base[p.pid])
        if pss is not None:
            self.peak_pss = max(self.peak_pss, pss)
        return total

    def cpu_by_role(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for role, sec in self.cpu.values():
            out[role] = out.get(role, 0.0) + sec
        out["flow"] = max(0.0, out.get("flow", 0.0) - self.own_cpu)  # not the measuring
        return out

    def _loop(self) -> None:
        c0 = time.thread_time()
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self.own_cpu = time.thread_time() - c0
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeRss":
        self._thread = None
        self.cpu.clear()
        self._base.clear()
        self.own_cpu = 0.0
        self.peak_pss = 0
        self._n = -1
        self.peak = self.sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._stop.clear()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak = max(self.peak, self.sample())


class TaskClock:
    """Times the body of every task of the flow (the library work), as (start, end) intervals."""

    def __init__(self) -> None:
        self.intervals: list[tuple[str, float, float]] = []
        self.thread_cpu: dict[str, float] = {}  # CPU time of the task bodies in this process, by task
        self.batch_cpu = 0.0  # CPU time the clean batches took in their worker processes
        self._lock = threading.Lock()
        self._patched: list[tuple[object, object]] = []

    def install(self) -> None:
        import flows.curate as fc
        from prefect import Task

        for name in dir(fc):
            obj = getattr(fc, name)
            if isinstance(obj, Task):
                orig = obj.fn
                obj.fn = self._wrap(obj.name, orig)
                self._patched.append((obj, orig))

    def uninstall(self) -> None:
        for obj, orig in self._patched:
            obj.fn = orig
        self._patched.clear()

    def _wrap(self, label: str, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            t0, c0 = time.perf_counter(), time.thread_time()
            result = None
            try:
                result = fn(*args, **kwargs)
                return result
            finally:
                with self._lock:
                    self.intervals.append((label, t0, time.perf_counter()))
                    self.thread_cpu[label] = self.thread_cpu.get(label, 0.0) + time.thread_time() - c0
                    self.batch_cpu += getattr(result, "cpu_seconds", 0.0)
        return timed

    def reset(self) -> None:
        self.intervals.clear()
        self.thread_cpu = {}
        self.batch_cpu = 0.0

    def busy(self) -> float:
        """Seconds during which at least one task body was running."""
        total, end = 0.0, None
        for _, a, b in sorted(self.intervals, key=lambda x: x[1]):
            if end is None or a > end:
                total += b - a
                end = b
            elif b > end:
                total += b - end
                end = b
        return total

    def by_task(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for label, a, b in self.intervals:
            out[label] = out.get(label, 0.0) + (b - a)
        return out


def bare_run(raw: Path, out: Path, batch_size: int, workers: int) -> float:
    """The flow's library steps without Prefect (see the module docstring); returns seconds."""
    import flows.curate as fc
    from cleaners.batch import run_batch
    from cleaners.corpus import Corpus
    from cleaners.dedup import deduplicate
    from cleaners.pipeline import Seen, Settings

    t0 = time.perf_counter()
    settings = Settings()
    run_id = "bare"
    corpus = Corpus(out)
    with corpus.lock():
        plan = fc.discover_task.fn(str(raw), str(out), batch_size, workers)
        pool = fc._process_pool(min(workers, max(1, len(plan["batches"]))))
        try:
            futs = [pool.submit(run_batch, str(out), run_id, n, items, settings, {})
                    for n, items in enumerate(plan["batches"])]
            staged = [f.result() for f in futs]
        finally:
            pool.shutdown()
        decisions = deduplicate(corpus.staged_signatures(run_id), corpus.held_index(settings.dedup), settings.dedup)
        rejects = list(plan["rejects"]) + [r for b in staged for r in b.rejects]
        seen = [s for b in staged for s in b.seen]
        seen_sources = {s.source for s in seen}
        seen += [Seen(r.source, None, -1, -1, None) for r in rejects if r.source not in seen_sources]
        corpus.commit(run_id, decisions, rejects, seen, report="bare run", params=settings.dedup)
        corpus.check_run(run_id, [s.source for s in seen])
        corpus.discard(run_id)
    return time.perf_counter() - t0


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--quick", action="store_true", help="sizes 2000 and 10000")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--bare-max", type=int, default=10_000, help="largest size also run without Prefect")
    ap.add_argument("--no-incremental", action="store_true")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work-dir", type=Path, default=None, help="where corpora go (default: a temp folder)")
    ap.add_argument("--keep", action="store_true", help="keep the generated inputs and outputs")
    args = ap.parse_args(argv)
    sizes = [2_000, 10_000] if args.quick else sorted(args.sizes)

    work = Path(tempfile.mkdtemp(prefix="newscurate-bench-", dir=args.work_dir))
    # a Prefect home (and database) of its own: other Prefect runs on the machine share the
    # default ~/.prefect database, and their writes would be timed as this run's overhead
    if "PREFECT_API_URL" not in os.environ:
        os.environ.setdefault("PREFECT_HOME", str(work / "prefect-home"))

    import flows.curate as fc
    print(f"machine: {os.cpu_count()} cores; workers={args.workers} batch_size={args.batch_size}")
    clock = TaskClock()
    clock.install()
    results = {}
    try:
        empty = work / "empty"
        empty.mkdir()
        t0 = time.perf_counter()
        fc.curate(raw_dir=str(empty), out_dir=str(work / "warmup"), workers=args.workers)
        pool = fc._process_pool(1)  # start the forkserver the worker processes fork from
        pool.submit(os.getpid).result()
        pool.shutdown()
        print(f"prefect: local server start and a first empty flow run, and the worker forkserver start: "
              f"{time.perf_counter() - t0:.1f} s (once per process, not counted below)")
        for n in sizes:
            raw = work / f"raw-{n}"
            t0 = time.perf_counter()
            how = make_corpus(n, raw, args.seed, work / f"truth-{n}.json")
            print(f"\n== {n:,} articles (generated in {time.perf_counter() - t0:.1f} s by {how})")
            out = work / f"out-{n}"
            clock.reset()
            with TreeRss() as rss:
                t0 = time.perf_counter()
                res = fc.curate(raw_dir=str(raw), out_dir=str(out), batch_size=args.batch_size,
                                workers=args.workers)
                wall = time.perf_counter() - t0
            busy = clock.busy()
            parts = clock.by_task()
            results[n] = wall
            print(f"full run: {wall:.1f} s, {n / wall:,.0f} articles/s; kept {res['kept']:,}, "
                  f"duplicates {res['duplicates']:,}, rejected {res['rejected']:,}")
            print(f"peak memory of the process tree incl. the Prefect server: RSS summed {_mb(rss.peak)} "
                  f"(counts pages the forked workers share once per process), PSS summed {_mb(rss.peak_pss)}")
            print(f"prefect overhead (tasks): {(wall - busy) / wall:.1%} of wall time "
                  f"({wall - busy:.1f} s outside task bodies; task bodies: "
                  + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(parts.items())) + ")")
            cpu = rss.cpu_by_role()
            in_tasks = sum(clock.thread_cpu.values())
            prefect_cpu = cpu.get("server", 0.0) + max(0.0, cpu.get("flow", 0.0) - in_tasks)
            total_cpu = sum(cpu.values())
            serial = sum(v for k, v in clock.thread_cpu.items() if not k.startswith("clean"))
            print(f"CPU: {total_cpu:.1f} s in all = clean/sign/stage in workers {clock.batch_cpu:.1f} s "
                  f"({1000 * clock.batch_cpu / n:.1f} ms/article) + dedup/commit/discover {serial:.1f} s "
                  f"+ Prefect (server, flow bookkeeping) {prefect_cpu:.1f} s ({prefect_cpu / total_cpu:.1%} of CPU) "
                  f"+ other {max(0.0, total_cpu - clock.batch_cpu - serial - prefect_cpu):.1f} s")
            est = clock.batch_cpu / args.workers + serial + prefect_cpu / args.workers
            print(f"CPU-bound estimate on {args.workers} idle cores: {est:.1f} s, {n / est:,.0f} articles/s "
                  f"(worker CPU / {args.workers} + serial steps + Prefect CPU / {args.workers}; "
                  f"machine load average during the run: {os.getloadavg()[0]:.1f})")
            if n <= args.bare_max:
                bare = bare_run(raw, work / f"bare-{n}", args.batch_size, args.workers)
                print(f"prefect overhead (bare): {max(0.0, 1 - bare / wall):.1%} of wall time "
                      f"(same steps without Prefect: {bare:.1f} s)")
                shutil.rmtree(work / f"bare-{n}", ignore_errors=True)
            if not args.no_incremental:
                extra = max(1, n // 100)
                make_corpus(extra, raw / "zz-new", args.seed + 1, work / f"truth-{n}-new.json")
                t0 = time.perf_counter()
                inc = fc.curate(raw_dir=str(raw), out_dir=str(out), batch_size=args.batch_size,
                                workers=args.workers)
                iwall = time.perf_counter() - t0
                print(f"incremental rerun (+{extra:,} new files, {inc['unchanged']:,} unchanged): {iwall:.1f} s "
                      f"= {iwall / wall:.1%} of the full run")
            if not args.keep:
                shutil.rmtree(raw, ignore_errors=True)
                shutil.rmtree(out, ignore_errors=True)
        if len(sizes) > 1:
            a, b = sizes[0], sizes[-1]
            print(f"\ntime({b:,}) / time({a:,}) = {results[b] / results[a]:.2f} (size ratio {b / a:g})")
    finally:
        clock.uninstall()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept in {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
