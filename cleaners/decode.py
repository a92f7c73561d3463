"""From raw bytes to normalised text: decompression, charset, binary and format sniffing.

`decode(data)` either returns a `Decoded` or raises `RejectError(reason, detail)`; it never raises
anything else, whatever the bytes (checked by property tests). Reasons it uses:

==========================  ==================================================================
reason                      meaning
==========================  ==================================================================
``too_large``               input bytes over ``Limits.max_file_bytes``
``too_large_decompressed``  gzip output over ``Limits.max_decompressed_bytes`` (gzip bomb)
``truncated_gzip``          the gzip stream ends early (see ``Limits.accept_truncated_gzip``)
``corrupt_gzip``            the gzip stream is damaged (bad header, bad data, bad CRC)
``binary``                  not text: a known binary signature (image, PDF, zip, ...) or too many
                            control bytes
``warc``                    a WARC container; read it with ``cleaners.sources.iter_warc``
``undecodable``             not UTF-8 and no charset fits
``empty``                   nothing but whitespace (and control characters) after decoding
``line_too_long``           plain text with a line over ``Limits.max_line_chars`` characters
==========================  ==================================================================

Decoding order (first that applies wins):

1. gzip by magic bytes (``1f 8b``), whatever the file name; streamed with an output cap; up to
   three nested layers and concatenated members are handled.
2. known binary signatures (PNG, JPEG, GIF, PDF, zip, ...) -> ``binary``.
3. a byte-order mark (UTF-32 LE/BE, UTF-8, UTF-16 LE/BE) decides the encoding.
4. NUL bytes: regular NULs on every other byte mean BOM-less UTF-16 (decoded as UTF-8 when
   valid, which gives the same text for ASCII); otherwise more than 3 control bytes and a share
   over ``Limits.max_control_ratio`` of the head means ``binary``.
5. UTF-8 (the fast path: one C-level decode). A declared charset that disagrees is ignored and
   reported in ``notes`` (``charset-mislabelled: ...``).
6. The declared charset (``charset_hint`` from the HTTP header, else ``<meta charset>`` or the XML
   declaration, mapped to the WHATWG superset: latin-1/ascii -> cp1252, gb2312/gbk -> gb18030,
   shift_jis -> cp932, ...) if it decodes strictly; a Latin single-byte charset (which decodes
   anything) must also read as prose (see 8).
7. Mostly-UTF-8 bytes with a few stray invalid bytes: UTF-8 with those bytes read as cp1252.
8. charset-normalizer over the charsets used on the web, preferring cp1252 among near-equal
   candidates; cp1252 also when the detector finds nothing, or bases a non-cp1252 pick on very
   few high bytes (< 0.2%, < 2% for CJK), provided cp1252 reads as prose (non-ASCII characters
   mostly letters and common punctuation).

Mojibake repair (``repair_mojibake``, on unless ``Limits.repair_mojibake`` is off), before
normalisation: UTF-8 text that was once read as cp1252/latin-1 and saved again (``cafÃ©``,
``â€™``, ``Â©``) is repaired character by character, only where the cp1252 bytes of the suspect
characters form valid UTF-8 (note ``mojibake-repaired``). A regex on the UTF-8 bytes gates it.

Normalisation applied to every result (``normalise_text``): ``\\r\\n`` and lone ``\\r`` -> ``\\n``;
``\\v``, ``\\f``, U+2028 and U+2029 -> ``\\n``; U+FEFF (BOM) removed anywhere; C1 control
characters U+0080-U+009F (a cp1252 text decoded as latin-1) mapped to their cp1252 characters
(U+0085 -> ``…``; the five unassigned ones removed); other control characters except ``\\n`` and
``\\t`` removed; Unicode NFC.

Long lines: HTML is often minified onto one line, so the limit applies to plain text only. A
plain-text file whose longest line exceeds ``max_line_chars`` (default 200 000 characters, far
above any paragraph) is rejected with ``line_too_long``: such a file is not an article, and
line-oriented rules downstream must never see a 50 MB line.

Truncated gzip: rejected by default (``truncated_gzip``), since a cut-off article is not one a
curated corpus should hold; ``Limits(accept_truncated_gzip=True)`` decodes what was recovered and
adds the note ``truncated-gzip: recovered N bytes``.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
import zlib
from dataclasses import dataclass

from cleaners.model import RejectError

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps that keep bad input from hurting the run. All plain scalars."""

    max_file_bytes: int = 64 * MiB
    """Bytes read from disk (or one WARC record payload); more -> ``too_large``."""
    max_decompressed_bytes: int = 64 * MiB
    """Bytes gzip may expand to; more -> ``too_large_decompressed`` (gzip bomb)."""
    max_line_chars: int = 200_000
    """Longest line allowed in plain text (not HTML); more -> ``line_too_long``."""
    max_control_ratio: float = 0.01
    """Share of C0 control bytes (other than tab, newlines, form feed, escape) in the sniffed head
    above which non-UTF-16 bytes count as ``binary`` (and at least 4 of them)."""
    sniff_bytes: int = 65_536
    """How many leading bytes the binary, charset-declaration and format sniffers look at."""
    accept_truncated_gzip: bool = False
    """Decode what a truncated gzip stream yielded instead of rejecting it."""
    repair_mojibake: bool = True
    """Repair UTF-8-read-as-cp1252 mojibake (``cafÃ©`` -> ``café``)."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    """Normalised text (see the module docstring)."""
    format: str
    """``"text"`` or ``"html"``, sniffed from the content (the name is only a tie-breaker)."""
    encoding: str
    """The Python codec name used, e.g. ``"utf-8"``, ``"cp1252"``, ``"gb18030"``."""
    notes: tuple[str, ...] = ()
    """What happened on the way: ``gzip``, ``bom``, ``charset-mislabelled: ...`` etc."""


# --------------------------------------------------------------------------------------------
# gzip

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 256 * 1024


def gunzip(data: bytes, limits: Limits = Limits()) -> tuple[bytes, list[str]]:
    """Decompress gzip `data` (concatenated members allowed) with the output capped.

    Returns the bytes and notes. Raises RejectError ``too_large_decompressed``,
    ``truncated_gzip`` (unless ``limits.accept_truncated_gzip``) or ``corrupt_gzip``.
    """
    cap = limits.max_decompressed_bytes
    out: list[bytes] = []
    produced = 0
    notes: list[str] = ["gzip"]
    view = memoryview(data)
    pos = 0
    members = 0
    while True:
        d = zlib.decompressobj(wbits=31)
        members += 1
        try:
            while pos < len(view) or d.unconsumed_tail:
                if d.unconsumed_tail:
                    chunk = d.unconsumed_tail
                else:
                    chunk = view[pos : pos + _CHUNK]
                    pos += len(chunk)
                piece = d.decompress(chunk, cap + 1 - produced)
                produced += len(piece)
                out.append(piece)
                if produced > cap:
                    raise RejectError(
                        "too_large_decompressed",
                        f"gzip expands past {cap} bytes (input {len(data)} bytes)",
                    )
                if d.eof:
                    break
        except zlib.error as exc:
            raise RejectError("corrupt_gzip", f"gzip member {members}: {exc}") from None
        if not d.eof:
            if limits.accept_truncated_gzip and produced:
                notes.append(f"truncated-gzip: recovered {produced} bytes")
                break
            raise RejectError(
                "truncated_gzip",
                f"the {len(data)}-byte gzip stream ends before its end marker ({produced} bytes recovered)",
            )
        rest = d.unused_data + bytes(view[pos:])
        if not rest:
            break
        if rest[:2] == _GZIP_MAGIC:
            view = memoryview(rest)
            pos = 0
            continue
        if rest.strip(b"\x00"):
            notes.append(f"gzip-trailing-garbage: {len(rest)} bytes ignored")
        break
    return b"".join(out), notes


# --------------------------------------------------------------------------------------------
# binary sniffing

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "zip archive (or docx/xlsx/epub)"),
    (b"PK\x05\x06", "empty zip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"BZh", "bzip2 data (not supported)"),
    (b"\xfd7zXZ\x00", "xz data (not supported)"),
    (b"\x28\xb5\x2f\xfd", "zstd data (not supported)"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE document (doc/xls)"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"fLaC", "FLAC audio"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x1a\x45\xdf\xa3", "Matroska/WebM media"),
)
_RIFF_KINDS = {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}

# Bytes that occur in text: everything except C0 controls other than \t \n \v \f \r ESC, and DEL.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)


_NON_TEXT_BYTE = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\xff]")


def _binary_signature(head: bytes) -> str | None:
    """What binary format `head` starts with, or None. Magic numbers made only of printable
    ASCII (``GIF89a``, ``OggS``, ``RIFF`` ...) also need a non-text byte in the first 64 bytes, so a
    text that happens to start with those letters stays text (PDF excepted: never an article)."""
    found = None
    for magic, what in _BINARY_SIGNATURES:
        if head.startswith(magic):
            if magic == b"MZ" and b"This program" not in head[:512]:
                continue  # "MZ" starts real words too; require the DOS stub text
            found = (magic, what)
            break
    if found is None:
        if head[:4] == b"RIFF" and head[8:12] in _RIFF_KINDS:
            found = (b"RIFF", _RIFF_KINDS[head[8:12]])
        elif head[4:8] == b"ftyp":
            found = (b"ftyp", "MP4/HEIF media")
        elif head[:4] in (b"II*\x00", b"MM\x00*"):
            found = (head[:4], "TIFF image")
    if found is None:
        return None
    magic, what = found
    if magic != b"%PDF-" and not _NON_TEXT_BYTE.search(magic) and not _NON_TEXT_BYTE.search(head[:64]):
        return None
    return what


def _control_count(head: bytes) -> int:
    return len(head.translate(None, _NOT_CONTROL))


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when NULs sit regularly on odd / even bytes, else None."""
    n = len(head) - (len(head) % 2)
    if n < 4:
        return None
    even = head[0:n:2].count(0)
    odd = head[1:n:2].count(0)
    half = n // 2
    if odd >= 0.3 * half and even <= 0.05 * half:
        return "utf-16-le"
    if even >= 0.3 * half and odd <= 0.05 * half:
        return "utf-16-be"
    return None


# --------------------------------------------------------------------------------------------
# charset declarations

_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9][-A-Za-z0-9_.:]*)""", re.I
)
_XML_DECL = re.compile(rb"""^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9][-A-Za-z0-9_.:]*)""", re.I)

# WHATWG Encoding Standard: labels browsers map to a superset codec.
_WHATWG = {
    "ascii": "cp1252",
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "iso8859_15": "cp1252",
    "cp1252": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
    "iso8859_9": "cp1254",
    "iso8859_11": "cp874",
    "tis_620": "cp874",
}
_NOT_CHARSETS = frozenset(
    {"unicode_escape", "raw_unicode_escape", "escape", "idna", "punycode", "utf_7", "undefined",
     "charmap", "mbcs", "oem", "rot_13", "unicode_internal", "palmos"}
)
# Latin-script single-byte charsets decode any bytes at all, so a page's claim to one is checked
# for plausibility (CJK or Cyrillic bytes read as Latin-1 look like accented-letter soup).
_LATIN_SINGLE_BYTE = frozenset(
    {"cp1252", "cp1250", "cp1254", "cp1257", "cp1258", "latin_1", "iso8859_2", "iso8859_3", "iso8859_4",
     "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "mac_roman"}
)


def _codec_name(label: str) -> str | None:
    """Python codec name for a charset label, with WHATWG supersets; None if unknown."""
    label = label.strip().strip("\"'").lower()
    if label in ("x-sjis", "sjis", "windows-31j", "ms_kanji"):
        label = "shift_jis"
    if label in ("x-gbk",):
        label = "gbk"
    if label in ("ks_c_5601-1987", "x-windows-949"):
        label = "euc_kr"
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # base64, zlib, hex ...: bytes-to-bytes transforms
    name = info.name
    name = name.replace("-", "_")
    if name in _NOT_CHARSETS or name.endswith("_codec"):
        return None  # escapes, IDNA, UTF-7, transforms: never a page's charset, and they invent text
    name = _WHATWG.get(name, name)
    return name.replace("_", "-") if name.startswith("utf") else name


def declared_charset(head: bytes) -> str | None:
    """The charset label a page declares in its first bytes (XML declaration or meta), raw."""
    if b"<" not in head:
        return None
    m = _XML_DECL.match(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _is_utf8_family(codec: str) -> bool:
    return codec.replace("-", "_") in ("utf_8", "utf_8_sig")


# --------------------------------------------------------------------------------------------
# decoding helpers

_SURROGATE_ESCAPES = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f\W\d_]{3,}")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few invalid bytes (read as cp1252), or None when it is not mostly UTF-8."""
    text = data.decode("utf-8", "surrogateescape")
    bad = len(_SURROGATE_ESCAPES.findall(text))
    good = len(_NON_ASCII.findall(text)) - bad
    if good < 2 or bad > good:
        return None
    return _SURROGATE_ESCAPES.sub(
        lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", "replace").replace("\ufffd", ""),
        text,
    )


def _decode_single_byte_web(data: bytes, codec: str) -> str:
    """cp1252 with the 5 unassigned bytes read as latin-1 (as browsers do); other codecs strict."""
    if codec == "cp1252":
        return data.decode("cp1252", "_cleaners_latin1_fallback")
    return data.decode(codec)


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("_cleaners_latin1_fallback", _latin1_fallback)


_HIGH_BYTES = bytes(range(128, 256))
_CJK = ("gb18030", "gb2312", "gbk", "big5", "big5hkscs", "cp932", "shift_jis", "euc_jp", "iso2022_jp", "euc_kr", "cp949")


def _few_high_bytes(data: bytes, codec: str) -> bool:
    """Too few bytes >= 0x80 for a detector's pick of `codec` to mean much."""
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    share = 0.02 if codec in _CJK else 0.002
    return high < share * len(data)


def _plausible_single_byte(text: str) -> bool:
    """A single-byte decode looks like prose: non-ASCII characters mostly letters."""
    sample = text[:20000]
    non_ascii = _NON_ASCII.findall(sample)
    if not non_ascii:
        return True
    letters = sum(1 for ch in sample if ch.isalpha())
    odd = sum(1 for ch in non_ascii if not (ch.isalpha() or ch in _WESTERN_PUNCT))
    if odd > 0.2 * len(non_ascii):
        return False
    # Western words hold at most two accented letters in a row ("ção", "créée"); longer runs
    # are another script read byte by byte ("ÐÓÑÈÍ" is Cyrillic in cp1251).
    if sum(map(len, _NON_ASCII_RUN.findall(sample))) > 0.1 * len(non_ascii):
        return False
    # Mostly non-ASCII letters in a "Western" decode usually means CJK bytes read one by one;
    # let the detector confirm it (only reached for declared single-byte charsets).
    return not (letters and len(non_ascii) > 0.6 * letters)


_WESTERN_PUNCT = set("“”‘’„‚«»‹›–—…•·°€£¥©®™§¶¿¡ ­×÷±²³¹¼½¾µ¢¤¦¨¯´¸ªº†‡‰")

# Charsets seen on the web (WHATWG Encoding Standard, by their Python names). DOS, Mac, EBCDIC and
# other code pages are left out: they never label web pages, yet short samples often "fit" them.
_WEB_CHARSETS = (
    "utf_8", "utf_16", "utf_16_be", "utf_16_le", "utf_32", "cp1252", "latin_1", "iso8859_15",
    "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258", "cp874",
    "iso8859_2", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8",
    "koi8_r", "koi8_u",
    "gb18030", "gb2312", "gbk", "big5", "big5hkscs", "cp932", "shift_jis", "euc_jp", "iso2022_jp",
    "euc_kr", "cp949",
)

_PREFERRED = ("utf_8", "cp1252", "latin_1", "iso8859_15", "iso8859_1")


def _detect(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer, preferring cp1252 among equally good candidates. (text, codec)."""
    try:
        from charset_normalizer import from_bytes

        results = list(from_bytes(data, cp_isolation=list(_WEB_CHARSETS)))
    except Exception:  # the detector must never crash the decoder
        return None
    if not results:
        return None
    best_chaos = min(m.chaos for m in results)
    top_coherence = max(m.coherence for m in results)
    # Short samples leave several single-byte codecs nearly tied; cp1252 is by far the most
    # common legacy charset on the web, so it wins any near-tie it takes part in.
    chosen = None
    for m in results:
        if (
            m.encoding in _PREFERRED
            and m.chaos <= best_chaos + 0.1
            and m.coherence >= top_coherence - 0.15
        ):
            chosen = m
            break
    if chosen is None:
        pool = [m for m in results if m.chaos <= best_chaos + 0.02]
        chosen = max(pool, key=lambda m: (m.coherence, -m.chaos))
    codec = _WHATWG.get(chosen.encoding, chosen.encoding)
    try:
        if codec == "cp1252":
            text = _decode_single_byte_web(data, codec)
        else:
            text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        try:
            text = str(chosen)
            codec = chosen.encoding
        except Exception:
            return None
    return text, codec.replace("_", "-") if codec.startswith("utf") else codec


# --------------------------------------------------------------------------------------------
# normalisation

_OTHER_SPECIALS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u2028\u2029]")
_LINE_BREAKS = re.compile("[\x0b\x0c\u2028\u2029]")
_DROP = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufeff]")
_C1 = re.compile("[\x80-\x9f]")
# The same tests on UTF-8 bytes: much faster than a character-class scan of the str.
_C0_OR_DEL = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_NOT_C0_OR_DEL = bytes(b for b in range(256) if b not in _C0_OR_DEL)
_UTF8_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_UTF8_BOM = re.compile(rb"\xef\xbb\xbf")  # literal-prefixed regexes scan faster than `in` here
_UTF8_SEPARATORS = re.compile(rb"\xe2\x80[\xa8\xa9]")


def _c1_to_cp1252(m: re.Match[str]) -> str:
    return bytes([ord(m.group())]).decode("cp1252", "ignore")


def _utf8_has_specials(raw: bytes) -> bool:
    """Whether UTF-8 bytes hold anything the normalisation changes besides CR and NFC."""
    if raw.translate(None, _NOT_C0_OR_DEL):
        return True
    if raw.isascii():
        return False
    return (
        _UTF8_BOM.search(raw) is not None  # U+FEFF
        or _UTF8_SEPARATORS.search(raw) is not None  # U+2028, U+2029
        or _UTF8_C1.search(raw) is not None
    )


def normalise_text(text: str, utf8: bytes | None = None) -> str:
    """The documented normalisation of decoded text (see the module docstring).

    `utf8`, when given, must be `text` encoded as UTF-8; it makes the common case faster.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _utf8_has_specials(utf8) if utf8 is not None else _OTHER_SPECIALS.search(text) is not None:
        text = _LINE_BREAKS.sub("\n", text)
        text = _C1.sub(_c1_to_cp1252, text)
        text = _DROP.sub("", text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


# Mojibake: UTF-8 bytes read as cp1252 (or latin-1) and saved as UTF-8 again. Each original
# character became a lead character (Â-ß for 2-byte, à-ï for 3-byte, ð-ô for 4-byte sequences)
# followed by continuation characters: U+0080-U+00BF or the cp1252 characters of bytes 0x80-0x9F
# (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ). Matched on the UTF-8 bytes, one original
# character at a time; a match is replaced only if its cp1252 bytes are valid UTF-8.
_CONT = (
    rb"(?:\xc2[\x80-\xbf]|\xe2\x82\xac|\xe2\x80[\x93\x94\x98-\x9a\x9c-\x9e\xa0-\xa2\xa6\xb0\xb9\xba]"
    rb"|\xe2\x84\xa2|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xc6\x92|\xcb[\x86\x9c])"
)
_MOJIBAKE = re.compile(
    rb"\xc3(?:[\x82-\x9f]" + _CONT + rb"|[\xa0-\xaf]" + _CONT * 2 + rb"|[\xb0-\xb4]" + _CONT * 3 + rb")"
)


def _unmojibake(m: re.Match[bytes]) -> bytes:
    chars = m.group().decode("utf-8")
    raw = bytes(ord(ch) if ord(ch) < 256 else ch.encode("cp1252")[0] for ch in chars)
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return m.group()
    # a lone combining mark, or a code point Unicode does not assign, is no character anybody
    # typed: this is real Latin text ("Þ²") that has the byte shape of mojibake
    if unicodedata.category(fixed)[0] == "M" or unicodedata.category(fixed) == "Cn":
        return m.group()
    return fixed.encode("utf-8")


def repair_mojibake(text: str, utf8: bytes | None = None) -> str | None:
    """`text` with UTF-8-read-as-cp1252 mojibake repaired (``cafÃ©`` -> ``café``, ``â€™`` -> ``’``),
    up to three layers deep; None when there is none. `utf8` is `text` as UTF-8 if at hand."""
    if text.isascii():
        return None
    raw = utf8 if utf8 is not None else text.encode("utf-8", "surrogatepass")
    if b"\xc3" not in raw or _MOJIBAKE.search(raw) is None:
        return None
    for _ in range(3):
        fixed = _MOJIBAKE.sub(_unmojibake, raw)
        if fixed == raw:
            break
        raw = fixed
    repaired = raw.decode("utf-8", "surrogatepass")
    return repaired if repaired != text else None


# --------------------------------------------------------------------------------------------
# format sniffing

_HTML_TAGS = (
    "html|head|body|meta|title|link|script|style|noscript|base|div|span|p|a|br|hr|img|table|tr|td"
    "|th|tbody|thead|ul|ol|li|dl|dt|dd|h[1-6]|header|footer|nav|main|article|section|aside|form"
    "|input|button|iframe|figure|figcaption|strong|em|b|i|u|blockquote|pre|code|svg|template|center|font"
)
_LEADING_JUNK = re.compile(r"(?:\s+|<!--.*?-->|<\?xml[^>]*>|<!doctype[^>]*>)*", re.I | re.S)
_DOCUMENT_START = re.compile(r"<(?:html|head|body|meta|title|link|script|style|base|noscript)[\s/>]", re.I)
_HTML_START = re.compile(rf"</?(?:{_HTML_TAGS})[\s/>]", re.I)
_ANY_HTML_TAG = re.compile(rf"</?(?:{_HTML_TAGS})\b[^<>]{{0,2000}}>", re.I)
_HTML_NAMES = (".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp")


def sniff_format(text: str, name: str = "") -> str:
    """``"html"`` or ``"text"``, from the content; the file name only breaks ties.

    HTML when, after whitespace, comments, an XML declaration and a doctype, the text
    starts with a doctype or a document-level tag (html, head, body, meta, title, link, script,
    style, base, noscript); or starts with any HTML tag and tags make up >= 5% of the first 64 KiB
    (an HTML fragment); or has >= 8 HTML tags making up >= 25% of it (markup-dense, e.g. a page
    that starts with inline JavaScript); or the name ends in .html/.htm/... and it has any tag.
    A plain-text dump with a stray tracking ``<img>`` or code samples quoting tags stays text.
    """
    head = text[:65536]
    m = _LEADING_JUNK.match(head)
    start = m.end() if m else 0
    if head[start : start + 9].lower() == "<!doctype" or _DOCUMENT_START.match(head, start):
        return "html"
    tags = _ANY_HTML_TAG.findall(head)
    if not tags:
        return "text"
    share = sum(map(len, tags)) / len(head)
    if _HTML_START.match(head, start) and len(tags) >= 3 and share >= 0.05:
        return "html"
    if len(tags) >= 8 and share >= 0.25:
        return "html"
    lname = name.lower()
    if lname.endswith(".gz"):
        lname = lname[:-3]
    if lname.endswith(_HTML_NAMES):
        return "html"
    return "text"


def _longest_line_over(text: str, limit: int) -> int | None:
    """Length of the first line longer than `limit`, or None."""
    if len(text) <= limit:
        return None
    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos, pos + limit + 1)
        if nl < 0:
            end = text.find("\n", pos)
            if end < 0:
                end = n
            if end - pos > limit:
                return end - pos
            pos = end + 1
        else:
            pos = nl + 1
    return None


# --------------------------------------------------------------------------------------------
# decode

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode(
    data: bytes,
    *,
    name: str = "",
    limits: Limits = Limits(),
    charset_hint: str | None = None,
) -> Decoded:
    """Decode raw file bytes into normalised text, or raise RejectError.

    `name` (a file name or URL) only breaks ties in format sniffing and fills error details.
    `charset_hint` is a declared charset from outside the bytes (e.g. an HTTP Content-Type);
    like a meta charset it is trusted only when the bytes agree.
    """
    try:
        return _decode(data, name, limits, charset_hint)
    except RejectError:
        raise
    except (MemoryError, RecursionError, ValueError, LookupError, UnicodeError, zlib.error) as exc:
        raise RejectError("undecodable", f"{type(exc).__name__}: {exc}") from None


def _decode(data: bytes, name: str, limits: Limits, charset_hint: str | None) -> Decoded:
    if len(data) > limits.max_file_bytes:
        raise RejectError("too_large", f"{len(data)} bytes > max_file_bytes {limits.max_file_bytes}")
    notes: list[str] = []
    for _ in range(3):
        if data[:2] != _GZIP_MAGIC:
            break
        data, gz_notes = gunzip(data, limits)
        notes.extend(gz_notes)
    if not data.strip():
        raise RejectError("empty", f"{len(data)} bytes, nothing but whitespace" if data else "0 bytes")

    head = data[: limits.sniff_bytes]
    what = _binary_signature(head)
    if what:
        raise RejectError("binary", f"{what} ({len(data)} bytes)")
    if head.startswith(b"WARC/"):
        raise RejectError("warc", "a WARC container: read it with cleaners.sources.iter_warc")

    text: str | None = None
    utf8: bytes | None = None  # `text` as UTF-8 bytes when we have them for free
    encoding = ""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                if codec.startswith("utf-8"):
                    break  # a UTF-8 BOM on bytes that are not UTF-8: detect below
                raise RejectError("undecodable", f"{codec} BOM but invalid {codec}: {exc.reason}") from None
            encoding = codec
            if codec == "utf-8":
                utf8 = data[len(bom) :]
            notes.append(f"bom: {codec}")
            break

    if text is None and b"\x00" in data:
        utf16 = _utf16_without_bom(head)
        if utf16:
            try:
                # ASCII-only UTF-16 is also valid UTF-8, and decoding it so (NULs then dropped by
                # the normalisation) gives the same text; a UTF-8 text with NULs keeps its text.
                text = data.decode("utf-8")
                encoding = "utf-8"
                utf8 = data
            except UnicodeDecodeError:
                try:
                    text = data.decode(utf16)
                except UnicodeDecodeError:
                    raise RejectError("binary", f"NUL-rich bytes that are not valid {utf16}") from None
                encoding = utf16
                notes.append(f"utf-16 without bom: {utf16}")

    if text is None:
        count = _control_count(head)
        if count > 3 and count > limits.max_control_ratio * len(head):
            raise RejectError("binary", f"{count} control bytes in the first {len(head)} bytes")

    declared_label = charset_hint or declared_charset(head)
    declared = _codec_name(declared_label) if declared_label else None
    source = "http header" if charset_hint else "page"

    if text is None:
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
            utf8 = data
            if declared and not _is_utf8_family(declared) and not text.isascii():
                notes.append(f"charset-mislabelled: {source} said {declared_label}, used utf-8")
        except UnicodeDecodeError:
            pass

    if text is None and declared and not _is_utf8_family(declared) and not declared.startswith("utf"):
        try:
            candidate = _decode_single_byte_web(data, declared)
        except (UnicodeDecodeError, LookupError):
            candidate = None
        if candidate is not None and (declared not in _LATIN_SINGLE_BYTE or _plausible_single_byte(candidate)):
            text, encoding = candidate, declared

    if text is None:
        repaired = _mostly_utf8(data)
        if repaired is not None:
            text, encoding = repaired, "utf-8"
            notes.append("invalid utf-8 bytes read as cp1252")

    if text is None:
        found = _detect(data)
        if found is None or (found[1] != "cp1252" and _few_high_bytes(data, found[1])):
            # Nothing fits, or a pick resting on a handful of bytes: mostly-ASCII text with a few
            # symbols is far more often cp1252 than anything else, when cp1252 reads as prose.
            western = _decode_single_byte_web(data, "cp1252")
            if _plausible_single_byte(western):
                found = (western, "cp1252")
        if found is None:
            raise RejectError("undecodable", "not UTF-8, no declared or detected charset fits")
        text, encoding = found
        if declared and declared != encoding:
            notes.append(f"charset-mislabelled: {source} said {declared_label}, used {encoding}")
        else:
            notes.append(f"charset-detected: {encoding}")

    if limits.repair_mojibake:
        fixed = repair_mojibake(text, utf8)
        if fixed is not None:
            text, utf8 = fixed, None
            notes.append("mojibake-repaired")
    text = normalise_text(text, utf8)
    if not text.strip():
        raise RejectError("empty", f"nothing but whitespace after decoding as {encoding}")

    fmt = sniff_format(text, name)
    if fmt == "text":
        too_long = _longest_line_over(text, limits.max_line_chars)
        if too_long is not None:
            raise RejectError(
                "line_too_long",
                f"a line of {too_long} characters > max_line_chars {limits.max_line_chars}",
            )
    return Decoded(text=text, format=fmt, encoding=encoding, notes=tuple(notes))
