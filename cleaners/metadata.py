"""Metadata found in article text: credited sources, dates, authors and site names.

Everything here works on plain strings so that both the text path and the HTML path can use it.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date

# --- credited sources -----------------------------------------------------------------------
#
# An outlet name: one to six capitalised words, optionally starting with "The", allowing the
# inner lower-case joiners of outlet names ("of", "and", "&", "for") and dots ("U.S.", "Yahoo!").
_CAP = r"(?:[A-Z][\w'’.!&-]*|[A-Z]{2,}\w*|\d+[A-Za-z]+)"
_JOIN = r"(?:of|de|for|and|&|on)"
_OUTLET = rf"(?:The[ \t]+)?{_CAP}(?:[ \t]+(?:{_JOIN}[ \t]+)?{_CAP}){{0,5}}"
_OUT = rf"(?P<o>{_OUTLET})"

# Words that look like outlets but are people's titles, pronouns or generic words.
_NOT_OUTLET = {
    "he", "she", "they", "it", "we", "i", "you", "his", "her", "their", "the", "a", "an", "this",
    "that", "officials", "sources", "source", "police", "reporters", "reporter", "journalists",
    "mr", "mrs", "ms", "dr", "president", "minister", "spokesman", "spokeswoman", "analysts",
    "according", "people", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "today", "yesterday", "experts", "critics",
    "investors", "residents", "witnesses", "authorities", "one", "two", "some", "many", "others",
    "read", "click", "image", "photo", "video", "getty", "getty images", "shutterstock",
}

# Words that mark a credited name as a media outlet rather than a person.
_MEDIA_WORD = re.compile(
    r"\b(?:News|Times|Post|Journal|Press|Reuters|Bloomberg|Agency|Agence|Wire|Herald|Tribune|"
    r"Telegraph|Guardian|Gazette|Daily|Weekly|Magazine|Radio|TV|Television|Network|Broadcasting|"
    r"Channel|Insider|Review|Report|Reports|Observer|Economist|Chronicle|Courier|Mail|Express|"
    r"Standard|Register|Verge|Arena|Wired|Mirror|Independent|Sun|Star|Bulletin|Digest|Monitor|"
    r"Politico|Axios|Xinhua|Kyodo|Yonhap|Interfax|TASS|Tass|Nikkei|Caixin|Variety|Billboard|"
    r"Forbes|Fortune|CNBC|CNN|BBC|NBC|ABC|CBS|NPR|PBS|AP|AFP|UPI|DPA|ANSA|EFE|PTI|IANS|RIA|"
    r"Engadget|TechCrunch|Gizmodo|Mashable|AnandTech|Recode|Deadline|Hollywood|Vox|Slate|Atlantic|"
    r"Yahoo|Sina|Weibo|Online|Media|Group|Financial|Associated|Street|Week|Mercury|Dispatch|"
    r"Examiner|Sentinel|Inquirer|Enquirer|Globe|Pioneer|Hindu|Dawn|Kommersant|Vedomosti|Izvestia|"
    r"Spiegel|Figaro|Monde|Pais|Repubblica|Corriere|Asahi|Mainichi|Yomiuri|Haaretz|Jazeera|"
    r"Telecompaper|Digitimes|DigiTimes|Android|Authority|Phone|GSM|Tech|Technica|Crunch|Week)\b"
)

# Patterns that credit an outlet. Each has a named group "o" for the outlet.
_CREDIT_PATTERNS: list[re.Pattern[str]] = [
    # [Via Bloomberg], (via Reuters), a line starting "Via The Verge"
    re.compile(rf"(?:^|\n|[\[(])\s*[Vv]ia:?\s+{_OUT}"),
    # [Sources: Phone Arena and GSM Arena], Source: Reuters
    re.compile(rf"\[?\b[Ss]ources?\s*:\s*(?P<list>{_OUTLET}(?:\s*(?:,|and|&)\s*{_OUTLET})*)"),
    # told Reuters, tells The Register, said in an interview with Bloomberg, speaking to the BBC
    re.compile(rf"\b(?:told|tells|telling|said\s+to|speaking\s+to|spoke\s+to|confirmed\s+to)\s+(?:the\s+)?{_OUT}"),
    re.compile(rf"\b(?:in\s+an?\s+)?(?:interview|conversation)\s+with\s+(?:the\s+)?{_OUT}"),
    # Reuters has reported, The Wall Street Journal reports, Bloomberg reported
    re.compile(rf"{_OUT}\s+(?:has\s+|had\s+)?(?:reported|reports|first\s+reported|revealed|said\s+in\s+a\s+report)\b"),
    # according to the Associated Press / according to a report by Reuters / a report from Nikkei
    re.compile(rf"\b[Aa]ccording\s+to\s+(?:a\s+report\s+(?:by|from|in)\s+|reports?\s+(?:by|from|in)\s+)?(?:the\s+)?{_OUT}"),
    re.compile(rf"\b(?:a|the)\s+report\s+(?:by|from|in)\s+(?:the\s+)?{_OUT}"),
    # reported by Reuters, as first reported by The Information
    re.compile(rf"\breported\s+(?:by|in)\s+(?:the\s+)?{_OUT}"),
    # (Reuters) - / (AP) — dateline credits
    re.compile(r"\((?P<o>Reuters|AP|AFP|UPI|Bloomberg|Xinhua|dpa|DPA|IANS|PTI|ANI)\)\s*[-–—]"),
    # "..., via The Verge" inside a sentence: "via" also routes planes and data, so it needs a media name
    re.compile(rf"\b[Vv]ia\s+(?:the\s+)?{_OUT}"),
]

_AGENCY_SHORT = {"AP": "Associated Press"}


def _clean_outlet(name: str) -> str | None:
    name = name.strip(" .,;:[]()'\"’")
    name = re.sub(r"[’']s$", "", name)
    # drop trailing lower-case joiners that the pattern may have swallowed
    name = re.sub(rf"\s+{_JOIN}$", "", name)
    if not name or name.lower() in _NOT_OUTLET or name.lower() in _GENERIC:
        return None
    if name.startswith("the "):
        name = "The " + name[4:]
    return name


def _is_outlet(name: str, strong: bool) -> bool:
    """`strong` patterns ("via X", "Sources: X", "X reports") name an outlet by construction;
    the weak ones ("told X", "interview with X") also take people, so they need a media word
    or an all-caps acronym."""
    words = name.split()
    if not words or len(words) > 7:
        return False
    if strong:
        return True
    if _MEDIA_WORD.search(name):
        return True
    return name.startswith("The ") and len(words) >= 2


_STRONG = {0, 1, 6, 8}
# media words too generic to name an outlet on their own ("TV reports said")
_GENERIC = {"tv", "radio", "news", "media", "press", "online", "television", "daily", "state media", "state tv",
            "local media", "local news"}


_TRIGGER = re.compile(
    r"\b(?:[Vv]ia|[Ss]ources?|told|tells|telling|said\s+to|speaking\s+to|spoke\s+to|confirmed\s+to|interview|"
    r"conversation|reported|reports|revealed|[Aa]ccording|report)\b|\((?:Reuters|AP|AFP|UPI|Bloomberg|Xinhua|dpa|DPA|IANS|PTI|ANI)\)"
)
# a piece of every `_TRIGGER` match ("ource" of "Source" and "source"): a sentence with none of them
# cannot credit anyone
_TRIGGER_WORDS = (
    "via", "Via", "ource", "told", "tell", "said", "speaking", "spoke", "confirmed", "interview",
    "conversation", "report", "revealed", "ccording",
)
_AGENCY_PARENS = ("(Reuters)", "(AP)", "(AFP)", "(UPI)", "(Bloomberg)", "(Xinhua)", "(dpa)", "(DPA)", "(IANS)",
                  "(PTI)", "(ANI)")


def _trigger_hints(text: str) -> list[int]:
    """Sorted positions inside every place where a `_TRIGGER` match could be (found with plain
    substring search): a match holds one of them."""
    out: list[int] = []
    find = text.find
    for w in _TRIGGER_WORDS:
        i = find(w)
        while i >= 0:
            out.append(i)
            i = find(w, i + 1)
    i = find("(")
    while i >= 0:
        if text.startswith(_AGENCY_PARENS, i):
            out.append(i)
        i = find("(", i + 1)
    out.sort()
    return out


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?\n])\s+")
# the same splits found from the sentence end itself (much faster to search for than a look-behind):
# `_SENTENCE_SPLIT.split(t)` is `_sentences(t)`
_SENTENCE_END_SPACE = re.compile(r"([.!?\n])\s+")


def _sentences(text: str) -> list[str]:
    """`_SENTENCE_SPLIT.split(text)`: each split point's space run follows a ".!?" or a line
    break, which the pattern here captures and gives back to the sentence it ends."""
    parts = _SENTENCE_END_SPACE.split(text)
    return list(map(str.__add__, parts[0::2], parts[1::2] + [""]))
_REPORTS_VERB = re.compile(r"\s+(?:has\s+|had\s+)?(?:reported|reports|first\s+reported|revealed|said\s+in\s+a\s+report)\b")
_OUTLET_END = re.compile(rf"(?P<o>{_OUTLET})$")


# words each of `_CREDIT_PATTERNS` (by index; 4: `_REPORTS_VERB`) needs: without one it cannot match
_CREDIT_NEEDS: list[tuple[str, ...]] = [
    ("via", "Via"), ("ource",), ("told", "tell", "said", "speaking", "spoke", "confirmed"),
    ("interview", "conversation"), ("report", "revealed"), ("ccording",), ("report",), ("reported",), ("(",),
    ("via", "Via"),
]


_SPACE_RUN = re.compile(r"\s*")


def _sentence_around(text: str, h: int) -> tuple[int, int]:
    """(start, end) of the piece of `_SENTENCE_SPLIT.split(text)` that holds position `h` (not a
    space). A split point is a run of spaces after a ".!?" or a line break (`_sentences`): the piece
    starts where the last such run before `h` ends and ends where the next one starts."""
    best = -1
    if h >= 2:
        for c in ".!?\n":  # the last such mark before h - 1 that a space follows
            q = text.rfind(c, best + 1, h - 1)
            while q >= 0 and not text[q + 1].isspace():
                q = text.rfind(c, best + 1, q)
            if q > best:
                best = q
    start = 0 if best < 0 else _SPACE_RUN.match(text, best + 1).end()
    m = _SENTENCE_END_SPACE.search(text, h)
    return start, (m.start() + 1 if m else len(text))


def _sentence_bases(text: str) -> dict[int, int]:
    """Start of each piece of `_sentences(text)` -> the summed lengths of the pieces before it."""
    out: dict[int, int] = {}
    base = at = 0
    for seg in _sentences(text):
        at = text.find(seg, at)
        out.setdefault(at, base)
        base += len(seg)
        at += len(seg)
    return out


def _credits_in(seg: str, base: int, found: list[tuple[int, str]]) -> None:
    for k, pat in enumerate(_CREDIT_PATTERNS):
        if not any(w in seg for w in _CREDIT_NEEDS[k]):
            continue
        if k == 4:
            matches = []
            for v in _REPORTS_VERB.finditer(seg):
                chunk_start = max(0, v.start() - 80)
                m = _OUTLET_END.search(seg, chunk_start, v.start())
                if m:
                    matches.append(m)
        else:
            matches = pat.finditer(seg)
        for m in matches:
            if m.groupdict().get("list"):
                parts = re.split(r"\s*(?:,|\band\b|&)\s*", m.group("list"))
                pos = base + m.start("list")
                for p in parts:
                    name = _clean_outlet(p)
                    if name and _is_outlet(name, True):
                        found.append((pos, name))
                        pos += 1
                continue
            name = _clean_outlet(m.group("o"))
            if not name:
                continue
            if k == 4:
                # the outlet is the subject of a clause: "The Wall Street Journal reports that ..."
                start = m.start("o") + (len(m.group("o")) - len(m.group("o").lstrip()))
                before = seg[:start].rstrip()
                if before and before[-1] not in ".!?\"“”:;—–-(\n[" and not before.endswith(","):
                    # the outlet may have swallowed the last words of the sentence before it:
                    # not a clean subject, so no credit is taken from this match
                    continue
                if not _MEDIA_WORD.search(name):
                    continue
            if not _is_outlet(name, k in _STRONG):
                continue
            found.append((base + m.start("o"), _AGENCY_SHORT.get(name, name)))


def find_sources(text: str) -> list[str]:
    """Outlets credited in `text` ("via Reuters", "told Bloomberg", "The Wall Street Journal
    reports", "[Sources: Phone Arena and GSM Arena]", "according to the Associated Press"), in
    order of first appearance, without duplicates. People ("Lei said") are not returned."""
    found: list[tuple[int, str]] = []
    # where a trigger word could be: a sentence with none of these cannot credit anyone. Only the
    # sentences (pieces of `_SENTENCE_SPLIT.split(text)`) holding one are cut out and searched.
    hints = _trigger_hints(text)
    bases: dict[int, int] | None = None
    i = 0
    while i < len(hints):
        h = hints[i]
        start, end = _sentence_around(text, h)
        seg = text[start:end]
        if _TRIGGER.search(seg):
            at = text.find(seg)
            if at != start:
                # the same sentence earlier in the text: the credits are placed where a search
                # from the summed lengths of the sentences before this one finds it
                if bases is None:
                    bases = _sentence_bases(text)
                at = text.find(seg, bases[start])
            _credits_in(seg, at, found)
        i = bisect_left(hints, end, i + 1)
    found.sort()
    out: list[str] = []
    seen: set[str] = set()
    for _, name in found:
        key = name.lower()
        if key.startswith("the "):
            key = key[4:]
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


# --- dates ----------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}
_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

_DATE_PATTERNS: list[re.Pattern[str]] = [
    re.compile(rf"\b{_YEAR}-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)(?:\b|T)"),               # 2019-11-19
    re.compile(rf"\b{_YEAR}/(?P<m>[01]?\d)/(?P<d>[0-3]?\d)\b"),                    # 2019/11/19
    re.compile(rf"\b{_MON}\s+{_DAY},?\s+{_YEAR}\b", re.I),                          # Nov. 19, 2019
    re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MON},?\s+{_YEAR}\b", re.I),                # 22 Aug 2016
    re.compile(rf"\b(?P<a>[0-3]?\d)[./](?P<b>[0-3]?\d)[./]{_YEAR}\b"),              # 12/19/2025, 19.12.2025
    re.compile(rf"\b(?P<a>[0-3]?\d)-(?P<b>[0-3]?\d)-{_YEAR}\b"),                    # 02-12-2025
    re.compile(rf"\b{_MON}\s+{_YEAR}\b", re.I),                                      # only month: no day
]


def _mk(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


# letters that match an ASCII one under re.I but do not lower-case to it ("ſep" is read as "sep")
_ODD_CASE = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def month_key(name: str) -> str:
    """A month name as matched case-insensitively ("Sept.", "ſep"), as the lower-case key of a
    month table ("sept", "sep")."""
    return name.translate(_ODD_CASE).lower().rstrip(".")


def find_date(s: str) -> tuple[str | None, int]:
    """The first full date in `s` as (YYYY-MM-DD, start offset), or (None, -1)."""
    if "19" not in s and "20" not in s:  # every pattern has a year
        return None, -1
    best: tuple[int, str] | None = None
    for k, pat in enumerate(_DATE_PATTERNS[:-1]):
        for m in pat.finditer(s):
            g = m.groupdict()
            y = int(g["year"])
            if k in (0, 1):
                iso = _mk(y, int(g["m"]), int(g["d"]))
            elif k in (2, 3):
                iso = _mk(y, _MONTHS[month_key(g["mon"])], int(g["day"]))
            else:
                a, b = int(g["a"]), int(g["b"])
                # month/day (US) unless the first number cannot be a month or dots are used
                sep = s[m.start("a") + len(g["a"])]
                if a > 12 or (sep == "." and b <= 12):
                    iso = _mk(y, b, a)
                else:
                    iso = _mk(y, a, b)
            if iso and (best is None or m.start() < best[0]):
                best = (m.start(), iso)
            break
    if best is None:
        return None, -1
    return best[1], best[0]


def parse_date(s: str) -> str | None:
    """A date in one of the common English formats ("22 Aug 2016", "Nov. 19, 2019 8:03 am ET",
    "2019-11-19T08:03:00Z", "12/19/2025", "Friday, December 19, 2025") as YYYY-MM-DD, or None."""
    if not s:
        return None
    return find_date(s)[0]


# --- authors and site names -----------------------------------------------------------------

_NAME_WORD = r"(?:[A-Z][a-zà-ÿ'’]+(?:-[A-Z]?[a-zà-ÿ'’]+)*|[A-Z]\.|[A-Z][a-z]?[A-Z][a-z]+|de|van|von|der|da|di|del|la|le|bin|al-[A-Z][a-z]+)"
NAME_RE = re.compile(rf"^{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,4}}$")

_NAME_STOP = {
    "the", "and", "of", "for", "news", "home", "about", "contact", "share", "menu", "search",
    "subscribe", "login", "sign", "more", "read", "new", "top", "best", "how", "why", "what",
    "staff", "editor", "editors", "team", "updated", "published", "posted", "comments", "by",
    "privacy", "policy", "terms", "related", "latest", "popular", "video", "videos", "photo",
    "photos", "world", "business", "sports", "politics", "technology", "tech", "science",
    "health", "opinion", "entertainment", "travel", "food", "style", "life", "culture", "us",
    "uk", "local", "national", "international", "advertisement", "sponsored", "press", "media",
    "all", "rights", "reserved", "skip", "content", "main", "table", "contents", "guide", "tips",
}


def looks_like_name(s: str) -> bool:
    """A person's name: two to five capitalised words, none of them a common site word."""
    s = s.strip()
    if not (4 <= len(s) <= 50) or not NAME_RE.match(s):
        return False
    words = [w.lower().strip(".") for w in s.split()]
    return not any(w in _NAME_STOP or w in _MONTHS for w in words)


_BY_RE = re.compile(r"^(?:written\s+|posted\s+|reported\s+|words\s+|story\s+)?by[:\s]+(?P<rest>.+)$", re.I)
_ROLE_TAIL = re.compile(
    r"\s*(?:[,|–—-]\s*|\s+)(?:(?:senior|staff|chief|contributing|special|deputy|managing|associate|"
    r"executive|political|foreign|technology|tech|science|health|business|news)\s+)*"
    r"(?:writer|editor|reporter|correspondent|contributor|columnist|journalist|producer|analyst)\b.*$",
    re.I,
)


def authors_from_byline(line: str, *, loose: bool = False) -> list[str]:
    """Names in a byline such as "By Jane Doe and John Roe", "By JANE DOE, Staff Writer",
    "Written by Jane Doe | May 2, 2024". Returns [] if the line is not a byline of people.
    `loose`: also one capitalised name of one to three words that is no person's full name
    ("Written by Kristin", "By Top Growth Marketing", "Posted by IndustrySelect on ..."); for
    lines known to sit in an article's header, where "By Category" is no filter label."""
    m = _BY_RE.match(line.strip())
    if not m:
        return []
    rest = m.group("rest")
    # a name ends at a separator (an em or en dash needs no spaces: "Jane Doe—10 min read")
    rest = re.split(r"\s*(?:\||·|•|—|–)\s*|\s+-\s+|\s+(?:on|updated|published|posted)\s+", rest,
                    maxsplit=1, flags=re.I)[0]
    d, pos = find_date(rest)
    if d and pos > 0:
        rest = rest[:pos]
    rest = _ROLE_TAIL.sub("", rest)
    rest = re.sub(r"\s*,\s*(?:[A-Z]{2,}(?:\s*,\s*)?)+$", "", rest)  # ", MD, PhD"
    parts = re.split(r"\s*(?:,|\band\b|&)\s*", rest)
    out = []
    for p in parts:
        p = p.strip(" .,;:")
        if p.isupper() and len(p) > 3:
            p = p.title()
        if looks_like_name(p):
            out.append(p)
    if not out and loose and len(parts) == 1:
        p = parts[0].strip(" .,;:")
        if _ONE_NAME.match(p) and p.split()[0].lower() not in _NAME_STOP | _BY_NOT_NAME:
            out.append(p)
    return out


# a name that `looks_like_name` does not take: one to three capitalised words, or a camel-cased one
_ONE_NAME = re.compile(r"^(?:[A-Z][a-z]+[A-Za-z]*|[A-Z][a-z]*[A-Z][A-Za-z]+)(?:\s+[A-Z][A-Za-z]+){0,2}$")
_BY_NOT_NAME = frozenset("this that these those using clicking continuing signing submitting subscribing entering".split())


_BIO_RE = re.compile(
    r"^(?P<first>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3})\s+(?:is|was|has been|serves as)\s+"
    r"(?:an?|the|our)\s+(?:[\w-]+\s+){0,4}?"
    r"(?i:writer|editor|reporter|correspondent|contributor|columnist|journalist|author|producer|"
    r"analyst|blogger|freelancer|critic|host)\b(?:\s+(?:at|for|with)\s+(?P<site>(?:The\s+)?[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*){0,4}))?"
)


def parse_bio(line: str) -> tuple[str, str | None] | None:
    """For an author bio ("Andy is a Senior Writer at Example Times, where ..."), the subject
    (first name or full name) and the outlet named in it (or None). None if not a bio."""
    m = _BIO_RE.match(line.strip())
    if not m:
        return None
    first = m.group("first")
    if first.lower() in {"this", "it", "he", "she", "there", "that", "the"}:
        return None
    site = m.group("site")
    if site:
        site = re.split(r"\.\s", site)[0]
        site = re.sub(r"[’']s$", "", site.strip(" .,;"))
    return first, site


_TRUST_RE = re.compile(r"\bWhy (?:you can )?trust (?P<site>(?:The\s+)?[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*){0,3})\s*\??$")
_COPY_RE = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:(?:19|20)\d\d\s*(?:[-–—]\s*(?:(?:19|20)\d\d)?)?\s*)?,?\s*"
    r"(?P<site>(?:The\s+)?[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*){0,4})",
    re.I,
)
_CORP_TAIL = re.compile(r"\s+(?:Inc|LLC|Ltd|Limited|Corp|Corporation|Co|GmbH|PLC|S\.A|Holdings|All|Rights)\b.*$")


def site_from_trust(line: str) -> str | None:
    """"Why trust Example" / "Why you can trust Example" names the site."""
    if "Why " not in line or "trust" not in line:  # both are literal in the pattern
        return None
    m = _TRUST_RE.search(line.strip())
    return m.group("site") if m else None


_SITE_BAD = re.compile(
    r"(?i)\b(?:privacy|policy|terms|license|licence|agreement|reserved|rights|copyright|latest|cookies?|"
    r"company|communications|interactive|networks?|publishing|publications|corporation|enterprises|"
    r"holdings|incorporated|software|university|college|advertise|contact|it|this|we|our)\b"
)
_ROMAN = re.compile(r"^[MDCLXVI]+$")


def site_from_copyright(line: str) -> str | None:
    """"© 2022 Example News. All rights reserved." names the site (legal suffixes dropped).
    Publisher companies ("Example Communications", "Example Publishing Company") are not site
    names and give None, as does anything that does not read as a name."""
    m = _COPY_RE.search(line)
    if not m:
        return None
    site = m.group("site").strip(" .,;")
    site = re.split(r"\.\s|\s[|·•-]\s", site)[0]
    site = _CORP_TAIL.sub("", site).strip(" .,;")
    if not site or len(site) < 3 or not site[0].isupper() or _ROMAN.match(site) or _SITE_BAD.search(site):
        return None
    if site.isupper() and " " not in site and len(site) > 5:  # "CAMELS": a shouted word, not a name
        return None
    return site


# --- headlines in page dumps ----------------------------------------------------------------

_BYLINE_START = re.compile(r"(?i)^(?:by\s|written by|posted|published|updated|last updated|reviewed by)|\bmin(?:ute)?s? read\b")


def byline_like(line: str) -> bool:
    """A line of the header block under a headline: "By ...", "Updated ...", "5 min read", a
    short line carrying a date, or a person's name alone."""
    line = line.strip()
    if _BYLINE_START.search(line):
        return True
    if len(line.split()) <= 12 and find_date(line)[0]:
        return True
    return looks_like_name(line)


def _headline_like(line: str) -> bool:
    words = len(line.split())
    return (2 <= words <= 25 and len(line) <= 200 and not line.endswith((".", ",", ":", ";"))
            and not line.startswith(("-", "•", "*", "|")) and not byline_like(line))


def headline_above(lines: list[str], start: int, window: int = 15) -> int | None:
    """Index of the headline of a page dump whose body starts at line `start`: the headline-like
    line right above the byline / date lines that sit over the body (within `window` lines)."""
    for i in range(min(start, len(lines)) - 1, max(-1, start - window), -1):
        if byline_like(lines[i]):
            j = i - 1
            while j >= 0 and byline_like(lines[j]):
                j -= 1
            if j >= 0 and _headline_like(lines[j]):
                return j
            return None
    return None


_CRUMB_SEP = re.compile(r"\s+(?:/|>|»|›)\s+")
_ECHO_MIN_WORDS = 3
_ECHO_GAP = 3


def breadcrumb_echo(lines: list[str]) -> int | None:
    """Index of the headline repeated as the last item of a breadcrumb trail just above it
    ("Home / Guides / How to read tide tables" then "How to read tide tables"): the page's own
    headline. The line must follow the trail within `_ECHO_GAP` lines and have `_ECHO_MIN_WORDS`
    words or more (a section name repeated under its trail is not a headline)."""
    for i, line in enumerate(lines):
        if ("/" not in line and ">" not in line and "»" not in line and "›" not in line) or len(line) > 400:
            continue
        parts = _CRUMB_SEP.split(line.strip())
        if len(parts) < 2:
            continue
        last = " ".join(parts[-1].lower().split()).rstrip(".…").strip()
        if sum(1 for w in last.split() if any(c.isalnum() for c in w)) < _ECHO_MIN_WORDS:
            continue
        for j in range(i + 1, min(len(lines), i + 1 + _ECHO_GAP)):
            low = " ".join(lines[j].lower().split())
            if low == last or (parts[-1].rstrip().endswith(("...", "…")) and low.startswith(last)):
                return j
    return None
