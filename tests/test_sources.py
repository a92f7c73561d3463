"""Reading a raw folder safely: discovery, capped reads, change detection, WARC records."""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import socket
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaners import sources
from cleaners.decode import Limits, decode
from cleaners.model import RejectError
from cleaners.sources import (
    RawItem,
    RawReject,
    content_sha256,
    discover,
    is_warc,
    iter_raw,
    iter_warc,
    looks_like_warc,
    read_bytes,
    sha256_file,
)


def items(root: Path) -> list[RawItem]:
    return [x for x in discover(root) if isinstance(x, RawItem)]


def rejects(root: Path) -> dict[str, RawReject]:
    return {x.source: x for x in discover(root) if isinstance(x, RawReject)}


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    root = tmp_path / "raw"
    root.mkdir()
    return root


# --------------------------------------------------------------------------- discovery


def test_discover_is_recursive_sorted_and_posix_relative(raw):
    (raw / "b").mkdir()
    (raw / "b" / "z.txt").write_text("z")
    (raw / "b" / "a.html").write_text("<p>a</p>")
    (raw / "a.txt").write_text("a")
    (raw / "noext").write_text("no extension")
    (raw / "c.txt.gz").write_bytes(gzip.compress(b"c"))
    found = items(raw)
    assert [i.source for i in found] == ["a.txt", "b/a.html", "b/z.txt", "c.txt.gz", "noext"]
    assert all(os.path.isabs(i.path) and Path(i.path).is_file() for i in found)
    assert list(discover(raw)) == list(discover(raw))


def test_hidden_files_and_dirs_are_skipped(raw):
    (raw / ".DS_Store").write_bytes(b"\x00\x01")
    (raw / ".git").mkdir()
    (raw / ".git" / "HEAD").write_text("ref")
    (raw / "story.txt").write_text("story")
    assert [x.source for x in discover(raw)] == ["story.txt"]


def test_odd_file_names(raw):
    names = ["with space.txt", "-leading-dash.txt", "ünïcödé 新闻.txt", "new\nline.txt", "--", "a'b\"c$.txt"]
    for n in names:
        (raw / n).write_text(f"content of {n}")
    found = {i.source: i for i in items(raw)}
    assert set(found) == set(names)
    for n in names:
        assert read_bytes(found[n]) == f"content of {n}".encode()


def test_name_that_is_not_utf8_gets_a_printable_source(raw):
    bad = os.fsdecode(b"caf\xe9.txt")
    try:
        (raw / bad).write_text("latin-1 name")
    except (OSError, UnicodeEncodeError):
        pytest.skip("file system refuses non-UTF-8 names")
    [item] = items(raw)
    assert item.source == "caf\\xe9.txt"
    item.source.encode("utf-8")  # storable as text
    assert read_bytes(item) == b"latin-1 name"


def test_symlink_pointing_outside_raw_is_not_followed(raw, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the raw root")
    (raw / "link.txt").symlink_to(secret)
    (raw / "dirlink").symlink_to(tmp_path)
    rej = rejects(raw)
    assert rej["link.txt"].reason == "symlink_outside_raw"
    assert rej["dirlink"].reason == "symlink_outside_raw"
    assert items(raw) == []
    assert all(b"outside" not in data for _, data in [x for x in iter_raw(raw) if isinstance(x, tuple)])


def test_relative_symlink_escaping_with_dotdot(raw, tmp_path):
    (tmp_path / "other.txt").write_text("x")
    (raw / "sneaky.txt").symlink_to("../other.txt")
    assert rejects(raw)["sneaky.txt"].reason == "symlink_outside_raw"


def test_symlink_inside_raw_to_a_file_is_followed(raw):
    (raw / "real.txt").write_text("real")
    (raw / "alias.txt").symlink_to(raw / "real.txt")
    found = {i.source: i for i in items(raw)}
    assert found["alias.txt"].path == os.path.realpath(raw / "real.txt")
    assert read_bytes(found["alias.txt"]) == b"real"


def test_symlink_to_a_directory_and_symlink_loops_do_not_hang(raw):
    (raw / "sub").mkdir()
    (raw / "sub" / "f.txt").write_text("f")
    (raw / "sub" / "up").symlink_to(raw)  # a loop back to the root
    (raw / "loop1").symlink_to(raw / "loop2")
    (raw / "loop2").symlink_to(raw / "loop1")
    (raw / "dangling").symlink_to(raw / "missing.txt")
    rej = rejects(raw)
    assert [i.source for i in items(raw)] == ["sub/f.txt"]
    assert rej["sub/up"].reason == "symlink_dir"
    assert rej["loop1"].reason in ("symlink_loop", "broken_symlink")
    assert rej["dangling"].reason == "broken_symlink"


def test_fifo_and_socket_are_not_regular_files(raw):
    os.mkfifo(raw / "pipe.txt")
    sock_path = raw / "s.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(sock_path))
    except OSError:
        sock_path = None
    try:
        rej = rejects(raw)
        assert rej["pipe.txt"].reason == "not_regular_file"
        assert "FIFO" in rej["pipe.txt"].detail
        if sock_path is not None:
            assert rej["s.sock"].reason == "not_regular_file"
    finally:
        sock.close()


def test_deep_tree_does_not_hit_the_recursion_limit(raw):
    path = raw
    for _ in range(300):
        path = path / "d"
    os.makedirs(path)
    (path / "deep.txt").write_text("deep")
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        [item] = items(raw)
    finally:
        sys.setrecursionlimit(old)
    assert item.source == "d/" * 300 + "deep.txt"


def test_unreadable_directory_is_reported(raw):
    if os.geteuid() == 0:
        pytest.skip("root reads every directory")
    (raw / "locked").mkdir()
    (raw / "locked" / "x.txt").write_text("x")
    os.chmod(raw / "locked", 0)
    try:
        assert rejects(raw)["locked"].reason == "unreadable_dir"
    finally:
        os.chmod(raw / "locked", 0o755)


def test_missing_raw_root(tmp_path):
    [rej] = list(discover(tmp_path / "nope"))
    assert rej.reason == "unreadable_dir"


# --------------------------------------------------------------------------- reading


def test_file_that_vanishes_between_discover_and_read(raw):
    (raw / "gone.txt").write_text("soon gone")
    [item] = items(raw)
    (raw / "gone.txt").unlink()
    with pytest.raises(RejectError) as info:
        read_bytes(item)
    assert info.value.reason == "vanished"


def test_iter_raw_reports_a_file_that_vanishes_after_discovery(raw, monkeypatch):
    (raw / "a.txt").write_text("a")
    (raw / "b.txt").write_text("b")
    real_discover = sources.discover

    def discover_then_delete(root):
        for found in real_discover(root):
            yield found
            if found.source == "a.txt":
                (raw / "b.txt").unlink()

    monkeypatch.setattr(sources, "discover", discover_then_delete)
    out = list(iter_raw(raw))
    assert out[0] == (RawItem(source="a.txt", path=str(raw / "a.txt")), b"a")
    assert out[1] == RawReject("b.txt", "vanished", "b.txt no longer exists")


def test_file_larger_than_the_cap(raw):
    (raw / "big.txt").write_bytes(b"x" * 1001)
    [item] = items(raw)
    with pytest.raises(RejectError) as info:
        read_bytes(item, Limits(max_file_bytes=1000))
    assert info.value.reason == "too_large"
    assert read_bytes(item, Limits(max_file_bytes=1001)) == b"x" * 1001


def _appending_reader(path: Path, times: int):
    """A `_read_all` that appends to the file right after reading it, `times` times."""
    real = sources._read_all
    calls = {"n": 0}

    def hooked(fd: int, cap: int) -> bytes:
        data = real(fd, cap)
        calls["n"] += 1
        if calls["n"] <= times:
            with open(path, "ab") as fh:
                fh.write(b" more")
        return data

    return hooked, calls


def test_file_that_changes_while_read_is_rejected(raw, monkeypatch):
    path = raw / "growing.txt"
    path.write_bytes(b"first version")
    [item] = items(raw)
    hooked, calls = _appending_reader(path, times=2)
    monkeypatch.setattr(sources, "_read_all", hooked)
    with pytest.raises(RejectError) as info:
        read_bytes(item)
    assert info.value.reason == "changed_while_reading"
    assert calls["n"] == 2


def test_file_that_changes_once_is_read_again(raw, monkeypatch):
    path = raw / "growing.txt"
    path.write_bytes(b"first version")
    [item] = items(raw)
    hooked, calls = _appending_reader(path, times=1)
    monkeypatch.setattr(sources, "_read_all", hooked)
    assert read_bytes(item) == b"first version more"
    assert calls["n"] == 2


def test_file_swapped_for_a_fifo_after_discovery_does_not_block(raw):
    path = raw / "swap.txt"
    path.write_text("text")
    [item] = items(raw)
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(RejectError) as info:
        read_bytes(item)
    assert info.value.reason == "not_regular_file"


def test_file_swapped_for_a_symlink_after_discovery_is_not_followed(raw, tmp_path):
    (tmp_path / "secret.txt").write_text("secret")
    path = raw / "swap.txt"
    path.write_text("text")
    [item] = items(raw)
    path.unlink()
    path.symlink_to(tmp_path / "secret.txt")
    with pytest.raises(RejectError) as info:
        read_bytes(item)
    assert info.value.reason == "not_regular_file"


def test_hashing(raw):
    data = b"some bytes \x00\xff"
    (raw / "f.bin").write_bytes(data)
    assert content_sha256(data) == hashlib.sha256(data).hexdigest()
    assert sha256_file(raw / "f.bin") == content_sha256(data)


# --------------------------------------------------------------------------- WARC


def _http(status: str, content_type: str, extra=()) -> StatusAndHeaders:
    return StatusAndHeaders(status, [("Content-Type", content_type), *extra], protocol="HTTP/1.1")


def write_warc(path: Path, records, *, gz: bool = True) -> None:
    """records: (kind, uri, http_headers_or_None, payload bytes)."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        for kind, uri, http, payload in records:
            kwargs = {"http_headers": http} if http is not None else {"warc_content_type": "text/html"}
            rec = writer.create_warc_record(uri, kind, payload=io.BytesIO(payload), **kwargs)
            writer.write_record(rec)


PAGE1 = "<html><head><title>Un</title></head><body><p>Le théâtre rouvre.</p></body></html>"
PAGE2 = "<html><body><p>Second page, gzip content-encoded.</p></body></html>"


def sample_records():
    return [
        ("response", "http://news.example/1", _http("200 OK", "text/html; charset=ISO-8859-1"), PAGE1.encode("latin-1")),
        ("response", "http://news.example/logo.png", _http("200 OK", "image/png"), b"\x89PNG\r\n\x1a\n"),
        ("request", "http://news.example/1", StatusAndHeaders("GET /1 HTTP/1.1", [("Host", "news.example")], is_http_request=True), b""),
        ("response", "http://news.example/missing", _http("404 Not Found", "text/html"), b"<html>not found</html>"),
        (
            "response",
            "http://news.example/2",
            _http("200 OK", "text/html", [("Content-Encoding", "gzip")]),
            gzip.compress(PAGE2.encode()),
        ),
    ]


@pytest.mark.parametrize("gz", [True, False])
def test_warc_yields_html_responses_with_url_date_and_id(raw, gz):
    name = "crawl.warc.gz" if gz else "crawl.warc"
    write_warc(raw / name, sample_records(), gz=gz)
    stats: dict[str, int] = {}
    out = list(iter_warc(raw / name, raw_root=raw, stats=stats))
    assert all(isinstance(x, tuple) for x in out)
    (item1, data1), (item2, data2) = out
    assert item1.url == "http://news.example/1" and item2.url == "http://news.example/2"
    assert item1.source.startswith(name + "#") and item1.source != item2.source
    assert item1.member and item1.member.startswith("<urn:uuid:")
    assert item1.fetched and item1.fetched[:4].isdigit() and "T" in item1.fetched
    assert item1.path == str(raw / name)
    assert item1.charset == "ISO-8859-1"
    assert decode(data1, charset_hint=item1.charset).text == PAGE1
    assert data2 == PAGE2.encode()  # content-encoding undone, HTTP headers stripped
    assert stats == {"records": 5, "html": 2, "skipped_type": 1, "skipped_not_html": 1, "skipped_status": 1, "rejected": 0}


def test_truncated_warc_keeps_what_was_read_and_rejects_the_file(raw):
    write_warc(raw / "t.warc.gz", sample_records())
    full = (raw / "t.warc.gz").read_bytes()
    (raw / "t.warc.gz").write_bytes(full[: len(full) - 200])
    out = list(iter_warc(raw / "t.warc.gz", raw_root=raw))
    assert isinstance(out[0], tuple) and out[0][0].url == "http://news.example/1"
    assert isinstance(out[-1], RawReject) and out[-1].reason == "corrupt_warc"
    assert out[-1].source == "t.warc.gz"


def test_truncated_uncompressed_warc_record_is_not_yielded_half(raw):
    write_warc(raw / "t.warc", sample_records()[:1], gz=False)
    full = (raw / "t.warc").read_bytes()
    (raw / "t.warc").write_bytes(full[: len(full) - 30])
    out = list(iter_warc(raw / "t.warc", raw_root=raw))
    assert [type(x) for x in out] == [RawReject]
    assert out[0].reason == "corrupt_warc"


@pytest.mark.parametrize(
    "content",
    [b"this is not a warc file at all", b"WARC/1.0\r\nGarbage: yes\r\n\r\nxx", gzip.compress(b"plain text")],
)
def test_corrupt_warc_is_rejected(raw, content):
    (raw / "bad.warc").write_bytes(content)
    out = list(iter_warc(raw / "bad.warc", raw_root=raw))
    assert [(x.source, x.reason) for x in out] == [("bad.warc", "corrupt_warc")]


def test_warc_record_over_the_cap_is_rejected_alone(raw):
    write_warc(raw / "c.warc.gz", sample_records())
    out = list(iter_warc(raw / "c.warc.gz", raw_root=raw, limits=Limits(max_file_bytes=70)))
    assert isinstance(out[0], RawReject) and out[0].reason == "too_large" and "#" in out[0].source
    assert isinstance(out[1], tuple) and out[1][0].url == "http://news.example/2"


def test_warc_detection(raw):
    write_warc(raw / "x.bin", sample_records())
    assert is_warc("a/b/crawl.warc.gz") and is_warc("CRAWL.WARC") and not is_warc("story.txt")
    assert looks_like_warc((raw / "x.bin").read_bytes())
    assert not looks_like_warc(gzip.compress(b"<html>"))


# --------------------------------------------------------------------------- all together


def test_iter_raw_mixes_files_warc_records_and_rejects(raw, tmp_path):
    (raw / "a.txt").write_text("plain story")
    write_warc(raw / "b.warc.gz", sample_records())
    write_warc(raw / "c.dat", sample_records()[:1])  # a WARC recognised by content
    os.mkfifo(raw / "d.fifo")
    (tmp_path / "outside.txt").write_text("no")
    (raw / "e.txt").symlink_to(tmp_path / "outside.txt")
    out = list(iter_raw(raw))
    got = [(x.source, "reject:" + x.reason) if isinstance(x, RawReject) else (x[0].source, x[0].url) for x in out]
    assert got[0] == ("a.txt", None)
    assert [u for s, u in got if s.startswith("b.warc.gz#")] == ["http://news.example/1", "http://news.example/2"]
    assert [u for s, u in got if s.startswith("c.dat#")] == ["http://news.example/1"]
    assert ("d.fifo", "reject:not_regular_file") in got
    assert ("e.txt", "reject:symlink_outside_raw") in got
    assert len(got) == 6
