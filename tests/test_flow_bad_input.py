"""Bad input through a real flow run: every raw file ends in exactly one of articles/, duplicates/,
rejects/ with the right reason, the good files are curated, and a rerun changes nothing."""
from __future__ import annotations

import gzip
import os

import pyarrow.parquet as pq

from tests import faultkit as fk
from flows.curate import curate


def _bad_raw(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(3):
        (raw / f"story-{i}.txt").write_text(fk.article(300 + i), encoding="utf-8")
    (raw / "deeper" / "still").mkdir(parents=True)
    (raw / "deeper" / "still" / "name with spaces é.txt").write_text(fk.article(310), encoding="utf-8")
    (raw / "gzipped.txt.gz").write_bytes(gzip.compress(fk.article(311).encode()))
    accented = fk.article(312).replace("ka", "ká").replace("lo", "lö")
    (raw / "cp1252.txt").write_bytes(accented.encode("cp1252"))
    (raw / "utf16.txt").write_bytes(fk.article(313).encode("utf-16"))
    (raw / "empty.txt").write_bytes(b"")
    (raw / "blank.txt").write_bytes(b" \n\t\r\n  \n")
    (raw / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16)
    (raw / "bomb.txt.gz").write_bytes(gzip.compress(b"\0" * (3 * 2**20)))
    (raw / "truncated.txt.gz").write_bytes(gzip.compress(fk.article(314).encode() * 3)[:300])
    (raw / "big.txt").write_text(fk.article(315) * 400, encoding="utf-8")  # > max_file_mb below
    (raw / "crawl.warc").write_bytes(b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n")
    outside = tmp_path / "outside.txt"
    outside.write_text(fk.article(316), encoding="utf-8")
    os.symlink(outside, raw / "link-outside.txt")
    os.symlink(raw / "story-0.txt", raw / "link-inside.txt")
    os.symlink(raw / "nowhere.txt", raw / "dangling.txt")
    os.mkfifo(raw / "pipe.txt")
    (raw / ".swap.txt.swp").write_text("editor debris", encoding="utf-8")
    return raw


def test_bad_input_through_a_flow_run(prefect_harness, tmp_path):
    raw = _bad_raw(tmp_path)
    accented = fk.article(312).replace("ka", "ká").replace("lo", "lö")
    out = tmp_path / "out"
    result = curate(raw_dir=str(raw), out_dir=str(out), batch_size=4, workers=2, max_file_mb=0.5,
                    max_decompressed_mb=1)
    fk.check_corpus(out)
    where = {}
    for t in ("articles", "duplicates", "rejects"):
        for row in pq.read_table(out / t).to_pylist():
            where[row["source"]] = (t, row.get("reason"))
    sources = {str(p.relative_to(raw)) for p in raw.rglob("*") if not p.name.startswith(".")
               and (p.is_symlink() or not p.is_dir())}
    assert set(where) == sources  # every file seen, hidden ones left out
    assert result["seen"] == len(sources)
    good = ["story-1.txt", "story-2.txt", "deeper/still/name with spaces é.txt", "gzipped.txt.gz",
            "cp1252.txt", "utf16.txt"]
    assert {s: where[s][0] for s in good} == {s: "articles" for s in good}
    # a link inside raw/ is followed: the same bytes as story-0.txt, so one of the two is a duplicate
    assert sorted([where["story-0.txt"][0], where["link-inside.txt"][0]]) == ["articles", "duplicates"]
    expected_rejects = {"empty.txt": "empty", "blank.txt": "empty", "image.png": "binary",
                        "bomb.txt.gz": "too_large_decompressed", "truncated.txt.gz": "truncated_gzip",
                        "big.txt": "too_large", "link-outside.txt": "symlink_outside_raw",
                        "dangling.txt": "broken_symlink", "pipe.txt": "not_regular_file"}
    assert {s: where[s] for s in expected_rejects} == {s: ("rejects", r) for s, r in expected_rejects.items()}
    assert where["crawl.warc"][0] == "rejects"
    articles = {r["source"]: r for r in pq.read_table(out / "articles").to_pylist()}
    assert accented.split("\n")[2][:60] in articles["cp1252.txt"]["text"]  # decoded right, whatever codec name
    assert fk.article(313).split("\n")[2][:40] in articles["utf16.txt"]["text"]
    assert (result["kept"], result["duplicates"], result["rejected"]) == (len(good) + 1, 1, len(sources) - len(good) - 2)
    # a rerun sees the same bad files and changes nothing
    before = fk.file_state(out)
    again = curate(raw_dir=str(raw), out_dir=str(out), batch_size=4, workers=2, max_file_mb=0.5,
                   max_decompressed_mb=1)
    assert again["new"] == 0, pq.read_table(out / "manifest").to_pylist()
    assert fk.file_state(out) == before
