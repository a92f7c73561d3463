"""The per-line counts and flags of the text cleaner, for a whole page at once, compiled.

`cleaners.text._line_info` is the reference: it gives, for one trimmed line, its word count,
whether it ends like a sentence, 19 counts and flags, and its line key. `page_prims` computes the
same for every line of a page in one compiled pass (numba) over the page's code points, for the
lines it can read exactly: those whose only characters beyond ASCII are the typographic
punctuation of `NEAR_EXTRA` and other plain punctuation and symbols (`is_plain`: "©", "★", "→",
emoji...), about 98% of the lines of the shared sets' dumps. It marks the others (letters and
digits beyond ASCII, CJK), and the caller computes them with the reference. The line key is given as a 64-bit FNV-1a hash of the
key's code points (`key_hash` of `line_key`), which is all the features need of it (equal keys).

Pure functions; the only state is the compiled code (cached on disk by numba next to this
module) and the characters classified so far.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

# the characters beyond ASCII a line may hold and still be read here: none of them is a letter, a
# digit, a space or has a case, so that every test below reads them as punctuation
NEAR_EXTRA = "’‘“”—–…•·"
_RSQUO = 0x2019  # "’": continues a token like "'" does
_LDQUO, _RDQUO = 0x201C, 0x201D
_ELLIPSIS = 0x2026
_BULLET_CHAR, _MIDDOT = 0x2022, 0x00B7
_EN, _EM = 0x2013, 0x2014

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK = (1 << 64) - 1

# the columns of `page_prims`'s matrix, in `_line_info`'s order
N_PRIMS = 19


def key_hash(s: str) -> int:
    """FNV-1a (64 bits) of the code points of `s`: the hash the kernel gives line keys and words,
    as a signed 64-bit integer."""
    h = _FNV_OFFSET
    for ch in s:
        h = ((h ^ ord(ch)) * _FNV_PRIME) & _MASK
    return h - (1 << 64) if h >= 1 << 63 else h


def word_table(stop: frozenset[str], chrome: frozenset[str]) -> np.ndarray:
    """The kernel's table of the stopwords and chrome words: an open-addressing hash table of
    (`key_hash`, flags) rows, flag 1 a stopword, 2 a chrome word, 0 an empty slot.
    Its last row holds the longest word's length (no longer word is looked up)."""
    flags: dict[int, int] = {}
    for words, flag in ((stop, 1), (chrome, 2)):
        for w in words:
            h = key_hash(w)
            flags[h] = flags.get(h, 0) | flag
    size = 1 << max(4, (4 * len(flags) - 1).bit_length())
    table = np.zeros((size + 1, 2), dtype=np.int64)
    for h, f in flags.items():
        i = _slot(h, size - 1)
        while table[i, 1]:
            i = (i + 1) & (size - 1)
        table[i] = h, f
    table[size, 0] = max(map(len, stop | chrome))
    return table


def _slot(h: int, mask: int) -> int:
    return (h ^ (h >> 29)) & mask


@njit(cache=True)
def _is_w(c: int) -> bool:  # ASCII \w; the near characters are no word characters
    return (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95


@njit(cache=True)
def _is_digit(c: int) -> bool:
    return 48 <= c <= 57


@njit(cache=True)
def _lower(c: int) -> int:
    return c + 32 if 65 <= c <= 90 else c


@njit(cache=True)
def _is_near(c: int) -> bool:  # a character of NEAR_EXTRA
    return (c == 0x2019 or c == 0x2018 or c == 0x201C or c == 0x201D or c == 0x2014 or c == 0x2013
            or c == 0x2026 or c == 0x2022 or c == 0x00B7)


@njit(cache=True)
def _word_flags(table: np.ndarray, h: int) -> int:
    """The flags of the word of hash `h` in a `word_table` (0: neither list); slots as `_slot`."""
    mask = table.shape[0] - 2
    i = (h ^ (h >> 29)) & mask
    while table[i, 1]:
        if table[i, 0] == h:
            return table[i, 1]
        i = (i + 1) & mask
    return 0


@njit(cache=True)
def _in_sorted(a: np.ndarray, c: int) -> bool:
    lo, hi = 0, a.shape[0]
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] < c:
            lo = mid + 1
        else:
            hi = mid
    return lo < a.shape[0] and a[lo] == c


@njit(cache=True)
def _mix(h: np.uint64, c: int) -> np.uint64:
    return (h ^ np.uint64(c)) * np.uint64(_FNV_PRIME)


@njit(cache=True)
def _is_month(a: int, b: int, d: int) -> bool:
    """Three lower-case letters that start a month's name."""
    if a == 106:  # jan jun jul
        return (b == 97 and d == 110) or (b == 117 and (d == 110 or d == 108))
    if a == 102:  # feb
        return b == 101 and d == 98
    if a == 109:  # mar may
        return b == 97 and (d == 114 or d == 121)
    if a == 97:  # apr aug
        return (b == 112 and d == 114) or (b == 117 and d == 103)
    if a == 115:  # sep
        return b == 101 and d == 112
    if a == 111:  # oct
        return b == 99 and d == 116
    if a == 110:  # nov
        return b == 111 and d == 118
    if a == 100:  # dec
        return b == 101 and d == 99
    return False


@njit(cache=True)
def _date_at(cp: np.ndarray, s: int, e: int, i: int) -> bool:
    """`_MONTH_WORD` at the run of digits that starts at `i` in the line `cp[s:e]`: a clock time
    (`\\b\\d{1,2}:\\d\\d\\b`) or a year (`\\b(?:19|20)\\d\\d\\b`) starting there, or a month's
    name before it (`\\b(?:jan|feb|...|dec)[a-z]*\\.?\\s+\\d`, any case)."""
    if i == s or not _is_w(np.int64(cp[i - 1])):
        k = i
        while k < e and _is_digit(np.int64(cp[k])):
            k += 1
        run = k - i
        if run <= 2 and k + 2 < e and cp[k] == 58 and _is_digit(np.int64(cp[k + 1])) \
                and _is_digit(np.int64(cp[k + 2])) and (k + 3 == e or not _is_w(np.int64(cp[k + 3]))):
            return True
        if run == 4 and ((cp[i] == 49 and cp[i + 1] == 57) or (cp[i] == 50 and cp[i + 1] == 48)) \
                and (k == e or not _is_w(np.int64(cp[k]))):
            return True
    if i - 1 > s and cp[i - 1] == 32:
        j = i - 2
        if cp[j] == 46:
            j -= 1
        k = j
        while k >= s and ((65 <= cp[k] <= 90) or (97 <= cp[k] <= 122)):
            k -= 1
        start = k + 1
        if j - start >= 2 and (start == s or not _is_w(np.int64(cp[start - 1]))) and _is_month(
                _lower(np.int64(cp[start])), _lower(np.int64(cp[start + 1])), _lower(np.int64(cp[start + 2]))):
            return True
    return False


@njit(cache=True)
def _url_at(cp: np.ndarray, s: int, e: int, i: int) -> bool:
    """`https?://|www\\.|\\.com\\b|\\.org\\b|@\\w|\\b\\w+@\\w+\\.\\w+` at the "@", "." or ":" at
    `i` of the line `cp[s:e]` (the last alternative needs "@\\w")."""
    c = cp[i]
    if c == 64:  # "@" and a word character
        return i + 1 < e and _is_w(np.int64(cp[i + 1]))
    if c == 46:  # "www." / ".com" / ".org" and a word boundary
        if i - 3 >= s and cp[i - 3] == 119 and cp[i - 2] == 119 and cp[i - 1] == 119:
            return True
        return i + 3 < e and ((cp[i + 1] == 99 and cp[i + 2] == 111 and cp[i + 3] == 109)
                              or (cp[i + 1] == 111 and cp[i + 2] == 114 and cp[i + 3] == 103)) \
            and (i + 4 == e or not _is_w(np.int64(cp[i + 4])))
    # ":" after "http" or "https", and "//"
    if i + 2 < e and cp[i + 1] == 47 and cp[i + 2] == 47:
        j = i - 1
        if j >= s and cp[j] == 115:
            j -= 1
        return j - 3 >= s and cp[j - 3] == 104 and cp[j - 2] == 116 and cp[j - 1] == 116 and cp[j] == 112
    return False


@njit(cache=True)
def _line(cp: np.ndarray, s: int, e: int, near: bool, table: np.ndarray,
          out: np.ndarray, row: int) -> tuple[int, bool, np.int64]:
    """One line `cp[s:e]` (ASCII, or `near`: ASCII and `NEAR_EXTRA`): fills `out[row]`, returns
    (tokens, ends like a sentence, key hash). One pass over the characters."""
    lt = e - s
    maxlen = table[table.shape[0] - 1, 0]
    # tokens: `[A-Za-z][\w'-]*|\d[\d,.]*` with "’" read as "'" and the other near characters as "#"
    ntok = 0
    caps = 0
    tok = 0  # inside no token (0), a letter token (1), a digit token (2)
    spaces = 0
    digits = 0
    commas = 0
    has_pipe = False
    has_quote = False
    has_q = False
    has_upper = False
    has_lower = False
    url = False
    month = False
    key = np.uint64(_FNV_OFFSET)
    prev_digit = False
    nstop = 0
    nchrome = 0
    # a word for the stopword test: ASCII, the space-separated words as they are (lower case);
    # near, the runs of [0-9a-z_'-’] without their leading [0-9_'-’]
    wh = np.uint64(_FNV_OFFSET)
    wlen = 0
    for i in range(s, e + 1):
        c = np.int64(cp[i]) if i < e else 32
        lc = _lower(c)
        if i < e:
            t = 39 if c == _RSQUO else c
            if tok == 1 and not (_is_w(t) or t == 39 or t == 45):
                tok = 0
            elif tok == 2 and not (_is_digit(t) or t == 44 or t == 46):
                tok = 0
            if tok == 0:
                if (65 <= t <= 90) or (97 <= t <= 122):
                    ntok += 1
                    caps += t <= 90
                    tok = 1
                elif _is_digit(t):
                    ntok += 1
                    tok = 2
            if c == 32:
                spaces += 1
            elif _is_digit(c):
                digits += 1
                if not prev_digit and not month:
                    month = _date_at(cp, s, e, i)
            elif 97 <= c <= 122:
                has_lower = True
            elif 65 <= c <= 90:
                has_upper = True
            elif c == 44:
                commas += 1
            elif c == 46 or c == 64 or c == 58:
                if not url:
                    url = _url_at(cp, s, e, i)
            elif c == 124:
                has_pipe = True
            elif c == 34 or c == _LDQUO or c == _RDQUO:
                has_quote = True
            elif c == 63:
                has_q = True
            if _is_digit(c):
                if not prev_digit:
                    key = _mix(key, 48)
                prev_digit = True
            else:
                key = _mix(key, lc)
                prev_digit = False
        if near:
            inword = _is_w(lc) or lc == 39 or lc == 45 or lc == _RSQUO
            grow = inword and (wlen > 0 or 97 <= lc <= 122)  # a word starts at its first letter
        else:
            inword = c != 32
            grow = inword
        if grow:
            wh = _mix(wh, lc)
            wlen += 1
        elif not inword:  # the word ends
            if wlen and wlen <= maxlen:
                f = _word_flags(table, np.int64(wh))
                nstop += f & 1
                nchrome += f >> 1
            wh = np.uint64(_FNV_OFFSET)
            wlen = 0
    if near:
        # " · " and " • " separate items like "|"
        for i in range(s + 1, e - 1):
            c = np.int64(cp[i])
            if (c == _MIDDOT or c == _BULLET_CHAR) and cp[i - 1] == 32 and cp[i + 1] == 32:
                has_pipe = True
                break
    last = np.int64(cp[e - 1])
    prev = np.int64(cp[e - 2]) if lt >= 2 else -1
    first = np.int64(cp[s])
    sent_char_last = last == 46 or last == 33 or last == 63 or last == _ELLIPSIS
    sent_char_prev = prev == 46 or prev == 33 or prev == 63 or prev == _ELLIPSIS
    close_last = last == 34 or last == _RDQUO or last == _RSQUO or last == 41
    sent = sent_char_last or (close_last and sent_char_prev)
    terminal = sent_char_last or close_last or last == 58 or last == 59 or last == 93
    # `^(?:[*•·▪‣◦●■□+o–—-]|\d{1,3}[.)]|[a-z][.)])\s+`
    c1 = np.int64(cp[s + 1]) if lt >= 2 else -1
    c2 = np.int64(cp[s + 2]) if lt >= 3 else -1
    bullet = False
    if c1 == 32 and (first == 42 or first == 43 or first == 111 or first == 45 or first == _BULLET_CHAR
                     or first == _MIDDOT or first == _EN or first == _EM):
        bullet = True
    elif 97 <= first <= 122 and (c1 == 46 or c1 == 41) and c2 == 32:
        bullet = True
    elif _is_digit(first):
        k = 0
        while k < lt and _is_digit(np.int64(cp[s + k])):
            k += 1
        if k <= 3 and k + 1 < lt and (cp[s + k] == 46 or cp[s + k] == 41) and cp[s + k + 1] == 32:
            bullet = True
    out[row, 0] = lt
    out[row, 1] = ntok if ntok else 1
    out[row, 2] = (ntok if ntok else 1) if near else spaces + 1
    out[row, 3] = nstop
    out[row, 4] = nchrome
    out[row, 5] = caps
    out[row, 6] = digits
    out[row, 7] = lt - spaces
    out[row, 8] = commas
    out[row, 9] = last == 58
    out[row, 10] = terminal
    out[row, 11] = bullet
    out[row, 12] = has_pipe
    out[row, 13] = has_upper and not has_lower
    out[row, 14] = url
    out[row, 15] = month
    out[row, 16] = has_quote
    out[row, 17] = 97 <= first <= 122
    out[row, 18] = has_q
    return ntok, sent, np.int64(key)


@njit(cache=True)
def _page(cp: np.ndarray, starts: np.ndarray, ends: np.ndarray, table: np.ndarray, plain: np.ndarray,
          out: np.ndarray, words: np.ndarray, sent: np.ndarray, keys: np.ndarray, read: np.ndarray) -> None:
    """`_line` for every line `cp[starts[i]:ends[i]]` that holds nothing beyond ASCII but
    `NEAR_EXTRA` and the code points of `plain` (sorted), marked in `read`."""
    for row in range(starts.shape[0]):
        s, e = starts[row], ends[row]
        if e <= s:
            continue
        near = False
        ok = True
        for i in range(s, e):
            c = np.int64(cp[i])
            if c >= 128:
                if _is_near(c) or _in_sorted(plain, c):
                    near = True
                else:
                    ok = False
                    break
        if not ok:
            continue
        n, snt, k = _line(cp, s, e, near, table, out, row)
        words[row] = n
        sent[row] = snt
        keys[row] = k
        read[row] = True


# Characters beyond ASCII that every test of a line reads as punctuation, like "#" in place of
# them: no letter, digit, "_", space or cased character, none of the CJK ranges the word count
# reads, and none of the characters the tests name (`NAMED`: bullets, CJK sentence ends; and
# `NEAR_EXTRA`, read one by one). `page_prims` learns them as lines bring them.
NAMED = "▪‣◦●■□。！？」』"
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF))
_known: dict[int, bool] = {}
_plain = [np.zeros(0, dtype=np.int64)]  # the plain code points met so far, sorted


def is_plain(ch: str) -> bool:
    """A character beyond ASCII that the line tests read as punctuation (see above)."""
    o = ord(ch)
    return (o >= 128 and not (ch.isalnum() or ch == "_" or ch.isspace() or ch.islower() or ch.isupper())
            and ch.lower() == ch and ch.upper() == ch and ch not in NAMED and ch not in NEAR_EXTRA
            and not any(a <= o <= b for a, b in _CJK_RANGES))


def _learn_plain(texts: list[str], rows: list[int]) -> bool:
    """Classify the characters of the lines `rows` not met before; True when a plain one is new."""
    new = False
    for i in rows:
        for ch in set(texts[i]):
            o = ord(ch)
            if o >= 128 and o not in _known:
                _known[o] = is_plain(ch)
                new = new or _known[o]
    if new:
        _plain[0] = np.array(sorted(o for o, p in _known.items() if p), dtype=np.int64)
    return new


def page_prims(texts: list[str], table: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each trimmed line of `texts`: (counts and flags (n, `N_PRIMS`), word counts, ends like a
    sentence, key hashes, read). Rows whose `read` is False hold nothing: the caller computes
    them. `table`: the `word_table` of the stopwords and the chrome words."""
    n = len(texts)
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    ends = np.cumsum(lens + 1) - 1
    starts = ends - lens
    # (a lone surrogate passes as its code point, and leaves its line to the caller)
    cp = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    out = np.zeros((n, N_PRIMS), dtype=np.int64)
    words = np.zeros(n, dtype=np.int64)
    sent = np.zeros(n, dtype=np.bool_)
    keys = np.zeros(n, dtype=np.int64)
    read = np.zeros(n, dtype=np.bool_)
    _page(cp, starts, ends, table, _plain[0], out, words, sent, keys, read)
    if not read.all() and _learn_plain(texts, np.flatnonzero(~read).tolist()):
        _page(cp, starts, ends, table, _plain[0], out, words, sent, keys, read)
    return out, words, sent, keys, read


@njit(cache=True)
def _log1p(table: np.ndarray, k: int) -> float:
    """math.log1p of a non-negative integer, from the table where it reaches."""
    return table[k] if k < table.shape[0] else math.log1p(k)


@njit(cache=True)
def base_matrix(P: np.ndarray, words: np.ndarray, sent: np.ndarray, norule: np.ndarray, nb: np.ndarray,
                rcol: np.ndarray, header: np.ndarray, bio: np.ndarray, dup: np.ndarray, n_base: int,
                teaser_col: int, bio_col: int, log1p: np.ndarray, X: np.ndarray) -> None:
    """The stage-1 features of a page's lines into the zeroed `X` (n, `n_base` + 11): see
    `cleaners.text._base_matrix`, whose counts these are (`P`: the `page_prims` matrix; `rcol`:
    each line's rule column, -1 for none; `log1p`: math.log1p of 0, 1, 2, ...)."""
    n = P.shape[0]
    total_words = 0
    total_tw = 0
    first_text = n
    last_text = -1
    tw = np.zeros(n, dtype=np.int64)
    for i in range(n):
        w = words[i]
        total_words += w
        if sent[i] and norule[i]:
            if w >= 12:
                tw[i] = w
                total_tw += w
            if w >= 20:
                if first_text == n:
                    first_text = i
                last_text = i
    if total_words == 0:
        total_words = 1
    if total_tw == 0:
        total_tw = 1
    ctw = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        ctw[i + 1] = ctw[i] + tw[i]
    cum = 0
    head_seen = False
    bio_seen = False
    for i in range(n):
        w = words[i]
        L, nw, nl = P[i, 0], P[i, 1], P[i, 2]
        lw = _log1p(log1p, w)
        stop = P[i, 3] / nl
        caps = P[i, 5] / nw
        tw_before = ctw[i] / total_tw
        X[i, 0] = 1.0
        X[i, 1] = lw
        X[i, 2] = _log1p(log1p, L) / 5
        X[i, 3] = sent[i]
        X[i, 4] = P[i, 9] != 0  # colon
        X[i, 5] = P[i, 10] != 0  # terminal
        X[i, 6] = stop
        X[i, 7] = caps
        X[i, 8] = P[i, 6] / max(float(L), 1.0)
        X[i, 9] = min(P[i, 7] / nw, 12.0) / 6
        X[i, 10] = min(P[i, 8] / nw, 1.0)
        X[i, 11] = P[i, 11] != 0  # bullet
        X[i, 12] = P[i, 12] != 0  # pipe
        X[i, 13] = P[i, 13] != 0  # upper
        X[i, 14] = P[i, 14] != 0  # url
        X[i, 15] = i / max(n - 1, 1)
        X[i, 16] = cum / total_words
        X[i, 17] = tw_before
        X[i, 18] = nb[i] > 1
        X[i, 19] = min(nb[i], 10) / 10
        X[i, 20] = dup[i]
        X[i, 21] = min(P[i, 4] / nl, 1.0)
        X[i, 22] = P[i, 15] != 0  # month
        X[i, 23] = P[i, 16] != 0  # quote
        X[i, 24] = w <= 2
        X[i, 25] = w <= 5
        X[i, 26] = w >= 15
        X[i, 27] = w >= 40
        X[i, 28] = i < first_text
        X[i, 29] = i > last_text
        X[i, 30] = _log1p(log1p, first_text - i if i < first_text else 0) / 3
        X[i, 31] = _log1p(log1p, i - last_text if i > last_text else 0) / 3
        head_seen = head_seen or (header[i] and tw_before > 0.3)
        bio_seen = bio_seen or (bio[i] and tw_before > 0.3)
        X[i, 32] = head_seen
        X[i, 33] = bio_seen
        X[i, 34] = P[i, 17] != 0  # lower
        X[i, 35] = P[i, 18] != 0  # ?
        X[i, 36] = stop * lw
        X[i, 37] = caps if w <= 12 else 0.0
        if rcol[i] >= 0:
            X[i, 38 + rcol[i]] = 1.0
        if header[i]:
            X[i, teaser_col] = 1.0
        if bio[i]:
            X[i, bio_col] = 1.0
        # words of text-like lines within +-3 lines
        win = ctw[min(i + 4, n)] - ctw[max(i - 3, 0)] - tw[i]
        X[i, n_base + 10] = _log1p(log1p, win) / 5
        cum += w
    # neighbour features: words, sentence end, stopwords, bullet of the line before and after
    for i in range(n):
        if i > 0:
            X[i, n_base] = X[i - 1, 1]
            X[i, n_base + 1] = X[i - 1, 3]
            X[i, n_base + 2] = X[i - 1, 6]
            X[i, n_base + 3] = X[i - 1, 11]
        else:
            X[i, n_base + 4] = 1.0
        if i + 1 < n:
            X[i, n_base + 5] = X[i + 1, 1]
            X[i, n_base + 6] = X[i + 1, 3]
            X[i, n_base + 7] = X[i + 1, 6]
            X[i, n_base + 8] = X[i + 1, 11]
        else:
            X[i, n_base + 9] = 1.0


@njit(cache=True)
def stage2_matrix(X1: np.ndarray, p1: np.ndarray, words: np.ndarray, blocks: np.ndarray,
                  log1p: np.ndarray, X: np.ndarray) -> None:
    """The stage-2 features into `X` (n, m + 16), `m` the stage-1 width: see
    `cleaners.text._stage2_matrix`. Sums add in line order from 0.0."""
    n, m = X1.shape
    for i in range(n):
        for j in range(m):
            X[i, j] = X1[i, j]
    nblock = 0
    for i in range(n):
        nblock = max(nblock, blocks[i] + 1)
    bsum = np.zeros(nblock)
    bcnt = np.zeros(nblock, dtype=np.int64)
    total = 0.0
    for i in range(n):
        bsum[blocks[i]] += p1[i]
        bcnt[blocks[i]] += 1
        total += p1[i] * words[i]
    tot = total if total != 0.0 else 1.0
    lead = -1
    cs = 0.0
    for i in range(n):
        X[i, m] = p1[i]
        X[i, m + 1] = p1[i - 2] if i >= 2 else 0.0
        X[i, m + 2] = p1[i - 1] if i >= 1 else 0.0
        X[i, m + 3] = p1[i + 1] if i + 1 < n else 0.0
        X[i, m + 4] = p1[i + 2] if i + 2 < n else 0.0
        acc = 0.0
        for j in range(i - 5, i + 6):
            if j != i:
                acc = acc + (p1[j] if 0 <= j < n else 0.0)
        cnt = min(n, i + 6) - max(0, i - 5) - 1
        X[i, m + 5] = acc / max(cnt, 1) if cnt > 0 else 0.0
        X[i, m + 6] = bsum[blocks[i]] / max(bcnt[blocks[i]], 1)
        before = cs / tot
        cs += p1[i] * words[i]
        after = 1.0 - cs / tot
        X[i, m + 7] = before
        X[i, m + 8] = after
        X[i, m + 9] = before < 0.02
        X[i, m + 10] = after < 0.02
        # the nearest line of 12 words or more above (lead) and below (trail)
        if lead >= 0:
            X[i, m + 11] = p1[lead]
            X[i, m + 12] = X1[lead, 4]
            X[i, m + 13] = _log1p(log1p, i - lead) / 3
        else:
            X[i, m + 11] = 0.0
            X[i, m + 12] = 0.0
            X[i, m + 13] = 1.5
        if words[i] >= 12:
            lead = i
    trail = n
    for i in range(n - 1, -1, -1):
        if trail < n:
            X[i, m + 14] = p1[trail]
            X[i, m + 15] = _log1p(log1p, trail - i) / 3
        else:
            X[i, m + 14] = 0.0
            X[i, m + 15] = 1.5
        if words[i] >= 12:
            trail = i
