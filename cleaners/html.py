"""HTML extraction: one safe parse, a DOM pre-clean, trafilatura on the cleaned tree, a post-pass.

Pipeline (the page is parsed once):

1. `parse_html` repairs a few kinds of broken markup that make libxml2 swallow a whole page
   (an unterminated ``<title>``, an XML declaration in a decoded string), then parses with lxml
   without network access and without entity/DTD processing. Inputs over `MAX_HTML_CHARS`
   are rejected; libxml2 caps nesting depth, so deeply nested input degrades instead of crashing.
2. Metadata is read from the raw tree (trafilatura's metadata extraction, completed with
   JSON-LD and ``<meta>`` tags).
3. `preclean` removes, with reasons, elements that are chrome rather than article: related-story
   widgets, share bars, newsletter / subscription boxes, bylines and author boxes, captions,
   breadcrumbs, comment sections, ads. They are recognised by tag and by class / id / role /
   aria-label tokens, and an element that holds most of the page's text is never removed (class
   tokens such as ``post-share`` also appear on article containers).
4. trafilatura extracts the body from the cleaned tree (comments and tables off).
5. `postclean` drops output blocks that are really links to other pages (the text of a link
   elsewhere on the page: teaser headlines, "Next story: ..."), and the related-content zone
   that starts at a heading such as "Related stories" near the end.
"""
from __future__ import annotations

import json
import re
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

_PARSER = lxml.html.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    no_network=True,
    remove_comments=True,
    remove_pis=True,
    huge_tree=False,
)
# the same, for a page re-encoded as UTF-8 bytes (lxml refuses str input with an encoding declaration)
_BYTES_PARSER = lxml.html.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    no_network=True,
    remove_comments=True,
    remove_pis=True,
    huge_tree=False,
    encoding="utf-8",
)

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


def _text(el: HtmlElement) -> str:
    return _norm("".join(el.itertext()))


# --------------------------------------------------------------------------- DOM pre-clean

# class names that carry taxonomy values rather than roles ("category-social-media", "tag-share")
_TAXONOMY_CLASS = re.compile(r"^(?:category|tag|tags|topic|section|channel|format|type|post|pmpro|level)[-_]", re.I)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")

# (reason, pattern over the space-joined lower-case parts of class / id / role / aria-label,
#  maximum text length of an element removed for it: None = no limit beyond the main-text guard)
_TOKEN_RULES: list[tuple[str, re.Pattern[str], int | None]] = [
    ("comments", re.compile(r"\b(?:comments?|comment (?:list|form|section|area|thread)s?|disqus|respond|discussion)\b"), None),
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
    if tag in _PROTECTED_TAGS or not isinstance(tag, str):
        return None
    get = el.get
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


def preclean(tree: HtmlElement, removed: list[Removed]) -> int:
    """Remove chrome elements from `tree` in place, appending what went to `removed`.

    An element matched by a rule is kept when it holds a large share of the page's long
    paragraphs (it is then the article container, whatever its class says) or when its text is
    longer than the rule's limit; its children are then examined in turn. The walk is iterative
    (no recursion) and top-down. Returns the number of elements removed.
    """
    long_p = _long_paragraph_chars(tree)
    total_long = sum(long_p.values())
    chosen: list[tuple[HtmlElement, str]] = []
    stack: list[HtmlElement] = [tree]
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        rule = classify_element(el)
        if rule is not None:
            reason, limit = rule
            ok = True
            raw = el.text_content()
            if limit is not None and len(raw) > limit and len(_norm(raw)) > limit:
                ok = False
            elif total_long:
                inside = sum(long_p.get(p, 0) for p in el.iter("p"))
                if inside and (inside > 0.3 * total_long or inside > 1500):
                    ok = False
            if ok:
                chosen.append((el, reason))
                continue
        if len(el):
            stack.extend(reversed(el))
    for el, reason in chosen:
        text = _norm(el.text_content())
        if text:
            removed.append(Removed(text[:2000], check_reason(reason)))
        if el.getparent() is not None:
            el.drop_tree()
    return len(chosen)


# --------------------------------------------------------------------------- link texts

_MIN_LINK_WORDS = 4


def off_page_link_texts(tree: HtmlElement) -> set[str]:
    """Keys of the texts of links that lead to other pages (in-page '#' anchors excluded).

    Only texts of `_MIN_LINK_WORDS` words or more count: they look like headlines of other stories.
    """
    out: set[str] = set()
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#") or href.lower().startswith("javascript:"):
            continue
        key = _key("".join(a.itertext()))
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
    r"^\s*(?:related(?: (?:stories|articles|posts|content|news|coverage|links|reading|topics))?|"
    r"more (?:stories|articles|news|posts|coverage|headlines)(?: from .{1,40}| on .{1,40}| in .{1,40})?|"
    r"more from .{1,40}|you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|"
    r"recommended(?: for you| stories| articles| reading)?|most (?:read|popular|viewed|shared)(?: .{1,30})?|"
    r"(?:also|further) (?:read|see|reading)|read (?:more|next|also)|trending(?: now| stories)?|"
    r"popular (?:stories|posts|articles)|latest (?:news|stories|posts|articles)|other stories|"
    r"top stories|what to read next|up next|keep reading|don'?t miss)\s*[:.!]?\s*$",
    re.I,
)


def postclean(blocks: list[str], link_texts: set[str], removed: list[Removed]) -> list[str]:
    """Drop blocks that are links to other stories, and the related zone after a zone heading."""
    kept: list[str] = []
    n = len(blocks)
    i = 0
    while i < n:
        block = blocks[i]
        key = _key(block.lstrip("-*• "))
        if key and key in link_texts:
            removed.append(Removed(block, check_reason("related")))
            i += 1
            continue
        m = _LINK_LABEL.match(block)
        if m and _key(block[m.end():]) in link_texts:
            removed.append(Removed(block, check_reason("related")))
            i += 1
            continue
        if _ZONE_HEADING.match(block) and len(block) < 80:
            # the zone runs to the end when what follows is short (headlines, teasers), else only
            # the heading goes
            rest = blocks[i + 1 :]
            rest_words = sum(b.count(" ") + 1 for b in rest)
            kept_words = sum(b.count(" ") + 1 for b in kept)
            if rest and rest_words < kept_words and all(len(b) < 400 for b in rest):
                removed.append(Removed(block, check_reason("related")))
                removed.extend(Removed(b, check_reason("related")) for b in rest)
                break
            removed.append(Removed(block, check_reason("related")))
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


_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—:·•»/]|::)\s+")


def _overlap(a: str, b: str) -> float:
    """Share of the words of `a` that are also in `b`."""
    wa, wb = set(_key(a).split()), set(_key(b).split())
    return len(wa & wb) / len(wa) if wa else 0.0


def strip_site_from_title(title: str, site_name: str | None) -> str:
    """'Headline | Site' / 'Site - Headline' -> 'Headline': drop the site-name part at either end."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    site = _key(site_name or "")
    # the longest part is the headline; outer parts that are short or name the site go
    while len(parts) > 1:
        first, last = parts[0], parts[-1]
        if site and _key(last) and (_key(last) in site or site in _key(last)):
            parts.pop()
        elif site and _key(first) and (_key(first) in site or site in _key(first)):
            parts.pop(0)
        elif len(last.split()) <= 4 and len(last) < len(" ".join(parts[:-1])) / 2:
            parts.pop()
        else:
            break
    return " - ".join(parts) if len(parts) > 1 else parts[0]


def pick_title(tree: HtmlElement, page_title: str | None, site_name: str | None) -> str | None:
    """The headline: the page's h1 when it agrees with the <title>/og:title, else that title
    without its site-name part."""
    candidates = []
    for h in tree.iter("h1"):
        t = _norm(h.text_content())
        if 3 <= len(t) <= 300:
            candidates.append(t)
        if len(candidates) >= 5:
            break
    if page_title:
        for t in candidates:
            if _overlap(t, page_title) >= 0.6 or _overlap(page_title, t) >= 0.6:
                return t
        stripped = strip_site_from_title(page_title, site_name)
        return stripped or page_title
    if len(candidates) == 1:
        return candidates[0]
    return None


_ARTICLE_TYPES = re.compile(r"article|posting|report|webpage|review|recipe|howto", re.I)
_MONTHS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|\b(?:updated|published|posted|min read)\b", re.I
)
_AUTHOR_NOISE = re.compile(
    r"^(?:author|written by|reviewed by|words by|posted by|by)\s*:?\s+|\s+(?:writer|author|contributor|staff writer|editor)$", re.I
)


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
        if "authors" not in out and obj.get("author"):
            names = [n for n in _ld_names(obj["author"]) if n.strip()]
            if names:
                out["authors"] = names
        if "headline" not in out and isinstance(obj.get("headline"), str):
            out["headline"] = _norm(obj["headline"])
    head = tree.find("head")
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
            m = _MONTHS.search(name)
            if m:
                name = name[: m.start()].strip(" •·|:-")
            if not name or "@" in name or "://" in name or len(name.split()) > 6:
                continue
            if name.lower() not in (o.lower() for o in out):
                out.append(name)
    return out


def read_metadata(tree: HtmlElement, url: str | None) -> tuple[Metadata, str | None]:
    """Metadata from the raw tree; also returns the page description (subtitle candidate)."""
    from trafilatura.metadata import extract_metadata

    try:
        doc = extract_metadata(tree, default_url=url)
    except Exception:  # metadata is best effort; a faulty page must still give its body
        doc = None
    if doc is None:
        return Metadata(url=url), None
    sm = structured_metadata(tree)
    authors = clean_author_names(sm.get("authors") or split_authors(doc.author) or sm.get("meta_authors") or [])
    published = sm.get("published") or sm.get("meta_published") or iso_date(doc.date)
    md = Metadata(
        title=pick_title(tree, _norm(doc.title) if doc.title else None, doc.sitename),
        authors=authors,
        published=published,
        site_name=_norm(doc.sitename) if doc.sitename else None,
        url=url or doc.url,
    )
    return md, doc.description


# --------------------------------------------------------------------------- extraction


def _trafilatura_blocks(tree: HtmlElement, url: str | None) -> list[str]:
    from trafilatura import bare_extraction

    doc = bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=False,
        favor_precision=False,
        with_metadata=False,
    )
    if doc is None or not doc.text:
        return []
    return [line.strip() for line in doc.text.split("\n") if line.strip()]


def extract_html(html: str, *, url: str | None = None) -> HtmlExtract:
    """Extract the article body (as blocks, headline excluded), its metadata and the removals."""
    tree = parse_html(html)
    metadata, description = read_metadata(tree, url)
    removed: list[Removed] = []
    link_texts = off_page_link_texts(tree)
    preclean(tree, removed)
    blocks = _trafilatura_blocks(tree, url)
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
    """The HTML path end to end: body blocks joined by blank lines."""
    ex = extract_html(html, url=url)
    return Cleaned(text="\n\n".join(ex.blocks), metadata=ex.metadata, removed=ex.removed, format="html")
