"""Seeded generator of realistic raw news corpora with planted duplicates.

    python bench/make_corpus.py N OUT [--seed S] [--html-share F] [--truth PATH] [--dup-share F]

Built from the shared test sets (``../shared/datasets/*/{dump,html,truth.jsonl}``):

* originals: every real page once (its own dump as it is, or its body with page chrome —
  navigation, teasers, footers — taken from other pages of the same set around it); pages
  that duplicate another page of the pool (wire copies, and the same event told by two
  outlets, which the sets hold unlabelled) are left out, so distinct originals really are
  distinct; a page's chrome is the dump's blocks around its body, never article text glued
  to a menu item, and only its template part (short blocks from the page's top and bottom
  edge, see ``_template``) is moved around other bodies; past
  the real pages, collage articles made of sentence runs from many real bodies, wrapped in
  recombined chrome the same way;
* planted copies (``--dup-share``, default 10% of the files) of some originals: the same
  body in other chrome (``exact``), truncated (``truncate``), a paragraph dropped
  (``drop_para``) or added (``add_para``), sentence edits (``edit``);
* ``--html-share`` of the files are HTML: the real page's HTML for an untouched real
  original, else a plain page template with the chrome in nav/aside/footer elements.

Files go to OUT/<folder>/<id>.txt|.html, 1000 per folder. The truth is written apart
(default OUT.parent/<OUT.name>.truth.json) so a pipeline reading OUT never sees it:
{"docs": [{"id", "path", "group", "edit", "format", "set", "title", "body"}], ...}.
Documents sharing a "group" are duplicates of one another; "edit" is "original" or the edit.
"""
from __future__ import annotations

import argparse
import gzip
import html as htmlmod
import json
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = ("aeb", "wcxb-dev", "l3s-gn1")
EDITS = ("exact", "truncate", "drop_para", "add_para", "edit")
PER_FOLDER = 1000


def shared_dir() -> Path:
    env = os.environ.get("NEWSCURATE_SHARED")
    return Path(env) if env else (ROOT / ".." / "shared").resolve()


@dataclass
class Page:
    set: str
    id: str
    title: str
    body: str
    dump: str
    head: list[str] = field(default_factory=list)  # chrome blocks before the body
    tail: list[str] = field(default_factory=list)  # chrome blocks after the body
    html: Path | None = None


_WORD = re.compile(r"\w+")


def _norm(s: str) -> str:
    return " ".join(_WORD.findall(s.lower()))


_RUN = 8  # words: a block sharing runs this long with the body holds article text


def _split_chrome(dump: str, body: str) -> tuple[list[str], list[str]] | None:
    """The dump's blocks before the body's first block and after its last: the page chrome.

    A block counts as body when it is a body paragraph, or when most of its 8-word runs are
    the body's: scraped dumps glue some paragraphs to a menu item or an ad label ("* Business
    The mother of ..."), and such a block is article text, not chrome. Taking it for chrome
    would plant one page's article inside other pages as their "navigation".
    """
    blocks = [b.strip() for b in re.split(r"\n\s*\n", dump) if b.strip()]
    body_norm = _norm(body)
    paras = {_norm(p) for p in body.split("\n") if p.strip()}
    bw = body_norm.split()
    body_runs = {" ".join(bw[i : i + _RUN]) for i in range(max(0, len(bw) - _RUN + 1))}
    is_body = []
    for b in blocks:
        nb = _norm(b)
        if nb and (nb in paras or (len(nb.split()) >= 6 and nb in body_norm)):
            is_body.append(True)
            continue
        w = nb.split()
        runs = [" ".join(w[i : i + _RUN]) for i in range(len(w) - _RUN + 1)]
        is_body.append(bool(runs) and sum(r in body_runs for r in runs) >= 0.5 * len(runs))
    if not any(is_body):
        return None
    first = is_body.index(True)
    last = len(is_body) - 1 - is_body[::-1].index(True)
    return blocks[:first], blocks[last + 1 :]


@lru_cache(maxsize=4)
def load_pages(shared: str | None = None) -> tuple[Page, ...]:
    base = Path(shared) if shared else shared_dir()
    pages: list[Page] = []
    seen: set[str] = set()
    distinct: set[frozenset] = set()  # labelled different events: both pages stay
    for name in SETS:
        d = base / "datasets" / name
        truth = d / "truth.jsonl"
        if not truth.exists():
            continue
        # known duplicate clusters in the set: keep one member, or they would be unplanted pairs
        skip: set[str] = set()
        labels = d / "labels.json"
        if labels.exists():
            lab = json.loads(labels.read_text())
            for cluster in lab.get("clusters", []):
                skip.update(sorted(cluster)[1:])
            distinct.update(frozenset((name, i) for i in p) for p in lab.get("hard_negative_pairs", []))
        for line in truth.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            r = json.loads(line)
            body = (r.get("body") or "").strip()
            if len(body.split()) < 60 or r["id"] in skip:
                continue
            dump_p = d / "dump" / f"{r['id']}.txt"
            if not dump_p.exists():
                continue
            dump = dump_p.read_text(encoding="utf-8", errors="replace")
            split = _split_chrome(dump, body)
            if split is None:
                continue
            html_p = None
            for cand in (d / "html" / f"{r['id']}.html", d / "html" / f"{r['id']}.html.gz"):
                if cand.exists():
                    html_p = cand
            key = " ".join(_norm(body).split()[:40])
            if key in seen:
                continue  # the same text already in the pool: it would be an unplanted duplicate
            seen.add(key)
            pages.append(Page(name, r["id"], (r.get("title") or "").strip(), body, dump, split[0], split[1], html_p))
    return tuple(_drop_duplicates(pages, distinct))


def _drop_duplicates(pages: list[Page], distinct: set[frozenset] = frozenset()) -> list[Page]:
    """Leave out pages whose body duplicates another page's: wire copies, and the same event
    told by two outlets (the sets hold both, and only l3s-gn1 labels half of them). Left in,
    they would be true duplicates that the truth calls distinct. Found with the library's
    levels on the true bodies; a pair labelled a hard negative (a different event, in
    ``labels.json``) is never a reason to leave a page out: both stay, and joining them
    counts as a false pair."""
    sys.path.insert(0, str(ROOT))
    from cleaners.dedup import DedupParams, deduplicate, make_signature

    key = [(p.set, p.id) for p in pages]
    drop: set[int] = set()
    # with and without the title, and a story threshold a margin below the default: a
    # borderline same-event pair leaves the pool rather than stay as a "distinct" pair.
    # Repeated until nothing more leaves: a pair that the clustering kept apart (its page
    # already in another cluster) shows once that cluster's pages are gone.
    params = DedupParams(story_score=DedupParams().story_score - 0.07)
    for _round in range(4):
        before = len(drop)
        for with_title in (True, False):
            sigs = [make_signature(f"{i}", p.body, title=(p.title or None) if with_title else None, params=params)
                    for i, p in enumerate(pages) if i not in drop]
            drop |= {
                int(d.doc_id)
                for d in deduplicate(sigs, params=params)
                if frozenset((key[int(d.doc_id)], key[int(d.duplicate_of)])) not in distinct
            }
        if len(drop) == before:
            break
    return [p for i, p in enumerate(pages) if i not in drop]


# --------------------------------------------------------------------------- bodies and edits

_SENT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"“‘(]?[A-Z0-9])")


def _sentences(body: str) -> list[str]:
    out = []
    for para in body.split("\n"):
        para = para.strip()
        if para:
            out.extend(s for s in _SENT.split(para) if len(s.split()) >= 4)
    return out


_NAME_WORD = re.compile(r"\b[^\W\d_]{2,}(?:['’-][^\W\d_]+)?\b")  # a word in any script


def _is_name(w: str) -> bool:
    """A capitalised word ("Polina", "Полина", "Ørsted"), not a shouted one ("NATO")."""
    return w[0].isupper() and w[1].islower() and w not in _KEEP_CAPS
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_KEEP_CAPS = frozenset(
    "The A An In On At But And He She It They We I This That These Those There Then When While "
    "If For From With After Before As By Of To Its His Her Their Our Mr Mrs Ms Dr".split()
)


class BodyFactory:
    """Real bodies first, then collages of sentence runs from many real bodies."""

    def __init__(self, pages: tuple[Page, ...], rng: random.Random) -> None:
        self.pages = pages
        self.rng = rng
        self.sent = [_sentences(p.body) for p in pages]
        pool = sorted({w for p in pages for w in _NAME_WORD.findall(p.body) if _is_name(w)})
        self.name_pool = pool or ["Smith"]
        self.order = list(range(len(pages)))
        rng.shuffle(self.order)
        self.next_real = 0
        self.used: set[tuple[int, int]] = set()  # (page, sentence) already in a collage

    def real(self) -> tuple[Page, str, str] | None:
        if self.next_real >= len(self.order):
            return None
        p = self.pages[self.order[self.next_real]]
        self.next_real += 1
        return p, p.body, p.title

    def collage(self) -> tuple[str, str, str]:
        """A distinct article: 3-6 paragraphs of 2-4 sentences, every sentence from another body.

        Single sentences from many bodies keep the collage from containing a real article's
        passage (which would make it a partial copy of that article); its names, in any script,
        and its numbers are swapped, and no two collages take the same sentence while unused
        ones are left.
        """
        rng = self.rng
        paras = []
        title = ""
        set_name = rng.choice(SETS)
        for k in range(rng.randint(3, 6)):
            sents = []
            for _ in range(rng.randint(2, 4)):
                # a sentence no other collage has (while there are such): two collages sharing
                # a long sentence would be partial copies of each other
                pick = None
                for _ in range(20):
                    i = rng.randrange(len(self.pages))
                    if self.sent[i]:
                        pick = (i, rng.randrange(len(self.sent[i])))
                        if pick not in self.used:
                            break
                if pick is None:
                    i = next(k for k in self.order if self.sent[k])
                    pick = (i, rng.randrange(len(self.sent[i])))
                i, j = pick
                self.used.add(pick)
                sents.append(self.sent[i][j])
                if k == 0 and len(sents) == 1:
                    set_name = self.pages[i].set
            paras.append(" ".join(sents))
        # names and numbers are swapped for others (consistently within the collage), so a
        # collage does not name the people, places and figures of the bodies it borrows from
        names: dict[str, str] = {}
        nums: dict[str, str] = {}

        def swap_name(m: re.Match[str]) -> str:
            w = m.group(0)
            if not _is_name(w):
                return w
            if w not in names:
                names[w] = rng.choice(self.name_pool)
            return names[w]

        def swap_num(m: re.Match[str]) -> str:
            w = m.group(0)
            if w not in nums:
                nums[w] = "".join(rng.choice("123456789") if c.isdigit() else c for c in w)
            return nums[w]

        paras = [_NUMBER.sub(swap_num, _NAME_WORD.sub(swap_name, p)) for p in paras]
        title = " ".join(paras[0].split()[: rng.randint(5, 10)]).rstrip(",.;:")
        return set_name, "\n\n".join(paras), title


def _paras(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", body) if p.strip()]


_EDIT_SWAPS = [
    (r"\bsaid\b", "says"), (r"\bsays\b", "said"), (r"\bper cent\b", "percent"),
    (r"\bpercent\b", "per cent"), (r"\bUS\b", "U.S."), (r"\bU\.S\.", "US"),
    (r"\bhowever\b", "though"), (r"\bbut\b", "yet"), (r"\babout\b", "around"),
    (r"\bMonday\b", "on Monday"), (r"\bthe company\b", "the firm"),
]


def edit_body(body: str, edit: str, rng: random.Random, factory: BodyFactory) -> str:
    paras = _paras(body)
    if edit == "exact":
        return "\n\n".join(paras)
    if edit == "truncate":
        words = 0
        total = sum(len(p.split()) for p in paras)
        keep_share = rng.uniform(0.3, 0.8)
        out = []
        for p in paras:
            out.append(p)
            words += len(p.split())
            if words >= keep_share * total and len(out) >= 2:
                break
        return "\n\n".join(out)
    if edit == "drop_para":
        if len(paras) >= 3:
            del paras[rng.randrange(1, len(paras))]
        return "\n\n".join(paras)
    if edit == "add_para":
        _, extra, _ = factory.collage()
        extra_para = _paras(extra)[0]
        paras.insert(rng.randint(1, len(paras)), extra_para)
        return "\n\n".join(paras)
    if edit == "edit":
        out = []
        for p in paras:
            sents = _SENT.split(p)
            new = []
            for s in sents:
                r = rng.random()
                if r < 0.08 and len(sents) > 1:
                    continue  # sentence cut
                if r < 0.3:
                    for pat, rep in rng.sample(_EDIT_SWAPS, 3):
                        s = re.sub(pat, rep, s, count=1)
                new.append(s)
            if new:
                out.append(" ".join(new))
        return "\n\n".join(out)
    raise ValueError(edit)


# --------------------------------------------------------------------------- rendering


TEMPLATE_BLOCK_WORDS = 20  # a longer block around a body is page-specific text (comments, captions), not template
TEMPLATE_WORDS = 150  # words of template taken from each side of a page


def _template(blocks: list[str], from_end: bool) -> list[str]:
    """The site template among a page's chrome blocks: from the page's outer edge (the top of
    the head, the bottom of the tail) inwards, up to the first long block and at most
    TEMPLATE_WORDS words. Closer to the body, a dump holds text of that page alone (the rest
    of an article the truth cut short, its comments, long captions): no other page of a site
    carries it, so it is not moved around another page's body."""
    seq = blocks[::-1] if from_end else blocks
    out: list[str] = []
    words = 0
    for b in seq:
        n = len(b.split())
        if n > TEMPLATE_BLOCK_WORDS or words + n > TEMPLATE_WORDS:
            break
        out.append(b)
        words += n
    return out[::-1] if from_end else out


def _chrome(pages_by_set: dict[str, list[Page]], set_name: str, rng: random.Random) -> tuple[list[str], list[str]]:
    pool = pages_by_set.get(set_name) or [p for ps in pages_by_set.values() for p in ps]
    head = _template(rng.choice(pool).head, from_end=False)
    tail = _template(rng.choice(pool).tail, from_end=True)
    return head, tail


def render_text(title: str, body: str, head: list[str], tail: list[str], rng: random.Random) -> str:
    blocks = list(head)
    if title and rng.random() < 0.8:
        blocks.append(title)
    blocks.extend(_paras(body))
    blocks.extend(tail)
    return "\n\n".join(blocks) + "\n"


def render_html(title: str, body: str, head: list[str], tail: list[str]) -> str:
    e = htmlmod.escape
    nav = "".join(f"<li>{e(b)}</li>" for b in head)
    aside = "".join(f"<p>{e(b)}</p>" for b in tail[: len(tail) // 2])
    foot = "".join(f"<p>{e(b)}</p>" for b in tail[len(tail) // 2 :])
    paras = "".join(f"<p>{e(p)}</p>" for p in _paras(body))
    return (
        f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{e(title)}</title></head><body>"
        f"<nav><ul>{nav}</ul></nav><article><h1>{e(title)}</h1>{paras}</article>"
        f"<aside>{aside}</aside><footer>{foot}</footer></body></html>\n"
    )


def _real_html(p: Page) -> bytes | None:
    if p.html is None:
        return None
    data = p.html.read_bytes()
    if p.html.suffix == ".gz":
        data = gzip.decompress(data)
    return data


# --------------------------------------------------------------------------- generation


def plan(n: int, seed: int, dup_share: float, shared: str | None = None):
    """The documents to write, as dicts (without writing anything)."""
    rng = random.Random(seed)
    pages = load_pages(shared)
    if not pages:
        raise SystemExit("no shared datasets found")
    factory = BodyFactory(pages, rng)
    n_dups = int(round(n * dup_share))
    n_orig = n - n_dups
    origs = []
    for g in range(n_orig):
        real = factory.real()
        if real is not None:
            p, body, title = real
            origs.append({"group": f"g{g:06d}", "set": p.set, "page": p, "body": body, "title": title})
        else:
            set_name, body, title = factory.collage()
            origs.append({"group": f"g{g:06d}", "set": set_name, "page": None, "body": body, "title": title})
    docs = [dict(o, edit="original") for o in origs]
    # planted copies: some originals get 1-3 copies
    while len(docs) < n:
        o = rng.choice(origs)
        for _ in range(min(rng.choice((1, 1, 1, 2, 3)), n - len(docs))):
            edit = rng.choice(EDITS)
            docs.append({**o, "page": None, "edit": edit, "body": edit_body(o["body"], edit, rng, factory),
                         "title": o["title"] if rng.random() < 0.7 else o["title"][: max(10, len(o["title"]) // 2)]})
    rng.shuffle(docs)
    ids = set()
    for d in docs:
        while True:
            i = f"{rng.getrandbits(48):012x}"
            if i not in ids:
                ids.add(i)
                d["id"] = i
                break
    return docs, factory


def generate(n: int, out: Path, seed: int = 1, html_share: float = 0.1, truth_path: Path | None = None,
             dup_share: float = 0.1, shared: str | None = None) -> Path:
    out = Path(out)
    truth_path = Path(truth_path) if truth_path else out.parent / f"{out.name}.truth.json"
    docs, factory = plan(n, seed, dup_share, shared)
    rng = random.Random(seed + 1)
    pages_by_set: dict[str, list[Page]] = {}
    for p in factory.pages:
        pages_by_set.setdefault(p.set, []).append(p)
    out.mkdir(parents=True, exist_ok=True)
    records = []
    for k, d in enumerate(docs):
        folder = f"{k // PER_FOLDER:05d}"
        (out / folder).mkdir(exist_ok=True)
        page: Page | None = d["page"]
        as_html = rng.random() < html_share
        data: bytes | None = None
        if page is not None and d["edit"] == "original" and rng.random() < 0.5:
            # the real page as it was scraped
            data = _real_html(page) if as_html else page.dump.encode("utf-8")
            if data is None:
                as_html = False
                data = page.dump.encode("utf-8")
        if data is None:
            head, tail = _chrome(pages_by_set, d["set"], rng)
            if as_html:
                data = render_html(d["title"], d["body"], head, tail).encode("utf-8")
            else:
                data = render_text(d["title"], d["body"], head, tail, rng).encode("utf-8")
        rel = f"{folder}/{d['id']}.{'html' if as_html else 'txt'}"
        (out / rel).write_bytes(data)
        records.append({"id": d["id"], "path": rel, "group": d["group"], "edit": d["edit"],
                        "format": "html" if as_html else "text", "set": d["set"], "title": d["title"],
                        "body": d["body"]})
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    truth_path.write_text(json.dumps({"n": n, "seed": seed, "html_share": html_share, "dup_share": dup_share,
                                      "docs": records}, ensure_ascii=False))
    return truth_path


def build_bodies(n: int, seed: int = 1, dup_share: float = 0.1) -> list[dict]:
    """Bodies of a planted corpus without writing files (for dedup speed runs)."""
    docs, _ = plan(n, seed, dup_share)
    return [{"id": d["id"], "body": d["body"], "group": d["group"], "edit": d["edit"]} for d in docs]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--html-share", type=float, default=0.1)
    ap.add_argument("--dup-share", type=float, default=0.1)
    ap.add_argument("--truth", type=Path, default=None)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    truth = generate(a.n, a.out, seed=a.seed, html_share=a.html_share, truth_path=a.truth, dup_share=a.dup_share)
    print(f"wrote {a.n} files to {a.out} and the truth to {truth} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
