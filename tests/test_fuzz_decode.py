"""Property tests: decode never crashes, is deterministic, and never invents text."""
from __future__ import annotations

import gzip
import os
import re
import unicodedata

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from cleaners import decode as decode_module
from cleaners.decode import Limits, decode
from cleaners.model import RejectError

# FUZZ_EXAMPLES=5000 for a longer run; the default keeps the suite fast.
SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
NO_REPAIR = Limits(repair_mojibake=False)

# C0 control bytes the binary sniffer counts (tab, LF, VT, FF, CR and ESC are text).
CONTROL_BYTES = set(range(32)) - {9, 10, 11, 12, 13, 27}
MOJIBAKE_PAIR = re.compile("[\u00c2-\u00f4][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")


def reference_normalise(text: str) -> str:
    """The normalisation documented in cleaners.decode, written out character by character."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in text:
        o = ord(ch)
        if ch in "\x0b\x0c\u2028\u2029":
            out.append("\n")
        elif 0x80 <= o <= 0x9F:
            out.append(bytes([o]).decode("cp1252", "ignore"))
        elif ch == "\ufeff" or o == 0x7F or (o < 32 and ch not in "\n\t"):
            continue
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def outcome(data: bytes, **kw):
    try:
        d = decode(data, **kw)
        return ("ok", d.text, d.format, d.encoding, d.notes)
    except RejectError as exc:
        assert isinstance(exc.reason, str) and exc.reason and isinstance(exc.detail, str)
        return ("reject", exc.reason, exc.detail)


@SETTINGS
@given(st.binary(max_size=4096))
@example(b"\x1f\x8b")
@example(b"\xff\xfe\x00")
@example(b"\xfe\xff\xd8\x00")
@example(b"<meta charset=unicode_escape>\\x41\xe9")
@example(b"<meta charset=utf-7>+AGE-\xe9")
@example(b"\x00a\x00b\xe9")
def test_random_bytes_only_ever_reject_and_are_deterministic(data):
    first = outcome(data)  # any exception other than RejectError fails the test
    assert outcome(data) == first
    if first[0] == "ok":
        text = first[1]
        assert text.strip()
        assert "\r" not in text and "\x00" not in text and "\ufeff" not in text


@SETTINGS
@given(st.binary(max_size=2048))
def test_random_bytes_behind_gzip_or_boms(data):
    for wrapped in (gzip.compress(data), b"\xef\xbb\xbf" + data, b"\xff\xfe" + data, b"\xfe\xff" + data):
        outcome(wrapped)


@SETTINGS
@given(st.text(max_size=2000))
@example("a\x00b\x00c\x00d\x00e\x00")
@example("\ufeff\ufeffx")
@example("e\u0301\r\n\x85\x92")
def test_utf8_text_is_decoded_to_itself_up_to_the_normalisation(text):
    data = text.encode("utf-8")
    assume(not data.startswith(b"WARC/"))
    expected = reference_normalise(text)
    got = outcome(data, limits=NO_REPAIR)
    if got[0] == "ok":
        assert got[1] == expected
        assert got[3] == "utf-8"
        return
    reason = got[1]
    if reason == "empty":
        assert not expected.strip()
    elif reason == "binary":
        controls = sum(1 for b in data[:65536] if b in CONTROL_BYTES)
        assert controls > 3 or decode_module._binary_signature(data[:65536]) is not None
    else:
        raise AssertionError(f"valid UTF-8 text rejected as {reason}: {got[2]}")


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=2000))
def test_text_without_control_characters_is_never_rejected_unless_blank(text):
    data = text.encode("utf-8")
    assume(not data.startswith((b"WARC/", b"%PDF-")))
    got = outcome(data, limits=NO_REPAIR)
    if not reference_normalise(text).strip():
        assert got[:2] == ("reject", "empty")
    else:
        assert got[0] == "ok" and got[1] == reference_normalise(text)


@SETTINGS
@given(st.text(max_size=2000))
def test_mojibake_repair_only_changes_text_when_it_says_so(text):
    data = text.encode("utf-8")
    assume(not data.startswith(b"WARC/"))
    plain = outcome(data, limits=NO_REPAIR)
    repaired = outcome(data)
    if plain[0] == "ok" and repaired[0] == "ok" and "mojibake-repaired" not in repaired[4]:
        assert repaired[1] == plain[1]
    if repaired[0] == "ok" and "mojibake-repaired" in repaired[4]:
        # only text showing a UTF-8 lead byte read as cp1252/latin-1 followed by a continuation
        # byte read the same way is ever repaired
        assert MOJIBAKE_PAIR.search(text)
        assert repaired[1] != plain[1]


@SETTINGS
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x17F), min_size=1, max_size=500))
def test_cp1252_text_never_crashes_and_ascii_stays_exact(text):
    try:
        data = text.encode("cp1252")
    except UnicodeEncodeError:
        assume(False)
        return
    got = outcome(data, limits=NO_REPAIR)
    if text.isascii() and reference_normalise(text).strip() and not data.startswith((b"WARC/", b"%PDF-")):
        assert got[0] == "ok" and got[1] == reference_normalise(text)
