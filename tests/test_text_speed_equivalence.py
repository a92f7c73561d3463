"""The fast paths of the text cleaner compute exactly what the plain per-row versions compute."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from cleaners import linefeats as lf
from cleaners import metadata as md
from cleaners import text as T


def _reference_trees(model: dict, row: list[float]) -> float:
    """One row through the boosted oblivious trees, level by level, straight from the JSON."""
    z = float(model.get("base", 0.0))
    for tree in model["trees"]:
        leaf = 0
        for f, t in zip(tree["f"], tree["t"]):
            leaf = leaf * 2 + (1 if row[f] >= t else 0)
        z += tree["v"][leaf]
    z = min(max(z, -30.0), 30.0)
    return 1.0 / (1.0 + math.exp(-z))


def _models() -> list[dict]:
    m = T._model()
    if not m or "trees" not in m.get("stage1", {}):
        pytest.skip("no tree model shipped")
    return [m["stage1"], m["stage2"]]


@pytest.mark.parametrize("stage", [0, 1])
def test_vectorised_trees_equal_reference_per_row(stage):
    model = _models()[stage]
    width = 1 + max(f for t in model["trees"] for f in t["f"])
    rng = np.random.default_rng(7 + stage)
    # random rows, plus rows sitting exactly on the thresholds (the >= edge)
    X = rng.normal(0.5, 1.0, size=(300, width))
    for k, tree in enumerate(model["trees"][:50]):
        for f, t in zip(tree["f"], tree["t"]):
            X[k, f] = t
    fast = T._trees_p(model, X)
    ref = np.array([_reference_trees(model, row) for row in X.tolist()])
    assert fast.shape == ref.shape
    assert np.allclose(fast, ref, rtol=1e-12, atol=1e-15)
    assert ((fast >= 0.5) == (ref >= 0.5)).all()


PAGE = """Menu

Home » World

A Harbour Town Opens Its New Bridge After Years of Delay

By Sam Example

March 3, 2024

The new bridge over the river opened on Monday, ending a wait of nearly six years for the
people who cross it every day to reach the market and the school on the other side.

Officials said the final cost was well above the first estimate, which they blamed on the
price of steel and a long dispute with the first contractor over the foundations.

* Bridge facts
* 240 metres long
* Two lanes and a footpath

"We waited a long time," said one resident, who crosses twice a day. "It was worth it."

You May Also Like

Another Town Gets a Ferry

Share
"""


def test_stage2_matrix_equals_reference_rows():
    lines, X1 = T._prepare(T.segment(PAGE))
    assert len(lines) > 10
    rng = np.random.default_rng(3)
    for p1 in (rng.random(len(lines)), np.full(len(lines), 0.5), np.zeros(len(lines))):
        fast = T._stage2_matrix(lines, X1, p1)
        ref = np.array(T._stage2_features(lines, p1.tolist()))
        assert fast.shape == ref.shape
        assert (fast == ref).all()  # bit for bit


def test_base_matrix_rows_are_the_line_features():
    lines, X1 = T._prepare(T.segment(PAGE))
    assert X1.tolist() == [x.feats for x in lines]
    # column 1 is log1p(words) exactly as math computes it
    assert [r[1] for r in X1.tolist()] == [math.log1p(x.words) for x in lines]


@pytest.mark.parametrize("line", [
    "Posted Jan 5 by Ann", "JAN. 12", "at 12:30pm local time", "in 1999 and 2020", "x2000y", "SEPT 3",
    "Updated\t4:05", "no dates here at all", "version 3.2.1", "Dec.\t4", "1987", "12:3", "marched 5 miles",
    "Ünïcode März 3 2021", "٣ يناير ٢٠٢٤",
])
def test_month_word_shortcut_matches_regex(line):
    assert T._month_word(line, line.isascii()) == (T._MONTH_WORD.search(line) is not None)


def _reference_find_sources_found(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    base = 0
    for seg in re.split(r"(?<=[.!?\n])\s+", text):
        if md._TRIGGER.search(seg):
            md._credits_in(seg, text.find(seg, base), found)
        base += len(seg)
    return sorted(found)


def _reference_find_sources(text: str, every_pattern: bool = True) -> list[str]:
    """What ``find_sources`` returns, step by step: the names found, each once (case and a
    leading "the" aside); with ``every_pattern`` every credit pattern is tried on every sentence
    (no prefilter)."""
    needs = md._CREDIT_NEEDS
    if every_pattern:
        md._CREDIT_NEEDS = [("",)] * len(needs)
    try:
        ref = _reference_find_sources_found(text)
    finally:
        md._CREDIT_NEEDS = needs
    out, seen = [], set()
    for _, name in ref:
        key = name.lower()
        key = key[4:] if key.startswith("the ") else key
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


@pytest.mark.parametrize("text", [
    "The council met on Tuesday. The plan was first reported by The Harbour Gazette. More later.",
    "He said\n\nto Reuters that nothing changed.",
    "Prices rose (Reuters) - again. Sources: Phone Arena and GSM Arena",
    "According to the Daily Example, the vote is off.\nVia The Example Times",
    "Nothing here credits anyone. Just two sentences.",
    "",
])
def test_find_sources_prefilter_keeps_every_credit(text):
    assert md.find_sources(text) == _reference_find_sources(text, every_pattern=False)


# --- per-line fast paths against the plain regex / per-token versions ---------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# words and characters the rules and features react to, plus letters that case-fold oddly
_PIECES = [
    "jan", "Sept.", "DEC", "march", "may", "2024", "1999", "12:30", "5", "٣", "photo", "Photo:", "(Image", "credit",
    "Getty Images", "shutterstock", "iStock", "/", "Reuters", "AP", "by", "By", "posted", "says:", "wrote", "said",
    "comments", "Comments (3)", "reply", "discussion", "Readers", "what do you think?", "trust", "We may",
    "affiliate", "©", "(c)", "Copyright", "rights", "privacy", "Terms", "about", "cookie", "imprint", "|", "·", "•",
    "’", "“", "”", "\"", "?", ":", ",", ".", "-", "_", "'", "@x", "www.", ".com", "https://", "the", "and", "share",
    "Menu", "Home", "Ünïcode", "İ", "ı", "ſep", "\u212a", "é", "ÆØ", "漢字テスト", "x2000y", "O'Neil", "e-mail", "3,5.0",
    "* ", "1. ", "a) ", "—", "–", "…", "‘", "it’s", "They’re", "don’t", "O’Neil’s", "3’", "’20", "“Quote”",
    "http://", "ftp://", "WWW.", ".org", ".comx", "@", "1234", "20240", "_2024", "a12:30", "12:300", "Jan.", "jan5",
    "2.", "12)", "1234.", "o ", "▪", "★", "\u200b", "·", "DON’T", "-the", "3rd",
]
_lines = st.lists(st.sampled_from(_PIECES) | st.text(max_size=6), min_size=1, max_size=12).map(
    lambda ws: " ".join(" ".join(ws).split()))


def _reference_prims(t: str) -> tuple:
    """The per-line counts and flags as first written: one token list, one regex per flag."""
    toks = re.findall(r"[^\W\d_][\w'’-]*|\d[\d,.]*", t)
    low = t.lower().split() if t.isascii() else [w.lower() for w in toks]
    dc = sum(t.count(d) for d in "0123456789")
    return (
        len(t), len(toks) or 1, len(low) or 1, sum(w in T._STOP for w in low), sum(w in T._CHROME_SET for w in low),
        sum(1 for w in toks if w[0].isupper()), dc, len(t) - t.count(" "), t.count(","),
        t.endswith(":"), bool(re.search(r"[.!?…:;\"”’)\]。！？」』]$", t)), T._BULLET.match(t) is not None,
        "|" in t or " · " in t or " • " in t, len(toks) >= 1 and t.isupper(), T._URLISH.search(t) is not None,
        T._MONTH_WORD.search(t) is not None, bool(re.search(r"[\"“”]", t)), t[:1].islower(), "?" in t,
        T.line_key(t),
    )


@settings(max_examples=400, deadline=None)
@given(_lines)
def test_line_info_equals_reference(t):
    if not t:
        return
    toks, words, sent, prims = T._line_info.__wrapped__(t)
    assert words == T.count_words(t)
    assert sent == (T._SENT_END.search(t) is not None)
    assert prims == _reference_prims(t)
    if toks is not None:
        assert toks == T._WORD.findall(t)


@settings(max_examples=400, deadline=None)
@given(_lines)
def test_rule_prefilters_never_skip_a_match(line):
    low = T._fold_lower(line)
    assert T._has_footer_hint(low) == (T._FOOTER_HINT_RX.search(low) is not None)
    assert T._has_promo_hint(low) == (T._PROMO_HINT_RX.search(low) is not None)
    if T.CAPTION.match(line):
        assert T._may_be_caption(line, low)
    if T.COMMENT_HEADER.match(line):
        assert T._may_be_comment_header(low)
    if T.COMMENT_SIG.match(line):
        assert T._may_be_comment_sig(line, low)
    assert T._month_word(line, line.isascii()) == (T._MONTH_WORD.search(line) is not None)


@pytest.mark.parametrize("line", [
    "Photo: Ann Lee", "(Photos by Sam Roe)", "Jane Doe / Reuters", "AFP via Getty Images.", "iStockphoto",
    "Illustration: staff", "Video credit: Example", "ſhutterſtock", "Posted by: Sam | Jan 10, 2008 4:49 PM",
    "Sam says: great", "12 Responses to “Story”", "Leave a Reply", "Reader Comments", "Have your say here",
    "Jane Doe wrote:", "İmage: x",
])
def test_prefilters_pass_lines_the_rules_catch(line):
    low = T._fold_lower(line)
    hit = [bool(T.CAPTION.match(line)), bool(T.COMMENT_HEADER.match(line)), bool(T.COMMENT_SIG.match(line))]
    assert any(hit), line  # each example is caught by one of the rules
    assert not hit[0] or T._may_be_caption(line, low)
    assert not hit[1] or T._may_be_comment_header(low)
    assert not hit[2] or T._may_be_comment_sig(line, low)


def test_fold_lists_every_letter_that_matches_ascii_case_insensitively():
    # the substring prefilters rely on `_fold_lower` turning such letters into the ASCII one
    rx = re.compile(r"[a-z]", re.I)
    odd = [c for c in map(chr, range(0x80, 0x30000)) if rx.match(c)]
    assert odd  # e.g. the Kelvin sign
    for c in odd:
        folded = T._fold_lower("x" + c + "x")
        assert len(folded) == 3 and folded[1].isascii() and re.match(folded[1], c, re.I), c


@settings(max_examples=300, deadline=None)
@given(_lines)
def test_ascii_tokenizers_agree(t):
    if not t.isascii():
        return
    toks = T._WORD.findall(t)
    assert T._WORD_ASCII.findall(t) == toks
    marks = T._WORD_CAPS.findall(t)
    assert len(marks) == len(toks)
    assert [m != "" for m in marks] == [w[0].isupper() for w in toks]


def test_find_date_without_a_year_finds_nothing():
    assert md.find_date("Posted on March 3 at 12:30") == (None, -1)
    assert md.find_date("Posted on March 3, 2021")[0] == "2021-03-03"
    assert md.find_date("on 1999-12-31")[0] == "1999-12-31"


def _full_rule(line: str) -> str | None:
    m = T._RULES_ONE.match(line)
    return T._RULE_OF_GROUP[m.lastindex] if m else None


_RULE_LINES = [
    "Skip to content", "Menu", "Home » World » Europe", "« Previous", "12 Next »", "Page 2 of 9", "Share this article",
    "Share on Facebook", "Tweet", "Follow us on X:", "Advertisement", "Sponsored by Example", "Subscribe now!",
    "We use cookies to improve your visit", "3 Comments", "Leave a reply here", "Tags: storms, rivers",
    "(Via The Example Post)", "Source: Example Wire", "Read more: A town opens its bridge", "By Jane Doe",
    "Written by: Sam Example", "Updated: March 3, 2024", "5 min read", "Reading time: 4 minutes", "x", "X | Facebook",
    "Related", "Read More", "You May Also Like", "More from Example News", "Most Popular", "Editor's Picks",
    "About the author", "ſhare", "İmage", "\u212aeywords: a", "  Menu", "«Next", "[Via Example]", "٣ comments",
]


@pytest.mark.parametrize("line", _RULE_LINES)
def test_rules_by_first_character_match_the_full_rules(line):
    low = T._fold_lower(line)
    one, of_group, link, header = T._by_first(T._first_key(low[:1]))
    m = one.match(line) if one is not None else None
    assert (of_group[m.lastindex] if m else None) == _full_rule(line)
    assert bool(link is not None and link.match(line)) == bool(T.TEASER_LINK.match(line))
    assert bool(header is not None and header.match(line)) == bool(T.TEASER_HEADER.match(line))


def test_rules_by_first_character_are_narrower():
    # the point of the dispatch: a line starting with "x" tries far fewer alternatives
    one = T._by_first("x")[0]
    assert one is not None and len(one.pattern) < len(T._RULES_ONE.pattern) / 3


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_RULE_LINES + _PIECES), min_size=1, max_size=4).map(" ".join) | _lines)
def test_rules_by_first_character_match_the_full_rules_on_made_up_lines(line):
    if not line:
        return
    test_rules_by_first_character_match_the_full_rules(line)
    assert T.rule_reason(line) == T._rule_reason(line, T._fold_lower(line) if len(line) <= 200 else "")


@pytest.mark.parametrize("line,reason", [
    ("We maintain a strict editorial policy so readers can rely on us.", "promo"),
    ("Our reviews are written by experts and checked by our editors.", "promo"),
    ("OUR content is reviewed by in-house professionals." + " More words here." * 20, "promo"),
    ("Editorial policy: we maintain a strict editorial policy.", None),
    ("Weather reviewed by our experts today.", None),
])
def test_editorial_blurb_gate(line, reason):
    assert T.rule_reason(line) == reason
    if T.EDITORIAL_BLURB.match(line):
        assert line[:2].lower() in ("we", "ou")


@pytest.mark.parametrize("line", [
    "It’s a “short” line — with dashes – and dots…", "They’re • here · now", "‘Don’t’ do it, 2,000 times",
    "O’Neil’s 3.5 ‘rules’ for 2024 — Jan 3", "THE “BIG” ONE…", "—", "* ’90s music", "www.example.com — Home",
    "© 2024 Example™ ★ 5", "Ⓐ → Ⓑ ×2", "zero\u200bwidth ®", "x・y", "e\u0301 ½ 3",
])
def test_near_ascii_lines_take_the_short_path_and_equal_the_reference(line):
    assert not line.isascii()
    toks, words, sent, prims = T._line_info.__wrapped__(line)
    if T._FAR_CHAR.search(line) is None:  # the short path
        assert toks is None
        assert T._NOT_NEAR_ASCII.search(line) is not None or T._WORD_NEAR.findall(line) == T._WORD.findall(line)
    assert words == T.count_words(line)
    assert sent == (T._SENT_END.search(line) is not None)
    assert prims == _reference_prims(line)
    assert prims == T._line_prims(line, T._WORD.findall(line))  # the general non-ASCII path


def test_near_ascii_extra_characters_are_plain_punctuation():
    # the short path assumes none of these is a letter, a digit, a space or changes under lower()
    for c in T._NEAR_ASCII_EXTRA:
        assert not (c.isalnum() or c.isspace() or c == "_") and c.lower() == c
        assert not T._CJK.match(c) and not re.match(r"\d", c)


_texts = st.lists(st.sampled_from(_PIECES + ["\n", "\n\n", "  ", "漢字", "a.b", "x-y"]) | st.text(max_size=8),
                  max_size=80).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(_texts, st.integers(min_value=0, max_value=6))
def test_has_words_equals_count_words(text, k):
    assert T.has_words(text, k) == (T.count_words(text) >= k)


@pytest.mark.parametrize("k", [1, 5, 20])
def test_has_words_on_long_texts(k):
    long = "Word " * 400 + "漢字テスト" * 10
    assert T.has_words(long, k) is True
    sparse = "— " * 700 + "one two"
    assert T.has_words(sparse, k) == (T.count_words(sparse) >= k)


_SPACES = ["\n", "\n\n", " ", "\t", "\xa0", "\u2003", "\r\n", ". ", "! ", "?\n", ".\n \n", "\n \t"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES + _SPACES) | st.text(max_size=5), max_size=40).map("".join))
def test_sentences_equal_the_look_behind_split(text):
    assert md._sentences(text) == md._SENTENCE_SPLIT.split(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "bb", " ", "\n", "\xa0", "\u2003", "x.y", "—"]), max_size=30).map("".join),
       st.integers(min_value=-2, max_value=12))
def test_bounded_split_counts_words_like_a_full_split(text, k):
    # the word floor of cleaners.pipeline.clean_bytes
    assert (len(text.split(None, max(k, 0))) < k) == (len(text.split()) < k)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES + _SPACES + ["  ", "\x0b", "\u200b", "\x1c"]) | st.text(max_size=5),
                max_size=20).map("".join))
def test_trim_equals_split_join(line):
    assert T._trim(line) == " ".join(line.split())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES + _SPACES + ["\r", "\ufeff", "\n\u3000\n", "\n\xa0\t\n"]) |
                st.text(max_size=5), max_size=40).map("".join))
def test_segment_equals_plain_version(text):
    norm = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    ref = [b for b in (x.strip("\n") for x in T._BLANK_SPLIT.split(norm)) if b.strip()]
    assert T.segment(text) == ref


_CREDIT_BITS = ["via", "Via", "(Reuters) -", "(AP) —", "Sources: ", "source:", "told", "tells", "said to",
                "speaking to", "spoke to", "confirmed to", "interview with", "conversation with", "reported",
                "reports", "revealed", "according to", "According to a report by", "a report from", "reported by",
                "The Example Times", "Reuters", "Bloomberg", "the", "Daily Harbour News", "and", ",", ".", "\n",
                " ", "[", "]", "(", ")", "has", "first", "Ann Lee", "X Wire"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_CREDIT_BITS), max_size=30).map(" ".join))
def test_find_sources_prefilters_keep_every_credit(text):
    assert md.find_sources(text) == _reference_find_sources(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CREDIT_BITS + ["Why", "Why you can trust", "trust", "Example Mag", "?"]),
                max_size=8).map(" ".join))
def test_site_from_trust_precheck(line):
    m = md._TRUST_RE.search(line.strip())
    assert md.site_from_trust(line) == (m.group("site") if m else None)


@settings(max_examples=400, deadline=None)
@given(_lines)
def test_near_ascii_tokenizer_equals_word(t):
    if T._NOT_NEAR_ASCII.search(t) is None:
        assert T._WORD_NEAR.findall(t) == T._WORD.findall(t)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["19", "20", "1999", "2024", "x", "_", " ", "-", "٣", "é", "0", "12", "a2020"]),
                max_size=12).map("".join))
def test_year_pattern_led_by_digits_equals_word_bounded_one(t):
    assert (T._YEAR_FAST.search(t) is None) == (T._YEAR_WORD.search(t) is None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(sorted(T._STOP | T._CHROME_SET) + ["x", "More", "it's", ""]), max_size=60))
def test_stop_chrome_counts_in_one_pass(words):
    assert T._stop_chrome(words) == (sum(w in T._STOP for w in words), sum(w in T._CHROME_SET for w in words))


_SEPS = [" ", "  ", "\n", "\n\n", ". ", ".\n", "! ", "? ", "\t", "\xa0", "\n \n", "", ".", "U.S. "]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_CREDIT_BITS), st.sampled_from(_SEPS)), max_size=30).map(
    lambda ps: "".join(a + b for a, b in ps)))
def test_find_sources_cuts_the_same_sentences_as_a_full_split(text):
    assert md.find_sources(text) == _reference_find_sources(text)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(["a", "via", "(", "x", "."] + _SEPS), min_size=1, max_size=30).map("".join),
       st.data())
def test_sentence_around_is_the_piece_of_the_full_split(text, data):
    spots = [i for i, c in enumerate(text) if not c.isspace()]
    if not spots:
        return
    h = data.draw(st.sampled_from(spots))
    start, end = md._sentence_around(text, h)
    pieces, at = [], 0
    for seg in md._SENTENCE_SPLIT.split(text):
        at = text.find(seg, at)
        pieces.append((at, at + len(seg)))
        at += len(seg)
    assert (start, end) == next((a, b) for a, b in pieces if a <= h < b)


_ascii_bits = st.sampled_from(["a", "B", "_", "'", "-", " ", ".", ",", "x_Y", "O'Neil", "e-mail", "U.S.", "--",
                               "'quoted'", "_x", "(AP)", "@b", "a/b", "Hello", "WORLD", "\x00", "~"])


@settings(max_examples=800, deadline=None)
@given(st.lists(_ascii_bits | st.text(alphabet=st.characters(max_codepoint=127, blacklist_characters="0123456789"),
                                      max_size=6), max_size=20).map("".join))
def test_tokens_without_digits_equal_the_regex(t):
    toks = T._WORD.findall(t)
    assert T._tokens_without_digits(t.encode("ascii")) == (len(toks), sum(w[0].isupper() for w in toks))


def _assert_page_info(lines: list[str]) -> None:
    words, sent, P, keys = T._page_info(lines)
    assert P.shape == (len(lines), 19)
    for i, t in enumerate(lines):
        ref = _reference_prims(t)
        assert tuple(int(v) for v in P[i]) == tuple(int(v) for v in ref[:-1]), t
        if all(c.isascii() or c in lf.NEAR_EXTRA or lf.is_plain(c) for c in t):  # read by the compiled pass
            assert keys[i] == lf.key_hash(ref[-1]), t
        else:
            assert keys[i] == ref[-1], t
        assert words[i] == T.count_words(t), t
        assert sent[i] == (T._SENT_END.search(t) is not None), t


@settings(max_examples=400, deadline=None)
@given(st.lists(_lines, min_size=1, max_size=8))
def test_page_info_equals_the_per_line_reference(lines):
    # a page of ASCII, near-ASCII and other lines mixed gives each line's features
    lines = [t for t in lines if t]
    if lines:
        _assert_page_info(lines)


@pytest.mark.parametrize("lines", [
    ["COVID-19 cases rose to 1,204.5 in 2021", "abc123456789012345 x_1-2'3 and 9a,b.8c", "_a -B 'C 3rd 1,a a1,2 1a.2"],
    ["It’s “fine” — they’re 20’s O’Neil’s ’90s", "plain ASCII line, with 3 words.", "Ünïcode 漢字 line 5"],
    ["a" + "0" * 40 + " " + "x-" * 30 + "1", "1" * 50, "·", "Home · News • Sport", "“Quote”"],
    ["don’t stop", "DON’T STOP", "sign-in here", "Sign-In", "’the ’’and 3the _the -the 'the"],
    ["© 2024 Example Media™ ★★★ 12", "Ⓐ Circled Ⓑ", "x・y katakana dot", "zero\u200bwidth", "e\u0301 mark",
     "→ Next 3,5 ×2 ®", "It’s ★ “the” one —", "The end…", "\x80\x99 control", "§ 3.1 – ¶"],
])
def test_page_info_on_made_up_pages(lines):
    _assert_page_info(lines)
    for line in lines:  # and one line at a time
        _assert_page_info([line])


@settings(max_examples=400, deadline=None)
@given(_lines, st.integers(0, 12))
def test_inlined_line_rules_equal_the_plain_version(line, words):
    if line:
        assert T._line_rules.__wrapped__(line, words) == T._line_rules_plain(line, words)


@pytest.mark.parametrize("line", [
    "Share", "Advertisement", "Copyright 2021 Example Media. All rights reserved", "Photo: Ann Lee / Reuters",
    "img_2041.jpg", "March 3, 2024", "We maintain a strict editorial policy and our guides are reviewed by experts",
    "Read more", "You May Also Like", "12 Comments", "Sam says: great piece", "Posted by: Sam | Jan 10, 2008 4:49 PM",
    "Jane is a senior writer at Example Times, where she covers the city.", "!!!", "« Previous", "x" * 250,
    "We " + "really " * 60 + "follow our strict editorial policy", "...", "Why you can trust Example Weekly",
])
def test_inlined_line_rules_on_made_up_lines(line):
    for words in (0, 6, 12):
        assert T._line_rules.__wrapped__(line, words) == T._line_rules_plain(line, words)


def _is_wrapped_plain(raw: list[str]) -> bool:
    if len(raw) < 3:
        return False
    body = raw[:-1]
    lens = sorted(len(x) for x in body)
    med = lens[len(lens) // 2]
    in_range = sum(1 for x in body if 45 <= len(x) <= 110)
    open_end = sum(1 for x in body if not T._SENT_END.search(x))
    bullets = sum(1 for x in raw if T._BULLET.match(x))
    return (in_range >= 0.7 * len(body) and lens[-1] <= 1.35 * med and open_end >= 0.5 * len(body)
            and bullets <= 1 and len(raw[-1]) <= 1.35 * med)


_prose = st.lists(st.sampled_from(["the river", "opened on", "Monday,", "* item", "1. first", "end.", "word",
                                   "a" * 30, "and then", "x" * 70]), min_size=1, max_size=14).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(_prose, min_size=1, max_size=8))
def test_lazy_wrapped_test_equals_the_plain_one(raw):
    assert T._is_wrapped(raw) == _is_wrapped_plain(raw)


@settings(max_examples=500, deadline=None)
@given(_lines)
def test_tokens_with_digits_equal_the_regex(t):
    if not t.isascii():
        return
    marks = T._WORD_CAPS.findall(t)
    assert T._tokens_with_digits(t.encode()) == (len(marks), len(marks) - marks.count(""))
    assert T._fold_digit_runs(t.encode()).decode() == T._DIGITS.sub("0", t)


@pytest.mark.parametrize("t", [
    "COVID-19 cases rose to 1,204.5 in 2021", "abc123456789012345 x_1-2'3 and 9a,b.8c", "_a -B 'C 3rd 1,a a1,2 1a.2",
    "a" + "0" * 40 + " " + "x-" * 30 + "1", "1" * 50, "1.", ".5", "a.1", "0.a0", "3_a x_y9 -9 '9", "9",
])
def test_tokens_with_digits_on_made_up_lines(t):
    marks = T._WORD_CAPS.findall(t)
    assert T._tokens_with_digits(t.encode()) == (len(marks), len(marks) - marks.count(""))


@settings(max_examples=400, deadline=None)
@given(_lines)
def test_month_word_from_the_key_equals_the_regex(t):
    if not t or T._FAR_CHAR.search(t) is not None:  # lines whose only digits are ASCII ones
        return
    low = t.lower()
    key = T._fold_digit_runs(low.encode()).decode()
    assert T._month_word_keyed(t, low, key) == (T._MONTH_WORD.search(t) is not None)


@pytest.mark.parametrize("t", ["Jan 3", "March 3, 2024", "posted 12:30", "in 1999", "may 5", "Mayday 5", "dec.  3",
                               "x1920", "Sep 0", "no date here", "June", "3 Jan"])
def test_month_word_from_the_key_on_made_up_lines(t):
    t = " ".join(t.split())
    low = t.lower()
    assert T._month_word_keyed(t, low, T._fold_digit_runs(low.encode()).decode()) == (T._MONTH_WORD.search(t) is not None)
