"""Boxes of related-story links that the line classifier keeps: headline lists under a link header.

News pages put lists of other stories' headlines inside or after the article, under a short header
("Related", "Related Links", "Latest headlines", "Most popular", "Read more..."). The items look
much like the short lines of a real article (a subheading, a list item), so the classifier keeps
some of them; what gives them away is the header above them. This pass runs after the classifier
has decided and drops, under such a header, the run of short lines that form the box.

A header is a teaser-zone header of the text cleaner ("More stories", "Most popular", not "About
the author"), a short line dropped as a teaser link ("Related:", "Recommended"), or a short line
naming a list of links or headlines that the named rules do not know ("Latest headlines",
"Internal Links", "National & World Most Popular"). Under it:

- after a header, the first kept line sets the run's list marker ("*", "-", "1.", or none);
- the run goes on over lines of at most `ITEM_WORDS` words with the same marker (a short
  sub-header of at most three words between two items of the same list stays in the run);
- it stops at a longer line, a line ending in ":" (it introduces the article's own list), an
  unbulleted line that ends like a sentence, or a line with another marker;
- a card closer ("Read more", "See more") heads a box only when a bulleted list follows it: the
  same words also close a teaser card above the article's next paragraph or subheading.

Every line dropped here gets the reason "related"; a kept header line goes with its box.
"""
from __future__ import annotations

import re
from typing import Protocol, Sequence

ITEM_WORDS = 30  # the longest item of a box: a headline, or a headline run into its blurb
RUN_LINES = 30  # a box spans at most this many lines after its header

# a list marker: the bullet itself, "#" for a number, "a" for a letter
_MARK = re.compile(r"([*•·▪‣◦●■□+–—-])\s|(\d{1,3})[.)]\s|[a-z][.)]\s")
_SENT_END = re.compile(r"[.!?…][\"”’)]?$")
# headers the named rules of the text cleaner do not know: a list of links, headlines or the
# most read stories of the site ("National & World Most Popular")
_BOX_HEADER = re.compile(
    r"(?:(?:latest|top|more|related|other|popular|today'?s) headlines|"
    r"(?:related|internal|external|more|useful|other) links|"
    r"(?-i:(?:[A-Z][\w'’,]*|&) ){0,4}most (?:popular|read|viewed|emailed))\W*",
    re.I,
)
# zone headers of the text cleaner that head something else than a list of links
_NOT_BOX = re.compile(r"about the author", re.I)
_CLOSER = re.compile(r"(?:read more|see more|continue reading)\W*", re.I)


class LineLike(Protocol):
    text: str
    words: int
    zone: str | None


def _marker(t: str) -> str | None:
    m = _MARK.match(t)
    if m is None:
        return None
    return m.group(1) or ("#" if m.group(2) else "a")


def _header(x: LineLike, kept: bool, reason: str | None) -> str | None:
    """'box' if `x` heads a box of links, 'closer' if it may (a card closer), else None."""
    t = x.text
    if len(t) > 60 or (x.words > 6 and x.zone is None):
        return None
    if x.zone == "teaser":
        return None if _NOT_BOX.match(t) else "box"
    if x.words <= 4 and (not kept and reason in ("teaser", "related") or reason is None):
        if _CLOSER.fullmatch(t):
            return "closer"
        if reason is not None:
            return "box"
    if reason is None and _BOX_HEADER.fullmatch(t):
        return "box"
    return None


def related_box(lines: Sequence[LineLike], kept: Sequence[bool], i: int, kind: str) -> list[int]:
    """The kept lines of the box under the header at `i` (see the module docstring)."""
    n = len(lines)
    items: list[int] = []
    mark: str | None = None
    started = False
    j = i + 1
    while j < n and j - i <= RUN_LINES:
        y = lines[j]
        t = y.text
        if y.words > ITEM_WORDS or t.endswith(":"):
            break
        m = _marker(t)
        if not started:
            if m is None and kind == "closer":
                break
            mark, started = m, True
        elif m != mark:
            # a short sub-header ("Multimedia") between two items of the same bulleted list
            sub = (mark is not None and m is None and y.words <= 3 and j + 1 < n
                   and _marker(lines[j + 1].text) == mark and not _SENT_END.search(t))
            if not sub:
                break
        if m is None and kept[j] and _SENT_END.search(t):
            break
        if kept[j]:
            items.append(j)
        j += 1
    return items


def mark_related(lines: Sequence[LineLike], keep: Sequence[bool], reason: list[str | None]) -> None:
    """Set reason "related" on the kept lines of boxes of related links (and on a kept header of
    one). `keep` is the classifier's decision, `reason` the rules' (changed in place): a line is
    kept when `keep` is true and it has no reason."""
    n = len(lines)
    kept = [keep[i] and reason[i] is None for i in range(n)]
    taken = [False] * n  # items of a box found here: not headers themselves
    for i in range(n):
        x = lines[i]
        # `_header`'s first test, here: most lines are too long to head a box
        if taken[i] or len(x.text) > 60 or (x.words > 6 and x.zone is None):
            continue
        kind = _header(x, kept[i], reason[i])
        if kind is None:
            continue
        box = related_box(lines, kept, i, kind)
        if not box:
            continue
        if kept[i]:
            reason[i] = "related"
        for j in box:
            reason[j] = "related"
            kept[j], taken[j] = False, True
