"""Property tests of the cleaner over random bytes and random text.

Whatever it is given, the cleaner
- never raises (clean_bytes may only refuse a file with RejectError, the documented outcome);
- never invents text: every line of the body comes from one line of its input (whitespace may be
  repaired; the decoder may repair the encoding, so clean_bytes is checked against its decoded text);
- is deterministic: the same input gives the same output.
"""
from __future__ import annotations

import html
import re
import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaners.model import Cleaned, RejectError
from cleaners.pipeline import clean_bytes
from cleaners.text import clean_text

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def squeeze(s: str) -> str:
    """`s` without the characters a whitespace repair may add, drop or change: spaces of every
    kind, control and invisible format characters, and private-use characters (icon-font glyphs,
    which trafilatura drops from HTML text); in NFC."""
    s = unicodedata.normalize("NFC", s)
    return "".join(ch for ch in s if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Co"))


def lines_of(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def invented_lines(cleaned: Cleaned, source: str) -> list[str]:
    """Lines of the body that are not part of any single line of `source`."""
    lines = [x for x in map(squeeze, lines_of(source)) if x]
    return [b for b in map(squeeze, lines_of(cleaned.text)) if b and not any(b in x for x in lines)]


def from_words(token: str, visible: str, words: set[str]) -> bool:
    """`token` is part of the page text, or adjacent page words joined (an extractor may join the
    items of a list without a space)."""
    if token in visible:
        return True
    ok = [True] + [False] * len(token)
    for i in range(1, len(token) + 1):
        ok[i] = any(ok[j] and token[j:i] in words for j in range(i))
    return ok[-1]


def as_tuple(c: Cleaned) -> tuple:
    m = c.metadata
    return (c.text, c.format, m.title, m.subtitle, tuple(m.authors), m.published, m.site_name, tuple(m.sources),
            m.url, tuple((r.text, r.reason) for r in c.removed))


# text that looks a little like a page dump: words, short lines, blank lines, odd spaces and symbols
_word = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12),
    st.sampled_from(["By", "Read", "more", "Share", "Advertisement", "via", "Reuters", "The", "said", "2024",
                     "You", "May", "Also", "Like", "©", "|", "Photo:", "Getty", "Images", "Subscribe", "—"]),
)
_line = st.lists(_word, max_size=25).map(" ".join)
_seps = st.sampled_from(["\n", "\n\n", "\r\n", "\n \n", "\n\t\n", "\u2028", "\n\u00a0\n"])
page_text = st.lists(st.tuples(_line, _seps), max_size=40).map(lambda xs: "".join(a + b for a, b in xs))


@FUZZ
@given(st.one_of(page_text, st.text(max_size=3000)))
def test_clean_text_never_raises_invents_nothing_and_is_deterministic(text):
    cleaned = clean_text(text)
    assert isinstance(cleaned.text, str)
    assert invented_lines(cleaned, text) == []
    assert as_tuple(clean_text(text)) == as_tuple(cleaned)
    for r in cleaned.removed:
        assert r.reason and isinstance(r.text, str)


def _bytes_outcome(data: bytes):
    try:
        decoded, cleaned = clean_bytes(data, name="fuzz.txt")
    except RejectError as exc:
        assert exc.reason and isinstance(exc.detail, str)
        return ("reject", exc.reason)
    return ("ok", decoded, cleaned)


def _check_bytes(data: bytes) -> None:
    first = _bytes_outcome(data)
    second = _bytes_outcome(data)
    if first[0] == "reject":
        assert second == first
        return
    _, decoded, cleaned = first
    assert second[0] == "ok" and as_tuple(second[2]) == as_tuple(cleaned) and second[1].text == decoded.text
    if cleaned.format == "text":
        assert invented_lines(cleaned, decoded.text) == []
    else:  # HTML: each body line comes from the page text (tags dropped, entities decoded)
        page = html.unescape(re.sub(r"<[^>]*>", " ", decoded.text))
        visible, words = squeeze(page), {w for w in map(squeeze, page.split()) if w}
        assert [w for w in map(squeeze, cleaned.text.split()) if w and not from_words(w, visible, words)] == []


@FUZZ
@given(st.binary(max_size=4000))
def test_clean_bytes_on_random_bytes_only_rejects_and_is_deterministic(data):
    _check_bytes(data)


_encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "shift_jis", "koi8-r"])


@FUZZ
@given(page_text, _encodings)
def test_clean_bytes_on_encoded_text_invents_nothing(text, encoding):
    _check_bytes(text.encode(encoding, errors="ignore"))


_html_text = st.text(st.characters(min_codepoint=32, max_codepoint=0x24F, exclude_characters="<>&"),
                     min_size=0, max_size=120)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["p", "div", "h1", "li", "span", "footer", "nav"]), _html_text),
                max_size=25),
       st.booleans())
@example([("p", "0\u00ee\x80\x800")], False)  # mojibake of a private-use glyph between two digits
def test_clean_bytes_on_random_html_invents_nothing(blocks, with_entities):
    body = "".join(f"<{tag}>{html.escape(t) if with_entities else t}</{tag}>" for tag, t in blocks)
    _check_bytes(f"<!doctype html><html><head><title>x</title></head><body>{body}</body></html>".encode())
