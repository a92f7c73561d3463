"""Clean a plain-text page dump: keep the article body, pull out metadata, say why the rest went.

A dump is a page's text with blocks separated by blank lines. The cleaner works on lines (a block
can hold a list, or a headline and its dek on two lines). Each line gets:

1. the named rules below (navigation, share prompts, footers, bylines, teaser headers, ...), each
   tied to a reason from `cleaners.rules.REASONS`;
2. a small learned line classifier (two-stage logistic regression over layout and wording
   features, weights in `cleaners/data/line_model.json`, trained by `bench/train_lines.py`)
   that decides for the lines no rule settles;
3. a metadata pass near the top of the page: headline, dek, byline, date; bios and footers for
   author and site name; credited sources over the kept body.

Kept lines are never rewritten: only whole lines are dropped, and whitespace is trimmed.
"""
from __future__ import annotations

import json
import math
import operator
from itertools import repeat
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from cleaners import linefeats as lf
from cleaners import metadata as md
from cleaners import teasers
from cleaners import trees
from cleaners.html import strip_headline_tail
from cleaners.model import Cleaned, Metadata, Removed
from cleaners.rules import check_reason

# --------------------------------------------------------------------------------------------
# segmentation and keys
# --------------------------------------------------------------------------------------------

_BLANK_SPLIT = re.compile(r"\n(?:[ \t\u00a0\u3000]*\n)+")
_WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_DIGITS = re.compile(r"\d+")


def segment(text: str) -> list[str]:
    """Split a dump into blocks at blank lines. Line ends are normalised; blocks keep their
    inner line breaks; empty blocks are dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return [b for b in map(str.strip, _BLANK_SPLIT.split(text), repeat("\n")) if b and not b.isspace()]


def line_key(line: str) -> str:
    """The key under which a line counts as site boilerplate: lower case, spaces collapsed,
    runs of digits folded to '0'."""
    return _DIGITS.sub("0", " ".join(line.lower().split()))


def _trim(line: str) -> str:
    """`" ".join(line.split())`. A line of printable characters without two spaces in a row or a
    space at either end is that already: every whitespace character but the space is unprintable."""
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    return " ".join(line.split())


# --------------------------------------------------------------------------------------------
# named rules: pattern -> reason
# --------------------------------------------------------------------------------------------

_RX_ALTS: dict[re.Pattern[str], tuple[str, ...]] = {}  # the alternatives each `_rx` pattern was built from


def _rx(*alts: str) -> re.Pattern[str]:
    pat = re.compile(r"^(?:" + "|".join(alts) + r")$", re.I)
    _RX_ALTS[pat] = alts
    return pat


# reason "navigation": site chrome, menus, breadcrumbs, pagination
NAVIGATION = _rx(
    r"skip to (?:the )?(?:main )?(?:content|navigation|search|footer)",
    r"jump to (?:navigation|content|main content|search)",
    r"(?:toggle|open|close|show|hide|main) (?:navigation|menu|search)",
    r"menu", r"search(?: for)?:?", r"search this site", r"home", r"top of page", r"back to top",
    r"(?:table of )?contents(?: hide| show| toggle.*)?", r"table of contents toggle table of content",
    r"(?:previous|next) (?:article|post|story|page)",
    r"home\s*(?:»|›|>|/|\|)\s*.{0,150}",
    r"(?:sign|log) ?in(?: / register| or register| / sign up)?", r"log ?out", r"register", r"my account",
    r"(?:\d+\s*)?(?:<|«)?\s*(?:prev(?:ious)?|next)\s*(?:>|»)?",
    r"page \d+ of \d+", r"load more(?: stories| articles)?", r"view (?:all|more)", r"see all",
    r"return to (?:blogs?|news|home).*", r"(?:back to|return to) .{1,40}",
)

# reason "share": share / follow / print prompts
SHARE = _rx(
    r"share(?: (?:this|on|via|the|article|story|post)\b.{0,40})?:?",
    r"(?:print|email|e-mail|save|bookmark) (?:this )?(?:article|story|page|post)(?:\s+(?:print|email|e-mail|save) (?:this )?(?:article|story|page|post))*",
    r"(?:tweet|pin it|copy link|copy url|link copied|whatsapp|facebook|twitter|linkedin|reddit|pinterest|email|print|x)"
    r"(?:\s*(?:,|\||/)?\s*(?:tweet|pin it|copy link|whatsapp|facebook|twitter|linkedin|reddit|pinterest|email|print|share|x))*",
    r"follow (?:us|me)(?: on .{1,40})?:?", r"(?:\d+\s+)?shares?", r"share this (?:article|story|post|page)",
    r"stay connected(?: with (?:me|us))?!?", r"connect with (?:us|me).{0,30}",
)

# reason "promo": the site selling itself
PROMO = _rx(
    r"(?:sign up|subscribe)(?: (?:for|to) (?:our|the) .{0,60}(?:newsletter|updates|emails?).*)?[.!]?",
    r"(?:subscribe|sign up)(?: now| today| here)?[.!]?", r"subscribe ?sign ?in",
    r"get (?:the|our) .{0,40}newsletter.*", r"(?:join|download) (?:now|the app|our app|free)\b.*",
    r"disclosure:?", r"advertiser disclosure", r"editorial (?:policy|guidelines|standards)",
    r"we maintain a strict editorial policy.*", r"our content is written and edited by.*",
    r"(?:book|request|schedule|get) a (?:free )?(?:demo|quote|consultation).*", r"get started(?: for free| today| now)?[.!]?",
    r"to read the full story", r"(?:already a subscriber|not a subscriber)\?.*", r"talk to us!?",
    r"(?:this )?(?:article|story|content) is (?:for|available to) (?:subscribers|members) only.*",
    r"(?:we|this site) uses? cookies.*", r"accept(?: all)?(?: cookies)?", r"cookie (?:policy|settings|preferences)",
    r"by signing up, you agree.*",
)

# reason "promo", found anywhere in a short line
PROMO_ANYWHERE = re.compile(
    r"\bwhy (?:you can )?trust \S.{1,40}$|\bwe may (?:earn|receive) (?:a )?(?:small )?(?:commission|compensation|affiliate)|"
    r"\breader-supported\b|\b(?:contains|may contain) affiliate links",
    re.I,
)

# reason "promo" at any length: the site's editorial-policy / trust blurb
EDITORIAL_BLURB = re.compile(
    r"^(?:we|our)\b.{0,200}\b(?:(?:strict|our) editorial (?:policy|process|standards|guidelines|integrity)|"
    r"(?:written|reviewed|edited|fact-checked) by (?:our )?(?:top )?(?:industry |in-house )?(?:experts|professionals|editors))\b",
    re.I,
)

# reason "ad": advertising slots
AD = _rx(
    r"advertisement(?:s)?(?:\s*[-–—:]\s*(?:continue|scroll).*)?", r"ad(?:vert)?", r"sponsored(?: content| by .{1,40})?",
    r"(?:paid|partner) (?:content|post)", r"recommended videos?", r"continue reading below", r"story continues below(?: advertisement)?",
    r"ad feedback", r"ads? by .{1,30}", r"promoted(?: stories| content)?", r"(?:featured|sponsored) video",
)

# reason "footer": copyright, legal, contact
FOOTER = re.compile(
    r"^(?:.{0,80}(?:©|\(c\)\s*(?:19|20)\d\d|copyright\s*(?:©|\(c\))?\s*(?:19|20)\d\d)|.{0,120}\ball rights reserved\b|"
    r"(?:privacy(?: policy)?|terms (?:of (?:use|service)|and conditions)|cookie policy|contact(?: us)?|about(?: us)?|"
    r"sitemap|site map|careers|accessibility|advertise(?: with us)?|do not sell my (?:personal )?info(?:rmation)?|imprint)"
    r"(?:\s*(?:\||·|•|/|,)?\s*(?:privacy(?: policy)?|terms (?:of (?:use|service)|and conditions)|cookie policy|contact(?: us)?|"
    r"about(?: us)?|sitemap|careers|accessibility|advertise(?: with us)?))*).*$",
    re.I,
)

# reason "comments"
COMMENTS = _rx(
    r"(?:\d+\s+)?comments?(?:\s*\(\d+\))?:?", r"leave a (?:reply|comment).*", r"post (?:a )?comment.*",
    r"(?:add|write|show|view|load) (?:a |your |all )?comments?.*", r"\|?\s*comments \(\d+\).*",
    r"join the (?:conversation|discussion).*", r"what do you think\?",
)

# reason "tags"
TAGS = re.compile(r"^(?:tags?|topics?|filed under|categories|category|keywords|related topics)\s*:.*$", re.I)

# reason "caption": image slugs, photo credits
IMAGE_SLUG = re.compile(
    r"^(?:[\w]+[-_]){1,}[\w]+(?:\.(?:jpe?g|png|gif|webp))?$|^[\w-]+\.(?:jpe?g|png|gif|webp)$|^(?:img|image|dsc|photo)[-_]?\d+\w*$",
    re.I,
)
CAPTION = re.compile(
    r"^(?:(?:photo|image|picture|credit|photograph|illustration|video)s?(?:\s+credit)?\s*:.{0,200}|"
    r"\(?(?:photo|image|picture)s?\s+(?:by|courtesy|credit)\b.{0,120}|"
    r".{0,60}(?:getty images|shutterstock|associated press|afp via getty|istock(?:photo)?)\)?\.?|"
    r"[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*/\s*(?:Reuters|AP|AFP|Getty(?: Images)?|EPA|Bloomberg|XINHUA|Xinhua)\)?\.?)$",
    re.I,
)

# reason "teaser": inline teasers of other stories
INLINE_TEASER = re.compile(
    r"^(?:read more|read also|also read|see also|related|related story|related article|recommended|read next|more|"
    r"read|must read|don'?t miss|watch|listen|more on this|more coverage)\s*(?::|>>|»|\|)\s*\S.{0,250}$",
    re.I,
)
# a standalone header that opens a zone of teasers / related stories
TEASER_HEADER = _rx(
    r"(?:you|we think you) (?:may|might|will|could) (?:also )?(?:like|enjoy|be interested in)(?: these)?:?",
    r"(?:other|more|related|similar|recommended|top|popular|trending|featured) (?:stories|articles|posts|news|reads|reading|content|coverage|topics|links|guides)(?: (?:you might like|for you|from .{1,40}|on .{1,40}|in .{1,40}))?:?",
    r"other stories you might like", r"similar topics", r"recommended for you:?",
    r"more (?:from|on|in|about|like this)\b.{0,50}", r"most (?:popular|read|viewed|shared|emailed|commented)(?: (?:stories|articles|news|videos|now))?:?",
    r"trending(?: now| stories| articles)?:?", r"(?:read|watch|up) next:?", r"what to read next:?", r"don'?t miss:?",
    r"popular (?:posts|stories|articles|now):?", r"editor'?s? picks?:?", r"(?:in )?case you missed it:?",
    r"recent (?:posts|stories|articles|news):?", r"latest (?:news|stories|articles|posts):?", r"news tracker:.*",
    r"(?:more|related) (?:stories|articles|news)(?: from| by) .{1,40}",
    r"about the author:?", r"(?:more|other) (?:articles|posts|stories) by .{1,40}", r"read more from .{1,40}",
)
# a standalone line that closes one teaser card ("Read more") or labels a single link: removed, but it
# does not close the article, since such cards also sit between paragraphs
TEASER_LINK = _rx(r"read more:?", r"continue reading:?", r"see more(?: stories)?", r"related:?", r"recommended:?",
                  r"latest:?", r"(?:more|related|recommended) videos?:?", r"watch(?: now| video)?:?")

# a header that opens the comments
COMMENT_HEADER = _rx(
    r"\d+\s+(?:responses|comments|replies|thoughts|reactions)(?:\s+(?:to|on)\b.*)?", r"comments?(?:\s*\(\d+\))?:?",
    r"leave a (?:reply|comment).*", r"(?:post|add|write|submit) (?:a |your )?comment.*", r"join the (?:conversation|discussion).*",
    r"reader(?:s'?)? comments", r"discussion", r"(?:show|view|load|read) (?:all )?(?:\d+ )?comments.*", r".{0,40}\bcomments feed\b.*",
    r"\|?\s*comments \(\d+\).*", r"what do you think\?", r"have your say.{0,40}",
    r"\[?\s*\d+\s+comments?\s*\]?", r"(?:top|most|highest) (?:rated|recent|popular|liked) comments", r"reader reactions?",
)
# a comment's signature: "Posted by: Sam | Jan 10, 2008 4:49 PM", "Sam says:"
COMMENT_SIG = re.compile(
    r"^(?:(?:posted|submitted|written|comment(?:ed)?) by:?\s+\S.{0,80}\d.{0,40}|[\w .'’-]{1,40}\s+(?:says|said|wrote|writes)\s*:.{0,60})$",
    re.I,
)

# reason "byline": bylines, reading times, publication stamps
BYLINE = re.compile(
    r"^(?:by|written by|posted by|words by|story by)\s*:?$|"
    r"^(?:by|written by|posted by|words by|story by|reviewed by|fact[- ]checked by|edited by|medically reviewed by)\s*:?\s+"
    r"(?-i:[A-Z\u00c0-\u00de@])(?!.*[.!?]$).{0,120}$|"
    r"^(?:(?:published|updated|posted|last updated|modified|first published|originally published)\b(?: on| at)?:?\s*.{0,60})$|"
    r"^\d+\s*(?:min(?:ute)?s?|hours?)(?: read| reading time)?$|^(?:reading time|read time)\s*:?.{0,20}$|"
    r"^\d+\s*min(?:ute)? read\b.{0,40}$",
    re.I,
)

# reason "source_credit": a whole line that credits a source
SOURCE_CREDIT = re.compile(
    r"^[\[(]?\s*(?:via|sources?|h/t|hat tip|source and image)\s*:?\s+[^\n]{1,100}?[\])]?\.?$", re.I
)


def _is_dateline(line: str) -> bool:
    """A line that is essentially a date/time stamp."""
    if len(line) > 60:
        return False
    d, pos = md.find_date(line)
    if not d:
        return False
    rest = re.sub(
        r"(?i)\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?|"
        r"\d+(?:st|nd|rd|th)?|\b(?:am|pm|a\.m\.|p\.m\.|et|est|edt|pt|pst|pdt|gmt|utc|bst|cet|ist|at|on|of|updated|published|posted)\b|[-–—,:/.|•·()]",
        "", line)
    return len(rest.strip()) <= 3


# reason order matters: first match wins
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("navigation", NAVIGATION),
    ("share", SHARE),
    ("ad", AD),
    ("promo", PROMO),
    ("comments", COMMENTS),
    ("tags", TAGS),
    ("source_credit", SOURCE_CREDIT),
    ("teaser", INLINE_TEASER),
    ("byline", BYLINE),
]


# the rules above as one pattern: alternatives are tried in order, so the first rule that matches
# wins; each rule is wrapped in a group numbered after the groups of the rules before it
def _one_pattern(rules: list[tuple[str, re.Pattern[str]]]) -> tuple[re.Pattern[str], dict[int, str]]:
    parts, of_group, g = [], {}, 1
    for reason, pat in rules:
        if not pat.flags & re.I:
            raise ValueError(f"rule {reason} must ignore case")
        parts.append(f"({pat.pattern})")
        of_group[g] = reason
        g += 1 + pat.groups
    return re.compile("|".join(parts), re.I), of_group


_RULES_ONE, _RULE_OF_GROUP = _one_pattern(_RULES)
_HAS_WORD = re.compile(r"\w")
_HAS_DIGIT = re.compile(r"\d")
_FOOTER_HINT = ("©", "(c)", "copyright", "rights", "privacy", "terms", "contact", "about", "sitemap", "site map",
                "careers", "accessibility", "advertise", "imprint", "do not sell", "cookie")
_PROMO_HINT = ("trust", "we may", "reader-supported", "affiliate")
# "any of these substrings" as one scan
_FOOTER_HINT_RX = re.compile("|".join(map(re.escape, _FOOTER_HINT)))
_PROMO_HINT_RX = re.compile("|".join(map(re.escape, _PROMO_HINT)))


# Under re.I these non-ASCII letters match ASCII ones although .lower() does not turn them into
# those letters ("ſ" matches "s"); folding them first makes `_fold_lower(line)` contain, in ASCII, every
# ASCII word that a case-insensitive pattern can find in `line`. The cheap substring tests below that
# skip a regex rely on this (tests/test_text_speed_equivalence.py checks the list is complete).
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _fold_lower(line: str) -> str:
    if line.isascii() or not ("\u0131" in line or "\u017f" in line or "\u0130" in line or "\u212a" in line):
        return line.lower()
    return line.translate(_FOLD).lower()


# CAPTION can only match a line that has a "/", starts like a credit, or names a photo agency
_CAPTION_START = ("photo", "image", "picture", "credit", "illustration", "video", "(")


def _may_be_caption(line: str, low: str) -> bool:
    return ("/" in line or low.startswith(_CAPTION_START) or "getty images" in low or "shutterstock" in low
            or "associated press" in low or "afp via getty" in low or "istock" in low)


def _has_promo_hint(low: str) -> bool:
    """`_PROMO_HINT_RX.search(low) is not None`, as plain substring tests."""
    return "trust" in low or "we may" in low or "reader-supported" in low or "affiliate" in low


def _has_footer_hint(low: str) -> bool:
    """`_FOOTER_HINT_RX.search(low) is not None`, as plain substring tests."""
    return ("©" in low or "(c)" in low or "copyright" in low or "rights" in low or "privacy" in low or "terms" in low
            or "contact" in low or "about" in low or "sitemap" in low or "site map" in low or "careers" in low
            or "accessibility" in low or "advertise" in low or "imprint" in low or "do not sell" in low
            or "cookie" in low)


# --- the rules by first character -------------------------------------------------------------
# A line can only match the alternatives of a rule that may start with its first character, so
# for each first character (as `_fold_lower` gives it) the rules are compiled again from just those
# alternatives: the regex engine then tries a few branches instead of all of them. Which
# characters an alternative may start with is read from its parse tree; anything the reading does
# not understand counts as "any character".

try:
    from re import _constants as _sc
    from re import _parser as _sp
except ImportError:  # pragma: no cover - other Python versions: no dispatch
    _sp = None


def _first_key(c: str) -> str:
    """The dispatch key of a line whose `_fold_lower` starts with `c`: any digit is "0", any
    space " "."""
    return "0" if c.isdecimal() else " " if c.isspace() else c


def _starts_of_char(code: int, ci: bool) -> set[str] | None:
    c = chr(code)
    if ci and not c.isascii() and c.lower() != c.upper():
        return None  # a cased non-ASCII letter matched ignoring case: not worked out here
    return {_first_key(_fold_lower(c)[:1])}


def _starts_of_item(op, av, ci: bool) -> tuple[set[str] | None, bool]:
    """(first characters, can match empty) of one parse-tree item; None: any character."""
    if op is _sc.LITERAL:
        return _starts_of_char(av, ci), False
    if op is _sc.IN:
        out: set[str] = set()
        for o, a in av:
            if o is _sc.LITERAL:
                k = _starts_of_char(a, ci)
            elif o is _sc.CATEGORY and a in (_sc.CATEGORY_DIGIT, _sc.CATEGORY_SPACE):
                k = {"0" if a is _sc.CATEGORY_DIGIT else " "}
            elif o is _sc.RANGE and a[1] - a[0] <= 512:
                k = set()
                for code in range(a[0], a[1] + 1):
                    kk = _starts_of_char(code, ci)
                    if kk is None:
                        return None, False
                    k |= kk
            else:
                return None, False
            if k is None:
                return None, False
            out |= k
        return out, False
    if op is _sc.BRANCH:
        out, empty = set(), False
        for alt in av[1]:
            k, e = _starts_of(alt, ci)
            if k is None:
                return None, False
            out |= k
            empty = empty or e
        return out, empty
    if op is _sc.SUBPATTERN:
        _, add, rem, sub = av
        return _starts_of(sub, (ci or bool(add & re.I)) and not rem & re.I)
    if op in (_sc.MAX_REPEAT, _sc.MIN_REPEAT, _sc.POSSESSIVE_REPEAT):
        k, e = _starts_of(av[2], ci)
        return k, (av[0] == 0 or e)
    if op is _sc.ATOMIC_GROUP:
        return _starts_of(av, ci)
    if op in (_sc.AT, _sc.ASSERT, _sc.ASSERT_NOT):
        return set(), True
    return None, False


def _starts_of(items, ci: bool) -> tuple[set[str] | None, bool]:
    out: set[str] = set()
    for op, av in items:
        k, empty = _starts_of_item(op, av, ci)
        if k is None:
            return None, False
        out |= k
        if not empty:
            return out, False
    return out, True


def _pieces(pat: re.Pattern[str]) -> list[tuple[str, frozenset[str] | None]]:
    """A pattern as (source, first characters or None) pieces: its alternatives if `_rx` built it."""
    alts = _RX_ALTS.get(pat)
    srcs = [(a, r"^(?:" + a + r")$") for a in alts] if alts else [(pat.pattern, pat.pattern)]
    out = []
    for src, full in srcs:
        try:
            k, _ = _starts_of(_sp.parse(src, pat.flags), bool(pat.flags & re.I))
        except Exception:  # noqa: BLE001 - an unreadable piece may start anywhere
            k = None
        out.append((full if not alts else src, None if k is None else frozenset(k)))
    return out


_BY_FIRST: dict[str, tuple] = {}


def _by_first(key: str) -> tuple:
    """For lines whose `_fold_lower` starts with `key`: (the named rules as one pattern and its
    group -> reason map, TEASER_LINK, TEASER_HEADER), each kept to the alternatives that may
    start with `key` (None where none may)."""
    got = _BY_FIRST.get(key)
    if got is not None:
        return got
    if _sp is not None:
        if not _NAMED:  # every first character some alternative names; the rest share one entry
            for pat in [p for _, p in _RULES] + [TEASER_LINK, TEASER_HEADER]:
                for _, k in _pieces_of(pat):
                    _NAMED.update(k or ())
        if key not in _NAMED and key != "\x00":
            got = _BY_FIRST[key] = _by_first("\x00")
            return got
    if _sp is None:
        got = (_RULES_ONE, _RULE_OF_GROUP, TEASER_LINK, TEASER_HEADER)
    else:
        def keep(pat: re.Pattern[str]) -> re.Pattern[str] | None:
            pieces = _pieces_of(pat)
            srcs = [src for src, k in pieces if k is None or key in k]
            if not srcs:
                return None
            if pat in _RX_ALTS:
                return re.compile(r"^(?:" + "|".join(srcs) + r")$", re.I)
            return pat
        rules = [(r, p) for r, p in ((r, keep(p)) for r, p in _RULES) if p is not None]
        one, of_group = _one_pattern(rules) if rules else (None, {})
        got = (one, of_group, keep(TEASER_LINK), keep(TEASER_HEADER))
    if len(_BY_FIRST) < 4096:
        _BY_FIRST[key] = got
    return got


_PIECES_OF: dict[re.Pattern[str], list] = {}


def _pieces_of(pat: re.Pattern[str]) -> list[tuple[str, frozenset[str] | None]]:
    got = _PIECES_OF.get(pat)
    if got is None:
        got = _PIECES_OF[pat] = _pieces(pat)
    return got

_NAMED: set[str] = set()


def rule_reason(line: str) -> str | None:
    """The reason a named rule gives for dropping `line` (a trimmed line), or None."""
    return _rule_reason(line, _fold_lower(line) if len(line) <= 200 else "")


def _rule_reason(line: str, low: str) -> str | None:
    """`rule_reason`; `low` is `_fold_lower(line)` for a line of at most 200 characters."""
    if not _HAS_WORD.search(line):
        return "empty"
    n = len(line)
    if n <= 300:
        one, of_group = _by_first(_first_key(low[:1] if low else _fold_lower(line[:1])))[:2]
        m = one.match(line) if one is not None else None
        if m is not None:
            return of_group[m.lastindex]
        if low and _has_promo_hint(low) and PROMO_ANYWHERE.search(line):
            return "promo"
        if low and _has_footer_hint(low):
            if (FOOTER.match(line) and not line.endswith((".", "?", "!"))) or "©" in low or "all rights reserved" in low:
                return "footer"
        if " " not in line:
            if IMAGE_SLUG.match(line) and not line.isdigit() and ("-" in line or "_" in line or "." in line):
                return "caption"
        elif n <= 200 and _may_be_caption(line, low) and CAPTION.match(line):
            return "caption"
        if n <= 60 and _HAS_DIGIT.search(line) and _is_dateline(line):
            return "dateline"
    # EDITORIAL_BLURB starts with "we" or "our" (no letter of them folds oddly)
    if n <= 1200 and line[:2].lower() in ("we", "ou") and EDITORIAL_BLURB.match(line):
        return "promo"
    return None


# --------------------------------------------------------------------------------------------
# line features and the learned classifier
# --------------------------------------------------------------------------------------------

_STOP = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most
    my myself no nor not now of off on once only or other our ours ourselves out over own same she should
    so some such than that the their theirs them themselves then there these they this those through to
    too under until up very was we were what when where which while who whom why will with would you your
    yours yourself also said says one two new like may many much even still however people year years
    been which would could there their they\u2019re it\u2019s don\u2019t""".split()
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\d,.]*")
_WORD_ASCII = re.compile(r"[A-Za-z][\w'-]*|\d[\d,.]*", re.A)  # `_WORD` on ASCII text
# the same tokens, each given as its first letter if that is upper case, else as ""
_WORD_CAPS = re.compile(r"(?:([A-Z])|[a-z])[\w'-]*|\d[\d,.]*", re.A)
_BULLET = re.compile(r"^(?:[*•·▪‣◦●■□+o–—-]|\d{1,3}[.)]|[a-z][.)])\s+")
_TERMINAL = re.compile(r"[.!?…:;\"”’)\]。！？」』]$")
_SENT_END = re.compile(r"[.!?…。！？][\"”’)」』]?$")
_URLISH = re.compile(r"https?://|www\.|\.com\b|\.org\b|@\w|\b\w+@\w+\.\w+")
_CHROME_WORDS = re.compile(
    r"(?i)\b(?:login|log in|sign in|sign up|subscribe|newsletter|cookies?|privacy|terms|copyright|menu|"
    r"search|share|facebook|twitter|linkedin|instagram|youtube|pinterest|whatsapp|advertis\w*|sponsored|"
    r"download|app store|google play|contact|follow|click|comments?|reply|related|popular|trending|"
    r"newsletter|podcast|video|gallery|photos?|home|account|register|cart|shop|buy|price|deal|free|"
    r"read more|learn more|see more|view|continue reading|recommended)\b"
)
_CHROME_SET = frozenset(
    """login signin sign-in subscribe newsletter newsletters cookie cookies privacy terms copyright menu
    search share facebook twitter linkedin instagram youtube pinterest whatsapp advertisement advertising
    advertise sponsored download contact follow click comments comment reply related popular trending
    podcast video videos gallery photo photos home account register cart shop buy price deal deals free
    view recommended more read""".split()
)
_MONTH_WORD = re.compile(r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|\b\d{1,2}:\d\d\b|\b(?:19|20)\d\d\b")
_QUOTE = re.compile(r"[\"“”]")

_REASON_FLAG = {r: i for i, r in enumerate(
    ["navigation", "share", "ad", "promo", "comments", "tags", "source_credit", "teaser", "byline", "footer",
     "caption", "dateline", "empty", "teaser_header", "bio", "related"])}


@dataclass(slots=True)
class _Line:
    text: str
    block: int
    k: int  # index within block
    nb: int  # lines in block
    words: int = 0
    out: str = ""  # the text as it is output (wrapped lines keep their line breaks)
    rule: str | None = None
    header: bool = False
    zone: str | None = None  # reason of the zone this line opens: "teaser" | "comments"
    sent: bool = False  # ends like a sentence
    _toks: list[str] | None = None  # None: not computed yet (see `toks`)
    bio: tuple[str, str | None] | None = None
    _feats: list[float] | None = None
    _X: np.ndarray | None = None  # the page's feature matrix and this line's row in it: `feats` reads
    _row: int = 0                 # the row only when asked for (most lines never need a list)

    @property
    def toks(self) -> list[str]:
        """The line's `_WORD` tokens."""
        if self._toks is None:
            self._toks = _WORD.findall(self.text)
        return self._toks

    @toks.setter
    def toks(self, value: list[str]) -> None:
        self._toks = value

    @property
    def feats(self) -> list[float]:
        """The line's stage-1 features (see `_base_matrix`)."""
        if self._feats is None:
            self._feats = self._X[self._row].tolist() if self._X is not None else []
        return self._feats

    @feats.setter
    def feats(self, value: list[float]) -> None:
        self._feats = value


_N_BASE = 38 + len(_REASON_FLAG)
_LOG1P_TABLE: list = []


def _log1p_table() -> np.ndarray:
    """math.log1p of 0, 1, ..., 2**14 - 1 (numpy's log1p can differ in the last bit)."""
    if not _LOG1P_TABLE:
        _LOG1P_TABLE.append(np.array([math.log1p(k) for k in range(1 << 14)]))
    return _LOG1P_TABLE[0]


_QUOTES = ('"', "“", "”")
_TERMINAL_CHARS = frozenset(".!?…:;\"”’)]。！？」』")


_SENT_CHARS = frozenset(".!?…。！？")
_CLOSE_CHARS = frozenset("\"”’)」』")


def _ends_sentence(t: str) -> bool:
    """`_SENT_END.search(t) is not None`, from the last two characters."""
    c = t[-1:]
    if c in _SENT_CHARS:
        return True
    if c in _CLOSE_CHARS:
        return t[-2:-1] in _SENT_CHARS
    return c == "\n" and _SENT_END.search(t) is not None


@lru_cache(maxsize=1 << 16)
def _line_info(t: str) -> tuple[list[str], int, bool, tuple]:
    """A (trimmed) line's tokens, word count, whether it ends like a sentence, and the counts and
    flags its features are made of (the last of them is its `line_key`). Cached: lines repeat across
    a site's pages. The token list is shared: do not change it. An ASCII line's tokens are not
    listed (None): only their number and how many start in upper case are needed."""
    if t.isascii():
        b = t.encode("ascii")
        dc = len(b) - len(b.translate(None, _DIGIT_BYTES))
        n, caps = _tokens_with_digits(b) if dc else _tokens_without_digits(b)
        return None, n, _ends_sentence(t), _ascii_prims(t, n, caps, dc)
    if _NOT_NEAR_ASCII.search(t) is None or _FAR_CHAR.search(t) is None:
        # beyond ASCII only characters that are no word character (and no CJK): see `_near_info`
        return _near_info(t)
    toks = _WORD.findall(t)
    return toks, count_words(t, toks), _ends_sentence(t), _line_prims(t, toks)


# a character other than ASCII and the typographic punctuation most pages use (none of it a letter,
# a digit, a space or a case-folding character)
_NEAR_ASCII_EXTRA = lf.NEAR_EXTRA
_NOT_NEAR_ASCII = re.compile(f"[^\x00-\x7f{_NEAR_ASCII_EXTRA}]")
_DIGIT_BYTES = b"0123456789"
# `_WORD` on such a line: its letters, digits and word characters are all ASCII
_WORD_NEAR = re.compile(r"[A-Za-z][\w'’-]*|\d[\d,.]*", re.A)


_MONTH_NAME = re.compile(r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d")
_CLOCK = re.compile(r"\b\d{1,2}:\d\d\b")
_YEAR_WORD = re.compile(r"\b(?:19|20)\d\d\b")
# the same, led by its digits so that the engine skips to a "1" or a "2": the \b before a digit is
# "no word character before it", checked once the century is read
_YEAR_FAST = re.compile(r"(?:19|20)(?<!\w..)\d\d\b")


# _MONTH_NAME on `_fold_lower(t)` without re.I: a month's letters first, so the engine skips to them;
# the look-behind after them is the \b before them
_SPACE_DIGIT = re.compile(r"\s\d")
_MONTH_LOW = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?<!\w...)[a-z]*\.?\s+\d")


def _month_word(t: str, asc: bool, low: str | None = None) -> bool:
    """`_MONTH_WORD.search(t) is not None`, one alternative at a time, each behind a cheap test.
    `low`: `_fold_lower(t)` if at hand."""
    return ((":" in t and _CLOCK.search(t) is not None)
            or (("19" in t or "20" in t) and _YEAR_FAST.search(t) is not None)
            or (_SPACE_DIGIT.search(t) is not None  # a month name is followed by spaces and a digit
                and _MONTH_LOW.search(_fold_lower(t) if low is None else low) is not None))


_first = operator.itemgetter(0)
# a stopword counts 1, a chrome word 1 << 32: one pass over the words sums both
_STOP_CHROME = {w: (w in _STOP) + ((w in _CHROME_SET) << 32) for w in _STOP | _CHROME_SET}


def _stop_chrome(words: list[str]) -> tuple[int, int]:
    """(how many of `words` are in `_STOP`, how many in `_CHROME_SET`)."""
    v = sum(map(_STOP_CHROME.get, words, repeat(0, len(words))))
    return v & 0xFFFFFFFF, v >> 32


# ASCII letters as "A" / "a", every other byte as a space
_LETTER_CASE = bytes(65 if 65 <= c <= 90 else 97 if 97 <= c <= 122 else 32 for c in range(256))


def _tokens_without_digits(b: bytes) -> tuple[int, int]:
    """(`_WORD` tokens, those starting in upper case) of an ASCII line without digits. Such a token
    is a letter and the run of letters, "_", "'" and "-" after it; "_", "'" and "-" start nothing.
    Dropping them leaves each token a run of letters between other characters: count the runs'
    first letters."""
    r = b.translate(_LETTER_CASE, b"_'-")
    first = r[:1]
    caps = r.count(b" A") + (first == b"A")
    return caps + r.count(b" a") + (first == b"a"), caps


# the classes the digit tokens need: letter "a", digit "0", "_'-" "w", ",." ".", the rest a space
_TOK_CLASSES = bytes(
    97 if (65 <= c <= 90 or 97 <= c <= 122) else 48 if 48 <= c <= 57 else 119 if c in b"_'-"
    else 46 if c in b",." else 32 for c in range(256))
# then: free digits stay "0", the rest is a space ("." is deleted)
_TOK_DIGIT_RUNS = bytes(48 if c == 48 else 32 for c in range(256))
_LETTER_TOKEN_TAIL = re.compile(rb"a[a0w]+")


def _tokens_with_digits(b: bytes) -> tuple[int, int]:
    """(`_WORD` tokens, those starting in upper case) of an ASCII line `b`. A letter token is the
    rest of a run of word characters ([A-Za-z0-9_'-]) from its first letter: with the digits, "_",
    "'" and "-" deleted, a run of letters (`_tokens_without_digits`). A digit token starts at a
    digit outside a letter token and runs over digits, "," and ".": there is one per run of those
    that holds such a digit."""
    n, caps = _tokens_without_digits(b.translate(None, _DIGIT_BYTES))
    d = b.translate(_TOK_CLASSES)
    for _ in range(8):  # the letters take over the rest of their run, a character per pass
        if b"a0" not in d and b"aw" not in d:
            break
        d = d.replace(b"a0", b"aa").replace(b"aw", b"aa")
    else:
        d = _LETTER_TOKEN_TAIL.sub(lambda m: b"a" * len(m[0]), d)
    d = d.translate(_TOK_DIGIT_RUNS, b".")
    return n + d.count(b" 0") + (d[:1] == b"0"), caps


_DIGITS_AS_0 = bytes(48 if 48 <= c <= 57 else c for c in range(256))


def _fold_digit_runs(b: bytes) -> bytes:
    """`_DIGITS.sub("0", ...)` on bytes whose only digits are ASCII ones."""
    b = b.translate(_DIGITS_AS_0)
    while b"00" in b:
        b = b.replace(b"00", b"0")
    return b


def _month_word_keyed(t: str, low: str, key: str) -> bool:
    """`_month_word(t, ..., low)` for a trimmed line `t` whose only digits are ASCII ones, given its
    key (`low` with each run of digits as "0"): the line's only space is " ", so it has a space
    before a digit when its key has " 0"."""
    return ((":" in t and _CLOCK.search(t) is not None)
            or (("19" in t or "20" in t) and _YEAR_FAST.search(t) is not None)
            or (" 0" in key and _MONTH_LOW.search(low) is not None))


def _ascii_prims(t: str, ntok: int, caps: int, dc: int) -> tuple:
    """`_line_prims` of a trimmed ASCII line with `ntok` tokens, `caps` of them capitalised and
    `dc` digits."""
    lt = len(t)
    tl = t.lower()
    low = tl.split()  # == tl.split(" ") on a trimmed line
    key = _fold_digit_runs(tl.encode("ascii")).decode("ascii") if dc else tl  # line_key (" ".join(tl.split()) is tl)
    return (
        lt, ntok or 1, len(low) or 1, *_stop_chrome(low),
        caps, dc, lt - t.count(" "), t.count(","),
        t.endswith(":"),
        t[-1:] in _TERMINAL_CHARS,
        _BULLET.match(t) is not None,
        "|" in t,
        ntok >= 1 and t.isupper(),
        ("@" in t or "://" in t or "www." in t or ".com" in t or ".org" in t) and _URLISH.search(t) is not None,
        dc > 0 and _month_word_keyed(t, tl, key),  # every alternative of _MONTH_WORD needs a digit
        '"' in t,
        t[:1].islower(),
        "?" in t,
        key,
    )


def _line_prims(t: str, toks: list[str], near: bool = False) -> tuple:
    """The counts and flags of one trimmed line (single spaces, none at the ends): see `_base_matrix`.
    `near`: the line's only non-ASCII characters are some of `_NEAR_ASCII_EXTRA`."""
    asc = t.isascii()
    lt = len(t)
    tl = t.lower()
    key = tl  # == " ".join(t.lower().split()) for a trimmed line
    if asc:
        low = tl.split(" ") if tl else []
        dc = lt - len(t.encode("ascii").translate(None, b"0123456789"))
        digits = dc > 0
    elif near:
        # tokens hold no space, and lowering only changes their ASCII letters
        low = " ".join(toks).lower().split(" ") if toks else []
        b = t.encode()  # a digit is one byte, never part of another character's bytes
        dc = len(b) - len(b.translate(None, _DIGIT_BYTES))
        digits = dc > 0
    else:
        low = [w.lower() for w in toks]
        dc = sum(map(t.count, "0123456789"))
        digits = dc > 0 or _HAS_DIGIT.search(t) is not None  # any Unicode digit
    if digits:
        key = _DIGITS.sub("0", key)
    return (
        lt, len(toks) or 1, len(low) or 1, *_stop_chrome(low),
        sum(map(str.isupper, map(_first, toks))), dc, lt - t.count(" "), t.count(","),
        t.endswith(":"),
        t[-1:] in _TERMINAL_CHARS,
        _BULLET.match(t) is not None,
        "|" in t or (not asc and (" · " in t or " • " in t)),
        len(toks) >= 1 and t.isupper(),
        ("@" in t or "://" in t or "www." in t or ".com" in t or ".org" in t) and _URLISH.search(t) is not None,
        digits and _month_word(t, asc, tl if asc or near else None),  # every alternative needs a digit
        '"' in t or "“" in t or "”" in t,
        t[:1].islower(),
        "?" in t,
        key,
    )


# --- near-ASCII lines ------------------------------------------------------------------------
# A line whose characters beyond ASCII are no word characters (curly quotes, dashes, "©", "★" ...)
# and none of the CJK ranges has the tokens of the same line with those mapped to ASCII ones.

_NOT_ASCII = re.compile("[^\x00-\x7f]")
_OTHER_THAN_ASCII_AND_APOSTROPHE = re.compile("[^\x00-\x7f’]")
# a character beyond ASCII that the token pattern or the CJK count reads: a word character or one
# of the CJK ranges of `_CJK` (which hold a few that are not word characters)
_FAR_CHAR = re.compile("(?:(?![\x00-\x7f])\\w)|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_STOP_CHROME_B = {w.encode(): v for w, v in _STOP_CHROME.items()}
# the characters outside tokens as spaces ("’", the only byte >= 128 left, is kept: it is inside them)
_NOT_TOKEN_B = bytes(c if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c in b"_'-" or c >= 128)
                     else 32 for c in range(256))
# what stands before a token's first letter in its run of word characters
_TOKEN_LEAD_RX = re.compile(rb" (?:[0-9_'-]|\xe2\x80\x99)+")


def _near_info(t: str) -> tuple[None, int, bool, tuple]:
    """`_line_info` of a line whose characters beyond ASCII are no word characters (and no CJK):
    they split tokens like ASCII punctuation ("’" continues one like "'"), so the tokens are those
    of the line with them mapped to ASCII; its words are its lower-cased tokens."""
    t2 = _NOT_ASCII.sub("#", t.replace("’", "'"))
    b = t2.encode("ascii")
    dc = len(b) - len(b.translate(None, _DIGIT_BYTES))
    n, caps = _tokens_with_digits(b) if dc else _tokens_without_digits(b)
    tl = t.lower()
    v = _near_stop_chrome(tl)
    lt = len(t)
    key = _fold_digit_runs(tl.encode()).decode() if dc else tl
    return None, n, _ends_sentence(t), (
        lt, n or 1, n or 1, v & 0xFFFFFFFF, v >> 32,
        caps, dc, lt - t.count(" "), t.count(","),
        t.endswith(":"),
        t[-1:] in _TERMINAL_CHARS,
        _BULLET.match(t) is not None,
        "|" in t or " · " in t or " • " in t,
        n >= 1 and t.isupper(),
        ("@" in t or "://" in t or "www." in t or ".com" in t or ".org" in t) and _URLISH.search(t) is not None,
        dc > 0 and _month_word_keyed(t, tl, key),
        '"' in t or "“" in t or "”" in t,
        t[:1].islower(),
        "?" in t,
        key,
    )


def _near_stop_chrome(tl: str) -> int:
    """`_stop_chrome` of the lower-cased tokens of a near-ASCII line (`tl`: the line in lower case),
    packed as stop + (chrome << 32). The line's runs of word characters (and "’"), each without
    what stands before its first letter, are its letter tokens; its digit tokens are no stopwords."""
    b = b" " + _OTHER_THAN_ASCII_AND_APOSTROPHE.sub(" ", tl).encode().translate(_NOT_TOKEN_B)
    words = _TOKEN_LEAD_RX.sub(b" ", b).split()
    return sum(map(_STOP_CHROME_B.get, words, repeat(0, len(words))))


_WORD_TABLE = lf.word_table(_STOP, _CHROME_SET)


def _page_info(texts: list[str]) -> tuple[list[int], list[bool], np.ndarray, list[int | str]]:
    """`_line_info` of every line of a page: the word counts, whether each ends like a sentence,
    the counts and flags as a matrix (one row per line, `_line_info`'s order without the key) and
    the line keys. The compiled pass (`cleaners.linefeats`) reads the lines of ASCII, punctuation
    and symbols and gives their keys as hashes (ints); the rest (letters or digits beyond ASCII,
    CJK) go through `_line_info` and keep their key strings, which never equal a hash."""
    P, words, sent, keyh, read = lf.page_prims(texts, _WORD_TABLE)
    keys: list[int | str] = keyh.tolist()
    if not read.all():
        for i in np.flatnonzero(~read).tolist():
            _, w, s, prims = _line_info(texts[i])
            words[i], sent[i], P[i], keys[i] = w, s, prims[:-1], prims[-1]
    return words.tolist(), sent.tolist(), P, keys


def _base_matrix(lines: list[_Line], P: np.ndarray | None = None, keys: list[int | str] | None = None) -> np.ndarray:
    """The stage-1 features of every line of a page, one row per line (see `_base_features`;
    computed by `cleaners.linefeats.base_matrix`). `P`, `keys`: the lines' `_page_info` matrix
    and keys, if at hand.

    Columns: 0 bias; 1 log1p(words); 2 log1p(characters) / 5; 3 ends like a sentence; 4 ends with
    ":"; 5 ends with closing punctuation; 6 share of stopwords; 7 share of capitalised tokens;
    8 digits per character; 9 characters per token (capped); 10 commas per token; 11 bullet;
    12 "|" or a dotted separator; 13 all capitals; 14 URL or e-mail; 15 position in the page;
    16 share of the page's words above; 17 share of its sentence words (lines of 12 words or more
    ending like a sentence, no rule) above; 18 the block holds more lines; 19 the block's lines
    (capped at 10) / 10; 20 the key occurs twice or more on the page; 21 share of chrome words;
    22 a date or a time; 23 a double quote; 24-27 at most 2 / 5, at least 15 / 40 words; 28, 29
    above the first / below the last line of 20 words or more ending like a sentence, no rule;
    30, 31 log1p of the distance to it / 3; 32, 33 at or below a teaser header / an author bio
    with 30% of the sentence words above it; 34 starts in lower case; 35 a "?"; 36 column 6 times
    column 1; 37 column 7 for lines of 12 words or fewer; 38... one column per rule reason
    (`_REASON_FLAG`); then columns 1, 3, 6 and 11 of the line before, a first-line flag, the same
    of the line after, a last-line flag, and log1p of the sentence words within three lines / 5."""
    n = len(lines)
    X = np.zeros((n, _N_BASE + 11))
    if n == 0:
        return X
    if P is None or keys is None:
        _, _, P, keys = _page_info([x.text for x in lines])
    flag_of = _REASON_FLAG
    count: dict[int | str, int] = {}
    for k in keys:
        count[k] = count.get(k, 0) + 1
    rule = [x.rule for x in lines]
    lf.base_matrix(
        P,
        np.fromiter((x.words for x in lines), dtype=np.int64, count=n),
        np.fromiter((x.sent for x in lines), dtype=np.bool_, count=n),
        np.fromiter((not r for r in rule), dtype=np.bool_, count=n),
        np.fromiter((x.nb for x in lines), dtype=np.int64, count=n),
        np.fromiter((flag_of[r] if r else -1 for r in rule), dtype=np.int64, count=n),
        np.fromiter((x.header for x in lines), dtype=np.bool_, count=n),
        np.fromiter((bool(x.bio) for x in lines), dtype=np.bool_, count=n),
        np.fromiter((count[k] > 1 for k in keys), dtype=np.bool_, count=n),
        _N_BASE, 38 + flag_of["teaser_header"], 38 + flag_of["bio"], _log1p_table(), X)
    return X


def _base_features(lines: list[_Line], P: np.ndarray | None = None, keys: list[int | str] | None = None) -> np.ndarray:
    """Set each line's stage-1 features (`x.feats`) and return them as a matrix."""
    X = _base_matrix(lines, P, keys)
    for i, x in enumerate(lines):
        x._feats, x._X, x._row = None, X, i
    return X


def _sigmoid(z: float) -> float:
    if z < -30:
        return 0.0
    if z > 30:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


def _stage2_features(lines: list[_Line], p1: list[float]) -> list[list[float]]:
    n = len(lines)
    out = []
    # block mean of p1
    bsum: dict[int, list[float]] = {}
    for x, p in zip(lines, p1):
        bsum.setdefault(x.block, []).append(p)
    bmean = {b: sum(v) / len(v) for b, v in bsum.items()}
    # cumulative expected body words
    ew = [p * x.words for x, p in zip(lines, p1)]
    tot = sum(ew) or 1.0
    cum = 0.0
    # the nearest paragraph-sized line above and below: a list or a subheading sits between them
    lead = [-1] * n
    last = -1
    for i, x in enumerate(lines):
        lead[i] = last
        if x.words >= 12:
            last = i
    trail = [-1] * n
    last = -1
    for i in range(n - 1, -1, -1):
        trail[i] = last
        if lines[i].words >= 12:
            last = i
    for i, x in enumerate(lines):
        a, z = lead[i], trail[i]
        ctx = [
            p1[a] if a >= 0 else 0.0,
            1.0 if a >= 0 and lines[a].text.endswith(":") else 0.0,
            math.log1p(i - a) / 3 if a >= 0 else 1.5,
            p1[z] if z >= 0 else 0.0,
            math.log1p(z - i) / 3 if z >= 0 else 1.5,
        ]
        nb = []
        for d in (-2, -1, 1, 2):
            j = i + d
            nb.append(p1[j] if 0 <= j < n else 0.0)
        w5 = [p1[j] for j in range(max(0, i - 5), min(n, i + 6)) if j != i]
        wmean = sum(w5) / len(w5) if w5 else 0.0
        before = cum / tot
        cum += ew[i]
        after = 1.0 - cum / tot
        out.append(x.feats + [p1[i], *nb, wmean, bmean[x.block], before, after,
                              1.0 if before < 0.02 else 0.0, 1.0 if after < 0.02 else 0.0, *ctx])
    return out


def _stage2_matrix(lines: list[_Line], X1: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """`_stage2_features` for a whole page at once, bit for bit (sums keep their order), by
    `cleaners.linefeats.stage2_matrix`."""
    n = len(lines)
    X = np.empty((n, X1.shape[1] + 16))
    if n == 0:
        return X
    lf.stage2_matrix(np.ascontiguousarray(X1, dtype=float), np.ascontiguousarray(p1, dtype=float),
                     np.fromiter((x.words for x in lines), dtype=np.int64, count=n),
                     np.fromiter((x.block for x in lines), dtype=np.int64, count=n), _log1p_table(), X)
    return X


@lru_cache(maxsize=1)
def _model() -> dict:
    path = Path(__file__).with_name("data") / "line_model.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text())


_FOLDED: dict[int, tuple[list[float], float]] = {}


def _folded(model: dict) -> tuple[list[float], float]:
    """Weights with the feature standardisation folded in (column 0 is the constant)."""
    key = id(model)
    if key not in _FOLDED:
        w = [ww / sd for ww, sd in zip(model["w"], model["sd"])]
        w[0] = 0.0
        b = model["b"] - sum(m * ww for m, ww in zip(model["mu"], w))
        _FOLDED[key] = (w, b)
    return _FOLDED[key]


def _lr(model: dict, rows: list[list[float]]) -> list[float]:
    w, b = _folded(model)
    mul = operator.mul
    return [_sigmoid(b + sum(map(mul, r, w))) for r in rows]


def _heuristic_p(lines: list[_Line]) -> list[float]:
    """Fallback scores when no trained model is shipped: long sentence-like lines are body."""
    return [0.9 if (x.words >= 12 and x.sent) else 0.2 for x in lines]


_PACKED: dict[int, tuple] = {}


def _packed(model: dict) -> tuple:
    """A tree model as `cleaners.trees.pack` arrays (cached), and its base score."""
    key = id(model)
    if key not in _PACKED:
        if len(model["trees"]) > 128:
            raise ValueError("at most 128 trees per model")
        _PACKED[key] = (*trees.pack(model["trees"]), float(model.get("base", 0.0)))
    return _PACKED[key]


def _trees(model: dict, rows: list[list[float]]) -> list[float]:
    """Probabilities from a boosted ensemble of oblivious trees (see bench/train_lines.py)."""
    if not rows:
        return []
    return _trees_p(model, np.asarray(rows, dtype=float)).tolist()


def _trees_p(model: dict, X: np.ndarray) -> np.ndarray:
    """`_trees` on a feature matrix (one row per line); returns an array."""
    return trees.probabilities(*_packed(model), X)


def _predict(model: dict, rows: list[list[float]]) -> list[float]:
    return _trees(model, rows) if "trees" in model else _lr(model, rows)


def score_lines(lines: list[_Line], X1: np.ndarray | None = None) -> list[float]:
    """Body probability of each line. `X1`: the lines' stage-1 features as a matrix, if at hand."""
    m = _model()
    if not m:
        return _heuristic_p(lines)
    if "trees" in m["stage1"] and "trees" in m["stage2"]:
        if X1 is None:
            X1 = np.array([x.feats for x in lines], dtype=float).reshape(len(lines), -1)
        p1 = _trees_p(m["stage1"], X1)
        return _trees_p(m["stage2"], _stage2_matrix(lines, X1, p1)).tolist()
    p1 = _predict(m["stage1"], [x.feats for x in lines])
    return _predict(m["stage2"], _stage2_features(lines, p1))


# --------------------------------------------------------------------------------------------
# building the document
# --------------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def count_words(t: str, toks: list[str] | None = None) -> int:
    """Words in `t`; runs of CJK characters count one word per two characters."""
    n = len(_WORD.findall(t) if toks is None else toks)
    if n and t.isascii():
        return n
    cjk = len(_CJK.findall(t))
    if cjk:
        n = len(_WORD.findall(_CJK.sub(" ", t))) + (cjk + 1) // 2
    return n


def has_words(t: str, k: int) -> bool:
    """`count_words(t) >= k`, mostly from a prefix of `t`. A token never spans a space, so the
    prefix of `t` up to a space holds a subset of its tokens (and of its CJK characters): when
    that prefix already has `k` words, so has `t`."""
    if len(t) > 64 * (k + 1):
        for size in (8 * (k + 1), 32 * (k + 1)):
            head = t[:size]
            cut = max(head.rfind(" "), head.rfind("\n"))
            if cut > 0 and count_words(head[:cut]) >= k:
                return True
    return count_words(t) >= k


def _is_wrapped(raw: list[str]) -> bool:
    """A hard-wrapped paragraph: three or more lines of similar, prose-like width."""
    if len(raw) < 3:
        return False
    body = raw[:-1]
    lens = sorted(map(len, body))
    # the tests in order, each counted only when the ones before it pass
    if sum(1 for k in lens if 45 <= k <= 110) < 0.7 * len(body):
        return False
    med = lens[len(lens) // 2]
    if lens[-1] > 1.35 * med or len(raw[-1]) > 1.35 * med:
        return False
    if sum(1 for x in body if not _SENT_END.search(x)) < 0.5 * len(body):
        return False
    return sum(1 for x in raw if _BULLET.match(x)) <= 1


def _units(raw: list[str]) -> list[list[str]]:
    """Group a block's lines into units: a wrapped paragraph is one unit, and a line that starts
    in lower case continues the line before it when that one has no closing punctuation."""
    if _is_wrapped(raw):
        return [raw]
    units: list[list[str]] = []
    for t in raw:
        if (units and t[:1].islower() and not _SENT_END.search(units[-1][-1])
                and not units[-1][-1].endswith(":") and len(units[-1][-1]) >= 30 and not _BULLET.match(t)):
            units[-1].append(t)
        else:
            units.append([t])
    return units


def _lines_of(blocks: list[str]) -> list[_Line]:
    return _page_lines(blocks)[0]


def _page_lines(blocks: list[str]) -> tuple[list[_Line], np.ndarray, list[int | str]]:
    """The page's lines, with the counts and flags of `_page_info` (matrix, line keys)."""
    texts: list[str] = []
    outs: list[str] = []
    where: list[tuple[int, int, int]] = []
    for b, block in enumerate(blocks):
        if "\n" not in block:  # most blocks are one line
            t = _trim(block)
            if t:
                texts.append(t)
                outs.append(t)
                where.append((b, 0, 1))
            continue
        raw = [_trim(x) for x in block.split("\n")]
        raw = [x for x in raw if x]
        units = _units(raw)
        nu = len(units)
        for k, u in enumerate(units):
            texts.append(" ".join(u))
            outs.append("\n".join(u))
            where.append((b, k, nu))
    words, sent, P, keys = _page_info(texts)
    Line = _Line
    out = [Line(t, b, k, nu, w, o, None, False, None, s, None)
           for t, (b, k, nu), w, o, s in zip(texts, where, words, outs, sent)]
    return out, P, keys


def _may_be_comment_header(low: str) -> bool:
    """A necessary condition for COMMENT_HEADER: every alternative has one of these words."""
    return ("comment" in low or "repl" in low or "respons" in low or "thought" in low or "reaction" in low
            or "conversation" in low or "discussion" in low or "reader" in low or "what do you think" in low
            or "have your say" in low)


def _may_be_comment_sig(line: str, low: str) -> bool:
    """A necessary condition for COMMENT_SIG: "... by" and a digit, or "says"/"wrote"/... and a colon."""
    return ((" by" in low and _HAS_DIGIT.search(line) is not None)
            or (":" in line and ("says" in low or "said" in low or "wrote" in low or "writes" in low)))


def _line_rules_plain(t: str, words: int) -> tuple[str | None, str | None, tuple[str, str | None] | None]:
    """`_line_rules` step by step through `_rule_reason` (the reference for its inlined form)."""
    n = len(t)
    low = _fold_lower(t) if n <= 200 else ""
    rule = _rule_reason(t, low)
    kind = None
    if n <= 100:
        _, _, link, header = _by_first(_first_key(low[:1]))
        if rule is None and link is not None and link.match(t):
            rule = "teaser"
        elif header is not None and header.match(t):
            kind = "teaser"
        elif _may_be_comment_header(low) and COMMENT_HEADER.match(t):
            kind = "comments"
        elif _may_be_comment_sig(t, low) and COMMENT_SIG.match(t):
            kind = "sig"
    bio = md.parse_bio(t) if rule is None and words >= 6 else None
    return rule, kind, bio


@lru_cache(maxsize=1 << 16)
def _line_rules(t: str, words: int) -> tuple[str | None, str | None, tuple[str, str | None] | None]:
    """What the named rules say about one line, on its own: (rule reason, "teaser" | "comments"
    for a zone header or "sig" for a comment signature, bio). Lines repeat across a site's pages,
    so this is cached. `_line_rules_plain` with `_rule_reason` and the prefilters inlined, and the
    rules by first character looked up once."""
    n = len(t)
    rule = None
    if n > 300:  # `_rule_reason` of a long line: only the editorial blurb, or no word at all
        if _HAS_WORD.search(t) is None:
            rule = "empty"
        elif n <= 1200 and t[:2].lower() in ("we", "ou") and EDITORIAL_BLURB.match(t):
            rule = "promo"
        return rule, None, (md.parse_bio(t) if rule is None and words >= 6 else None)
    low = _fold_lower(t) if n <= 200 else ""
    c = low[:1] if low else _fold_lower(t[:1])
    entry = _BY_FIRST.get("0" if c.isdecimal() else " " if c.isspace() else c)
    if entry is None:
        entry = _by_first(_first_key(c))
    if not t[:1].isalnum() and _HAS_WORD.search(t) is None:  # an alphanumeric character is a word character
        rule = "empty"
    else:
        one = entry[0]
        m = one.match(t) if one is not None else None
        if m is not None:
            rule = entry[1][m.lastindex]
        elif low and ("trust" in low or "we may" in low or "reader-supported" in low or "affiliate" in low) \
                and PROMO_ANYWHERE.search(t):
            rule = "promo"
        elif low and _has_footer_hint(low) and (
                (FOOTER.match(t) and not t.endswith((".", "?", "!"))) or "©" in low or "all rights reserved" in low):
            rule = "footer"
        elif " " not in t:
            if IMAGE_SLUG.match(t) and not t.isdigit() and ("-" in t or "_" in t or "." in t):
                rule = "caption"
        elif n <= 200 and ("/" in t or low.startswith(_CAPTION_START) or "getty images" in low or "shutterstock" in low
                           or "associated press" in low or "afp via getty" in low or "istock" in low) \
                and CAPTION.match(t):
            rule = "caption"
        if rule is None:
            if n <= 60 and _HAS_DIGIT.search(t) and _is_dateline(t):
                rule = "dateline"
            elif t[:2].lower() in ("we", "ou") and EDITORIAL_BLURB.match(t):
                rule = "promo"
    kind = None
    if n <= 100:
        link, header = entry[2], entry[3]
        if rule is None and link is not None and link.match(t):
            rule = "teaser"
        elif header is not None and header.match(t):
            kind = "teaser"
        elif _may_be_comment_header(low) and COMMENT_HEADER.match(t):
            kind = "comments"
        elif (((" by" in low and _HAS_DIGIT.search(t) is not None)
               or (":" in t and ("says" in low or "said" in low or "wrote" in low or "writes" in low)))
              and COMMENT_SIG.match(t)):
            kind = "sig"
    bio = md.parse_bio(t) if rule is None and words >= 6 else None
    return rule, kind, bio


def prepare(blocks: list[str]) -> list[_Line]:
    """Lines with rule reasons and features (the classifier's input; used by training too)."""
    return _prepare(blocks)[0]


def _prepare(blocks: list[str]) -> tuple[list[_Line], np.ndarray]:
    """`prepare`, also returning the stage-1 features as a matrix (one row per line)."""
    lines, P, keys = _page_lines(blocks)
    sigs = []
    heads = []
    rules = _line_rules
    for i, x in enumerate(lines):
        x.rule, kind, x.bio = rules(x.text, x.words)
        if kind is not None:
            if kind == "sig":
                sigs.append(i)
            else:
                x.header, x.zone = True, kind
                if kind == "teaser":
                    heads.append(i)
    for i in heads:  # (a box changes the rules of lines after it, not their zones)
        x = lines[i]
        if x.zone == "teaser":
            box = _inline_box(lines, i)
            if box:  # a box of links inside the article: drop it, but it does not end the article
                x.header, x.zone = False, None
                for j in range(i, box):
                    lines[j].rule = lines[j].rule or "related"
    if len(sigs) >= 2:
        x = lines[sigs[0]]
        x.header, x.zone = True, "comments"
        for i in sigs:
            lines[i].rule = "comments"
    return lines, _base_features(lines, P, keys)


_THRESHOLD = 0.5
# a teaser header or an author bio closes the article when this share of the body is above it
ZONE_SHARE = 0.5
BIO_SHARE = 0.3
# rules that drop a line whatever the classifier says
_HARD = {"navigation", "share", "ad", "promo", "comments", "tags", "source_credit", "teaser", "footer",
         "caption", "dateline", "empty", "byline", "boilerplate", "related"}


def _norm(s: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", s.lower()).split())


def clean_blocks(blocks: list[str], *, hint: Metadata | None = None,
                 boilerplate: frozenset[str] = frozenset()) -> Cleaned:
    """Clean an already-segmented page: see the module docstring. `hint` (e.g. metadata from the
    HTML head) wins over what is guessed from the text where its fields are set."""
    lines, X1 = _prepare(blocks)
    n = len(lines)
    meta = Metadata()
    if n == 0:
        _apply_hint(meta, hint)
        return Cleaned(text="", metadata=meta, removed=[], format="text")
    probs = score_lines(lines, X1)
    keep = [p >= _THRESHOLD for p in probs]
    _extend_body(lines, probs, keep)
    if boilerplate:
        reason: list[str | None] = [None] * n
        for i, x in enumerate(lines):
            if line_key(x.text) in boilerplate and x.words < 40:
                reason[i] = "boilerplate"
            elif x.rule in _HARD and not (x.rule == "byline" and x.words > 25):
                reason[i] = x.rule
    else:
        reason = [x.rule if x.rule in _HARD and not (x.rule == "byline" and x.words > 25) else None for x in lines]

    # teaser zones: a teaser header or an author bio after most of the body closes the article
    kept_words = [x.words if keep[i] and reason[i] is None else 0 for i, x in enumerate(lines)]
    total = sum(kept_words) or 1
    cum = 0
    cut = None
    for i, x in enumerate(lines):
        share = cum / total
        if x.zone == "comments" and cum >= 80:
            cut = i
            break
        if x.zone == "teaser" and share >= ZONE_SHARE:
            cut = i
            break
        if x.bio and share >= BIO_SHARE and _bio_ok(lines, i, probs):
            cut = i
            break
        cum += kept_words[i]

    if hint is not None and hint.authors:
        # short lines naming the known authors above the body or just under it are bylines
        names = [a.lower() for a in hint.authors if a]
        start = body_start(lines, probs, reason)
        for i in range(min(n, start + 3)):
            low = lines[i].text.lower()
            if reason[i] is None and lines[i].words <= 15 and any(a in low for a in names):
                reason[i] = "byline"
    title, subtitle, authors, published = _top_metadata(lines, keep, reason, hint, probs, cut)
    if title is None or md.byline_like(title):
        title = _headline_fallback(lines, reason, probs) or title
    site = None
    bio_authors: list[str] = []
    for i, x in enumerate(lines):
        if x.bio and _bio_ok(lines, i, probs):
            first, s = x.bio
            if i > 0 and md.looks_like_name(lines[i - 1].text) and lines[i - 1].text.split()[0] == first.split()[0]:
                bio_authors.append(lines[i - 1].text)
                reason[i - 1] = reason[i - 1] or "byline"
            elif md.looks_like_name(first) and len(first.split()) >= 2:
                bio_authors.append(first)
            if s and site is None and len(s.split()) <= 4:
                site = s
            if cut is None or i < cut:
                reason[i] = "author_bio"
        if site is None and (x.rule in ("promo", "footer") or i < 15 or i > n - 15):
            s = md.site_from_trust(x.text)
            if s:
                site = s
    if not authors:
        authors = bio_authors
    if cut is not None:
        zr = lines[cut].zone or "teaser"
        for i in range(cut, n):
            if reason[i] is None:
                reason[i] = "author_bio" if lines[i].bio else zr
    if site is None:
        site = _site_from_footer(lines) or _site_from_teasers(lines, reason, cut)

    teasers.mark_related(lines, keep, reason)

    # final decision
    kept_idx = [i for i in range(n) if reason[i] is None and keep[i]]
    first_kept = kept_idx[0] if kept_idx else n
    last_kept = kept_idx[-1] if kept_idx else -1
    removed: list[Removed] = []
    for i, x in enumerate(lines):
        r = reason[i]
        if r is None:
            if keep[i]:
                continue
            if i < first_kept:
                r = "navigation"
            elif i > last_kept:
                r = "related" if (cut is not None and i > cut) or x.words >= 4 else "footer"
            else:
                r = "caption" if not x.sent else "promo"
            reason[i] = r
        removed.append(Removed(x.out, check_reason(r)))

    # body text: kept lines, lines of one block joined by newlines, blocks by blank lines
    parts: list[str] = []
    cur_block = None
    cur: list[str] = []
    for i in kept_idx:
        x = lines[i]
        if x.block != cur_block and cur:
            parts.append("\n".join(cur))
            cur = []
        cur_block = x.block
        cur.append(x.out)
    if cur:
        parts.append("\n".join(cur))
    body = "\n\n".join(parts)

    credit_text = "\n".join([body] + [r.text for r in removed if r.reason == "source_credit"])
    meta.title = strip_headline_tail(title) if title else title
    meta.subtitle = subtitle
    meta.authors = authors
    meta.published = published
    meta.site_name = site
    meta.sources = md.find_sources(credit_text)
    _apply_hint(meta, hint)
    return Cleaned(text=body, metadata=meta, removed=removed, format="text")


NEAR_BODY_P = 0.4  # a sentence next to kept body is kept from this probability on (not 0.5)
NEAR_BODY_WORDS = 4


def _extend_body(lines: list[_Line], probs: list[float], keep: list[bool]) -> None:
    """Hysteresis on the line model's decision: a line scored just under the threshold
    (``NEAR_BODY_P`` or more) that ends like a sentence, has no rule against it and stands next
    to a kept line is kept too, and so on along the run. The first sentences of a short brief
    under a dateline score like that: the model sees chrome above them and little body below."""
    todo = [i for i, p in enumerate(probs)
            if NEAR_BODY_P <= p < _THRESHOLD and lines[i].sent and lines[i].rule is None
            and lines[i].words >= NEAR_BODY_WORDS]
    n = len(lines)
    while todo:
        left = []
        for i in todo:
            if (i > 0 and keep[i - 1] and lines[i - 1].rule is None) or (
                    i + 1 < n and keep[i + 1] and lines[i + 1].rule is None):
                keep[i] = True
            else:
                left.append(i)
        if len(left) == len(todo):
            break
        todo = left


def _headline_fallback(lines: list[_Line], reason: list[str | None], probs: list[float]) -> str | None:
    """When the title model finds no headline (or picks a byline), the headline-like line over
    the byline / date lines above the body (`metadata.headline_above`) becomes the title."""
    k = md.headline_above([x.text for x in lines], body_start(lines, probs, reason))
    if k is None or reason[k] is not None:
        return None
    for i, r in enumerate(reason):
        if r == "title":
            reason[i] = None
    reason[k] = "title"
    return lines[k].text


def _bio_named(lines: list[_Line], i: int) -> bool:
    """The bio at `i` follows a line with its subject's name ("Jane Doe" / "Jane is a writer ...")."""
    first = lines[i].bio[0].split()[0] if lines[i].bio else ""
    return i > 0 and md.looks_like_name(lines[i - 1].text) and lines[i - 1].text.split()[0] == first


def _bio_ok(lines: list[_Line], i: int, probs: list[float]) -> bool:
    """A bio-shaped sentence is an author bio when it sits under the author's name or the
    classifier does not read it as body (a body sentence can say "X is the head writer of ...")."""
    return _bio_named(lines, i) or probs[i] < _THRESHOLD


def _inline_box(lines: list[_Line], i: int) -> int:
    """If the teaser header at `i` heads a box of links inside the article (a pure bulleted list of
    two or more items, then the article's paragraphs again), the index where the box ends; else 0."""
    j = i + 1
    n = len(lines)
    while j < n and _BULLET.match(lines[j].text) and lines[j].words <= 30:
        j += 1
    if j - (i + 1) < 2 or j >= n:
        return 0
    after = [y for y in lines[j:j + 4] if not y.rule]
    if len(after) >= 2 and sum(1 for y in after if y.words >= 15 and y.sent and not _BULLET.match(y.text)) >= 2:
        return j
    return 0


def clean_text(text: str, *, boilerplate: frozenset[str] = frozenset()) -> Cleaned:
    """Clean a plain-text page dump (see module docstring)."""
    return clean_blocks(segment(text), boilerplate=boilerplate)


def _apply_hint(meta: Metadata, hint: Metadata | None) -> None:
    if hint is None:
        return
    for f in ("title", "subtitle", "published", "site_name", "url"):
        v = getattr(hint, f)
        if v:
            setattr(meta, f, v)
    if hint.authors:
        meta.authors = list(hint.authors)
    if hint.sources:
        meta.sources = list(dict.fromkeys(list(hint.sources) + meta.sources))


# --------------------------------------------------------------------------------------------
# metadata near the top
# --------------------------------------------------------------------------------------------

_TITLE_BAD_END = re.compile(r"[,;:]$")
_TITLE_SEP = re.compile(r"[«»]|\|.*\||^\W|\s[/>›]\s.*\s[/>›]\s|^skip to\b", re.I)


def _title_like(x: _Line) -> bool:
    t = x.text
    return (3 <= x.words <= 30 and len(t) <= 250 and not _BULLET.match(t) and not _TITLE_BAD_END.search(t)
            and not t.endswith(".") and x.rule is None and not md.looks_like_name(t) and not _URLISH.search(t)
            and not _TITLE_SEP.search(t) and x.zone is None)


TITLE_MIN = 0.1
TITLE_WINDOW = 40  # the headline is looked for among this many lines above the body
TITLE_BELOW = 4  # ... and this many lines under the body's first paragraph


def body_start(lines: list[_Line], probs: list[float], reason: list[str | None] | None = None) -> int:
    """Index of the first line that the classifier keeps as body and that is a real paragraph."""
    for i, x in enumerate(lines):
        r = reason[i] if reason is not None else (x.rule if x.rule in _HARD else None)
        if probs[i] >= _THRESHOLD and r is None and x.words >= 12:
            return i
    return len(lines)


def title_candidates(lines: list[_Line], top: int) -> list[int]:
    """Indices of lines around the start of the body (`top`: `body_start`) that could be the
    headline: up to ``TITLE_WINDOW`` lines above it, ``TITLE_BELOW`` under it."""
    # the first "paragraph" may be a long headline, and a promo paragraph taken for the body's
    # start may stand over the headline: a few lines under it are candidates too
    end = min(top + 1 + TITLE_BELOW, len(lines))
    return [i for i in range(max(0, top - TITLE_WINDOW), end) if _title_like(lines[i])]


TITLE_BODY_WORDS = 300  # words of the body (from its start) a headline's words are looked for in
# first words of a call to action ("Get a Personalized Demo", "Join our partner community"): a
# promo line above the body, not a headline
_CALL_TO_ACTION = frozenset(
    "get join sign subscribe click find log download book start try discover explore shop buy register "
    "contact follow watch call request schedule save enter claim grab unlock".split())


def _content_words(text: str) -> list[str]:
    """The words of `text` in lower case, split at apostrophes as `body_words` splits them, of 3
    characters or more, no stopwords (each once)."""
    out = []
    for w in text.lower().replace("'", " ").replace("’", " ").split():
        w = w.strip(_EDGE_CHARS)
        if len(w) >= 3 and w not in _STOP and w not in out:
            out.append(w)
    return out


_EDGE_CHARS = "\"“”‘()[]{}.,;:!?*|/<>=+&#@%^~`$"  # stripped from a word's ends
# those and the apostrophe as spaces, in UTF-8 (bytes from 128 on, other characters, stay)
_PUNCT_AS_SPACE = bytes(32 if c < 128 and chr(c) in _EDGE_CHARS + "'" else c for c in range(256))


def body_words(lines: list[_Line], probs: list[float], top: int) -> frozenset[str]:
    """The words of the first ``TITLE_BODY_WORDS`` words of the lines the model keeps from ``top``
    on, in lower case, split at spaces, punctuation, quotes and apostrophes ("Xiaomi's" gives
    "xiaomi" and "s")."""
    texts = []
    n = 0
    for i in range(top, len(lines)):
        if probs[i] >= _THRESHOLD:
            x = lines[i]
            texts.append(x.text)
            n += x.words
            if n >= TITLE_BODY_WORDS:
                break
    t = " ".join(texts).lower().replace("“", " ").replace("”", " ").replace("‘", " ").replace("’", " ")
    return frozenset(t.encode().translate(_PUNCT_AS_SPACE).decode().split())


def title_features(lines: list[_Line], i: int, cands: list[int], top: int, probs: list[float],
                   body: frozenset[str] = frozenset()) -> list[float]:
    """The headline scorer's features of candidate ``i``; ``body``: `body_words` of the page (a
    headline's words come back in the article's first paragraphs, a promo's or a menu's do not)."""
    x = lines[i]
    own = _content_words(x.text)
    m = _WORD.search(x.text)
    first = m[0].lower() if m else ""
    rank = cands.index(i)
    same = sum(1 for y in lines[: top + 5] if y.text == x.text)
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    prv = lines[i - 1] if i > 0 else None
    nxt_meta = 1.0 if nxt is not None and (nxt.rule in ("byline", "dateline") or md.looks_like_name(nxt.text)) else 0.0
    prv_rule = 1.0 if prv is not None and prv.rule is not None else 0.0
    return [
        1.0,
        min(x.words, 25) / 25,
        math.log1p(x.words),
        x.feats[7],  # capitalised words
        x.feats[6],  # stopwords
        x.feats[21],  # chrome words
        1.0 if rank == 0 else 0.0,
        1.0 if rank == len(cands) - 1 else 0.0,
        rank / max(len(cands) - 1, 1),
        math.log1p(max(top - i, 0)) / 3,
        math.log1p(i) / 3,
        1.0 if same > 1 else 0.0,
        nxt_meta,
        prv_rule,
        1.0 if x.text.endswith(("?", "!")) else 0.0,
        1.0 if ":" in x.text else 0.0,
        1.0 if x.nb == 1 else 0.0,
        probs[i],
        1.0 if x.text.isupper() else 0.0,
        1.0 if x.sent else 0.0,
        1.0 if x.rule is None and any(y.rule in ("byline", "dateline") for y in lines[i + 1:i + 4]) else 0.0,
        sum(w in body for w in own) / len(own) if own else 0.0,
        1.0 if first in _CALL_TO_ACTION else 0.0,
        1.0 if i > top else 0.0,
    ]


def _top_metadata(lines: list[_Line], keep: list[bool], reason: list[str | None],
                  hint: Metadata | None, probs: list[float], cut: int | None = None) -> tuple[str | None, str | None, list[str], str | None]:
    n = len(lines)
    bstart = body_start(lines, probs, reason)
    top = bstart
    title_i = None
    hint_title = _norm(hint.title) if hint and hint.title else ""
    if hint_title:
        for i in range(min(n, 80)):
            if _norm(lines[i].text) == hint_title or (len(hint_title) > 20 and _norm(lines[i].text).startswith(hint_title)):
                title_i = i
                break
    if title_i is None and top > 0:
        title_i = md.breadcrumb_echo([x.text for x in lines[: top + 1]])
    if title_i is None and top > 0:
        cands = title_candidates(lines, top)
        if cands:
            tm = _model().get("title")
            body = body_words(lines, probs, top)
            feats = [title_features(lines, i, cands, top, probs, body) for i in cands]
            scores = _lr(tm, feats) if tm else [f[1] for f in feats]
            k = max(range(len(cands)), key=lambda j: scores[j])
            if scores[k] >= TITLE_MIN:
                title_i = cands[k]
    title = lines[title_i].text if title_i is not None else None
    subtitle = None
    authors: list[str] = []
    published = None
    if title_i is not None:
        reason[title_i] = "title"
        tkey = _norm(title)
        for i in range(n):
            if (i != title_i and abs(len(lines[i].text) - len(title)) <= 12 and reason[i] is None
                    and _norm(lines[i].text) == tkey):
                reason[i] = "repeated_title"
        j = title_i + 1
        while j < n and reason[j] == "repeated_title":
            j += 1
        if j < n and reason[j] is None and lines[j].rule is None:
            y = lines[j]
            if 4 <= y.words <= 30 and not _BULLET.match(y.text) and not md.looks_like_name(y.text) and (
                    not keep[j] or not y.sent):
                subtitle = y.text
                reason[j] = "subtitle"
    # bylines and dates in the header region (up to a few lines past body start)
    end = min(n, max(bstart, (title_i or 0) + 1) + 3)
    for i in range(0, end):
        x = lines[i]
        if x.rule == "byline" or (reason[i] is None and x.text.lower().startswith("by ")):
            d = md.parse_date(x.text)
            if d and published is None:
                published = d
        elif x.rule == "dateline" and published is None and i <= bstart + 2:
            published = md.parse_date(x.text)
    authors = _find_authors(lines, keep, reason, title_i, end, cut)
    if published is None:
        for x in lines:
            if x.rule == "byline" and re.match(r"(?i)(?:published|posted|first published|originally published)", x.text):
                published = md.parse_date(x.text)
                if published:
                    break
    if published is None:
        # a short line carrying a date in the upper half of the article (not a teaser's date)
        words = [x.words if keep[i] else 0 for i, x in enumerate(lines)]
        half = sum(words) / 2
        cum = 0
        for i, x in enumerate(lines):
            if cum > half:
                break
            cum += words[i]
            if x.words <= 20 and reason[i] not in ("teaser", "related", "footer", "author_bio") and _HAS_DIGIT.search(x.text):
                if re.search(r"(?i)\b(?:updated|modified|copyright|©)\b", x.text):
                    continue
                d = md.parse_date(x.text)
                if d:
                    published = d
                    break
    return title, subtitle, authors, published


def _name_part(t: str) -> str | None:
    """The person's name in a short header line: "Jane Doe", "* Jane Doe", "Jane Doe March 3, 2024"."""
    t = _BULLET.sub("", t).strip()
    if _HAS_DIGIT.search(t):
        d, pos = md.find_date(t)
        if d and pos > 0:
            t = t[:pos]
    t = re.split(r"\s+(?:\||·|•|—|–|-)\s+|,\s+", t, maxsplit=1)[0].strip(" ,|")
    return t if md.looks_like_name(t) else None


def _mentions_author(t: str, name: str) -> bool:
    """`t` presents `name` as an author: "Name is ...", "About Name", "More articles by Name"."""
    if t.startswith(name) and re.match(r"\s+(?:is|was|has)\b", t[len(name):]):
        return True
    low, nl = t.lower(), name.lower()
    return any(f"{w} {nl}" in low for w in ("about", "by", "author", "author:"))


def _find_authors(lines: list[_Line], keep: list[bool], reason: list[str | None], title_i: int | None,
                  header_end: int, cut: int | None) -> list[str]:
    n = len(lines)
    limit = cut if cut is not None else n
    # "By Jane Doe" / "Written by Jane Doe" anywhere above the teasers; the first one wins
    for i in range(limit):
        x = lines[i]
        # after a bullet (at most five characters) "by " or "written by" has "by" in the first 16
        if x.words > 25 or (x.rule != "byline" and "by" not in x.text[:16].lower()):
            continue
        t = _BULLET.sub("", x.text)
        if x.rule == "byline" or t[:3].lower() == "by " or t[:10].lower() == "written by":
            got = md.authors_from_byline(t)
            if got:
                if reason[i] is None:
                    reason[i] = "byline"
                return got
    # a bare name next to the headline or in the header
    lo = 0 if title_i is None else max(0, title_i - 3)
    hi = header_end if title_i is None else min(n, title_i + 7)
    # "Written by Kristin", "By Acme Growth Marketing": one name that is no person's full name,
    # taken from a "by" line of the header only, under the headline first; elsewhere, and in a
    # run of "By ..." lines ("By Category", "By Region"), it is a filter label
    def by_line(j: int) -> bool:
        return 0 <= j < n and lines[j].words <= 25 and "by" in lines[j].text[:16].lower()

    order = range(lo, min(hi, limit)) if title_i is None else [
        *range(title_i + 1, min(hi, limit)), *range(lo, title_i)]
    for i in order:
        if not by_line(i) or by_line(i - 1) or by_line(i + 1):
            continue
        x = lines[i]
        got = md.authors_from_byline(_BULLET.sub("", x.text), loose=True)
        if got:
            if reason[i] is None:
                reason[i] = "byline"
            return got
    for i in range(lo, min(hi, limit)):
        x = lines[i]
        if i == title_i or x.words > 12 or (keep[i] and reason[i] is None and x.words > 6):
            continue
        if reason[i] not in (None, "byline", "dateline", "navigation", "comments"):
            continue
        name = _name_part(x.text)
        if not name:
            continue
        dated = name != _BULLET.sub("", x.text).strip() and _HAS_DIGIT.search(x.text) is not None
        near = any(lines[j].rule in ("dateline", "byline") for j in range(max(0, i - 2), min(n, i + 3)) if j != i)
        if not (dated or near):
            near = any(name in lines[j].text and _mentions_author(lines[j].text, name) for j in range(i + 1, n))
        if dated or near:
            if reason[i] is None:
                reason[i] = "byline"
            return [name]
    return []


def _site_from_footer(lines: list[_Line]) -> str | None:
    for x in reversed(lines[-25:]):
        if x.rule == "footer":
            s = md.site_from_copyright(x.text)
            if s:
                return s
    return None


_TELLS = re.compile(r"\b(?:told|tells|telling|speaking to|spoke to)\s+(?P<o>The\s+[A-Z][\w'’]+(?:\s+[A-Z][\w'’]+)?)")


def _site_from_teasers(lines: list[_Line], reason: list[str | None], cut: int | None) -> str | None:
    """A site's own teasers credit the site itself: "Founder tells The Example"."""
    if cut is None:
        return None
    names: dict[str, int] = {}
    for i in range(cut, len(lines)):
        for m in _TELLS.finditer(lines[i].text):
            names[m.group("o")] = names.get(m.group("o"), 0) + 1
    if not names:
        return None
    best = max(names.items(), key=lambda kv: kv[1])
    return best[0]


_SENTENCE_END = re.compile(r"[.!?…][\"”’)]?(?=\s|$)")


def rescue_body(cleaned: Cleaned, *, min_words: int = 20, block_words: int = 80) -> Cleaned:
    """A page whose body came out (nearly) empty while long prose blocks were dropped keeps the
    longest of them as its body: dumps that run a whole page into a few giant lines mix the article with the
    menus, and a body with some chrome in it serves readers and dedup better than no body at all.

    Only blocks of at least `block_words` words with at least three sentence ends qualify, and never
    the headline or a block dropped as a credit, a bio or a byline.
    """
    if has_words(cleaned.text, min_words):
        return cleaned
    keep = [r for r in cleaned.removed
            if r.reason not in ("title", "subtitle", "repeated_title", "byline", "author_bio", "source_credit")
            and len(r.text.split()) >= block_words and len(_SENTENCE_END.findall(r.text)) >= 3]
    if not keep:
        return cleaned
    keep = [max(keep, key=lambda r: len(r.text))]  # the longest: the article's own giant line
    chosen = {id(r) for r in keep}
    body = [cleaned.text] if cleaned.text.strip() else []
    body += [r.text.strip() for r in keep]
    cleaned.text = "\n\n".join(body)
    cleaned.removed = [r for r in cleaned.removed if id(r) not in chosen]
    return cleaned
