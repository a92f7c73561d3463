"""The `curate` console script, as users call it."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CURATE = Path(sys.executable).with_name("curate")
KEYS = {"source", "format", "title", "subtitle", "authors", "published", "site_name", "sources", "text", "removed"}


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(CURATE), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_clean_prints_one_json_object_per_file_recursively(tmp_path):
    nested = tmp_path / "in" / "deeper"
    nested.mkdir(parents=True)
    shutil.copy(ROOT / "raw" / "001_54954cd580b1dcc8.txt", nested / "a b.txt")
    (tmp_path / "in" / "page.html").write_text(
        "<html><head><title>Rain in Spain</title></head><body><article><h1>Rain in Spain</h1>"
        + "".join(f"<p>Paragraph {i} says the rain in Spain stays mainly in the plain, as forecasters "
                  f"noted on Tuesday in their weekly bulletin number {i}.</p>" for i in range(6))
        + "</article></body></html>", encoding="utf-8")
    proc = run("clean", str(tmp_path / "in"))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 2
    by_format = {r["format"]: r for r in rows}
    assert set(by_format) == {"text", "html"}
    for row in rows:
        assert set(row) == KEYS
        assert isinstance(row["authors"], list) and isinstance(row["sources"], list)
        assert all(set(r) == {"text", "reason"} for r in row["removed"])
    assert by_format["text"]["source"] == str(nested / "a b.txt")
    assert "Paragraph 3 says" in by_format["html"]["text"]


def test_clean_reports_a_bad_file_and_exits_non_zero(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"   \n")
    proc = run("clean", str(tmp_path / "empty.txt"))
    assert proc.returncode == 1
    row = json.loads(proc.stdout)
    assert row["error"]["reason"] == "empty"


def test_run_on_a_missing_folder_is_a_usage_error(tmp_path):
    proc = run("run", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr


def test_clean_expands_a_warc_file_into_its_html_records(tmp_path):
    from tests.test_warc_pipeline import _page, write_warc

    pages = {f"https://news.example/{i}": _page(f"Story {i}", [
        f"Paragraph {k} of story {i} reports that the harbour council voted on the new ferry timetable "
        f"after a long public consultation that ran for {k + 3} weeks." for k in range(5)]) for i in range(2)}
    write_warc(tmp_path / "crawl.warc.gz", pages)
    proc = run("clean", str(tmp_path / "crawl.warc.gz"))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 2
    assert all(r["source"].startswith(str(tmp_path / "crawl.warc.gz") + "#") for r in rows)
    assert all(r["format"] == "html" and "harbour council" in r["text"] for r in rows)
