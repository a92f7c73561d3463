"""Deduplication of cleaned article bodies at three levels.

* ``exact``: the same body once whitespace, case and punctuation are normalised away.
* ``near``: the same text republished with edits, truncation or a different page around it.
  Verified with word 5-gram Jaccard (MinHash estimate) and containment (share of the shorter
  text's 5-grams found in the longer one, from a consistent bottom-k sample of 5-gram hashes).
  Below ``near_lead_below`` the two must also share an article start (``_lead_found``), so
  pages that only share a block of leftover chrome are not copies.
* ``story``: two outlets telling the same specific event in their own words. Verified with a
  weighted overlap of the specific things such rewrites keep: people and organisations named,
  numbers and dates, quoted phrases and the credited source, taken from running text only
  (listings such as menus and footers are cut, ``_strip_listings``). Features are weighted by
  how specific they are in the run (a sharpened idf: the names of a topic that runs through many
  articles count for little), and the same exact figures ("197,039", "5.2%") in both count as
  one event's numbers. Leads that are the same text in non-copies are chrome and do not count
  as the event (``_same_lead``); leads reporting different match results are two matches, not
  one story (``_results_differ``), and two match reports must share lead words beyond the
  names of teams and players (``_action_similarity``). A page title whose words are not in the
  lead (a site name, a menu) is not part of the event words. Leads that name the same weekday
  ("died Wednesday", "on Wednesday January 3") tell of an event on the same day, which
  reports of two events in one saga (a hearing and its sequel, two rounds of a tournament)
  do not: a small bonus (``DAY_BONUS``).

Candidate pairs come from datasketch ``MinHashLSH`` banding, one signature set per level
(``near``: 5-gram MinHash of the whole body plus one of its lead; ``story``: MinHash of the
story features), with the buckets held as sorted band-key arrays (``cleaners.dedup_index``,
which also keeps the corpus's index between runs); exact duplicates share every MinHash value
and so always meet as near candidates. Only candidate pairs are verified: there is no
all-pairs comparison.

Clusters are connected components of verified exact/near pairs; story pairs then merge
clusters only when the story verification also holds against the cluster's kept article
(guard against A~B, B~C pulling in an unrelated C). One article is kept per cluster: an
article kept by an earlier run if there is one, else the most complete body (most words),
ties broken by the smallest ``doc_id``.

Signatures are compact (no text), picklable and persistable as a Parquet table
(``SIGNATURE_SCHEMA``), so a later run dedups new documents against already kept ones.
"""
from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Iterable, Sequence

import numpy as np
import pyarrow as pa
import xxhash
from datasketch import MinHash
from datasketch.minhash import _fmix

from cleaners.metadata import month_key

__all__ = [
    "DedupParams",
    "Signature",
    "SIGNATURE_SCHEMA",
    "SIGNATURE_VERSION",
    "signature_key",
    "Decision",
    "make_signature",
    "deduplicate",
    "verify_pair",
]

KINDS = ("exact", "near", "story")


@dataclass(frozen=True)
class DedupParams:
    """Thresholds of the three dedup levels (all simple scalars).

    Signature-shaping fields (``num_perm``, ``lead_num_perm``, ``story_num_perm``,
    ``shingle_size``, ``lead_words``, ``event_words``, ``sketch_size``, ``prose_min_words``)
    must stay the same across runs that share a corpus: signatures made with other values
    cannot be compared. The other fields only steer ``deduplicate`` and may change per run.
    """

    # --- signature shape
    num_perm: int = 64  # MinHash permutations of the near-level (5-gram) signature
    lead_num_perm: int = 64  # permutations of the lead signature
    story_num_perm: int = 256  # permutations of the story signature
    shingle_size: int = 5  # words per shingle at near level
    lead_words: int = 60  # words of the body's lead in the lead signature
    event_words: int = 120  # words of the body's lead whose content words describe the event
    sketch_size: int = 192  # bottom-k 5-gram hashes kept for containment
    min_words: int = 8  # bodies shorter than this are only matched exactly
    prose_min_words: int = 12  # story features come from lines of at least this many words
    # --- candidate search (MinHashLSH banding per level)
    near_lsh_bands: int = 16  # whole-body 5-gram MinHash, 16 bands of 4 rows: p(meet) 0.64 at
    near_lsh_rows: int = 4  # jaccard 0.5, 0.98 at 0.7 (lower overlaps meet through the other two)
    lead_lsh_threshold: float = 0.7  # lead 5-gram MinHash (truncations keep the lead)
    story_lsh_bands: int = 128  # story-feature MinHash: bands x rows <= story_num_perm;
    story_lsh_rows: int = 2  # 2 rows: pairs whose weighted story features overlap by 12% meet
    # with p~0.84, 15% p~0.94, 20% p~0.99 (rewrites of one event often overlap by only 10-20%)
    boilerplate_df: int = 3  # 5-grams in this many documents of a run count as page chrome
    max_story_heads: int = 8  # story clusters: heads checked pairwise when two clusters meet
    max_bucket: int = 400  # LSH buckets larger than this are sampled down (degenerate features)
    # --- verification
    near_jaccard: float = 0.5  # 5-gram Jaccard at or above: near copy
    near_containment: float = 0.4  # share of the shorter text's 5-grams in the longer: near copy
    near_strong: float = 0.6  # near pairs scoring this (max of jaccard, containment) chain freely
    near_min_shared: int = 12  # sampled 5-grams that must be shared for containment to count
    near_lead_below: float = 0.95  # near pairs scoring less must share an article start: the
    # lead of one found in the other (two pages sharing only a block of chrome do not)
    near_lead_min_expected: float = 3.0  # MinHash slots a found lead fills on average, at least,
    # for the lead test to be made (very long bodies: too few to tell, the test is skipped)
    story_score: float = 0.42  # story score at or above: same story
    story_min_features: int = 4  # specific shared features (names, numbers, quotes) needed
    story_short_share: float = 2 / 3  # ... or this share of those of the one with fewer (a short
    # brief has few to share), at least 2; 0 turns this off
    story_min_event: float = 0.15  # lead-word similarity needed (what happened, not only who)
    story_min_action: float = 0.1  # between two articles that both report match results: the
    # lead-word similarity from the words that are not names. Teams and players recur from one
    # match to the next, so names say little of which match; two reports of one match tell
    # what happened in some of the same words, a report and the preview of the next match do not
    story_min_weight: float = 15.0  # summed weight of shared features needed
    story_results_differ: bool = True  # leads reporting different match results: not a story
    story_same_lead: float = 0.5  # leads this alike (5-gram Jaccard) in bodies that are not
    # copies are shared page chrome: their lead words are not counted as the event


log = logging.getLogger(__name__)

_SCHEME = "affine32"
_SEED = 1


# --------------------------------------------------------------------------- text features

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_TOKEN_RE = re.compile(r"[^\W\d_][\w'’&.-]*[^\W_]|[^\W\d_]|\d[\d,.]*\d%?|\d%?", re.UNICODE)
_QUOTE_RES = (
    re.compile(r"“([^”\n]{12,400})”"),
    re.compile(r"(?<![\w])\"([^\"\n]{12,400})\"(?![\w])"),
    re.compile(r"(?<![\w])‘([^’\n]{12,400}?)’(?![\w])"),
    re.compile(r"«([^»\n]{12,400})»"),
    re.compile(r"(?<![\w'])''([^'\n]{12,400}?)''"),
)

# the opening mark of each quote pattern whose look-behind hides it from re's prefix scan
_QUOTE_QUICK = (None, re.compile('"'), re.compile("‘"), None, re.compile("''"))

# Capitalised words that are not names: function words, titles, calendar words, sentence glue.
_NOT_ENTITY = frozenset(
    """
    a an the and or but nor so yet for of in on at to from by with without as into onto upon
    about above after against along among around before behind below beneath beside besides
    between beyond despite during except inside near off outside over past since through
    throughout till toward towards under underneath until unto via within
    i me my mine we us our ours you your yours he him his she her hers it its they them their
    theirs this that these those who whom whose which what when where why how whoever whatever
    is are was were be been being am do does did done have has had having will would shall
    should can could may might must ought not no yes all any both each either every few many
    more most much neither none other others same several some such than then there here
    also just only even still very too again ever never now once already soon later today
    tonight tomorrow yesterday meanwhile however therefore thus hence instead otherwise
    although though because while whereas if unless whether
    mr mrs ms miss dr prof sir madam mister st jr sr i've i'm i'll i'd we're we've it's
    that's there's let's don't can't won't isn't
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    news report reports reported update updated read more photo photos video image images
    click share comment comments email print advertisement subscribe
    said says say told asked added according
    one two three four five six seven eight nine ten first second third last next new
    year years week weeks day days month months time times people
    """.split()
)

# Named things so common in news that sharing them says little about the event.
_COMMON_ENTITY = frozenset(
    """
    us u.s u.s.a usa america american americans uk u.k britain british england english
    china chinese india indian japan japanese russia russian france french germany german
    europe european eu australia australian canada canadian africa african asia asian
    washington london new york beijing paris government president minister prime police
    court state states united national international world global city county republic
    kingdom north south east west northern southern eastern western company group inc ltd
    corp co plc university council party house senate congress ministry department office
    ceo chief executive chairman director officer senior vice secretary general
    internet web online tv ap reuters afp bloomberg associated press
    """.split()
)

_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_SCALE = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mln": 1e6, "mn": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}
_NUM_RE = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s?(%|per\s?cent|percent)?"
    r"(?:\s?(thousand|million|billion|trillion|mln|mn|bn|tn|m|b|k)\b)?",
    re.IGNORECASE,
)
_DATE_RE = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b"
    r"|\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(january|february|march|april|may|june|july|"
    r"august|september|october|november|december)\b",
    re.IGNORECASE,
)
_SOURCE_NAME = r"((?:the\s+)?[A-Z][\w&.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w&.-]*){0,4})"
_SOURCE_RES = (
    re.compile(r"^[A-Z][A-Z .,'’/-]{1,40}\(\s*([A-Za-z][\w .&/-]{0,30}?)\s*\)\s*[-–—:]", re.M),
    re.compile(r"^\(\s*([A-Z][\w .&/-]{0,30}?)\s*\)", re.M),
    re.compile(r"\b(?:told|according to|reported by|via|quoted by|cited by|in an interview with)\s+"
               + _SOURCE_NAME),
)
# candidate starts of the "told/according to ..." pattern: its words without the boundary
_SOURCE_QUICK = (None, None, re.compile(r"told|according to|reported by|via|quoted by|cited by|in an interview with"))
_REPORTED_RE = re.compile(r"\s(?:reported|reports|has reported|had reported|quoted)\b")
_NAME_BEFORE_RE = re.compile(_SOURCE_NAME + r"\s*$")
_SOURCE_STOP = frozenset("he she it they we i you his her their its reporters the a an this".split())


def _norm_token(tok: str) -> str:
    tok = tok.lower().replace("’", "'")
    if tok.endswith("'s"):
        tok = tok[:-2]
    return tok.strip("'.-&")


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower())


def _normalise_for_exact(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return " ".join(_WORD_RE.findall(text.casefold()))


def _shingles(words: list[str], n: int) -> list[str]:
    if not words:
        return []
    if len(words) <= n:
        return [" ".join(words)]
    return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def _number_key(m: re.Match[str]) -> str | None:
    whole, frac, pct, scale = m.group(1), m.group(2), m.group(3), m.group(4)
    digits = whole.replace(",", "")
    try:
        value = float(digits + ("." + frac if frac else ""))
    except ValueError:
        return None
    if scale:
        s = scale.lower()
        # "m"/"b" alone only count as scale after a currency-looking amount with a decimal or
        # small value ("$1.5m", "15m"); otherwise they are a unit (metres) and are dropped.
        value *= _SCALE.get(s, 1.0)
    if pct:
        return f"n:{value:g}%"
    if value <= 12 and not frac and not scale:
        return None  # small counts are everywhere
    # a year is a number like any other: its weight comes from how rare it is in the run (the
    # current year is in most articles, the year of a planned launch in few)
    if value == int(value):
        return f"n:{int(value)}"
    return f"n:{value:g}"


_ENT_TOKEN_RE = re.compile(
    r"[^\W\d_][\w&]*(?:['’.-](?=[^\W_])[\w&]*)*|\d[\w,.]*|\n|[^\w\s]", re.UNICODE
)
_SENT_END = frozenset(".!?:;\n")
_ABBREV = frozenset("mr mrs ms dr st jr sr no vs gov sen rep gen lt col capt prof inc co corp ltd u.s".split())


def _name_key(t: str) -> str | None:
    """The name a capitalised word token stands for, or None."""
    if not t[0].isupper() or (len(t) > 5 and t.isupper()):
        return None
    k = _norm_token(t)
    if len(k) < 2 or k in _NOT_ENTITY:
        return None
    return k


_NAME_KEYS: dict[str, str | None] = {}
_NAME_KEYS_MAX = 300_000


def _entities(text: str) -> tuple[set[str], set[str]]:
    """Single-word and two-word names: runs of capitalised tokens that are not sentence glue.

    Punctuation breaks a run. A sentence-initial capitalised word only counts if it continues
    into a capitalised run ("Wang Xiang said") or the same word is capitalised somewhere else
    mid-sentence. Long all-capital words (shouted headings, datelines) are not names.
    """
    toks = _ENT_TOKEN_RE.findall(text)
    n = len(toks)
    # one key per distinct token, kept across documents (a pure function of the token)
    key_of = _NAME_KEYS
    if len(key_of) > _NAME_KEYS_MAX:
        key_of.clear()
    for t in set(toks).difference(key_of):
        key_of[t] = _name_key(t) if t[0].isalpha() else None
    keys = list(map(key_of.__getitem__, toks))
    keyed = [i for i, k in enumerate(keys) if k is not None]

    def starts_sentence(i: int) -> bool:
        # the nearest word, number or sentence end before token i decides: a sentence end
        # (not the dot of an abbreviation or initial) or nothing at all means it starts one
        j = i - 1
        while j >= 0:
            t = toks[j]
            c = t[0]
            if c.isalpha() or c.isdigit():
                return False
            if t in _SENT_END:
                if t == "." and j and (len(toks[j - 1]) == 1 and toks[j - 1].isupper() or "." in toks[j - 1] or toks[j - 1].lower() in _ABBREV):
                    j -= 1
                    continue
                return True
            j -= 1
        return True

    initial = {i: starts_sentence(i) for i in keyed}
    mid_caps = {keys[i] for i in keyed if not initial[i]}
    singles: set[str] = set()
    pairs: set[str] = set()

    def flush(run: list[str]) -> None:
        if len(run) == 1:
            singles.add(run[0])
        elif len(run) == 2:
            # "First Last": the last name is how later mentions name the person
            singles.add(run[1])
        for j in range(1, len(run)):
            pairs.add(run[j - 1] + " " + run[j])

    run: list[str] = []
    last = -2
    for i in keyed:
        if run and i != last + 1:
            flush(run)
            run = []
        last = i
        k = keys[i]
        if initial[i] and k not in mid_caps and not (i + 1 < n and keys[i + 1] is not None):
            # a lone sentence-initial capital: not a name, and it breaks a run
            if run:
                flush(run)
                run = []
            continue
        run.append(k)
    if run:
        flush(run)
    return singles, pairs


def _finditer(rx: re.Pattern[str], quick: re.Pattern[str], text: str) -> Iterable[re.Match[str]]:
    """The same matches as ``rx.finditer(text)`` for a pattern whose matches are never empty
    and can only start where ``quick`` matches: ``quick`` finds the candidate starts with a
    fast literal/charset scan and ``rx`` is tried there (its look-behinds and word boundaries
    still see the text before the start)."""
    pos = 0
    search = quick.search
    match = rx.match
    while True:
        q = search(text, pos)
        if q is None:
            return
        p = q.start()
        m = match(text, p)
        if m is None:
            pos = p + 1
        else:
            yield m
            pos = m.end()


_DIGITS_RE = re.compile(r"\d+")


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # what re's \w matches in a str pattern


def _date_matches(text: str) -> Iterable[re.Match[str]]:
    """The same matches as ``_DATE_RE.finditer(text)``, tried only around digits.

    Every date holds a number: a match starts either at a digit run ("5 March") or at the
    word just before the whitespace (and optional dot) in front of one ("March 5", "Jan. 5").
    No match starts inside a run of digits (its word boundary would fail there).
    """
    pos = 0
    match = _DATE_RE.match
    search = _DIGITS_RE.search
    while True:
        d = search(text, pos)
        if d is None:
            return
        q = d.start()
        found = None
        j = q
        while j > pos and text[j - 1].isspace():
            j -= 1
        if j < q:
            if j > pos and text[j - 1] == ".":
                j -= 1
            k = j
            while k > pos and _is_word_char(text[k - 1]):
                k -= 1
            if k < j:
                found = match(text, k)
        if found is None:
            found = match(text, q)
        if found is None:
            pos = d.end()
        else:
            yield found
            pos = found.end()


def _numbers(text: str) -> set[str]:
    out: set[str] = set()
    for m in _NUM_RE.finditer(text):
        k = _number_key(m)
        if k:
            out.add(k)
    for m in _date_matches(text):
        if m.group(1):
            month, day = _MONTHS[month_key(m.group(1))], int(m.group(2))
        else:
            month, day = _MONTHS[month_key(m.group(4))], int(m.group(3))
        if 1 <= day <= 31:
            out.add(f"d:{month:02d}-{day:02d}")
    return out


def _quotes(text: str, max_quotes: int = 12, max_chars: int = 160) -> list[str]:
    found: list[str] = []
    seen: set[str] = set()
    for rx, quick in zip(_QUOTE_RES, _QUOTE_QUICK):
        for m in _finditer(rx, quick, text) if quick is not None else rx.finditer(text):
            words = _words(m.group(1))
            if len(words) < 4:
                continue
            q = " ".join(words)[:max_chars].rsplit(" ", 1)[0] if len(" ".join(words)) > max_chars else " ".join(words)
            if q not in seen:
                seen.add(q)
                found.append(q)
    # keep the longest quotes: they carry the most specific wording
    found.sort(key=lambda q: (-len(q), q))
    return sorted(found[:max_quotes])


def _detect_sources(text: str, given: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for s in given:
        k = _source_key(s)
        if k:
            out.add(k)
    head = text[:4000]
    for rx, quick in zip(_SOURCE_RES, _SOURCE_QUICK):
        for m in rx.finditer(head) if rx.pattern.startswith("^") else _finditer(rx, quick, text):
            k = _source_key(m.group(1))
            if k:
                out.add(k)
    for m in _REPORTED_RE.finditer(text):
        before = _NAME_BEFORE_RE.search(text[max(0, m.start() - 60) : m.start()])
        if before:
            k = _source_key(before.group(1))
            if k:
                out.add(k)
    return out


_TERM_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_TERM_STOP = _NOT_ENTITY | frozenset(
    """
    said would could also after their there they this that with from have been were will
    more than into about over when which while some such only other most many just like
    make made take took being well back still where what year years last first
    """.split()
)


TITLE_MIN_SHARE = 1 / 3  # share of a title's content stems the lead must have for it to count


def _content_stems(words: Iterable[str]) -> set[str]:
    return {w[:6] for w in words if len(w) >= 4 and w not in _TERM_STOP}


def _lead_terms(title: str | None, text: str, n_words: int) -> tuple[str, ...]:
    """Stems (first 6 letters) of the content words of the title and the body's lead.

    The title only counts when the lead tells the same thing: at least ``TITLE_MIN_SHARE`` of
    its stems are in the lead. A page's title is often the site's name or a menu ("Submit
    News Item", "Print this page | Return to site"), whose words are not the event."""
    out = _content_stems(_TERM_RE.findall(text[: n_words * 12].lower())[:n_words])
    if title:
        t = _content_stems(_TERM_RE.findall(title.lower()))
        if t and len(t & out) >= TITLE_MIN_SHARE * len(t):
            out |= t
    return tuple(sorted(out))


_SCORE = r"\d{1,3}\s?[-–]\s?\d{1,3}(?:[-–]\d{1,3})?(?!\d)(?:\s?\(\d{1,2}(?:[-–]\d{1,2})?\))?"
_RESULT_RE = re.compile(r"(?<![\w.,/-])" + _SCORE + r"(?:(?:,\s?|;\s?|\s)" + _SCORE + r")*(?![\w/-])")
_SCORE_RE = re.compile(r"(\d{1,3})\s?[-–]\s?(\d{1,3})(?:[-–](\d{1,3}))?")


def _first_words(text: str, n: int) -> str:
    """The first ``n`` words of ``text``, joined by single spaces."""
    return " ".join(text.split(None, n)[:n])


def _results(title: str | None, text: str, lead_words: int) -> tuple[str, ...]:
    """Match results: a score ("124-120", a record "3-1-2") or a run of set scores ("6-3, 6-4"),
    normalised (higher score first, tie-breaks dropped). Those in the title or the first
    ``lead_words`` words of the body are marked with a leading "*": the result the article
    is about. Two reports of one match give its result; reports of two matches of the same
    teams or tournament (which share most names) give different ones."""
    def norm(m: re.Match[str]) -> str:
        parts = []
        for a, b, c in _SCORE_RE.findall(re.sub(r"\(\d{1,2}(?:[-–]\d{1,2})?\)", "", m.group(0))):
            parts.append("-".join((a, b, c)) if c else "-".join(sorted((a, b), key=int, reverse=True)))
        return ",".join(parts)

    lead = _first_words(text, lead_words)
    out = {norm(m) for m in _RESULT_RE.finditer(text)}
    out |= {"*" + norm(m) for m in _RESULT_RE.finditer((title or "") + "\n" + lead)}
    return tuple(sorted(r for r in out if r.strip("*")))


_DAY_RE = re.compile(r"\b(?:" + "|".join(sorted(_WEEKDAYS)) + r")\b", re.IGNORECASE)


def _lead_days(text: str, lead_words: int) -> tuple[str, ...]:
    """The weekdays named in the first ``lead_words`` words of the running text, lower-cased:
    the day the lead tells the event happened ("died Wednesday", "on Friday night")."""
    return tuple(sorted({m.group(0).lower() for m in _DAY_RE.finditer(_first_words(text, lead_words))}))


def _source_key(name: str) -> str | None:
    words = [w for w in _words(name) if w not in ("the", "via")]
    if not words or words[0] in _SOURCE_STOP or len(words) > 5:
        return None
    return " ".join(words)


# --------------------------------------------------------------------------- signatures


@lru_cache(maxsize=8)
def _template(num_perm: int) -> MinHash:
    return MinHash(num_perm=num_perm, seed=_SEED, hashfunc=xxhash.xxh32_intdigest, scheme=_SCHEME)


def _minhash(items: Sequence[bytes], num_perm: int) -> bytes:
    m = _template(num_perm).copy()
    if items:
        m.update_batch(items)
    return m.hashvalues.astype("<u4").tobytes()


def _xxh32_array(items: Sequence[bytes], seed: int = 0) -> np.ndarray:
    """xxh32 of every item as a uint32 array (the hash datasketch is given, seed 0 by default)."""
    h = xxhash.xxh32_intdigest if seed == 0 else partial(xxhash.xxh32_intdigest, seed=seed)
    return np.fromiter(map(h, items), dtype=np.uint32, count=len(items))


def _minhash_hashed(hv: np.ndarray, num_perm: int) -> bytes:
    """Same bytes as ``_minhash(items, num_perm)`` given ``hv = _xxh32_array(items)``: the
    affine32 permutations of datasketch's ``update_batch`` applied to the hashes directly."""
    m = _template(num_perm)
    if not len(hv):
        return m.hashvalues.astype("<u4").tobytes()
    a, b = m.permutations
    x = _fmix(hv.astype(np.uint32).reshape(-1, 1), 32)
    phv = x * a + b
    return np.minimum(m.hashvalues, phv.min(axis=0)).astype("<u4").tobytes()


def _shingle_list(words: list[str], n: int) -> list[str]:
    """Same as ``_shingles``: the word n-grams joined by single spaces."""
    if len(words) <= n:
        return [" ".join(words)] if words else []
    return list(map(" ".join, zip(*(words[i:] for i in range(n)))))


# ASCII bytes that are not word characters (\w in ASCII: letters, digits, "_") become spaces and
# capitals become small letters (casefold, in ASCII); the bytes of other characters are kept
_ASCII_WORDS = bytes(
    (c + 32 if 65 <= c <= 90 else c) if c >= 128 or c == 95 or chr(c).isalnum() else 32 for c in range(256)
)
# U+2000-U+206F (spaces, dashes, quotation marks, ellipsis...) in UTF-8: none is a word character
_GENERAL_PUNCTUATION = re.compile(rb"\xe2(?:\x80[\x80-\xbf]|\x81[\x80-\xaf])")


def _word_tokens(text: str) -> list[bytes]:
    """``_WORD_RE.findall(text.casefold())`` as UTF-8 bytes: the words of ``_normalise_for_exact``
    for an NFKC-normalised text. ASCII is cut and lower-cased with one ``bytes.translate``; only
    the pieces that still hold other characters go through ``casefold`` and the regex."""
    b = text.encode("utf-8")
    if not b.isascii():
        b = _GENERAL_PUNCTUATION.sub(b" ", b)  # often all there is beyond ASCII
    toks = b.translate(_ASCII_WORDS).split()
    if b.isascii():
        return toks
    out: list[bytes] = []
    for t in toks:
        if t.isascii():
            out.append(t)
        else:
            out.extend(w.encode("utf-8") for w in _WORD_RE.findall(t.decode("utf-8").casefold()))
    return out


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """``np.unique(a)`` for a 1-d array (sort-based: faster than numpy's hash table on small arrays)."""
    a = np.sort(a)
    if len(a) > 1:
        a = a[np.concatenate(([True], a[1:] != a[:-1]))]
    return a


@lru_cache(maxsize=8)
def _position_weights(n: int) -> np.ndarray:
    """One odd 64-bit multiplier per position in a shingle (fixed: derived with xxh64)."""
    return np.array([xxhash.xxh64_intdigest(b"shingle-position-%d" % j) | 1 for j in range(n)], dtype=np.uint64)


def _shingle_hashes(token_hashes: np.ndarray, n: int) -> np.ndarray:
    """64-bit hash of every word n-gram (a single one covering all the words when there are n or
    fewer), from the 64-bit hashes of the words: sum over positions j of hash(word j) * w_j
    (mod 2^64), then the MurmurHash3 finalizer. Each word is hashed once, however many n-grams
    hold it, and no n-gram string is built."""
    count = len(token_hashes)
    if not count:
        return np.zeros(0, dtype=np.uint64)
    m = max(count - n + 1, 1)
    w = _position_weights(n)
    acc = np.zeros(m, dtype=np.uint64)
    for j in range(min(n, count)):
        acc += token_hashes[j : j + m] * w[j]
    return _fmix(acc, 64)


def _token_hashes(tokens: Sequence[bytes]) -> np.ndarray:
    return np.fromiter(map(xxhash.xxh64_intdigest, tokens), dtype=np.uint64, count=len(tokens))


def _low32(h: np.ndarray) -> np.ndarray:
    return (h & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def _high32(h: np.ndarray) -> np.ndarray:
    return (h >> np.uint64(32)).astype(np.uint32)


@dataclass(frozen=True)
class Signature:
    """What dedup needs to know of one document; no text, a few KB at most."""

    doc_id: str
    words: int
    content_hash: int  # xxh64 of the normalised body (exact level)
    shingles: int  # number of distinct 5-gram shingles
    near_mh: bytes  # uint32 MinHash hashvalues of the body's 5-grams (num_perm values)
    lead_mh: bytes  # uint32 MinHash hashvalues of the lead's 5-grams (lead_num_perm values)
    story_mh: bytes  # uint32 MinHash hashvalues of the story features (story_num_perm values)
    sketch: bytes  # sorted uint32: the sketch_size smallest 5-gram hashes (all if fewer)
    sketch_size: int  # k the sketch was made with (it holds every 5-gram if shorter than k)
    entities: tuple[str, ...] = ()  # lower-cased names, single words and "first last" pairs
    numbers: tuple[str, ...] = ()  # "n:100000000", "n:5.2%", "n:2019", "d:01-12"
    quotes: tuple[str, ...] = ()  # normalised quoted phrases (4+ words)
    sources: tuple[str, ...] = ()  # credited sources, lower-cased ("reuters")
    lead_terms: tuple[str, ...] = ()  # content-word stems of the title and lead (the event)
    results: tuple[str, ...] = ()  # match results in the body ("124-120", "6-3,6-4"); "*" first: in the lead
    days: tuple[str, ...] = ()  # weekdays the lead names ("wednesday")
    key: str = ""  # signature_key() of the code and parameters that made it ("" if unknown)

    def to_record(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "words": self.words,
            "content_hash": self.content_hash,
            "shingles": self.shingles,
            "near_mh": self.near_mh,
            "lead_mh": self.lead_mh,
            "story_mh": self.story_mh,
            "sketch": self.sketch,
            "sketch_size": self.sketch_size,
            "entities": list(self.entities),
            "numbers": list(self.numbers),
            "quotes": list(self.quotes),
            "sources": list(self.sources),
            "lead_terms": list(self.lead_terms),
            "results": list(self.results),
            "days": list(self.days),
            "key": self.key,
        }

    @classmethod
    def from_record(cls, d: dict) -> "Signature":
        return cls(
            doc_id=str(d["doc_id"]),
            words=int(d["words"]),
            content_hash=int(d["content_hash"]),
            shingles=int(d["shingles"]),
            near_mh=bytes(d["near_mh"]),
            lead_mh=bytes(d["lead_mh"]),
            story_mh=bytes(d["story_mh"]),
            sketch=bytes(d["sketch"]),
            sketch_size=int(d["sketch_size"]),
            entities=tuple(d.get("entities") or ()),
            numbers=tuple(d.get("numbers") or ()),
            quotes=tuple(d.get("quotes") or ()),
            sources=tuple(d.get("sources") or ()),
            lead_terms=tuple(d.get("lead_terms") or ()),
            results=tuple(d.get("results") or ()),
            days=tuple(d.get("days") or ()),
            key=str(d.get("key") or ""),
        )


SIGNATURE_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("words", pa.int32(), nullable=False),
        pa.field("content_hash", pa.uint64(), nullable=False),
        pa.field("shingles", pa.int32(), nullable=False),
        pa.field("near_mh", pa.binary(), nullable=False),
        pa.field("lead_mh", pa.binary(), nullable=False),
        pa.field("story_mh", pa.binary(), nullable=False),
        pa.field("sketch", pa.binary(), nullable=False),
        pa.field("sketch_size", pa.int32(), nullable=False),
        pa.field("entities", pa.list_(pa.string())),
        pa.field("numbers", pa.list_(pa.string())),
        pa.field("quotes", pa.list_(pa.string())),
        pa.field("sources", pa.list_(pa.string())),
        pa.field("lead_terms", pa.list_(pa.string())),
        pa.field("results", pa.list_(pa.string())),
        pa.field("days", pa.list_(pa.string())),
        pa.field("key", pa.string()),
    ]
)

SIGNATURE_VERSION = 5  # raise whenever make_signature computes anything differently
SHAPE_FIELDS = ("num_perm", "lead_num_perm", "story_num_perm", "shingle_size", "lead_words",
                "event_words", "sketch_size", "prose_min_words")


def signature_key(params: DedupParams = DedupParams()) -> str:
    """What a signature was made with: the signature code's version and the signature-shaping
    parameters. Signatures with different keys cannot be compared; a corpus holding signatures
    of another key has them made again from its stored texts (``Corpus.signatures``)."""
    return f"v{SIGNATURE_VERSION}:" + ",".join(f"{f}={getattr(params, f)}" for f in SHAPE_FIELDS)


STORY_PAIR_COPIES = 2  # copies of a two-word name in the story MinHash set
STORY_FIGURE_COPIES = 3  # copies of an exact figure
STORY_LEAD_COPIES = 2  # times as many copies when the feature is in the lead too
STORY_LEAD_WORDS = 100  # words of the running text that make the lead here


def story_features(sig: Signature, lead: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The items of the story-level MinHash: the specific names and the exact figures
    (``_exact_figure``: "197,039", "53.8 million", "5.2%"), which reports of one event share
    even when they name few of the same people (a market survey, a company's results).

    Years, very common names, other numbers and sources are left out: shared by unrelated
    articles, they would only fill the buckets; quotes are left out as rewrites quote different
    spans. All of them still count in the verification.

    The set is weighted by copies ("x#0", "x#1", ...): MinHash Jaccard of copied items is the
    weighted Jaccard. Two-word names and exact figures say more about one event than single
    names, and what the two leads (``lead``: the features of the first ``STORY_LEAD_WORDS``
    words) both name is the event itself, while the names further down, and the leftovers of a
    page, differ from one outlet to the other. So two reports of one event meet in more bands
    than two articles that share a topic's single names.
    """
    out: list[str] = []
    for e in sig.entities:
        if e in _COMMON_ENTITY:
            continue
        k = STORY_PAIR_COPIES if " " in e else 1
        if e in lead:
            k *= STORY_LEAD_COPIES
        out += [f"e:{e}#{j}" for j in range(k)]
    for x in sig.numbers:
        if _exact_figure(x):
            k = STORY_FIGURE_COPIES * (STORY_LEAD_COPIES if x in lead else 1)
            out += [f"{x}#{j}" for j in range(k)]
    return out


def _lead_features(prose: str) -> frozenset[str]:
    """Names and numbers of the first ``STORY_LEAD_WORDS`` words of the running text."""
    lead = _first_words(prose, STORY_LEAD_WORDS)
    singles, pairs = _entities(lead)
    return frozenset(singles | pairs | _numbers(lead))


def _quote_grams(q: str) -> list[str]:
    w = q.split()
    return [" ".join(w[i : i + 4]) for i in range(max(1, len(w) - 3))]


_FIRST_CHAR_RE = re.compile(r"(?<!\S)[^\w\s]*(\w)")  # first letter or digit of each word
LISTING_WINDOW = 10  # words: a run of this many with LISTING_CAPS of them capitalised ...
LISTING_CAPS = 8  # ... is a listing (menu, link list, footer), not running text


def _strip_listings(line: str) -> list[str]:
    """The pieces of a line left once its listings are cut out: runs of mostly capitalised
    words ("Home UK Business Audio Guardian Weekly Help Quiz ..."), which menus, link lists,
    footers and teaser lists are made of. Running text, even about many people, has most of
    its words in lower case ("Allen Iverson and Marcus Camby led the Denver Nuggets past
    Golden State": 6 of 10 words at most in any window)."""
    firsts = "".join(_FIRST_CHAR_RE.findall(line))  # one character a word: not "|", "·", "-"
    n = len(firsts)
    if n < LISTING_WINDOW:
        return [line]
    lower = firsts.lower()
    if len(lower) != n:  # a capital that lower-cases to two characters
        caps = np.fromiter((c.isupper() for c in firsts), dtype=np.int32, count=n)
    else:
        caps = (np.frombuffer(firsts.encode("utf-32-le"), dtype=np.uint32)
                != np.frombuffer(lower.encode("utf-32-le"), dtype=np.uint32)).astype(np.int32)
    acc = np.concatenate(([0], np.cumsum(caps)))
    hits = np.flatnonzero(acc[LISTING_WINDOW:] - acc[:-LISTING_WINDOW] >= LISTING_CAPS).tolist()
    if not hits:
        return [line]
    tokens = line.split()
    idx = [i for i, w in enumerate(tokens) if _FIRST_CHAR_RE.match(w)]
    cut = [False] * len(tokens)
    for i in hits:
        for k in range(idx[i], idx[i + LISTING_WINDOW - 1] + 1):
            cut[k] = True
    pieces: list[str] = []
    run: list[str] = []
    for w, c in zip(tokens, cut):
        if c:
            if run:
                pieces.append(" ".join(run))
                run = []
        else:
            run.append(w)
    if run:
        pieces.append(" ".join(run))
    return pieces


def _prose(text: str, min_words: int) -> str:
    """The running text: lines of at least min_words words, without their listings (see
    ``_strip_listings``): menus, teasers, captions, link lists and other leftovers of a page
    carry names that are not the story's. All of the text if nothing is left."""
    out = []
    for ln in text.split("\n"):
        if len(ln.split()) < min_words:
            continue
        out.extend(p for p in _strip_listings(ln) if len(p.split()) >= min_words)
    return "\n".join(out) if out else text


def make_signature(
    doc_id: str,
    text: str,
    *,
    title: str | None = None,
    sources: Sequence[str] = (),
    params: DedupParams = DedupParams(),
) -> Signature:
    """Signature of one cleaned body (pure; safe to run in worker processes)."""
    text = unicodedata.normalize("NFKC", text or "")
    tokens = _word_tokens(text)  # the words of _normalise_for_exact(text), as bytes
    # word 5-grams as 64-bit hashes: the low 32 bits feed the MinHash, the high 32 the sketch
    token_hashes = _token_hashes(tokens)
    shingles = _sorted_unique(_shingle_hashes(token_hashes, params.shingle_size))
    lead = _shingle_hashes(token_hashes[: params.lead_words], params.shingle_size)  # the lead's 5-grams
    hashes = _sorted_unique(_high32(shingles))[: params.sketch_size]
    prose = _prose(text, params.prose_min_words)
    singles, pairs = _entities(prose)
    nums = _numbers(prose)
    quotes = _quotes(prose)
    srcs = _detect_sources(text, sources)
    proto = Signature(
        doc_id=doc_id,
        words=len(tokens),
        content_hash=xxhash.xxh64_intdigest(b" ".join(tokens)),
        shingles=len(shingles),
        near_mh=b"",
        lead_mh=b"",
        story_mh=b"",
        sketch=hashes.astype("<u4").tobytes(),
        sketch_size=params.sketch_size,
        entities=tuple(sorted(singles | pairs)),
        numbers=tuple(sorted(nums)),
        quotes=tuple(quotes),
        sources=tuple(sorted(srcs)),
        lead_terms=_lead_terms(title, prose, params.event_words),
        results=_results(title, prose, params.lead_words),
        days=_lead_days(prose, params.lead_words),
        key=signature_key(params),
    )
    near_mh = _minhash_hashed(_low32(shingles), params.num_perm)
    lead_mh = _minhash_hashed(_low32(lead), params.lead_num_perm)
    story_set = set(story_features(proto, _lead_features(prose)))
    story_mh = _minhash_hashed(_xxh32_array(list(map(str.encode, story_set))), params.story_num_perm)
    return Signature(
        **{**proto.__dict__, "near_mh": near_mh, "lead_mh": lead_mh, "story_mh": story_mh}
    )


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class Decision:
    doc_id: str
    duplicate_of: str
    kind: str  # "exact" | "near" | "story"
    score: float
    evidence: str


def _hv(b: bytes) -> np.ndarray:
    return np.frombuffer(b, dtype="<u4")


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Boolean mask: which values are in the sorted array."""
    idx = np.searchsorted(sorted_set, values)
    idx[idx >= len(sorted_set)] = 0
    return sorted_set[idx] == values


def _sketch_overlap(
    a: Signature, b: Signature, boiler: np.ndarray | None = None, masks: dict | None = None
) -> tuple[float, float, int, int]:
    """5-gram Jaccard and containment of the smaller document, from the bottom-k sketches.

    Each sketch holds every hash of its document below its own cut-off, so both restricted to
    the lower cut-off are exact samples of the same hash range: a consistent sample.
    ``boiler`` holds 5-gram hashes found in many documents of the run (site chrome left in
    the text). They are set aside unless nearly all of the text is made of them (a wire story
    republished many times), so shared chrome does not make two pages copies.
    Returns (jaccard, containment, shared, sampled).
    """
    sa, sb = _hv(a.sketch), _hv(b.sketch)
    if len(sa) == 0 or len(sb) == 0:
        return 0.0, 0.0, 0, 0
    cut_a = int(sa[-1]) if len(sa) >= a.sketch_size else 1 << 32
    cut_b = int(sb[-1]) if len(sb) >= b.sketch_size else 1 << 32
    cut = min(cut_a, cut_b)
    in_a, in_b = sa <= cut, sb <= cut
    ra, rb = sa[in_a], sb[in_b]
    if boiler is not None and len(boiler):
        if masks is None:
            fa, fb = ra[~_member(ra, boiler)], rb[~_member(rb, boiler)]
        else:
            # which sketch hashes are not boilerplate, once per signature of the run
            ka = masks.get(id(a))
            if ka is None:
                ka = masks[id(a)] = ~_member(sa, boiler)
            kb = masks.get(id(b))
            if kb is None:
                kb = masks[id(b)] = ~_member(sb, boiler)
            fa, fb = sa[in_a & ka], sb[in_b & kb]
        if min(len(fa), len(fb)) >= max(8, 0.25 * min(len(ra), len(rb))):
            ra, rb = fa, fb
    if len(ra) == 0 or len(rb) == 0:
        return 0.0, 0.0, 0, 0
    shared = int(np.intersect1d(ra, rb, assume_unique=True).size)
    small = min(len(ra), len(rb))
    union = len(ra) + len(rb) - shared
    return shared / union, shared / small, shared, small


def _boilerplate(sigs: Sequence[Signature], min_df: int) -> np.ndarray:
    """Sorted sketch hashes present in at least min_df documents."""
    if not sigs or min_df <= 1:
        return np.zeros(0, dtype="<u4")
    allh = np.concatenate([_hv(s.sketch) for s in sigs])
    if not len(allh):
        return allh
    vals, counts = np.unique(allh, return_counts=True)
    return vals[counts >= min_df]


@dataclass
class _DocWeights:
    ents: dict[str, float]
    nums: dict[str, float]
    total: float  # weight of all names and numbers (a two-word name counted once)
    terms: dict[str, float]
    term_total: float
    qgrams: frozenset[str]
    sources: frozenset[str]
    own_specific: int = 0  # specific names and numbers (weight 2 or more) of the document


IDF_SHARPNESS = 2  # idf * (idf / idf at df 2) ** IDF_SHARPNESS (at most 1): 0 gives plain idf


class _Weights:
    """Feature weights for the story score: rarer features in the signature set weigh more."""

    TYPE_WEIGHT = {"e": 1.0, "p": 1.6, "n": 1.3, "y": 0.35, "d": 0.8, "s": 0.8, "q": 2.0}

    def __init__(self, sigs: Iterable[Signature], counts: tuple[dict[str, int], int] | None = None) -> None:
        # counts: (document frequencies, number of documents) counted elsewhere (a corpus index)
        if counts is not None:
            df, n = counts
        else:
            df = Counter()
            n = 0
            for s in sigs:
                n += 1
                df.update(s.entities)
                df.update(s.numbers)
                df.update("t:" + t for t in s.lead_terms)
        self.df = df
        self.n = n
        # a floor on the corpus size keeps weights sane on tiny inputs
        self.n_eff = max(n, 200)
        self._num = math.log(self.n_eff + 1)
        self._smooth = 0.5 * self.n_eff / 100 + 0.5
        self._cache: dict[str, _DocWeights] = {}
        self._feat_w: dict[str, float] = {}

    def idf(self, feat: str) -> float:
        # smoothed idf relative to a background corpus of n_eff documents, scaled once more by
        # its share of the idf of a feature that only two documents have (the most specific a
        # shared feature can be): the names and figures of one event weigh far more than those
        # of a topic that runs through many articles (a strike, a tournament, a saga), which a
        # story pair must not rest on
        v = self._num - math.log(self.df.get(feat, 1) + self._smooth)
        top = self._num - math.log(2 + self._smooth)
        return v * min(1.0, max(v, 0.0) / top) ** IDF_SHARPNESS

    def entity(self, e: str) -> float:
        if " " in e:
            base = self.TYPE_WEIGHT["p"]
        else:
            base = self.TYPE_WEIGHT["e"] * (0.25 if e in _COMMON_ENTITY else 1.0)
        return base * self.idf(e)

    def number(self, n: str) -> float:
        return self.TYPE_WEIGHT[n[0]] * self.idf(n)

    def term(self, t: str) -> float:
        return self.idf("t:" + t)

    def doc(self, s: Signature) -> _DocWeights:
        d = self._cache.get(s.doc_id)
        if d is None:
            fw = self._feat_w  # weight per feature, shared by the documents that have it
            ents = {}
            for e in s.entities:
                v = fw.get(e)
                if v is None:
                    v = fw[e] = self.entity(e)
                ents[e] = v
            nums = {}
            for x in s.numbers:
                v = fw.get(x)
                if v is None:
                    v = fw[x] = self.number(x)
                nums[x] = v
            cov = {p for e in ents if " " in e for p in e.split()}
            total = sum(v for e, v in ents.items() if e not in cov) + sum(nums.values())
            terms = {}
            for t in s.lead_terms:
                v = fw.get("t:" + t)
                if v is None:
                    v = fw["t:" + t] = self.term(t)
                terms[t] = v
            # specific names and numbers (weight 2 or more), a two-word name counted once
            own = sum(1 for e, v in ents.items() if v >= 2.0 and e not in cov)
            own += sum(1 for v in nums.values() if v >= 2.0)
            d = _DocWeights(
                ents, nums, total, terms, sum(terms.values()),
                frozenset(g for q in s.quotes for g in _quote_grams(q)), frozenset(s.sources), own,
            )
            self._cache[s.doc_id] = d
        return d


def _shared_quote_spans(quotes: Sequence[str], shared: frozenset[str] | set[str], limit: int = 3) -> list[str]:
    """The longest runs of quoted words whose 4-grams both documents have."""
    spans: list[str] = []
    for q in quotes:
        w = q.split()
        i = 0
        while i + 4 <= len(w):
            if " ".join(w[i : i + 4]) in shared:
                j = i + 1
                while j + 4 <= len(w) and " ".join(w[j : j + 4]) in shared:
                    j += 1
                spans.append(" ".join(w[i : j + 3]))
                i = j + 3
            else:
                i += 1
    spans.sort(key=lambda x: (-len(x), x))
    return spans[:limit]


EVENT_SHARE = 0.3
NORM_MAX_SHARE = 0.5
SOURCE_BONUS = 0.1
FIGURES_BONUS = 0.1  # added when the two share at least FIGURES_MIN exact figures
FIGURES_MIN = 3
DAY_BONUS = 0.07  # added when the two leads name the same weekday: less than a shared source, as
# two unrelated leads that each name a day name the same one once in seven
STORY_SHORT_MIN = 2  # shared specific features a short brief needs at least


def _exact_figure(key: str) -> bool:
    """Whether a number feature is an exact figure ("197,039", "53.8 million", "5.2%"): a
    percentage, a decimal, or at least three significant digits, and not a year. Two reports
    of one event give the same figures; two events of one topic, or two matches (scores and
    stats are mostly one or two digits), give other ones."""
    if not key.startswith("n:"):
        return False
    v = key[2:]
    if v.endswith("%") or "." in v:
        return True
    if len(v) == 4 and 1900 <= int(v) <= 2100:
        return False
    return len(v.rstrip("0")) >= 3


def _min_features(own: int, params: DedupParams) -> int:
    """Specific features a story pair must share: ``story_min_features``, or fewer when the one
    with fewer specific names and numbers (``own``: a brief of a few sentences) shares
    ``story_short_share`` of them (never fewer than ``STORY_SHORT_MIN``)."""
    if params.story_short_share <= 0:
        return params.story_min_features
    return min(params.story_min_features, max(STORY_SHORT_MIN, math.ceil(params.story_short_share * own)))


def _story_score(a: Signature, b: Signature, w: _Weights) -> tuple[float, dict]:
    da, db = w.doc(a), w.doc(b)
    shared_e = da.ents.keys() & db.ents.keys()
    shared_n = da.nums.keys() & db.nums.keys()
    # a two-word name shared implies its parts: count the pair, not the parts again
    covered = {p for e in shared_e if " " in e for p in e.split()}
    shared_e_w = {e: da.ents[e] for e in shared_e if e not in covered}
    shared_n_w = {x: da.nums[x] for x in shared_n}
    shared_q = da.qgrams & db.qgrams
    quote_w = min(3, len(shared_q)) * w.TYPE_WEIGHT["q"] * 3.0
    shared_s = da.sources & db.sources
    source_w = w.TYPE_WEIGHT["s"] * 3.0 if shared_s else 0.0
    shared = sum(shared_e_w.values()) + sum(shared_n_w.values()) + quote_w + source_w
    lo, hi = sorted((max(da.total, 1.0), max(db.total, 1.0)))
    entity_score = shared / (lo ** (1 - NORM_MAX_SHARE) * hi ** NORM_MAX_SHARE)
    shared_t = da.terms.keys() & db.terms.keys()
    if da.term_total > 0 and db.term_total > 0:
        event = sum(da.terms[t] for t in shared_t) / math.sqrt(da.term_total * db.term_total)
    else:
        event = 0.0
    score = entity_score * (1 - EVENT_SHARE) + event * EVENT_SHARE * 2
    if shared_s and any(" " in e for e in shared_e):
        # the same credited source and the same named person: one report rewritten
        score += SOURCE_BONUS
    figures = [x for x, v in shared_n_w.items() if v >= 2.0 and _exact_figure(x)]
    if len(figures) >= FIGURES_MIN:
        # the same exact figures, each rare in the run: one event's numbers reported twice
        score += FIGURES_BONUS
    shared_days = sorted(set(a.days) & set(b.days))
    if shared_days:
        # both leads tell of an event on the same weekday: reports of one event, not of two
        # events of one saga on different days
        score += DAY_BONUS
    specific = sum(1 for v in shared_e_w.values() if v >= 2.0) + sum(1 for v in shared_n_w.values() if v >= 2.0)
    specific += min(3, len(shared_q))
    info = {
        "shared_w": shared,
        "specific": specific,
        "own_specific": min(da.own_specific, db.own_specific),
        "names": sorted(shared_e_w, key=lambda e: (-shared_e_w[e], e)),
        "numbers": sorted(shared_n_w, key=lambda x: (-shared_n_w[x], x)),
        "quotes": _shared_quote_spans(a.quotes, shared_q) if shared_q else [],
        "sources": sorted(shared_s),
        "days": shared_days,
        "entity_score": entity_score,
        "event": event,
        "terms": sorted(shared_t, key=lambda t: (-da.terms[t], t))[:10],
        "uncapped": score,
    }
    return min(score, 1.0), info


def _action_similarity(a: Signature, b: Signature, w: _Weights) -> tuple[float, list[str]]:
    """Weighted overlap of the two leads' content words that are not part of a name (what
    happened rather than who): cosine-normalised like the lead-word score of ``_story_score``."""
    def action_terms(s: Signature) -> dict[str, float]:
        names = {p[:6] for e in s.entities for p in e.split()}
        return {t: w.term(t) for t in s.lead_terms if t not in names}

    ta, tb = action_terms(a), action_terms(b)
    tot_a, tot_b = sum(ta.values()), sum(tb.values())
    if tot_a <= 0 or tot_b <= 0:
        return 0.0, []
    shared = ta.keys() & tb.keys()
    return sum(ta[t] for t in shared) / math.sqrt(tot_a * tot_b), sorted(shared, key=lambda t: (-ta[t], t))


def _lead_found(a: Signature, b: Signature, params: DedupParams) -> str | None:
    """Whether one document's lead (its first ``lead_words`` words) is found in the other: ""
    or evidence text if so or if it cannot be told, None if neither lead is in the other.

    The lead MinHash and the body MinHash share their permutations (same ``num_perm``), and
    the lead's 5-grams are a subset of the body's: a slot of A's lead MinHash equals the same
    slot of B's body MinHash exactly when the smallest hash there is a 5-gram both have.
    When A's lead is in B, about ``num_perm * |lead| / |B|`` slots match; when no 5-gram
    of it is, none do. A copy shares the start of the article with its source (a truncated
    copy keeps it, an edited one mostly does); two pages that share a block of page chrome
    but tell different things do not."""
    if params.num_perm != params.lead_num_perm or not a.lead_mh or not b.lead_mh:
        return ""
    lead_n = max(1, min(a.words, params.lead_words) - params.shingle_size + 1)
    lead_m = max(1, min(b.words, params.lead_words) - params.shingle_size + 1)
    exp_ab = params.num_perm * lead_n / max(b.shingles, lead_n)
    exp_ba = params.num_perm * lead_m / max(a.shingles, lead_m)
    if max(exp_ab, exp_ba) < params.near_lead_min_expected:
        return ""  # bodies too long for the lead to show in the MinHash: cannot tell
    ab = int(np.count_nonzero(_hv(a.lead_mh) == _hv(b.near_mh)))
    ba = int(np.count_nonzero(_hv(b.lead_mh) == _hv(a.near_mh)))
    if ab == 0 and ba == 0:
        return None
    x, y, k = (a, b, ab) if ab >= ba else (b, a, ba)
    return f"; lead of {x.doc_id} found in {y.doc_id} ({k}/{params.num_perm} MinHash slots)"


def _results_differ(a: Signature, b: Signature) -> bool:
    """Whether both leads report a match result and neither lead's result is anywhere in the
    other article: two matches (of one team, one tournament), which share most names."""
    la = {r[1:] for r in a.results if r[:1] == "*"}
    lb = {r[1:] for r in b.results if r[:1] == "*"}
    if not la or not lb:
        return False
    alla = {r.lstrip("*") for r in a.results}
    allb = {r.lstrip("*") for r in b.results}
    return not (la & allb) and not (lb & alla)


def _same_lead(a: Signature, b: Signature, params: DedupParams) -> bool:
    """Whether the two leads are mostly the same text (lead 5-gram MinHash Jaccard at or above
    ``story_same_lead``). Two outlets' rewrites of one event never are."""
    if not a.lead_mh or len(a.lead_mh) != len(b.lead_mh):
        return False
    return float(np.mean(_hv(a.lead_mh) == _hv(b.lead_mh))) >= params.story_same_lead


def verify_pair(
    a: Signature,
    b: Signature,
    params: DedupParams = DedupParams(),
    weights: _Weights | None = None,
    boiler: np.ndarray | None = None,
    masks: dict | None = None,
) -> tuple[str, float, str] | None:
    """Verify one candidate pair: (kind, score, evidence) of the strongest level, or None.

    ``masks`` (optional, empty dict at first) caches per-signature boilerplate masks keyed by
    ``id(signature)``: only for signatures that stay alive while it is used."""
    if a.content_hash == b.content_hash and a.words == b.words:
        return "exact", 1.0, f"identical normalised body ({a.words} words)"
    if a.words >= params.min_words and b.words >= params.min_words:
        jac, cont, shared, sampled = _sketch_overlap(a, b, boiler, masks)
        if jac >= params.near_jaccard or (cont >= params.near_containment and shared >= params.near_min_shared):
            short, long_ = (a, b) if a.words <= b.words else (b, a)
            lead = "" if max(jac, cont) >= params.near_lead_below else _lead_found(a, b, params)
            if lead is not None:
                return (
                    "near",
                    round(max(jac, cont), 4),
                    f"5-gram jaccard {jac:.2f}; containment {cont:.2f} of {short.doc_id} "
                    f"({short.words} words) in {long_.doc_id} ({long_.words} words), "
                    f"{shared}/{sampled} sampled 5-grams shared{lead}",
                )
    if weights is None:
        weights = _Weights([a, b])
    if params.story_results_differ and _results_differ(a, b):
        return None  # two matches of the same teams or tournament, not one event told twice
    score, info = _story_score(a, b, weights)
    # the same lead only lowers the score: no need to look when it is too low already
    same_lead = score >= params.story_score and _same_lead(a, b, params)
    if same_lead:
        # the two leads are the same text but the bodies are not copies: what they share
        # there is page chrome or a template intro, and its words say nothing of the event
        # (taken from the score before its cap at 1: names and figures shared far beyond
        # what a story pair needs still count in full)
        score = min(1.0, max(0.0, info["uncapped"] - info["event"] * EVENT_SHARE * 2))
    if (
        score >= params.story_score
        and info["specific"] >= _min_features(info["own_specific"], params)
        and (same_lead or info["event"] >= params.story_min_event)
        and info["shared_w"] >= params.story_min_weight
        and (same_lead or not (a.results and b.results)
             or _action_similarity(a, b, weights)[0] >= params.story_min_action)
    ):
        parts = []
        if info["names"]:
            parts.append("names: " + ", ".join(info["names"][:10]))
        if info["numbers"]:
            parts.append("numbers/dates: " + ", ".join(x.split(":", 1)[1] for x in info["numbers"][:8]))
        if info["quotes"]:
            parts.append("quotes: " + " | ".join(f'"{q}"' for q in info["quotes"]))
        if info["sources"]:
            parts.append("sources: " + ", ".join(info["sources"]))
        if info["days"]:
            parts.append("lead day: " + ", ".join(info["days"]))
        if info["terms"]:
            parts.append("lead words: " + ", ".join(info["terms"]))
        lead_note = "not counted: the same lead text" if same_lead else f"{info['event']:.2f}"
        return "story", round(score, 4), (
            f"story score {score:.2f} (names/numbers {info['entity_score']:.2f}, lead words {lead_note}); shared "
            + "; ".join(parts)
        )
    return None


# --------------------------------------------------------------------------- clustering


class _UF:
    def __init__(self, n: int) -> None:
        self.p = list(range(n))

    def find(self, x: int) -> int:
        p = self.p
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[rb] = ra
        return ra


def deduplicate(
    new: Sequence[Signature],
    existing: Sequence[Signature] = (),
    params: DedupParams = DedupParams(),
) -> list[Decision]:
    """Judge the new documents against each other and against already kept ones.

    Returns one Decision per new document that is a duplicate (kept documents get none).
    Existing documents are never judged: they stay kept. ``existing`` is a list of signatures
    or a ``dedup_index.Held`` (the corpus index: only the held signatures that are candidates
    of a new document are loaded).
    """
    from cleaners import dedup_index as dx

    if not new:
        return []
    new = list(new)
    held = existing if isinstance(existing, dx.Held) else dx.Held.of(existing, params)
    pairs, new_ok, figures = dx.candidates(new, held, params)
    base = held.end
    # the signatures this run looks at: held ones that are candidates, then every new one
    held_pos = sorted({p for pair in pairs for p in pair if p < base})
    held_sigs: list[Signature] = []
    for src in held.sources:
        rows = [p - src.base for p in held_pos if src.base <= p < src.base + src.n]
        if rows:
            held_sigs += src.signatures(rows)
    log.info("dedup: %d new against %d held signatures; %d candidate pairs (story buckets: %d of %d "
             "pairs kept by the prefilter); %d held signatures read", len(new), held.count, len(pairs),
             figures["story_prefiltered"], figures["story_candidates"], len(held_sigs))
    local = {p: i for i, p in enumerate(held_pos)}
    n_old = len(held_sigs)
    sigs: list[Signature] = held_sigs + new
    n = len(sigs)
    is_new = [False] * n_old + new_ok.tolist()

    def loc(p: int) -> int:
        return local[p] if p < base else n_old + p - base

    cand = sorted((loc(a), loc(b)) for a, b in pairs)

    # corpus statistics: the held counts of the features and sketch hashes looked at, plus the
    # counts among the new documents (every new document counts, as every held one does)
    new_df: Counter[str] = Counter()
    for s in new:
        new_df.update(dx.df_features(s))
    looked = {f for s in held_sigs for f in dx.df_features(s)} | set(new_df)
    sketch_of = [_hv(s.sketch) for s in sigs]
    needed = _sorted_unique(np.concatenate(sketch_of)) if sketch_of else np.zeros(0, dtype="<u4")
    held_df, held_sk = dx.held_counts(held, looked, needed)
    for f, c in new_df.items():
        held_df[f] = held_df.get(f, 0) + c
    weights = _Weights((), counts=(held_df, held.count + len(new)))
    if params.boilerplate_df <= 1 or not len(needed):
        boiler = np.zeros(0, dtype="<u4")
    else:
        new_vals, new_counts = np.unique(np.concatenate([_hv(s.sketch) for s in new]), return_counts=True)
        i = np.searchsorted(new_vals, needed)
        i[i >= len(new_vals)] = 0
        total = held_sk + np.where(new_vals[i] == needed, new_counts[i], 0) if len(new_vals) else held_sk
        boiler = needed[total >= params.boilerplate_df]
    masks: dict = {}
    edges: dict[tuple[int, int], tuple[str, float, str]] = {}
    for a, b in cand:
        if sigs[a].doc_id == sigs[b].doc_id:
            continue
        v = verify_pair(sigs[a], sigs[b], params, weights, boiler, masks)
        if v is not None:
            edges[(a, b)] = v

    def rank(i: int) -> tuple:
        # kept preference: already kept first, then most words, then smallest doc_id
        s = sigs[i]
        return (0 if not is_new[i] else 1, -s.words, s.doc_id)

    # 1) components of exact/near pairs (copies of one text: chaining is safe)
    uf = _UF(n)
    strong = {e for e, v in edges.items() if v[0] == "exact" or (v[0] == "near" and v[1] >= params.near_strong)}
    for a, b in strong:
        uf.union(a, b)
    comp = [uf.find(i) for i in range(n)]
    comp_members: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        comp_members[comp[i]].append(i)
    head = {r: min(m, key=rank) for r, m in comp_members.items()}  # kept copy of each component

    # 2) story pairs join components into clusters, strongest pair first. A cluster is a star
    #    around its kept article: every component head in it must verify as the same story
    #    against the kept article, so A~B, B~C never pulls in an unrelated C.
    cl = _UF(n)  # over component roots
    cl_heads: dict[int, list[int]] = {r: [h] for r, h in head.items()}
    cl_kept: dict[int, int] = dict(head)
    story_of: dict[int, tuple[str, float, str]] = {}  # head -> verification against kept
    # weak copies (partial overlap) join like stories: only with the cluster's kept article
    story_edges = sorted(
        ((v[1] + (1.0 if v[0] == "near" else 0.0), a, b) for (a, b), v in edges.items() if (a, b) not in strong),
        key=lambda t: (-t[0], t[1], t[2]),
    )

    def check(x: int, y: int) -> tuple[str, float, str] | None:
        v = edges.get((x, y) if x < y else (y, x))
        if v is None:
            v = verify_pair(sigs[x], sigs[y], params, weights, boiler, masks)
        return v

    for _score, a, b in story_edges:
        ra, rb = cl.find(comp[a]), cl.find(comp[b])
        if ra == rb:
            continue
        ka, kb = cl_kept[ra], cl_kept[rb]
        if not is_new[ka] and not is_new[kb]:
            continue  # two articles kept earlier stay kept
        k = min((ka, kb), key=rank)
        # every head of one cluster must verify against every head of the other (the kept
        # articles first), so a member never joins through a third article alone
        heads_a = sorted(cl_heads[ra], key=lambda h: (h != ka, rank(h)))[: params.max_story_heads]
        heads_b = sorted(cl_heads[rb], key=lambda h: (h != kb, rank(h)))[: params.max_story_heads]
        verdicts = {}
        ok = True
        for x in heads_a:
            for y in heads_b:
                v = check(x, y)
                if v is None:
                    ok = False
                    break
                if y == k and x != k:
                    verdicts[x] = v
                elif x == k and y != k:
                    verdicts[y] = v
            if not ok:
                break
        if ok:
            for h in cl_heads[ra] + cl_heads[rb]:
                if h != k and h not in verdicts:
                    v = check(h, k)
                    if v is not None:
                        verdicts[h] = v
                    else:
                        ok = False
                        break
        if ok:
            r = cl.union(ra, rb)
            other_root = rb if r == ra else ra
            cl_heads[r] = cl_heads[r] + cl_heads.pop(other_root)
            cl_kept[r] = k
            cl_kept.pop(other_root, None)
            story_of.update(verdicts)

    # 3) decisions: every new document that is not its cluster's kept article
    out: list[Decision] = []
    copy_adj = None
    for i in range(n):
        if not is_new[i]:
            continue
        k = cl_kept[cl.find(comp[i])]
        if k == i or sigs[k].doc_id == sigs[i].doc_id:
            continue
        h = head[comp[i]]
        if comp[i] == comp[k]:
            v = check(i, k)
            if v is None or v[0] == "story":
                # a copy of a copy: report the copy link that joined it
                if copy_adj is None:
                    copy_adj = _copy_adjacency(edges)
                v = _copy_path(i, k, comp_members[comp[i]], edges, sigs, copy_adj)
        else:
            hv = story_of.get(h) or check(h, k)
            if i == h:
                v = hv
            else:
                dv = check(i, k)
                if dv is not None:
                    v = dv
                else:
                    cv = check(i, h) or ("near", 0.0, "copy cluster")
                    v = (hv[0], hv[1], f"{cv[0]} copy of {sigs[h].doc_id} ({cv[2]}), which is a {hv[0]} duplicate: {hv[2]}")
        out.append(Decision(sigs[i].doc_id, sigs[k].doc_id, v[0], float(v[1]), v[2]))
    return out


def _copy_adjacency(edges) -> dict[int, list[tuple[int, tuple[str, float, str]]]]:
    """Exact/near edges by document, each list sorted by neighbour."""
    adj: dict[int, list[tuple[int, tuple[str, float, str]]]] = defaultdict(list)
    for (a, b), v in edges.items():
        if v[0] != "story":
            adj[a].append((b, v))
            adj[b].append((a, v))
    for lst in adj.values():
        lst.sort(key=lambda t: t[0])
    return adj


def _copy_path(i: int, k: int, members: list[int], edges, sigs, copy_adj=None) -> tuple[str, float, str]:
    """Shortest exact/near path from i to k inside one copy component, as evidence.

    ``copy_adj`` is ``_copy_adjacency(edges)``, computed once when there are many calls."""
    mset = set(members)
    full = copy_adj if copy_adj is not None else _copy_adjacency(edges)
    adj = {x: [(y, v) for y, v in full.get(x, ()) if y in mset] for x in mset}
    prev: dict[int, tuple[int, tuple[str, float, str]]] = {i: (i, ("exact", 1.0, ""))}
    queue = [i]
    for x in queue:
        if x == k:
            break
        for y, v in adj[x]:
            if y not in prev:
                prev[y] = (x, v)
                queue.append(y)
    steps = []
    x = k
    while x != i and x in prev:
        px, v = prev[x]
        steps.append((px, x, v))
        x = px
    steps.reverse()
    kind = "exact" if all(v[0] == "exact" for _, _, v in steps) else "near"
    score = min((v[1] for _, _, v in steps), default=0.0)
    text = " -> ".join(f"{sigs[b].doc_id} ({v[0]} {v[1]:.2f})" for _, b, v in steps)
    return kind, score, f"copy of a copy: {sigs[i].doc_id} -> {text}"


