"""WARC files in a run: each HTML response record is one article with its URL and fetch date;
the file is planned, staged and skipped on reruns as a whole."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaners.batch import plan_run, run_batch
from cleaners.corpus import Corpus
from cleaners.pipeline import Settings, batch_known, iter_batch, process_batch
from cleaners.sources import RawItem


def _page(title: str, paragraphs: list[str]) -> bytes:
    # each fact sentence grows into a paragraph of ordinary length, as on a real news page
    filler = ("Residents who spoke at a public meeting in the town hall on the evening before "
              "said they had waited a long time for the change and hoped it would last for years.")
    body = "".join(f"<p>{p} {filler}</p>" for p in paragraphs)
    return (f"<!doctype html><html><head><title>{title}</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
            f"<article><h1>{title}</h1>{body}</article>"
            f"<footer>Copyright Example Gazette</footer></body></html>").encode("utf-8")


PAGES = {
    "http://gazette.example/ferry": _page("Ferry terminal opens in Port Ellery", [
        "The council of Port Ellery opened a ferry terminal on Tuesday after four years of building work.",
        "The terminal will carry 1,200 passengers a day to the outer islands, up from 300 before the works.",
        "Fishermen said the new breakwater had already changed the currents in the bay this spring."]),
    "http://gazette.example/library": _page("Marsh Hollow library reopens after the flood", [
        "The town library in Marsh Hollow reopened on Monday, eight months after a flood ruined its books.",
        "Volunteers dried and catalogued about 20,000 rescued volumes by hand over the winter.",
        "The head librarian said the children's room would reopen in a fortnight."]),
    "http://gazette.example/orchard": _page("Orchard cooperative doubles its cider output", [
        "An orchard cooperative in the Calder valley doubled its cider output this year after a mild spring.",
        "Its forty members pressed 310 tonnes of apples in September, the cooperative's secretary said.",
        "A new bottling line bought with a regional grant will open in the old creamery next month."]),
}


def _http(content_type: str, status: str = "200 OK") -> StatusAndHeaders:
    return StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")


def write_warc(path: Path, pages: dict[str, bytes], *, extra_records: bool = True, append: bool = False) -> None:
    with open(path, "ab" if append else "wb") as fh:
        writer = WARCWriter(fh, gzip=path.name.endswith(".gz"))
        for url, payload in pages.items():
            if extra_records:  # a request and an image around each page: not articles
                writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""),
                    http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "gazette.example")],
                                                  is_http_request=True)))
                writer.write_record(writer.create_warc_record(url + ".png", "response",
                    payload=io.BytesIO(b"\x89PNG\r\n\x1a\n"), http_headers=_http("image/png")))
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                          http_headers=_http("text/html; charset=utf-8")))


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    (raw / "crawls").mkdir(parents=True)
    write_warc(raw / "crawls" / "c1.warc.gz", PAGES)
    (raw / "note.txt").write_text("Harbour notes\n\nThe harbour master said the tides were high on Sunday.\n",
                                  encoding="utf-8")
    return raw


def _run(raw: Path, out: Path, run_id: str):
    corpus = Corpus(out)
    plan = plan_run(raw, corpus, batch_size=10)
    staged = [run_batch(str(out), run_id, n, items, Settings(), batch_known(items, plan.known))
              for n, items in enumerate(plan.batches)]
    seen = [s for b in staged for s in b.seen]
    rejects = [r for b in staged for r in b.rejects]
    if seen:
        corpus.commit(run_id, [], rejects, seen)
        assert corpus.check_run(run_id, [s.source for s in seen]) == []
    corpus.discard(run_id)
    return plan, staged


def test_each_html_record_is_an_article_with_url_and_fetch_date(raw):
    item = RawItem(source="crawls/c1.warc.gz", path=str(raw / "crawls" / "c1.warc.gz"))
    out = process_batch([item], Settings())
    assert [a.url for a in out.articles] == list(PAGES)
    st = os.stat(item.path)
    for a, s in zip(out.articles, out.seen):
        assert a.source.startswith("crawls/c1.warc.gz#") and a.source.split("#")[1].isdigit()
        assert a.fetched and a.fetched[:4].isdigit() and "T" in a.fetched
        assert a.format == "html" and a.cleaned.text
        assert (s.source, s.size, s.mtime_ns, s.doc_id) == (a.source, st.st_size, st.st_mtime_ns, a.doc_id)
    assert len({a.source for a in out.articles}) == 3
    # chunks: the same results, handed over a few inputs at a time
    chunks = list(iter_batch([item], Settings(), chunk_size=2))
    assert [len(c.seen) for c in chunks] == [2, 1]
    assert [a.source for c in chunks for a in c.articles] == [a.source for a in out.articles]


def test_a_warc_file_under_another_name_is_recognised_by_content(tmp_path):
    path = tmp_path / "crawl-0001.dat"
    write_warc(path, PAGES, extra_records=False)
    out = process_batch([RawItem(source="crawl-0001.dat", path=str(path))], Settings())
    assert len(out.articles) == 3 and all(a.source.startswith("crawl-0001.dat#") for a in out.articles)


def test_warc_run_rerun_and_grown_file(raw, tmp_path):
    out = tmp_path / "out"
    plan, staged = _run(raw, out, "r1")
    assert [len(b) for b in plan.batches] == [1, 1]  # the text file, then the WARC file on its own
    articles = pq.read_table(out / "articles").to_pylist()
    warc_rows = [r for r in articles if "#" in r["source"]]
    assert sorted(r["url"] for r in warc_rows) == sorted(PAGES)
    assert all(r["fetched"] for r in warc_rows)
    manifest = {r["source"]: r for r in pq.read_table(out / "manifest").to_pylist()}
    rejected = {r["source"] for r in pq.read_table(out / "rejects").to_pylist()}
    assert set(manifest) == {r["source"] for r in articles} | rejected
    assert not any("#" in src for src in rejected)

    # nothing changed: the WARC file is skipped as a whole, its three records count as unchanged
    plan2 = plan_run(raw, Corpus(out), batch_size=10)
    assert plan2.batches == [] and plan2.unchanged == 4

    # the crawler appends a page to the file: the old records are unchanged, only the new one is curated
    more = {}
    more["http://gazette.example/bridge"] = _page("Footbridge over the Lune reopens", [
        "The footbridge over the river Lune reopened on Friday after engineers replaced its cables.",
        "About 4,000 people cross it every day between the station and the old market."])
    write_warc(raw / "crawls" / "c1.warc.gz", more, append=True)
    plan3, staged3 = _run(raw, out, "r2")
    assert len(plan3.batches) == 1 and plan3.unchanged == 1
    assert sum(b.unchanged for b in staged3) == 3 and sum(b.articles for b in staged3) == 1
    new = [r for r in pq.read_table(out / "articles").to_pylist() if r["run_id"] == "r2"]
    assert [r["url"] for r in new] == ["http://gazette.example/bridge"]
    plan4 = plan_run(raw, Corpus(out), batch_size=10)
    assert plan4.batches == [] and plan4.unchanged == 5


def test_a_corrupt_warc_is_rejected_and_looked_at_again(raw, tmp_path):
    bad = raw / "crawls" / "c2.warc.gz"
    data = (raw / "crawls" / "c1.warc.gz").read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out"
    _, staged = _run(raw, out, "r1")
    rejects = pq.read_table(out / "rejects").to_pylist()
    assert any(r["source"] == "crawls/c2.warc.gz" and r["reason"] == "corrupt_warc" for r in rejects)
    read_before = [s.source for b in staged for s in b.seen if s.source.startswith("crawls/c2.warc.gz#")]
    assert read_before  # the records before the damage were read
    plan = plan_run(raw, Corpus(out), batch_size=10)
    assert [it.source for b in plan.batches for it in b] == ["crawls/c2.warc.gz"]
    # looked at again: the records read before count as unchanged, nothing is curated twice
    _, staged2 = _run(raw, out, "r2")
    assert sum(b.unchanged for b in staged2) == len(read_before)
    assert [s.source for b in staged2 for s in b.seen] == ["crawls/c2.warc.gz"]
    sources = [r["source"] for t in ("articles", "duplicates") for r in pq.read_table(out / t).to_pylist()]
    assert len(sources) == len(set(sources))
