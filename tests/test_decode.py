"""Bytes -> text: one test per kind of bad or unusual input."""
from __future__ import annotations

import gzip
import os
import random
import zlib
from pathlib import Path

import pytest

from cleaners.decode import Decoded, Limits, decode, gunzip, normalise_text, repair_mojibake, sniff_format
from cleaners.model import RejectError

SHARED = Path(os.environ.get("NEWSCURATE_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared"))

FRENCH = "Le maire a annoncé jeudi que la rénovation du théâtre coûtera 4,5 millions d’euros – « un choix raisonnable », a-t-il déclaré."
SPANISH = "El ayuntamiento aprobó ayer la ampliación del puerto pesquero; según el alcalde, «la obra empezará en otoño» y costará 3 millones."
CHINESE = "北京时间昨天晚上，国家统计局发布了最新的经济数据，显示第三季度工业生产稳步增长，消费市场继续回暖。"
JAPANESE = "東京都は昨日、新しい住宅支援策を発表しました。来年四月から、子育て世帯の家賃の一部を補助する予定です。"
RUSSIAN = "Городской совет в понедельник утвердил новый бюджет, который предусматривает ремонт школ и больниц."


def rejected(data: bytes, **kw) -> RejectError:
    with pytest.raises(RejectError) as info:
        decode(data, **kw)
    return info.value


# --------------------------------------------------------------------------- the common case


def test_plain_utf8_fast_path_keeps_text_and_adds_no_notes():
    text = "Headline\n\nFirst paragraph with “quotes” and café.\n\tIndented line.\n"
    d = decode(text.encode("utf-8"))
    assert d == Decoded(text=text, format="text", encoding="utf-8", notes=())


# --------------------------------------------------------------------------- empty / binary


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\n\t \r\n", b"\x00\x00", "\u3000\u00a0\n".encode()])
def test_empty_and_whitespace_only_are_rejected_as_empty(data):
    assert rejected(data).reason == "empty"


def test_png_named_txt_is_binary():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + bytes(range(256))
    err = rejected(png, name="article.txt")
    assert err.reason == "binary" and "PNG" in err.detail


@pytest.mark.parametrize(
    "data, what",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40, "zip"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "JPEG"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "GIF"),
    ],
)
def test_known_binary_signatures_are_rejected(data, what):
    err = rejected(data)
    assert err.reason == "binary" and what in err.detail


def test_random_bytes_are_binary():
    data = random.Random(7).randbytes(4096)
    assert rejected(data).reason == "binary"


def test_text_that_starts_like_a_magic_number_stays_text():
    d = decode(b"GIF89a is the name of an old image format.\n")
    assert d.text.startswith("GIF89a is")


def test_warc_container_is_not_decoded_as_text():
    assert rejected(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n\r\n").reason == "warc"


# --------------------------------------------------------------------------- charsets


def test_invalid_utf8_bytes_in_mostly_utf8_text_are_read_as_cp1252():
    data = "Le café “Chez Zoé” a rouvert".encode("utf-8") + " après travaux.".encode("cp1252")
    d = decode(data)
    assert d.text == "Le café “Chez Zoé” a rouvert après travaux."
    assert any("invalid utf-8" in n for n in d.notes)


def test_cp1252_text_with_euro_and_smart_quotes():
    d = decode(FRENCH.encode("cp1252"))
    assert d.text == FRENCH
    assert d.encoding == "cp1252"


def test_latin1_text():
    d = decode(SPANISH.encode("latin-1"))
    assert d.text == SPANISH


def test_gb18030_chinese():
    d = decode(CHINESE.encode("gb18030"))
    assert d.text == CHINESE
    assert d.encoding == "gb18030"


def test_shift_jis_japanese():
    d = decode(JAPANESE.encode("shift_jis"))
    assert d.text == JAPANESE
    assert d.encoding in ("cp932", "shift_jis")


def test_cp1251_russian():
    assert decode(RUSSIAN.encode("cp1251")).text == RUSSIAN


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_byte_order_marks(codec):
    text = FRENCH + "\n" + CHINESE
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    d = decode(data)
    assert d.text == text
    assert any(n.startswith("bom") for n in d.notes)


def test_utf16_without_bom_is_recognised_by_its_nul_pattern():
    text = "Weather: 12 °C, light rain in the afternoon. Café opens at 9.\n"
    d = decode(text.encode("utf-16-le"))
    assert d.text == text


def test_html_meta_says_latin1_but_bytes_are_utf8():
    page = f'<html><head><meta charset="iso-8859-1"><title>t</title></head><body><p>{FRENCH}</p></body></html>'
    d = decode(page.encode("utf-8"))
    assert FRENCH in d.text
    assert d.encoding == "utf-8"
    assert any(n.startswith("charset-mislabelled: page said iso-8859-1") for n in d.notes)


def test_html_meta_says_utf8_but_bytes_are_cp1252():
    page = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body><p>{FRENCH}</p></body></html>'
    d = decode(page.encode("cp1252"))
    assert FRENCH in d.text
    assert d.encoding == "cp1252"
    assert any(n.startswith("charset-mislabelled: page said utf-8") for n in d.notes)


def test_truthful_meta_charset_is_used():
    page = f'<?xml version="1.0" encoding="Shift_JIS"?><html><body><p>{JAPANESE}</p></body></html>'
    d = decode(page.encode("shift_jis"))
    assert JAPANESE in d.text
    assert d.encoding == "cp932"


def test_declared_cyrillic_charset_is_trusted():
    page = f'<html><head><meta charset="windows-1251"></head><body><p>{RUSSIAN}</p></body></html>'
    d = decode(page.encode("cp1251"))
    assert RUSSIAN in d.text
    assert d.encoding == "cp1251" and d.notes == ()


def test_meta_claiming_latin1_on_chinese_bytes_is_not_believed():
    page = f'<html><head><meta charset="iso-8859-1"></head><body><p>{CHINESE}</p><p>{CHINESE}</p></body></html>'
    d = decode(page.encode("gb18030"))
    assert CHINESE in d.text
    assert any(n.startswith("charset-mislabelled: page said iso-8859-1, used gb18030") for n in d.notes)


def test_meta_declaring_an_escape_codec_is_ignored():
    page = '<html><head><meta charset="unicode_escape"></head><body><p>a\\x41b caf\xe9</p></body></html>'
    d = decode(page.encode("latin-1"))
    assert "a\\x41b café" in d.text  # never interpreted as escapes


def test_http_charset_hint():
    d = decode(FRENCH.encode("cp1252"), charset_hint="windows-1252")
    assert d.text == FRENCH and d.encoding == "cp1252"


# --------------------------------------------------------------------------- normalisation


def test_crlf_and_lone_cr_become_lf():
    assert decode(b"one\r\ntwo\rthree\n\rfour").text == "one\ntwo\nthree\n\nfour"


def test_control_characters_nul_and_bom_are_removed_tabs_kept():
    d = decode("\ufeffA\x00B\tC\x07D\x1bE\x7fF\ufeffG\n".encode("utf-8"))
    assert d.text == "AB\tCDEFG\n"


def test_form_feed_and_unicode_separators_become_newlines():
    assert decode("a\x0cb\x0bc\u2028d\u2029e".encode()).text == "a\nb\nc\nd\ne"


def test_c1_controls_are_read_as_cp1252():
    # cp1252 text once decoded as latin-1: U+0092 was a right single quote
    assert decode("It\x92s \x93fine\x94 \x85 really\x81".encode()).text == "It’s “fine” … really"


def test_nfc():
    assert decode("Cafe\u0301 noir".encode()).text == "Café noir"


def test_mojibake_is_repaired():
    broken = FRENCH.encode("utf-8").decode("cp1252", "replace").replace("\ufffd", "")
    assert broken != FRENCH
    d = decode(broken.encode("utf-8"))
    assert d.text == FRENCH
    assert "mojibake-repaired" in d.notes


def test_mojibake_repair_leaves_real_text_alone():
    for text in ("Âme sœur, Ãrvore? No: «Ça va», dit-il à Zoé.", "São Paulo – Ærø – Ísland", CHINESE):
        assert repair_mojibake(text) is None
        assert decode(text.encode()).text == text


def test_mojibake_repair_can_be_switched_off():
    d = decode("cafÃ© crÃ¨me".encode(), limits=Limits(repair_mojibake=False))
    assert d.text == "cafÃ© crÃ¨me"


def test_normalise_text_is_idempotent():
    once = normalise_text("a\r\nb\x92c\u2028d\x00e\u0065\u0301")
    assert normalise_text(once) == once


# --------------------------------------------------------------------------- format


def test_html_document_is_sniffed_from_content_not_name():
    page = b"  <!-- saved -->\n<!DOCTYPE html>\n<html><body><p>Hello</p></body></html>"
    assert decode(page, name="dump.txt").format == "html"


def test_html_fragment_is_html():
    frag = b"<div class='story'><p>First.</p><p>Second paragraph of the story.</p></div>"
    assert decode(frag).format == "html"


def test_text_with_a_stray_tag_stays_text():
    dump = '<img src="http://track.example/p.gif" width="1">\n\n' + (FRENCH + "\n\n") * 20
    assert decode(dump.encode()).format == "text"


def test_text_quoting_some_html_stays_text():
    dump = "How to write a link: use <a href='...'>text</a> inside a <p> element.\n\n" + (SPANISH + "\n\n") * 10
    assert sniff_format(dump) == "text"


def test_markup_dense_content_without_html_start_is_html():
    page = "var x = 1;\n" + "<div class='a'><span class='b'>x</span></div>\n" * 50
    assert sniff_format(page) == "html"


def test_html_name_breaks_ties():
    body = FRENCH + "<br>" + SPANISH
    assert sniff_format(body, "page.html") == "html"
    assert sniff_format(body, "page.txt") == "text"


# --------------------------------------------------------------------------- size limits


def test_50mb_single_line_text_is_rejected_not_hung(tmp_path):
    path = tmp_path / "one_line.txt"
    with open(path, "wb") as fh:
        fh.write(b"word " * (10 * 1024 * 1024))  # 50 MiB, no newline
    err = rejected(path.read_bytes())
    assert err.reason == "line_too_long"


def test_long_lines_under_the_limit_are_fine_and_the_limit_is_configurable():
    data = ("x" * 1000 + "\n") * 3
    assert decode(data.encode(), limits=Limits(max_line_chars=1000)).text == data
    assert rejected(data.encode(), limits=Limits(max_line_chars=999)).reason == "line_too_long"


def test_minified_one_line_html_is_not_subject_to_the_line_limit():
    page = "<html><body>" + "<p>" + "word " * 5000 + "</p></body></html>"
    d = decode(page.encode(), limits=Limits(max_line_chars=1000))
    assert d.format == "html"


def test_too_large_input():
    assert rejected(b"a" * 101, limits=Limits(max_file_bytes=100)).reason == "too_large"


# --------------------------------------------------------------------------- gzip


def test_gzip_is_detected_by_magic_bytes_whatever_the_name():
    d = decode(gzip.compress(FRENCH.encode("utf-8")), name="article.txt")
    assert d.text == FRENCH and "gzip" in d.notes


def test_gzip_of_a_legacy_charset():
    d = decode(gzip.compress(CHINESE.encode("gb18030")))
    assert d.text == CHINESE


def test_concatenated_gzip_members():
    data = gzip.compress(b"first part, ") + gzip.compress(b"second part")
    assert decode(data).text == "first part, second part"


def test_truncated_gzip_is_rejected_by_default():
    data = gzip.compress((FRENCH * 200).encode())
    err = rejected(data[: len(data) // 2])
    assert err.reason == "truncated_gzip"
    assert "recovered" in err.detail


def test_truncated_gzip_can_be_accepted():
    full = (FRENCH + "\n") * 200
    data = gzip.compress(full.encode())
    d = decode(data[: len(data) // 2], limits=Limits(accept_truncated_gzip=True))
    assert full.startswith(d.text) and 0 < len(d.text) < len(full)
    assert any(n.startswith("truncated-gzip") for n in d.notes)


def test_corrupt_gzip_crc():
    data = bytearray(gzip.compress(b"hello world, this is a test"))
    data[-6] ^= 0xFF  # inside the CRC32 trailer
    assert rejected(bytes(data)).reason == "corrupt_gzip"


def test_gzip_bomb_hits_the_decompressed_cap():
    bomb = gzip.compress(b"A" * 5_000_000, compresslevel=9)
    assert len(bomb) < 20_000
    err = rejected(bomb, limits=Limits(max_decompressed_bytes=1_000_000))
    assert err.reason == "too_large_decompressed"


def test_gunzip_streams_and_stops_at_the_cap():
    out, notes = gunzip(gzip.compress(b"x" * 10_000), Limits(max_decompressed_bytes=10_000))
    assert out == b"x" * 10_000 and notes == ["gzip"]
    with pytest.raises(RejectError):
        gunzip(gzip.compress(b"x" * 10_001), Limits(max_decompressed_bytes=10_000))


def test_raw_deflate_is_not_mistaken_for_text():
    data = zlib.compress(os.urandom(2000))
    assert rejected(data).reason in ("binary", "undecodable")


# --------------------------------------------------------------------------- real data


def _shared_files(kind: str) -> list[Path]:
    root = SHARED / "datasets"
    if not root.is_dir():
        pytest.skip("shared datasets not available")
    return sorted(root.glob(f"*/{kind}/*"))


@pytest.mark.shared
def test_every_shared_html_page_decodes_as_html():
    failures = []
    for path in _shared_files("html"):
        try:
            d = decode(path.read_bytes(), name=path.name)
        except RejectError as exc:
            failures.append((path.name, exc.reason))
            continue
        if d.format != "html":
            failures.append((path.name, d.format))
    assert failures == []


@pytest.mark.shared
def test_every_shared_dump_decodes_as_text_or_is_empty():
    for path in _shared_files("dump"):
        data = path.read_bytes()
        try:
            d = decode(data, name=path.name)
        except RejectError as exc:
            assert exc.reason == "empty" and not data.strip(), path
            continue
        assert d.format == "text", path
        assert d.encoding == "utf-8", path


def test_latin_text_that_would_repair_into_no_real_character_is_left_as_it_is():
    # "Þ²" has the byte shape of mojibake, but its "repair" is U+07B2, which Unicode does not assign
    assert decode("Model 0Þ²0 was sold in Reykjavík.".encode("utf-8")).text == "Model 0Þ²0 was sold in Reykjavík."
    assert decode("cafÃ© au lait".encode("utf-8")).text == "café au lait"
