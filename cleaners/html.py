"""HTML extraction: one safe parse, a DOM pre-clean, trafilatura on the cleaned tree, a post-pass.

Pipeline (the page is parsed once):

1. `parse_html` repairs a few kinds of broken markup that make libxml2 swallow a whole page
   (an unterminated ``<title>``, an XML declaration in a decoded string), then parses with lxml
   without network access and without entity/DTD processing. Inputs over `MAX_HTML_CHARS`
   are rejected; libxml2 caps nesting depth, so deeply nested input degrades instead of crashing.
2. Metadata is read from the raw tree: trafilatura's metadata extraction, completed with
   JSON-LD and ``<meta>`` tags (dates: two agreeing sources win), the h1 for the title when it
   agrees with the page title, and byline markup / a visible "By ..." line for authors.
3. `preclean` removes, with reasons, elements that are chrome rather than article: related-story
   widgets, share bars, newsletter / subscription boxes, bylines and author boxes, captions,
   breadcrumbs, comment sections, ads. They are recognised by tag and by class / id / role /
   aria-label tokens, and an element that holds most of the page's long paragraphs or real prose
   is never removed (class tokens such as ``post-share`` also appear on article containers).
   Structural rules add "Next story:" label + link pairs and lists of headline links that do
   not sit between paragraphs of the article.
4. trafilatura extracts the body from the cleaned tree (comments and tables off). When it keeps
   only a small share of the page's long paragraphs, `_rescue` extracts again from the element
   holding them (and, inside an article-like element, falls back to its paragraphs).
5. `postclean` drops output blocks that are really links to other pages (the text of a link
   elsewhere on the page: teaser headlines, "Next story: ..."), and the related-content zone
   that starts at a heading such as "Related stories" near the end.
"""
from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, field
from datetime import date

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from cleaners.model import Cleaned, Metadata, RejectError, Removed
from cleaners.rules import check_reason

MAX_HTML_CHARS = 20_000_000  # larger inputs are rejected (reason "html_too_large")

# libxml2's HTML parser stops descending at this depth; content nested deeper is dropped
LIBXML_MAX_DEPTH = 255

# safe parsing: no network, no DTDs or entities resolved (lxml's HTML parser never loads them),
# libxml2's own depth limit kept (huge_tree off)
_PARSER_OPTIONS = dict(collect_ids=False, default_doctype=False, no_network=True, remove_comments=True,
                       remove_pis=True, huge_tree=False)
_PARSER = lxml.html.HTMLParser(**_PARSER_OPTIONS)
# the same, for a page re-encoded as UTF-8 bytes (lxml refuses str input with an encoding declaration)
_BYTES_PARSER = lxml.html.HTMLParser(**_PARSER_OPTIONS, encoding="utf-8")

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_INVALID_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TITLE_OPEN = re.compile(r"<title\b[^>]*>", re.I)
_TITLE_CLOSE = re.compile(r"</title\s*>", re.I)
# a <title> whose end tag is this far away (or missing) is taken as unterminated
_TITLE_MAX = 2000


@dataclass(slots=True)
class HtmlExtract:
    """What the HTML path makes of a page: body blocks in order (no headline), metadata, removals."""

    blocks: list[str]
    metadata: Metadata
    removed: list[Removed] = field(default_factory=list)


# --------------------------------------------------------------------------- parsing


def repair_html(html: str) -> str:
    """Fix markup faults that make the parser swallow the whole page.

    - control characters that are not allowed in XML trees are dropped;
    - an XML declaration is stripped (lxml refuses decoded strings that carry one);
    - an unterminated ``<title>`` (no ``</title>`` within `_TITLE_MAX` characters) is closed at
      its first line break or ``<``, otherwise libxml2 reads the rest of the page as title text.
    """
    html = _INVALID_XML_CHARS.sub("", html)
    html = _XML_DECL.sub("", html, count=1)
    m = _TITLE_OPEN.search(html, 0, 200_000)
    if m:
        start = m.end()
        close = _TITLE_CLOSE.search(html, start)
        if close is None or close.start() - start > _TITLE_MAX:
            window = html[start : start + _TITLE_MAX]
            cut = len(window)
            for stop in ("\n", "<"):
                i = window.find(stop)
                if 0 <= i < cut:
                    cut = i
            cut = min(cut, 300)
            html = html[: start + cut] + "</title>" + html[start + cut :]
    return html


def parse_html(html: str) -> HtmlElement:
    """Parse decoded HTML safely (no network, no entity expansion, no DTD loading)."""
    if len(html) > MAX_HTML_CHARS:
        raise RejectError("html_too_large", f"{len(html)} characters (limit {MAX_HTML_CHARS})")
    text = repair_html(html)
    if not text.strip():
        raise RejectError("html_empty", "no markup")
    try:
        try:
            tree = lxml.html.document_fromstring(text, parser=_PARSER)
        except ValueError:  # an encoding declaration the repair could not strip
            tree = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=_BYTES_PARSER)
    except (etree.ParserError, ValueError) as err:
        raise RejectError("html_unparsable", str(err)) from err
    if tree is None:
        raise RejectError("html_unparsable", "parser returned nothing")
    return tree


def tree_depth(tree: HtmlElement) -> int:
    """Maximum element depth, computed without recursion."""
    best = 0
    stack = [(tree, 1)]
    while stack:
        el, d = stack.pop()
        if d > best:
            best = d
        stack.extend((child, d + 1) for child in el)
    return best


# --------------------------------------------------------------------------- helpers

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _key(text: str) -> str:
    """Comparison key: lower case, words only."""
    return " ".join(_WORD.findall(text.lower()))


# --------------------------------------------------------------------------- DOM pre-clean

# class names that carry taxonomy values rather than roles ("category-social-media", "tag-share")
_TAXONOMY_CLASS = re.compile(r"^(?:(?:category|tag|tags|topic|channel|format|type|status)[-_]|post-\d)", re.I)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")

# (reason, pattern over the space-joined lower-case parts of class / id / role / aria-label,
#  maximum text length of an element removed for it: None = no limit beyond the main-text guard)
_TOKEN_RULES: list[tuple[str, re.Pattern[str], int | None]] = [
    ("comments", re.compile(r"\b(?:comments?|commentlist|comment (?:list|form|section|area|thread|respond)s?|disqus|respond)\b"), None),
    ("related", re.compile(
        r"\b(?:related|recommended|recommendations?|recirc|recirculation|more (?:stories|articles|news|posts|from|on|in)"
        r"|read (?:more|next|also)|readmore|also read|you may (?:also )?like|you might (?:also )?like|most (?:read|popular|viewed|shared)"
        r"|popular (?:posts|stories|articles)|trending|next (?:story|article|post)|prev(?:ious)? (?:story|article|post)"
        r"|post navigation|outbrain|taboola|further reading|more like this|similar (?:posts|articles|stories)|latest (?:posts|news|stories))\b"
    ), None),
    ("promo", re.compile(
        r"\b(?:newsletters?|subscribe|subscription|subscriptions|signup|sign up|optin|opt in|promo|promotion|cta|donate|donation"
        r"|mailing list|email capture|lead form|app download|membership|paywall prompt|inline signup)\b"
    ), 1500),
    ("share", re.compile(r"\b(?:share|shares|sharing|sharebar|share buttons?|social|social links|addthis|sharethis|follow us|print email)\b"), 600),
    ("byline", re.compile(r"\b(?:byline|bylines|author (?:bio|box|info|card|details|meta|name|block|wrap|wrapper)|about (?:the )?author|post author|article author|entry author|contributor)\b"), 1500),
    ("caption", re.compile(r"\b(?:caption|captions|figcaption|photo credit|image credit|credits?)\b"), 600),
    ("navigation", re.compile(r"\b(?:breadcrumbs?|pagination|pager|skip link|skip to content|navigation|nav|menu|toc toggle)\b"), None),
    ("ad", re.compile(r"\b(?:ad|ads|advert|adverts|advertisement|advertising|sponsored|sponsor|dfp|adslot|ad slot|ad container|ad wrapper|gpt ad)\b"), 1500),
    ("tags", re.compile(r"\b(?:tags|tag list|tag cloud|tagcloud|post tags|article tags|keywords)\b"), 600),
]

_TAG_RULES: dict[str, tuple[str, int | None]] = {
    "figcaption": ("caption", 1000),
    "nav": ("navigation", None),
    "aside": ("related", None),
}

# elements never removed themselves (their children may be)
_PROTECTED_TAGS = {"html", "body", "head", "main"}
# never judged by class tokens: code (syntax highlighters use classes such as "comment") and
# inline formatting
_NO_TOKEN_TAGS = {"pre", "code", "kbd", "samp", "var", "b", "i", "em", "strong", "sup", "sub", "abbr", "time"}
# rules without a length limit give way when the element holds this much prose outside links
_PROSE_GUARD_CHARS = 1200
_PROSE_GUARD_LINK_DENSITY = 0.25

_LONG_P_WORDS = 20


def _attr_words(el: HtmlElement) -> str:
    parts: list[str] = []
    for attr in ("class", "id", "role", "aria-label"):
        value = el.get(attr)
        if not value:
            continue
        if attr == "class":
            names = [n for n in value.split() if not _TAXONOMY_CLASS.match(n)]
        else:
            names = [value]
        for name in names:
            parts.extend(p.lower() for p in _SPLIT.split(_CAMEL.sub(" ", name)) if p)
        parts.append("|")
    return " ".join(parts)


# all token rules in one pattern: the name of the group that matched is the rule's index
_ANY_RULE = re.compile("|".join(f"(?P<r{i}>{p.pattern})" for i, (_, p, _) in enumerate(_TOKEN_RULES)))
_RULE_CACHE: dict[tuple, tuple[str, int | None] | None] = {}


def classify_element(el: HtmlElement) -> tuple[str, int | None] | None:
    """The (reason, max text length) rule an element matches by tag or attribute tokens, if any."""
    tag = el.tag
    if tag in _TAG_RULES:
        return _TAG_RULES[tag]
    if tag in _PROTECTED_TAGS or tag in _NO_TOKEN_TAGS or not isinstance(tag, str):
        return None
    attrib = el.attrib
    if not attrib:
        return None
    get = attrib.get
    attrs = (get("class"), get("id"), get("role"), get("aria-label"))
    try:
        return _RULE_CACHE[attrs]
    except KeyError:
        pass
    words = _attr_words(el)
    rule = None
    if words:
        m = _ANY_RULE.search(words)
        if m:
            reason, _, limit = _TOKEN_RULES[int(m.lastgroup[1:])]
            rule = (reason, limit)
    if len(_RULE_CACHE) > 50_000:
        _RULE_CACHE.clear()
    _RULE_CACHE[attrs] = rule
    return rule


def _long_paragraph_chars(tree: HtmlElement) -> dict[HtmlElement, int]:
    """Text length of every paragraph with at least `_LONG_P_WORDS` words (main-text evidence)."""
    out: dict[HtmlElement, int] = {}
    for p in tree.iter("p"):
        t = p.text_content()
        if len(t) >= 4 * _LONG_P_WORDS and len(t.split()) >= _LONG_P_WORDS:
            out[p] = len(t)
    return out


_VISIBLE_TEXT = etree.XPath(".//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]")
_LINK_TEXT = etree.XPath(".//a//text()[not(ancestor::script) and not(ancestor::style)]")


def visible_text(el: HtmlElement) -> str:
    """The element's text without script / style content, whitespace collapsed."""
    return _norm("".join(_VISIBLE_TEXT(el)))


def _removable(el: HtmlElement, rule: tuple[str, int | None], long_p: dict, total_long: int) -> bool:
    """Whether an element matched by `rule` may go (the main-text guards)."""
    reason, limit = rule
    if reason == "comments" and el.tag == "span":
        return False  # syntax highlighters mark code comments with such classes
    raw = el.text_content()
    if limit is not None and len(raw) > limit:
        text = visible_text(el)
        if len(text) > limit:
            return False
    if total_long:
        inside = sum(long_p.get(p, 0) for p in el.iter("p"))
        if inside and (inside > 0.3 * total_long or inside > 1500):
            return False
    if limit is None and reason in ("navigation", "related") and len(raw) > _PROSE_GUARD_CHARS:
        if prose_chars(el) > _PROSE_GUARD_CHARS:
            text_len = len(visible_text(el))
            link_len = len(_norm("".join(_LINK_TEXT(el))))
            if link_len < _PROSE_GUARD_LINK_DENSITY * text_len:
                return False
    return True


_PROSE_TEXT = etree.XPath(
    ".//text()[not(ancestor::a) and not(ancestor::script) and not(ancestor::style)"
    " and not(ancestor::noscript) and not(ancestor::button) and not(ancestor::select)]"
)
_PROSE_RUN_WORDS = 15


def prose_chars(el: HtmlElement) -> int:
    """Characters in runs of text of `_PROSE_RUN_WORDS` words or more that are not link text
    (sentences of an article, not items of a menu)."""
    total = 0
    for t in _PROSE_TEXT(el):
        if len(t) > 4 * _PROSE_RUN_WORDS and len(t.split()) >= _PROSE_RUN_WORDS:
            total += len(t.strip())
    return total


_LABEL_TEXT = re.compile(
    r"^\s*(?:next|previous|prev|related|see also|also see|read more|read also|also read|more)"
    r"(?: (?:story|article|post|stories|articles|posts|news))?\s*[:»>|-]?\s*$",
    re.I,
)
_LIST_MIN_ITEMS = 3
_LIST_MIN_WORDS = 4


def _off_page(a: HtmlElement) -> bool:
    href = (a.get("href") or "").strip().lower()
    return bool(href) and not href.startswith(("#", "javascript:", "mailto:"))


def _contains_long_p(el: HtmlElement, long_p: dict) -> bool:
    if el.tag == "p":
        return el in long_p
    return any(p in long_p for p in el.iter("p"))


def _between_paragraphs(el: HtmlElement, long_p: dict) -> bool:
    """Whether long paragraphs sit both before and after `el` among its parent's children."""
    parent = el.getparent()
    if parent is None:
        return False
    before = after = False
    seen = False
    for sib in parent:
        if sib is el:
            seen = True
            continue
        if not isinstance(sib.tag, str):
            continue
        if _contains_long_p(sib, long_p):
            if seen:
                after = True
            else:
                before = True
        if before and after:
            return True
    return False


_LABELLED_LINKS = etree.XPath(
    "//a[@href][preceding-sibling::*[1][self::b or self::strong or self::span or self::em or self::i"
    " or self::label or self::h3 or self::h4 or self::h5 or self::h6]]"
)
def structural_chrome(tree: HtmlElement, long_p: dict) -> list[tuple[HtmlElement, str]]:
    """Chrome recognised by structure rather than by name.

    - a label such as "Next story:" in its own element followed by a link to another page;
    - a list (ul/ol) of at least `_LIST_MIN_ITEMS` items that are each a headline-like link
      (`_LIST_MIN_WORDS` words or more, nearly all the item's text inside the link), unless it
      sits between paragraphs of the article (where it is a list of sources or references).
    """
    out: list[tuple[HtmlElement, str]] = []
    for a in _LABELLED_LINKS(tree):
        prev = a.getprevious()
        if prev is None or (prev.tail or "").strip() or not _off_page(a):
            continue
        if _LABEL_TEXT.match(prev.text_content() or ""):
            out.append((prev, "related"))
            out.append((a, "related"))
    for lst in tree.iter("ul", "ol"):
        if len(lst) < _LIST_MIN_ITEMS:
            continue
        items = [li for li in lst if li.tag == "li"]
        if len(items) < _LIST_MIN_ITEMS:
            continue
        ok = bad = 0
        for li in items:
            text = _norm(li.text_content())
            link = _norm(" ".join(x.text_content() for x in li.iter("a") if _off_page(x)))
            if text and len(link) >= 0.8 * len(text) and len(link.split()) >= _LIST_MIN_WORDS:
                ok += 1
            else:
                bad += 1
                if bad > 0.2 * len(items):
                    break
        if ok >= 0.8 * len(items) and not _between_paragraphs(lst, long_p):
            out.append((lst, "related"))
    return out


def preclean(tree: HtmlElement, removed: list[Removed], stats: dict | None = None) -> int:
    """Remove chrome elements from `tree` in place, appending what went to `removed`.

    An element matched by a rule is kept when it holds a large share of the page's long
    paragraphs (it is then the article container, whatever its class says) or when its text is
    longer than the rule's limit; its children are then examined in turn. The walk is iterative
    (no recursion) and top-down. Returns the number of elements removed.
    """
    long_p = _long_paragraph_chars(tree)
    total_long = sum(long_p.values())
    if stats is not None:
        stats["long_paragraph_chars"] = total_long
        stats["long_paragraph_chars_in_tables"] = sum(
            n for p, n in long_p.items() if any(a.tag == "table" for a in p.iterancestors())
        )
        stats["data_tables"] = sum(1 for t in tree.iter("table") if is_data_table(t))
    chosen: list[tuple[HtmlElement, str]] = []
    stack: list[HtmlElement] = [tree]
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        rule = classify_element(el)
        if rule is not None and _removable(el, rule, long_p, total_long):
            chosen.append((el, rule[0]))
            continue
        if len(el):
            stack.extend(reversed(el))
    removed_set = {el for el, _ in chosen}
    for el, reason in structural_chrome(tree, long_p):
        if el in removed_set or any(a in removed_set for a in el.iterancestors()):
            continue
        removed_set.add(el)
        chosen.append((el, reason))
    for el, reason in chosen:
        text = _norm(el.text_content())
        if text:
            removed.append(Removed(text[:2000], check_reason(reason)))
        if el.getparent() is not None:
            el.drop_tree()
    return len(chosen)


# --------------------------------------------------------------------------- link texts

_MIN_LINK_WORDS = 4


_HREF_LINKS = etree.XPath("//a[@href]")


def off_page_link_texts(tree: HtmlElement) -> set[str]:
    """Keys of the texts of links that lead to other pages (in-page '#' anchors excluded).

    Only texts of `_MIN_LINK_WORDS` words or more count: they look like headlines of other stories.
    """
    out: set[str] = set()
    for a in _HREF_LINKS(tree):
        href = a.get("href").lstrip()
        if not href or href[0] == "#" or href[:11].lower() == "javascript:":
            continue
        raw = a.text_content()
        if len(raw) < 12:
            continue
        if "://" in raw or "www." in raw:
            continue  # a bare URL shown as text is a reference, not a headline
        key = _key(raw)
        if key.count(" ") + 1 >= _MIN_LINK_WORDS:
            out.add(key)
    return out


# --------------------------------------------------------------------------- post-pass

# a short label before a link to another story: "Next story: ...", "Related: ...", "See also - ..."
_LINK_LABEL = re.compile(
    r"^\s*(?:next|previous|prev|related|see also|also see|read more|read also|also read|more|watch|"
    r"listen|click here|read|recommended|more on this|more from)\b[^:|\-–—]{0,30}[:|\-–—»>]+\s*",
    re.I,
)

# a heading that opens the related-content zone at the end of an article
_ZONE_HEADING = re.compile(
    r"^\s*(?:related(?: (?:stories|articles|posts|content|news|coverage|links|reading|topics|videos))?|"
    r"more (?:stories|articles|news|posts|coverage|headlines)(?: from .{1,40}| on .{1,40}| in .{1,40})?|"
    r"more .{1,30} (?:news|stories|headlines)|more from .{1,40}|"
    r"you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|"
    r"recommended(?: for you| stories| articles| reading)?|most (?:read|popular|viewed|shared|commented)(?: .{1,30})?|"
    r"trending(?: now| stories)?|popular (?:stories|posts|articles)|latest (?:news|stories|posts|articles)|"
    r"other stories|top stories|external links|further reading)\s*[:.!»>]*\s*$",
    re.I,
)
# a heading of an inline promotion inside an article: only the heading itself goes
_INLINE_PROMO_HEADING = re.compile(
    r"^\s*(?:don'?t miss|read (?:more|next|also)|also read|see also|up next|keep reading|"
    r"what to read next|watch|listen)\s*[:.!»>]*\s*$",
    re.I,
)


_CORE_WORDS = 30


def _is_link_block(block: str, link_texts: set[str]) -> bool:
    """The block is the text of a link to another page, alone or after a short label."""
    key = _key(block.lstrip("-*• "))
    if key and key in link_texts:
        return True
    m = _LINK_LABEL.match(block)
    return bool(m) and _key(block[m.end():]) in link_texts


def postclean(blocks: list[str], link_texts: set[str], removed: list[Removed]) -> list[str]:
    """Drop blocks that are links to other stories, and the related zone after a zone heading.

    The core of the article runs from its first to its last block of `_CORE_WORDS` words or more
    that is not a link. Outside the core every link block goes; inside it, stand-alone link
    paragraphs go ("Don't miss: ...") but list items stay (an article may list its sources).
    A zone heading ("Related stories", "More from ...") goes, and so does everything after it
    when that is mostly links.
    """
    is_link = [_is_link_block(b, link_texts) for b in blocks]
    core = [i for i, b in enumerate(blocks) if not is_link[i] and b.count(" ") + 1 >= _CORE_WORDS]
    first, last = (core[0], core[-1]) if core else (len(blocks), -1)
    kept: list[str] = []
    n = len(blocks)
    i = 0
    while i < n:
        block = blocks[i]
        if is_link[i]:
            in_core = first <= i <= last
            if not (in_core and block.startswith("- ")):
                removed.append(Removed(block, check_reason("related")))
                i += 1
                continue
        if _ZONE_HEADING.match(block) and len(block) < 80:
            # the zone runs to the end when what follows is links and teasers: a good share of
            # link blocks, or only short blocks adding up to less than the article so far
            rest = range(i + 1, n)
            links = sum(1 for j in rest if is_link[j])
            rest_words = sum(blocks[j].count(" ") + 1 for j in rest)
            kept_words = sum(b.count(" ") + 1 for b in kept)
            short = all(len(blocks[j]) < 400 for j in rest) and rest_words < kept_words
            removed.append(Removed(block, check_reason("related")))
            if len(rest) and (links >= 0.4 * len(rest) or short):
                removed.extend(Removed(blocks[j], check_reason("related")) for j in rest)
                break
            i += 1
            continue
        if _INLINE_PROMO_HEADING.match(block):
            removed.append(Removed(block, check_reason("teaser")))
            i += 1
            continue
        kept.append(block)
        i += 1
    return kept


# --------------------------------------------------------------------------- metadata

_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|\band\b|&|\|)\s*", re.I)
_AUTHOR_BY = re.compile(r"^\s*(?:by|von|par|por|written by|posted by)\s+", re.I)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def split_authors(raw: str | None) -> list[str]:
    """'A and B', 'A, B', 'A; B' -> ['A', 'B'] (a leading 'By' removed, duplicates dropped)."""
    if not raw:
        return []
    out: list[str] = []
    for part in _AUTHOR_SPLIT.split(_AUTHOR_BY.sub("", raw)):
        name = _norm(_AUTHOR_BY.sub("", part)).strip(" .-–—")
        if not name or not any(c.isalpha() for c in name) or len(name) > 80:
            continue
        if name.lower() not in (o.lower() for o in out):
            out.append(name)
    return out


def iso_date(raw: str | None) -> str | None:
    """'2024-03-05...' -> '2024-03-05' when it is a real calendar date, else None."""
    if not raw:
        return None
    m = _ISO_DATE.match(raw.strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _is_dek(description: str | None, title: str | None, blocks: list[str]) -> bool:
    """A description is a real subtitle when it is a full sentence-like line, not the body's start."""
    if not description:
        return False
    d = _norm(description)
    if len(d) < 25 or len(d) > 400 or d.endswith(("...", "…")):
        return False
    dk = _key(d)
    if title and dk == _key(title):
        return False
    head = _key(" ".join(blocks[:2]))
    return not head.startswith(dk[: max(20, len(dk) // 2)])


_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•»:]|::|--)\s+")
# separators that set a section / tagline off a headline shown on the page (h1): a pipe always,
# a dash when both sides read as titles of their own
_PIPE = re.compile(r"\s+[|•·»]\s+")
_DASH = re.compile(r"\s+[-–—]\s+")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")


def _overlap(a: str, b: str) -> float:
    """Share of the words of `a` that are also in `b`."""
    wa, wb = set(_key(a).split()), set(_key(b).split())
    return len(wa & wb) / len(wa) if wa else 0.0


# characters that are not shown (zero-width spaces and joiners, word joiner, byte order mark, soft
# hyphen) and the full-width forms of ASCII letters, digits and punctuation (U+FF01-U+FF5E, the
# ASCII character plus 0xFEE0), which Latin-script titles carry from East Asian input methods
_INVISIBLE = dict.fromkeys([0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF])
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH_CHARS = re.compile("[\uff01-\uff5e]")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _title_text(text: str) -> str:
    """A title candidate as text: entities the page escaped twice decoded, invisible characters
    dropped, full-width ASCII forms made ASCII in a title without Chinese, Japanese or Korean
    script (where they are that script's own punctuation), spaces normalised."""
    if "&" in text and _ENTITY.search(text):
        text = html_lib.unescape(_norm(text))
    text = text.translate(_INVISIBLE)
    if _FULLWIDTH_CHARS.search(text) and not _CJK.search(text):
        text = text.translate(_FULLWIDTH)
    return _norm(text)


def _site_keys(site_name: str | None, host: str | None = None) -> tuple[str, set[str]]:
    """The site's comparison key (words) and its space-free forms, from the site name and the
    host name ("www.coastgazette.co.uk" -> "coastgazette")."""
    site = _key(site_name or "")
    compact = {site.replace(" ", "")} if site else set()
    if host:
        labels = [x for x in host.lower().split(".") if x and x != "www"]
        if len(labels) >= 2:
            # the registered name: the label before the public suffix ("co.uk" counts as one)
            name = labels[-3] if len(labels) >= 3 and len(labels[-2]) <= 3 and len(labels[-1]) == 2 else labels[-2]
            compact.add(re.sub(r"[^a-z0-9]", "", name))
    return site, {c for c in compact if len(c) >= 4}


def _names_site(part: str, site: str, compact: set[str]) -> bool:
    """Whether a title part names the site (its words inside the site name or the other way
    round, or the same letters without spaces: "Coast Gazette" / "coastgazette.com")."""
    k = _key(part)
    if not k:
        return False
    if site and (k in site or site in k):
        return True
    if compact and len(k.split()) <= 5:
        kc = k.replace(" ", "")
        return any(kc == c or (kc.startswith(c) and kc[len(c):] in ("com", "net", "org", "couk", "co", "tv"))
                   for c in compact)
    return False


def _parts(title: str, sep: re.Pattern[str]) -> list[tuple[int, int]]:
    """(start, end) spans of the parts of `title` between separators."""
    spans, pos = [], 0
    for m in sep.finditer(title):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(title)))
    return spans


def strip_site_from_title(title: str, site_name: str | None, host: str | None = None) -> str:
    """'Headline | Site' / 'Site - Headline' -> 'Headline': drop the site-name part at either end
    (and short trailing section names: 'Headline - News'). The kept text is the page's own, its
    inner separators as written."""
    spans = _parts(title, _TITLE_SEPARATORS)
    if len(spans) < 2:
        return title
    site, compact = _site_keys(site_name, host)
    lo, hi = 0, len(spans) - 1
    # parts that name the site split the title; the headline is in the first run between them
    # ('Headline - Site - tagline', 'Site - Section - Headline')
    named = [_names_site(title[a:b], site, compact) for a, b in spans]
    if any(named) and not all(named):
        runs, start = [], None
        for i, n in enumerate(named + [True]):
            if not n and start is None:
                start = i
            elif n and start is not None:
                runs.append((start, i - 1))
                start = None
        lo, hi = runs[0]
    # the longest part is the headline; outer parts that are short or name the site go
    while hi > lo:
        first, last = title[slice(*spans[lo])], title[slice(*spans[hi])]
        if _names_site(last, site, compact):
            hi -= 1
        elif _names_site(first, site, compact):
            lo += 1
        elif len(last.split()) <= 4 and len(last) < (spans[hi - 1][1] - spans[lo][0]) / 2:
            hi -= 1
        else:
            break
    return title[spans[lo][0]:spans[hi][1]]


def _words(text: str) -> list[str]:
    """Whitespace-separated words with a letter or digit ('Long-Distance' is one, '&' none)."""
    return [w for w in text.split() if any(c.isalnum() for c in w)]


def strip_headline_tail(text: str, site_name: str | None = None, host: str | None = None) -> str:
    """A shown headline without a trailing section, tagline or site name set off by a separator:
    'Harbour plan approved | Opinion', 'Tide tables explained – Beginner Guide'. A pipe part of
    up to `_TAIL_WORDS` words goes; a dash part goes when it is that short, starts like a title
    (capital or digit, not a word that carries the sentence on: 'From', 'And', 'With'...) and what
    stays has `_TAIL_HEAD_WORDS` words or more. Longer or lower-case continuations
    ('... — and why it matters') are part of the headline."""
    site, compact = _site_keys(site_name, host)
    while True:
        cut = None
        for sep in (_PIPE, _DASH):
            spans = _parts(text, sep)
            if len(spans) < 2:
                continue
            head, tail = text[: spans[-2][1]], text[spans[-1][0]:]
            words = _words(tail)
            if not words:
                continue
            if _names_site(tail, site, compact):
                cut = head
            elif len(words) <= _TAIL_WORDS and len(_words(head)) >= _TAIL_HEAD_WORDS and (
                    sep is _PIPE or (tail[:1].isupper() or tail[:1].isdigit()) and words[0].lower() not in _CONTINUATIONS):
                cut = head
            if cut:
                break
        if not cut:
            return text
        text = cut


_TAIL_WORDS = 4
_TAIL_HEAD_WORDS = 3
# a dash part that starts with one of these continues the headline's sentence
_CONTINUATIONS = frozenset("and or but so yet from with without for by in on at to of as than plus".split())

# a lone h1 of this many words is the visible headline even when the <title> says otherwise
_H1_HEADLINE_WORDS = (5, 25)
_BLOCK_TAGS = frozenset({"div", "p", "br", "h2", "h3", "h4", "section", "header", "li", "ul"})


def _heading_text(h: HtmlElement) -> str:
    """The text of a heading, a space between its block-level pieces (a kicker and a headline in
    one h1 are two phrases, not one run-on word)."""
    if not any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS for c in h.iter()):
        return _title_text(h.text_content())
    out: list[str] = []

    def walk(e: HtmlElement) -> None:
        if e.text:
            out.append(e.text)
        for c in e:
            if isinstance(c.tag, str) and c.tag in _BLOCK_TAGS:
                out.append(" ")
                walk(c)
                out.append(" ")
            elif isinstance(c.tag, str):
                walk(c)
            if c.tail:
                out.append(c.tail)

    walk(h)
    return _title_text("".join(out))


def _has_words(text: str) -> bool:
    """Whether a heading reads as words: three letters or more ('94', 'Ω 48' are counters and
    icons; 'U2 at 40' is a headline)."""
    return sum(c.isalpha() for c in text) >= 3


def _h1_candidates(tree: HtmlElement) -> list[tuple[str, bool]]:
    """Texts of the page's first h1 elements, each with whether it is a link (a logo or a
    teaser rather than the page's own headline)."""
    out: list[tuple[str, bool]] = []
    for h in tree.iter("h1"):
        t = _heading_text(h)
        if 3 <= len(t) <= 300 and "{{" not in t and _has_words(t):
            linked = h.find(".//a") is not None or any(a.tag == "a" for a in h.iterancestors())
            out.append((t, linked))
        if len(out) >= 5:
            break
    return out


# what an h1 holds besides the headline when it also carries the post's date, byline, comment
# count or source ("Dec 18 2025 ...", "... Posted on July 1, 2024 by admin", "... (example.com) 87")
_H1_EXTRA = re.compile(
    r"^(?:\d+|(?:posted|published|updated|by)\b.*|\w+ (?:com|org|net|co uk|io)(?: \d+)?"
    r"|(?:\w+ ){0,2}(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]* \d{1,2}(?: \d{4})?"
    r"|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*(?: \d{4})?)$"
)


def _shown_worse(shown: str, declared: str) -> bool:
    """Whether the page title (`declared`, site part removed) is a better headline than the h1
    text `shown` that agrees with it:

    - the h1 is the declared title plus a date, byline, count or source, or plus a one-word label
      before a colon ('Blog: ...');
    - the h1 is in capitals where the declared title (one part, no separators left) is not: a
      styled heading.
    """
    letters = [c for c in shown if c.isalpha()]
    if (len(letters) >= 8 and shown.upper() == shown and any(c.islower() for c in declared)
            and not _TITLE_SEPARATORS.search(declared)):
        return True
    ks, kd = _key(shown), _key(declared)
    if not kd or ks == kd:
        return False
    i = f" {ks} ".find(f" {kd} ")
    if i < 0:
        return False
    prefix, suffix = ks[:i].strip(), ks[i + len(kd):].strip()
    if any(x and _H1_EXTRA.match(x) for x in (prefix, suffix)):
        return True
    if prefix and not suffix and " " not in prefix:
        head = shown.split(":", 1)[0]
        return ":" in shown and _key(head) == prefix
    return False


# an h1 agrees with the page title when most of the words of one are in the other, and they
# share two words or more or the two shares add up to this much (one word of a long title is
# not agreement)
_AGREE_SUM = 1.2
_PART_MIN_WORDS = 3
_PART_SCAN_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "option", "select"})


def shown_title_part(tree: HtmlElement, page_title: str, stripped: str) -> str:
    """Of the page title's parts (and runs of neighbouring parts), the longest one the page shows
    as a text of its own (a heading, a bold line, a link: 'Site Name - News - Headline' where the
    body shows 'Headline'); else `stripped`, the title without its site part, also when the part
    shown holds `stripped` and more (a section or site name shown next to the headline). A part
    needs `_PART_MIN_WORDS` words."""
    spans = _parts(page_title, _TITLE_SEPARATORS)
    if len(spans) < 2:
        return stripped
    wanted: dict[str, str] = {}
    for i in range(len(spans)):
        for j in range(i, len(spans)):
            text = page_title[spans[i][0]:spans[j][1]]
            if len(_words(text)) >= _PART_MIN_WORDS:
                wanted.setdefault(_key(text), text)
    if not wanted:
        return stripped
    lo = min(len(k) for k in wanted) * 0.8
    hi = max(len(t) for t in wanted.values()) * 1.5 + 10
    body = tree.find("body")
    found: str | None = None
    for el in (body if body is not None else tree).iter():
        if not isinstance(el.tag, str) or el.tag in _PART_SCAN_TAGS:
            continue
        for text in (el.text, el.tail):
            if text and lo <= len(text) <= hi:
                t = wanted.get(_key(text))
                if t is not None and (found is None or len(t) > len(found)):
                    found = t
    if found is None or (stripped in found and found != stripped):
        return stripped  # the parts stripped off are shown next to the headline, not part of it
    return found


def pick_title(tree: HtmlElement, page_title: str | None, site_name: str | None,
               headline: str | None = None, host: str | None = None) -> str | None:
    """The headline, from the page's h1 elements, its <title>/og:title (`page_title`), the
    JSON-LD `headline`, and the site's name and host (to tell site parts from the headline).

    h1 texts are read with a space between block pieces and without a short trailing section
    (`strip_headline_tail`); linked h1s that name the site are logos. Then:

    - an h1 that is the whole page title as written;
    - an h1 that agrees with the page title (most of its words shared either way, two words or
      more shared), unless it only adds a date, byline, count or label to it or shows it in
      capitals (`_shown_worse`): then the page title;
    - an h1 that the JSON-LD headline names exactly;
    - the page's only h1 when it reads as a headline (`_H1_HEADLINE_WORDS` words, not a link):
      the visible headline, where the <title> is often an SEO variant of it;
    - else the part of the page title the page shows as a text of its own, or the page title
      without its site-name parts (`shown_title_part`, `strip_site_from_title`).

    A "site name" that is both the text of an unlinked h1 and the longest part of the page title
    is the headline taken for the site (some pages declare their headline as og:site_name) and
    is not used.
    """
    h1s = _h1_candidates(tree)
    if page_title:
        page_title = _title_text(page_title)
    if headline:
        headline = _title_text(headline)
    site = _key(site_name or "")
    if site and page_title and any(_key(t) == site and not linked for t, linked in h1s):
        longest = max((page_title[a:b] for a, b in _parts(page_title, _TITLE_SEPARATORS)), key=len)
        if _key(longest) == site:
            site_name, site = None, ""
    skey, compact = _site_keys(site_name, host)
    kept = [(t, linked) for t, linked in h1s if not (site and _key(t) == site)
            and not (linked and _names_site(t, skey, compact))]
    raw = [t for t, _ in kept]
    candidates = [(strip_headline_tail(t, site_name, host), linked) for t, linked in kept]
    if page_title:
        stripped = strip_site_from_title(page_title, site_name, host) or page_title
        pkey = _key(page_title)
        for r, (t, _) in zip(raw, candidates):
            if _key(r) == pkey:
                return t
        best, best_score = None, 0.0
        for t, _ in candidates:
            a, b = _overlap(t, stripped), _overlap(stripped, t)
            agree = a + b >= _AGREE_SUM or len(set(_key(t).split()) & set(_key(stripped).split())) >= 2
            if (a >= 0.6 or b >= 0.6) and agree and a + b > best_score:
                best, best_score = t, a + b
        if best is not None:
            return stripped if _shown_worse(best, stripped) else best
        hkey = _key(headline or "")
        for t, _ in candidates:
            if hkey and _key(t) == hkey:
                return t
        if len(candidates) == 1:
            t, linked = candidates[0]
            lo, hi = _H1_HEADLINE_WORDS
            if not linked and lo <= len(t.split()) <= hi:
                return t
        return shown_title_part(tree, page_title, stripped)
    if len(candidates) == 1:
        return candidates[0][0]
    return None


_ARTICLE_TYPES = re.compile(r"article|posting|report|webpage|review|recipe|howto", re.I)
_MONTHS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|\b(?:updated|published|posted|min read)\b", re.I
)
_AUTHOR_NOISE = re.compile(
    r"^(?:(?:article|story|post|words|text|written|reviewed|posted|published|authors?)\s+by|authors?|by)\s*:?\s+"
    r"|\s+(?:writer|author|contributor|staff writer|editor|reporter|tech reporter|senior writer|correspondent)$",
    re.I,
)
_NOT_A_NAME = re.compile(
    r"^(?:the|about the|written by|by|author|authors|posted by|admin|staff|guest|view (?:all|more) posts?|more|follow|"
    r"read more|see all|all posts)$",
    re.I,
)
_NAME_TAIL = re.compile(r"\s+(?:-|–|—|\|)\s+.*$|\s+(?:last|updated|published|on|posted)$", re.I)
_BY_TEXT = etree.XPath(
    "//body//text()[starts-with(normalize-space(.), 'By ') or starts-with(normalize-space(.), 'by ')"
    " or normalize-space(.) = 'By' or normalize-space(.) = 'by']"
)
_BY_NAME = re.compile(r"^\s*[Bb][Yy]\s*:?\s+((?:[A-Z][\w.'’-]*\s*){1,4}(?:(?:and|&)\s+(?:[A-Z][\w.'’-]*\s*){1,4})?)")


def text_byline_authors(tree: HtmlElement) -> list[str]:
    """Names from a visible 'By First Last' line (the text node may hold 'By' alone, the name
    following in a link)."""
    for node in _BY_TEXT(tree)[:10]:
        parent = node.getparent()
        if parent is None:
            continue
        text = _norm(parent.text_content() if node.is_text else (node + " " + (parent.text_content() or "")))
        if len(text) > 120:
            text = _norm(str(node))
        m = _BY_NAME.match(text)
        if not m:
            continue
        names = clean_author_names([m.group(1)])
        if names and all(n[:1].isupper() for n in names):
            return names
    return []
_BYLINE_XPATH = etree.XPath(
    "//*[@rel='author'] | //*[@itemprop='author'] | //*[contains(@class, 'author-name') or contains(@class, 'byline')"
    " or contains(@class, 'post-author') or contains(@class, 'entry-author') or contains(@class, 'article-author')"
    " or contains(@class, 'author__name') or contains(@class, 'authorName') or contains(@class, 'author-link')]"
)


def dom_authors(tree: HtmlElement) -> list[str]:
    """Author names from byline markup (rel=author, itemprop=author, byline / author-name classes)."""
    for el in _BYLINE_XPATH(tree)[:20]:
        if el.tag in ("meta", "link", "script"):
            continue
        name_el = el.find(".//*[@itemprop='name']")
        text = _norm((name_el if name_el is not None else el).text_content())
        if not text or len(text) > 80:
            continue
        names = clean_author_names([text])
        if names:
            return names
    return []


def _jsonld_objects(tree: HtmlElement) -> list[dict]:
    """JSON-LD objects of the page (top level and @graph members), malformed scripts skipped."""
    out: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = script.text or ""
        if not raw or len(raw) > 1_000_000:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        todo = data if isinstance(data, list) else [data]
        for obj in todo[:50]:
            if not isinstance(obj, dict):
                continue
            out.append(obj)
            graph = obj.get("@graph")
            if isinstance(graph, list):
                out.extend(g for g in graph[:100] if isinstance(g, dict))
    return out


def _ld_type(obj: dict) -> str:
    t = obj.get("@type")
    if isinstance(t, list):
        return " ".join(str(x) for x in t)
    return str(t or "")


def _ld_names(value) -> list[str]:
    """Person names from a JSON-LD author value (str, dict or list of them)."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for it in items[:10]:
        if isinstance(it, str):
            names.append(it)
        elif isinstance(it, dict):
            n = it.get("name")
            if isinstance(n, str):
                names.append(n)
    return names


def structured_metadata(tree: HtmlElement) -> dict[str, object]:
    """Headline, publication date and authors declared in JSON-LD and <meta> tags."""
    out: dict[str, object] = {}
    for obj in _jsonld_objects(tree):
        if not _ARTICLE_TYPES.search(_ld_type(obj)):
            continue
        if "published" not in out and isinstance(obj.get("datePublished"), str):
            d = iso_date(obj["datePublished"])
            if d:
                out["published"] = d
        if "modified" not in out and isinstance(obj.get("dateModified"), str):
            d = iso_date(obj["dateModified"])
            if d:
                out["modified"] = d
        if "authors" not in out and obj.get("author"):
            names = [n for n in _ld_names(obj["author"]) if n.strip()]
            if names:
                out["authors"] = names
        if "headline" not in out and isinstance(obj.get("headline"), str):
            out["headline"] = _norm(html_lib.unescape(obj["headline"]))
    head = tree.find("head")
    if head is not None:
        t = head.find("title")
        if t is not None:
            out["html_title"] = _norm(t.text_content())
    metas = head.iter("meta") if head is not None else tree.iter("meta")
    for m in metas:
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").lower()
        content = m.get("content") or ""
        if not content:
            continue
        if key in ("article:published_time", "datepublished", "og:published_time", "publish-date",
                   "pubdate", "publishdate", "date", "dc.date.issued", "dcterms.created", "sailthru.date",
                   "parsely-pub-date") and "meta_published" not in out:
            d = iso_date(content)
            if d:
                out["meta_published"] = d
        elif key in ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified") \
                and "meta_modified" not in out:
            d = iso_date(content)
            if d:
                out["meta_modified"] = d
        elif key in ("og:title", "twitter:title"):
            out.setdefault(key, _norm(content))
        elif key in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author") \
                and "meta_authors" not in out and "://" not in content:
            out["meta_authors"] = [content]
    return out


def clean_author_names(names: list[str]) -> list[str]:
    """Drop labels ('Author', 'Writer'), dates stuck to names, and values that are not names."""
    out: list[str] = []
    for raw in names:
        for name in split_authors(raw):
            name = _AUTHOR_NOISE.sub("", name).strip(" •·|:-")
            name = _NAME_TAIL.sub("", name).strip(" •·|:-")
            m = _MONTHS.search(name)
            if m:
                name = name[: m.start()].strip(" •·|:-")
            if not name or "@" in name or "://" in name or len(name.split()) > 6 or _NOT_A_NAME.match(name):
                continue
            if name.lower() not in (o.lower() for o in out):
                out.append(name)
    return out


def _vote_date(candidates: list) -> str | None:
    """The date two sources agree on, else the first available (JSON-LD, <meta>, trafilatura)."""
    found = [c for c in candidates if c]
    for c in found:
        if found.count(c) >= 2:
            return c
    return found[0] if found else None


_SKIP_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})


def _texts_in(el: HtmlElement):
    """(text, owning element) pairs inside `el` in document order, script/style skipped; the
    tail of `el` itself is not included."""
    stack: list[tuple[HtmlElement, bool]] = [(el, False)]
    while stack:
        e, done = stack.pop()
        if done:
            if e is not el and e.tail:
                yield e.tail, e.getparent()
            continue
        if not isinstance(e.tag, str) or e.tag in _SKIP_TEXT_TAGS:
            if e is not el and e.tail:
                yield e.tail, e.getparent()
            continue
        if e.text:
            yield e.text, e
        stack.append((e, True))
        stack.extend((c, False) for c in reversed(e))


def following_texts(el: HtmlElement):
    """The text after `el` in document order, lazily (callers stop early)."""
    if el.tail:
        yield el.tail, el.getparent()
    node = el
    while node is not None:
        for sib in node.itersiblings():
            yield from _texts_in(sib)
            if sib.tail:
                yield sib.tail, sib.getparent()
        parent = node.getparent()
        if parent is None:
            break
        if parent.tail:
            yield parent.tail, parent.getparent()
        node = parent


def preceding_texts(el: HtmlElement):
    """The text before `el`, nearest first, lazily."""
    node = el
    while node is not None:
        for sib in node.itersiblings(preceding=True):
            if sib.tail:
                yield sib.tail
            for text, _ in reversed(list(_texts_in(sib))):
                yield text
        parent = node.getparent()
        if parent is None:
            break
        if parent.text and parent.tag not in _SKIP_TEXT_TAGS:
            yield parent.text
        node = parent


def headline_element(tree: HtmlElement) -> HtmlElement | None:
    """The first h1 with a headline's worth of text (10 characters or more)."""
    for h in tree.iter("h1"):
        if len(_norm(h.text_content())) >= 10:
            return h
    return None


# how far from the headline a date still belongs to it (characters of text)
_DATE_AFTER_CHARS = 800
_DATE_BEFORE_CHARS = 300


def visible_date(h1: HtmlElement | None) -> str | None:
    """The date shown next to the headline `h1`: the first date (a ``<time datetime>`` or a date
    written out) in the text that follows it, else the nearest one just above it."""
    if h1 is None:
        return None
    return (_first_date(following_texts(h1), _DATE_AFTER_CHARS)
            or _first_date(((t, None) for t in preceding_texts(h1)), _DATE_BEFORE_CHARS))


def _first_date(texts: Iterable[tuple[str, HtmlElement | None]], max_chars: int) -> str | None:
    """The first date in these (text, owner element) pieces, looking through max_chars of text."""
    from cleaners.metadata import find_date

    chars = 0
    for text, owner in texts:
        if owner is not None and owner.tag == "time" and owner.get("datetime"):
            d = iso_date(owner.get("datetime"))
            if d:
                return d
        if any(ch.isdigit() for ch in text):
            d, _ = find_date(text)
            if d:
                return d
        chars += len(text.strip())
        if chars > max_chars:
            break
    return None


_BYLINE_LABEL = re.compile(r"^(?:(?:written|posted|reported|words|story|article)\s+)?by\s*:?$|^authors?\s*:?$", re.I)
_BY_PREFIX = re.compile(r"^by\s*:?\s+", re.I)
_BYLINE_PARTS = re.compile(r"\s+[|·•]\s+")
_DATE_LABEL = re.compile(r"\b(?:updated|published|posted|min read)\b", re.I)
_BYLINE_ZONE_CHARS = 400
_PROSE_WORDS = 20


def headline_byline(h1: HtmlElement | None) -> tuple[list[str], bool]:
    """Authors named in the byline under the headline `h1`, and whether a label said so.

    The zone is the short texts after the headline, up to the first sentence of prose. A label
    ("By", "Written by:", "Author:") followed by names, or a "By Jane Doe" text, is a labelled
    byline; a lone person's name next to a date ("Jane Doe | Senior Writer | May 2, 2025") is
    an unlabelled one.
    """
    from cleaners.metadata import authors_from_byline, find_date, looks_like_name

    if h1 is None:
        return [], False
    texts: list[str] = []
    chars = 0
    for text, _ in following_texts(h1):
        t = _norm(text)
        if not t:
            continue
        if t.count(" ") + 1 >= _PROSE_WORDS:
            break
        texts.append(t)
        chars += len(t)
        if chars > _BYLINE_ZONE_CHARS:
            break
    for i, t in enumerate(texts):
        if _BYLINE_LABEL.match(t) and i + 1 < len(texts):
            nxt = texts[i + 1]
            names = authors_from_byline("By " + nxt)
            if names:
                return names, True
            words = nxt.split()
            if 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words) and not find_date(nxt)[0]:
                return [nxt], True
        m = _BY_PREFIX.match(t)
        if m:
            names = authors_from_byline("By " + t[m.end():])
            if names:
                return names, True

    def dated(x: str) -> bool:
        return bool(_DATE_LABEL.search(x)) or bool(find_date(x)[0])

    for i, t in enumerate(texts[:8]):
        parts = _BYLINE_PARTS.split(t)
        if looks_like_name(parts[0]) and not find_date(parts[0])[0]:
            around = parts[1:] + texts[max(0, i - 2):i] + texts[i + 1:i + 3]
            if any(dated(x) for x in around):
                return [parts[0]], False
    return [], False


def pick_date(h1: HtmlElement | None, sm: dict, extracted: str | None) -> str | None:
    """The publication date. The structured dates vote (JSON-LD, <meta>, then `extracted`, the
    date trafilatura found); the date shown next to the headline overrides them when the page's
    metadata knows it too (as its publication or modification date) or when the metadata
    declares no publication date at all: it is the date the reader is given."""
    voted = _vote_date([sm.get("published"), sm.get("meta_published"), extracted])
    shown = visible_date(h1)
    if shown and shown != voted:
        known = {sm.get("published"), sm.get("meta_published"), sm.get("modified"), sm.get("meta_modified"), extracted}
        if shown in known or not (sm.get("published") or sm.get("meta_published")):
            return shown
    return voted


def _page_title(sm: dict, fallback: str | None) -> str | None:
    """The title the page declares for itself: og:title, else <title>, else trafilatura's pick
    (which may already be an h1: `pick_title` weighs the h1 elements itself)."""
    for key in ("og:title", "html_title"):
        if sm.get(key):
            return sm[key]
    # trafilatura's pick is a heading's text: held to what `_h1_candidates` asks of a heading
    return _norm(fallback) if fallback and _has_words(fallback) else None


def page_metadata(tree: HtmlElement, url: str | None):
    """trafilatura's `extract_metadata` without the parts this path does not use (categories,
    tags, licence: two slow scans of the page) and with htmldate's quick search only (its
    extensive search runs when nothing else gives a date, see `_extensive_date`)."""
    from trafilatura import metadata as tm

    doc = tm.examine_meta(tree)
    if doc.author and " " not in doc.author:
        doc.author = None
    try:
        doc = tm.extract_meta_json(tree, doc)
    except Exception:  # trafilatura's own guard: bugs in its JSON-LD reader
        pass
    if not doc.title:
        doc.title = tm.extract_title(tree)
    if not doc.author:
        doc.author = tm.extract_author(tree)
    if not doc.url:
        doc.url = tm.extract_url(tree, url)
    if doc.url:
        doc.hostname = tm.extract_domain(doc.url, fast=True)
    date_config = tm.set_date_params(False)
    date_config["url"] = doc.url
    doc.date = tm.find_date(tree, **date_config)
    if not doc.sitename:
        doc.sitename = tm.extract_sitename(tree)
    if doc.sitename:
        doc.sitename = doc.sitename.lstrip("@")
        if doc.sitename and "." not in doc.sitename and not doc.sitename[0].isupper():
            doc.sitename = doc.sitename.title()
    elif doc.url:
        m = tm.META_URL.match(doc.url)
        if m:
            doc.sitename = m[1]
    doc.clean_and_trim()
    return doc


def _extensive_date(tree: HtmlElement, url: str | None) -> str | None:
    """htmldate's extensive search over the page text (the last resort: it is slow)."""
    from htmldate import find_date
    from trafilatura.settings import set_date_params

    try:
        return iso_date(find_date(tree, **set_date_params(True), url=url))
    except Exception:  # best effort, as for the rest of the metadata
        return None


def _raw_form(names: list[str], raw: list[str] | None) -> list[str]:
    """`names` as the page wrote them: trafilatura drops dots and underscores ("Z B Steele");
    a <meta> author with the same letters gives back "Z.B. Steele"."""
    if not names or not raw:
        return names
    kw = lambda x: "".join(ch for ch in x.lower() if ch.isalnum())  # noqa: E731
    by_key = {kw(r): r.strip() for r in raw}
    return [by_key.get(kw(n), n) for n in names]


def _host(url: str | None) -> str | None:
    """The host name of a URL ("https://www.example.com:8080/a" -> "www.example.com")."""
    if not url or "//" not in url:
        return None
    return url.split("//", 1)[1].split("/", 1)[0].split(":", 1)[0] or None


def read_metadata(tree: HtmlElement, url: str | None) -> tuple[Metadata, str | None]:
    """Metadata from the raw tree; also returns the page description (subtitle candidate)."""
    try:
        doc = page_metadata(tree, url)
    except Exception:  # metadata is best effort; a faulty page must still give its body
        doc = None
    if doc is None:
        return Metadata(url=url), None
    sm = structured_metadata(tree)
    h1 = headline_element(tree)
    authors = clean_author_names(sm.get("authors") or _raw_form(split_authors(doc.author), sm.get("meta_authors"))
                                 or sm.get("meta_authors") or [])
    shown, labelled = headline_byline(h1)
    if shown and (labelled or not authors):
        authors = shown
    if not authors:
        authors = dom_authors(tree) or text_byline_authors(tree)
    published = pick_date(h1, sm, iso_date(doc.date)) or _extensive_date(tree, doc.url or url)
    md = Metadata(
        title=pick_title(tree, _page_title(sm, doc.title), doc.sitename, sm.get("headline"), _host(url or doc.url)),
        authors=authors,
        published=published,
        site_name=_norm(doc.sitename) if doc.sitename else None,
        url=url or doc.url,
    )
    return md, doc.description


# --------------------------------------------------------------------------- extraction


# tables are kept (data tables are part of an article) unless more than this share of the page's
# long paragraphs sits inside tables: then the tables lay out the page rather than hold data
_LAYOUT_TABLE_SHARE = 0.3


_DATA_ROWS = 3


_DATA_LINK_DENSITY = 0.5


def is_data_table(table: HtmlElement) -> bool:
    """A table of data: header cells, or `_DATA_ROWS` rows or more of two cells or more; no
    table nested inside (tables in tables lay out a page) and not mostly link text (a list of
    headlines laid out as a table)."""
    if table.find(".//table") is not None:
        return False
    text = visible_text(table)
    if len(_norm("".join(_LINK_TEXT(table)))) > _DATA_LINK_DENSITY * len(text):
        return False
    if table.find(".//th") is not None:
        return True
    rows = [tr for tr in table.iter("tr")]
    wide = sum(1 for tr in rows if sum(1 for c in tr if c.tag == "td") >= 2)
    return wide >= _DATA_ROWS and wide >= 0.8 * len(rows)


def keep_tables(stats: dict) -> bool:
    """Whether the page's tables are content, from `preclean` stats: it has a data table
    (`is_data_table`) and its prose does not sit inside tables (`_LAYOUT_TABLE_SHARE`)."""
    if not stats.get("data_tables", 1):
        return False
    total = stats.get("long_paragraph_chars") or 0
    return stats.get("long_paragraph_chars_in_tables", 0) <= _LAYOUT_TABLE_SHARE * total


def _trafilatura_blocks(tree: HtmlElement, url: str | None, tables: bool = False) -> list[str]:
    from trafilatura import bare_extraction

    doc = bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=tables,
        favor_precision=False,
        with_metadata=False,
    )
    if doc is None or not doc.text:
        return []
    return [line.strip() for line in doc.text.split("\n") if line.strip()]


# trafilatura's output is taken as too short when it holds less than this share of the text of the
# page's long paragraphs (and these add up to at least `_RESCUE_MIN_CHARS`)
_RESCUE_SHARE = 0.6
_RESCUE_MIN_CHARS = 3000


def main_container(long_p: dict[HtmlElement, int]) -> HtmlElement | None:
    """The deepest element holding 80% of the text of the long paragraphs."""
    total = sum(long_p.values())
    if not total:
        return None
    acc: dict[HtmlElement, int] = {}
    depth: dict[HtmlElement, int] = {}
    for p, n in long_p.items():
        ancestors = list(p.iterancestors())
        for d, a in enumerate(reversed(ancestors)):
            acc[a] = acc.get(a, 0) + n
            depth[a] = d
    best = None
    for a, n in acc.items():
        if n >= 0.8 * total and (best is None or depth[a] > depth[best]):
            best = a
    return best


def _rescue(tree: HtmlElement, blocks: list[str], url: str | None, bound: int | None = None,
            tables: bool = False) -> list[str]:
    """When trafilatura kept only a small part of the page's prose (it settled on one section of
    a long page), extract again from the element that holds most of the long paragraphs.

    `bound` is an upper bound of the long-paragraph text (measured before the pre-clean): when
    the output is long enough against it, the page is not measured again."""
    if bound is not None and (bound < _RESCUE_MIN_CHARS or sum(len(b) for b in blocks) >= _RESCUE_SHARE * bound):
        return blocks
    long_p = _long_paragraph_chars(tree)
    total = sum(long_p.values())
    got = sum(len(b) for b in blocks)
    if total < _RESCUE_MIN_CHARS or got >= _RESCUE_SHARE * total:
        return blocks
    container = main_container(long_p)
    if container is None or container.tag in ("html", "body"):
        return blocks
    doc = lxml.html.Element("html")
    body = etree.SubElement(doc, "body")
    body.append(copy(container))
    again = _trafilatura_blocks(doc, url, tables)
    got_again = sum(len(b) for b in again)
    if got_again < _RESCUE_SHARE * total and _article_like(container):
        simple = simple_blocks(container)
        if sum(len(b) for b in simple) > 1.5 * max(got, got_again):
            return simple
    if got_again > 1.5 * got:
        return again
    return blocks


_ARTICLE_TOKENS = re.compile(r"content|article|entry|post|story|listicle|body|text", re.I)
_LAYOUT_TOKENS = re.compile(r"\b(?:site|root|page|wrapper|wrap|layout|app|container-fluid)\b", re.I)


def _article_like(el: HtmlElement) -> bool:
    """An <article>/<main>, or an element whose class/id names article content, not the page layout."""
    if el.tag in ("article", "main"):
        return True
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    return bool(_ARTICLE_TOKENS.search(attrs)) and not _LAYOUT_TOKENS.search(attrs)


_SIMPLE_BLOCK_TAGS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "dd", "dt")


def simple_blocks(container: HtmlElement) -> list[str]:
    """Texts of the innermost paragraph-like elements of `container`, in document order."""
    out: list[str] = []
    for el in container.iter(*_SIMPLE_BLOCK_TAGS):
        if any(True for _ in el.iter(*_SIMPLE_BLOCK_TAGS) if _ is not el):
            continue
        text = visible_text(el)
        if text:
            out.append(("- " + text) if el.tag == "li" else text)
    return out


_GAP_TAGS = ("p", "li", "blockquote")
# a dropped element is put back only when kept blocks this close surround it (elements apart)
_GAP_MAX = 12


def fill_gaps(tree: HtmlElement, blocks: list[str], link_texts: set[str]) -> list[str]:
    """Put back paragraph-like elements that the extractor dropped although the body blocks
    right before and after them were kept (list items of a listicle, a short paragraph between
    two long ones). Elements that are links to other pages stay out; so does anything outside
    the stretch of the page that the body covers."""
    if len(blocks) < 2:
        return blocks
    index: dict[str, int] = {}
    for i, b in enumerate(blocks):
        index.setdefault(_key(b.lstrip("-*• ")), i)
    elems: list[tuple[str, str, int | None]] = []
    for el in tree.iter(*_GAP_TAGS):
        if any(True for d in el.iter(*_GAP_TAGS) if d is not el):
            continue
        text = visible_text(el)
        if not text:
            continue
        k = _key(text)
        elems.append((text if el.tag != "li" else "- " + text, k, index.get(k)))
    matched = [j for j, (_, _, bi) in enumerate(elems) if bi is not None]
    if len(matched) < 2:
        return blocks
    inserts: dict[int, list[str]] = {}
    for a, b in zip(matched, matched[1:]):
        gap = elems[a + 1:b]
        if not gap or len(gap) > _GAP_MAX:
            continue
        ia, ib = elems[a][2], elems[b][2]
        if ib != ia + 1:
            continue  # the blocks are not neighbours in the output
        for text, k, _ in gap:
            if not k or k in link_texts or k in index:
                continue
            inserts.setdefault(ia, []).append(text)
    if not inserts:
        return blocks
    out: list[str] = []
    for i, b in enumerate(blocks):
        out.append(b)
        out.extend(inserts.get(i, ()))
    return out


def extract_html(html: str, *, url: str | None = None) -> HtmlExtract:
    """Extract the article body (as blocks, headline excluded), its metadata and the removals."""
    tree = parse_html(html)
    metadata, description = read_metadata(tree, url)
    removed: list[Removed] = []
    link_texts = off_page_link_texts(tree)
    stats: dict = {}
    preclean(tree, removed, stats)
    tables = keep_tables(stats)
    blocks = _rescue(tree, _trafilatura_blocks(tree, url, tables), url, stats.get("long_paragraph_chars"), tables)
    blocks = fill_gaps(tree, blocks, link_texts)
    if not blocks and tree_depth(tree) >= LIBXML_MAX_DEPTH:
        raise RejectError("html_too_deep", f"nesting reaches the parser limit of {LIBXML_MAX_DEPTH} levels")
    if metadata.title:
        tkey = _key(metadata.title)
        while blocks and _key(blocks[0]) == tkey:
            removed.append(Removed(blocks.pop(0), check_reason("repeated_title")))
    blocks = postclean(blocks, link_texts, removed)
    if _is_dek(description, metadata.title, blocks):
        metadata.subtitle = _norm(description or "")
        skey = _key(metadata.subtitle)
        if blocks and _key(blocks[0]) == skey:
            removed.append(Removed(blocks.pop(0), check_reason("subtitle")))
    return HtmlExtract(blocks=blocks, metadata=metadata, removed=removed)


def clean_html(html: str, *, url: str | None = None) -> Cleaned:
    """The HTML path end to end: trafilatura on the pre-cleaned tree, then the named line rules of
    `cleaners.text` (teasers, bylines, credits, footers...) on its blocks.

    The learned line classifier of the text path is not applied here: it is trained on page dumps,
    and on trafilatura's blocks it costs more recall than it gains precision (bench/quality.py).
    """
    from cleaners.metadata import find_sources
    from cleaners.text import rule_reason

    ex = extract_html(html, url=url)
    kept: list[str] = []
    removed = list(ex.removed)
    for block in ex.blocks:
        reason = rule_reason(block.strip())
        if reason is None:
            kept.append(block)
        else:
            removed.append(Removed(block, check_reason(reason)))
    meta = ex.metadata
    body = "\n\n".join(kept)
    credited = [r.text for r in removed if r.reason == "source_credit"]
    meta.sources = meta.sources or find_sources("\n\n".join([body, *credited]))
    return Cleaned(text=body, metadata=meta, removed=removed, format="html")
