"""Layout repair of plain-text dumps: columns rendered side by side on one line.

A text browser renders a page laid out in a table (navigation | article | sidebar) as lines that
hold a cell of each column, separated by a wide run of spaces, the cells of one column starting
at about the same character offset on every line::

    *      Merrill Lynch to get big cash boost        The body's first paragraph ...
    *      U.S. stocks fall again

`split_columns` finds such regions and writes each column as its own run of lines, column after
column (left first), with a blank line between columns, a blank line where a column's cell is
empty between two non-empty ones (a paragraph break), and a blank line between the region and a
non-blank line right before or after it. It is whitespace repair only: every word
stays, in its order within its column; lines outside a region stay byte-identical, and a text
without an internal run of `WIDE` spaces is returned as it is, after one regex search.

The evidence a region needs:

- two or more lines with an internal gap of at least `WIDE` spaces, close to each other (at most
  `MAX_BETWEEN` non-blank lines without such a gap between two of them);
- cells after such a gap that start at consistent offsets: the starts are grouped (offsets
  within `LINK` characters chain into one group: a left cell's indentation, stripped, shifts
  the rest of its line a little) and a group counts as a column only when cells of `MIN_ROWS`
  or more lines start in it.

A lone line with a wide gap (a right-aligned date beside a headline, "Title         Friday 28th
December, 2007") has no such evidence and is left as it is, as are gaps at offsets no other
line shares (the cell goes on across such a gap, spaces kept).

A data table is left as it is too: read column by column it would lose its rows. A region is
taken for one when nearly every non-blank line (`TABLE_FILL`) has two or more cells or a cell
with a run of two spaces inside (a finer grid than the wide gaps show), or when `TABLE_INNER` of
them have such a cell. Columns of a page layout are independent runs of text, so one of them
is empty on many lines.

Inside a region a cell also starts after a shorter run (`NARROW` spaces or more) when it starts
within a column's offsets: a left cell that nearly fills its column leaves a short gap. Such lines
also carry a region on, before its first or after its last line with a wide gap.

The dumps strip each line's leading spaces, so a line whose left cell is empty starts with a cell
of another column. A long lone line (`OVERFLOW` times as long as the left column is wide) goes to
the first column wide enough for it. A group of cell starts that is another column seen from such
lines (g + h = g', for columns h and g') is read with the line's offsets shifted back by h, its
first cell in column h. When the region's last left cell is running text and running text
follows the region, that text is the left column's too: it goes before the other columns. A column
whose cells are only list bullets (``*``, ``-``, ``+``, ``o``, ``1.``) is joined to the cell on
its right with one space.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Region", "find_regions", "split_columns", "WIDE"]

WIDE = 8          # an internal run of this many spaces may separate two columns
NARROW = 3        # inside a region, a shorter run separates cells when the next cell starts in a column
LINK = 6          # cell starts this close chain into one column
MIN_ROWS = 2      # lines whose cells must start in a column for it to count
MAX_BETWEEN = 3   # non-blank lines without a wide gap allowed between two lines of a region
SLACK = 2         # a column's offsets: its starts' range widened by this on either side
TABLE_FILL = 0.8  # two or more cells (or a cell with two spaces inside) on this share of lines: a table
TABLE_INNER = 0.4  # ... or with runs of two spaces inside a cell on this share
OVERFLOW = 1.25   # a lone cell this many times as long as the left column is wide is not the left column's
PROSE_WORDS = 8   # a line of running text has this many words or more

# `\S {WIDE,}\S`, written to start with its run of spaces so that the search skips ahead to
# WIDE spaces in a row (a literal prefix) instead of trying every non-space character; the
# possessive run keeps a long run of trailing spaces linear
_WIDE_RX = re.compile(r"%s(?<=\S%s) *+\S" % (" " * WIDE, " " * WIDE))
_WIDE_GAP = re.compile(r"%s(?<=\S%s) *+(?=\S)" % (" " * WIDE, " " * WIDE))
_SEGMENT = re.compile(r"\S+(?: {1,%d}\S+)*" % (NARROW - 1))
_BULLET = re.compile(r"(?:[*+\-o#@>•·▪◦‣–—|]|\d{1,3}[.)])\Z")


@dataclass(frozen=True)
class Region:
    """Lines `start` to `end` (exclusive) laid out in columns. `columns` holds each column's
    offsets (first, last) a cell may start at, the left column (0, 0) first. `shifted` maps a
    line whose first cell belongs to another column than the left one (its leading spaces were
    stripped) to (that column, the line's offset shift)."""

    start: int
    end: int
    columns: tuple[tuple[int, int], ...]
    shifted: dict[int, tuple[int, int]] = field(default_factory=dict, compare=False, hash=False)


def _wide_starts(line: str) -> list[int]:
    """Offsets of the cells that follow an internal run of `WIDE` or more spaces."""
    return [m.end() for m in _WIDE_GAP.finditer(line)]


def _cells(line: str, columns: tuple[tuple[int, int], ...], first: int = 0, shift: int = 0) -> list[str]:
    """The line's cell in each column ('' where empty): the first segment starts a cell in
    column `first`; a later one starts a cell when it starts (plus `shift`) within a column
    right of the current cell's, otherwise it goes on the current cell."""
    out = [""] * len(columns)
    col = -1
    cell_start = cell_end = 0
    for m in _SEGMENT.finditer(line):
        s = m.start()
        new = -1
        if col < 0:
            new = first
        else:
            p = s + shift
            for c in range(col + 1, len(columns)):
                lo, hi = columns[c]
                if lo <= p <= hi:
                    new = c
                    break
        if new >= 0:
            if col >= 0:
                out[col] = line[cell_start:cell_end]
            col, cell_start = new, s
        cell_end = m.end()
    if col >= 0:
        out[col] = line[cell_start:cell_end]
    if col == 0 and len(columns) > 1 and cell_end > OVERFLOW * columns[1][1]:
        # a lone cell far too wide for the left column (a cell may run a word past it): the
        # dumps strip leading spaces, so a line with a cell of another column alone starts at
        # 0; it goes to the first column it fits
        c = next((c for c in range(1, len(columns) - 1) if cell_end <= columns[c + 1][1] - columns[c][0]),
                 len(columns) - 1)
        out[0], out[c] = "", out[0]
    return out


def _cluster(starts: list[tuple[int, int]]) -> list[tuple[int, int, frozenset[int]]]:
    """Group (offset, line) cell starts: (first offset, last offset, lines) of each group with
    cells on `MIN_ROWS` or more lines."""
    starts = sorted(starts)
    groups: list[list[tuple[int, int]]] = []
    for off, ln in starts:
        if groups and off - groups[-1][-1][0] <= LINK:
            groups[-1].append((off, ln))
        else:
            groups.append([(off, ln)])
    out = []
    for g in groups:
        lines = frozenset(ln for _, ln in g)
        if len(lines) >= MIN_ROWS:
            out.append((g[0][0], g[-1][0], lines))
    return out


def _shifts(groups: list[tuple[int, int, frozenset[int]]]) -> dict[int, tuple[int, int]]:
    """Groups that are another group seen from a line without its left cell: the dumps strip
    leading spaces, so on a line whose first cell belongs to column h, a cell of column g'
    starts at g' - h. A group g is such a shadow when g + h falls in g' for groups h left of g
    and g' (g' neither), and no line has cells in both g and h. Maps g's index to (h, g')."""
    out: dict[int, tuple[int, int]] = {}
    for gi, (glo, ghi, glines) in enumerate(groups):
        for hi_, (hlo, hhi, hlines) in enumerate(groups):
            if hlo >= glo or glines & hlines:
                continue
            for ti, (tlo, thi, _) in enumerate(groups):
                if ti in (gi, hi_):
                    continue
                if glo + hlo - LINK <= thi and ghi + hhi + LINK >= tlo:
                    out[gi] = (hi_, ti)
                    break
            if gi in out:
                break
    return {g: (h, t) for g, (h, t) in out.items() if h not in out and t not in out}


def _is_table(rows: list[list[str]]) -> bool:
    """Rows of records rather than columns of running text: two or more cells, or a cell with a
    run of spaces inside, on nearly every line (`TABLE_FILL`); or cells that hold runs of
    spaces themselves (a finer grid of columns than the wide gaps show) on `TABLE_INNER` of
    the lines."""
    nonblank = [r for r in rows if any(r)]
    if not nonblank:
        return False
    inner = [any("  " in c for c in r) for r in nonblank]
    grid = sum(1 for r, i in zip(nonblank, inner) if i or sum(1 for c in r if c) >= 2)
    return grid >= TABLE_FILL * len(nonblank) or sum(inner) >= TABLE_INNER * len(nonblank)


def find_regions(lines: list[str]) -> list[Region]:
    """The regions of `lines` laid out in columns (see the module docstring)."""
    gap_lines = [(i, st) for i, line in enumerate(lines) if "  " in line and (st := _wide_starts(line))]
    if len(gap_lines) < MIN_ROWS:
        return []
    # candidate regions: gap lines close to each other
    cands: list[list[tuple[int, list[int]]]] = [[gap_lines[0]]]
    for i, st in gap_lines[1:]:
        prev = cands[-1][-1][0]
        between = sum(1 for j in range(prev + 1, i) if lines[j].strip())
        if between <= MAX_BETWEEN:
            cands[-1].append((i, st))
        else:
            cands.append([(i, st)])
    regions: list[Region] = []
    for k, g in enumerate(cands):
        if len(g) < MIN_ROWS:
            continue
        groups = _cluster([(off, i) for i, st in g for off in st])
        if not groups:
            continue
        shadows = _shifts(groups)
        real = [n for n in range(len(groups)) if n not in shadows]
        index = {n: c + 1 for c, n in enumerate(real)}
        columns = ((0, 0),) + tuple((groups[n][0] - SLACK, groups[n][1] + SLACK) for n in real)
        shifted: dict[int, tuple[int, int]] = {}
        for n, (h, t) in shadows.items():
            glo, ghi, glines = groups[n]
            tlo, thi, _ = groups[t]
            shift = (tlo + thi) // 2 - (glo + ghi) // 2
            for ln in glines:
                shifted[ln] = (index[h], shift)
        # the region runs from the first to the last line with a wide gap into a column
        hits = [i for i, st in g if i in shifted or any(lo <= off <= hi for off in st for lo, hi in columns[1:])]
        if len(hits) < MIN_ROWS:
            continue
        # ... and on over lines whose cell after a shorter gap starts in a column
        start, end = hits[0], hits[-1] + 1
        stop = cands[k + 1][0][0] if k + 1 < len(cands) else len(lines)
        end = _reach(lines, columns, end, stop, 1)
        start = _reach(lines, columns, start - 1, regions[-1].end - 1 if regions else -1, -1) + 1
        regions.append(Region(start, end, columns, shifted))
    return regions


def _reach(lines: list[str], columns: tuple[tuple[int, int], ...], j: int, stop: int, step: int) -> int:
    """From line `j` on in direction `step` (not reaching `stop`): the line after the last one
    with a cell starting in a column after a run of `NARROW` or more spaces, with at most
    `MAX_BETWEEN` non-blank lines without one between (`j` itself when none)."""
    last = j
    misses = 0
    while j != stop:
        line = lines[j]
        if line.strip():
            if "   " in line and any(m.start() and any(lo <= m.start() <= hi for lo, hi in columns[1:])
                                   for m in _SEGMENT.finditer(line)):
                last = j + step
                misses = 0
            else:
                misses += 1
                if misses > MAX_BETWEEN:
                    break
        j += step
    return last


def _join_bullets(rows: list[list[str]]) -> list[list[str]]:
    """Join a column of list bullets to the column on its right: a column whose every cell
    beside a cell on its right is a bullet (on `MIN_ROWS` or more lines)."""
    c = 0
    while c < len(rows[0]) - 1:
        beside = [r[c] for r in rows if r[c] and r[c + 1]]
        if len(beside) >= MIN_ROWS and all(_BULLET.match(x) for x in beside):
            for r in rows:
                r[c + 1] = f"{r[c]} {r[c + 1]}" if r[c] and r[c + 1] else r[c] or r[c + 1]
                del r[c]
        else:
            c += 1
    return rows


def _render(rows: list[list[str]]) -> list[str]:
    out: list[str] = []
    for c in range(len(rows[0])):
        col: list[str] = []
        for r in rows:
            if r[c]:
                col.append(r[c])
            elif col and col[-1]:
                col.append("")
        while col and not col[-1]:
            col.pop()
        if not col:
            continue
        if out:
            out.append("")
        out.extend(col)
    return out


def _continued(lines: list[str], rows: list[list[str]], end: int, stop: int) -> int:
    """Where the left column goes on after a region ending at `end`: when the region's last
    cell on the left is running text, the lines of running text (and blank lines) that follow
    are that column's too, so the other columns go after them, not into its paragraphs."""
    last = next((r for r in reversed(rows) if any(r)), None)
    if last is None or len(last[0].split()) < PROSE_WORDS:
        return end
    j = new_end = end
    while j < stop:
        line = lines[j]
        if line.strip():
            if _WIDE_RX.search(line) or len(line.split()) < PROSE_WORDS:
                break
            new_end = j + 1
        j += 1
    return new_end


def split_columns(text: str) -> str:
    """`text` with each region laid out in columns written column after column (see the module
    docstring). A text without an internal run of `WIDE` spaces is returned as it is."""
    if not _WIDE_RX.search(text):
        return text
    lines = text.split("\n")
    regions = find_regions(lines)
    if not regions:
        return text
    out: list[str] = []
    pos = 0
    changed = False
    for k, reg in enumerate(regions):
        rows = [_cells(lines[i], reg.columns, *reg.shifted.get(i, (0, 0))) for i in range(reg.start, reg.end)]
        rows = _join_bullets(rows)
        if _is_table(rows):
            continue
        end = _continued(lines, rows, reg.end, regions[k + 1].start if k + 1 < len(regions) else len(lines))
        width = len(rows[0])
        rows += [[lines[i].strip()] + [""] * (width - 1) for i in range(reg.end, end)]
        out.extend(lines[pos:reg.start])
        if out and out[-1].strip():
            out.append("")
        out.extend(_render(rows))
        if end < len(lines) and lines[end].strip():
            out.append("")
        pos = end
        changed = True
    if not changed:
        return text
    out.extend(lines[pos:])
    return "\n".join(out)
