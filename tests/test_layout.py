"""Column repair of plain-text dumps (cleaners.layout): made-up layouts, properties, and the
shared dumps."""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.layout import Region, find_regions, split_columns


def row(*cells: tuple[int, str]) -> str:
    """One rendered line: each (offset, text) cell written at its offset."""
    line = ""
    for off, text in cells:
        assert len(line) < off or not line, "cells overlap"
        line = line.ljust(off) + text
    return line


# --------------------------------------------------------------------------------------------
# regions split
# --------------------------------------------------------------------------------------------

def test_two_columns_become_two_runs_of_lines():
    text = "\n".join([
        "The Valley Courier",
        "",
        row((0, "Home"), (24, "Council approves new footbridge")),
        row((0, "Local news"), (24, "The vote passed by seven to two on Tuesday evening.")),
        row((0, "Weather")),
        row((0, "Letters"), (24, "Work is due to start in the spring.")),
        "",
        "Contact the newsroom",
    ])
    assert split_columns(text) == "\n".join([
        "The Valley Courier",
        "",
        "Home",
        "Local news",
        "Weather",
        "Letters",
        "",
        "Council approves new footbridge",
        "The vote passed by seven to two on Tuesday evening.",
        "",
        "Work is due to start in the spring.",
        "",
        "Contact the newsroom",
    ])


def test_an_empty_cell_between_two_cells_is_a_paragraph_break_of_that_column_only():
    text = "\n".join([
        row((0, "Sections"), (30, "Harbour dredging begins")),
        row((0, "* Town"), (30, "Two barges arrived on Monday.")),
        row((0, "* Sport")),
        row((0, "* Arts"), (30, "The work will take six weeks, the port said.")),
        row((0, "* Jobs")),
        row((0, "* Homes")),
        row((0, "* Cars"), (30, "Ferries keep to their timetable.")),
    ])
    out = split_columns(text).split("\n")
    left, right = out[:out.index("")], out[out.index("") + 1:]
    assert left == ["Sections", "* Town", "* Sport", "* Arts", "* Jobs", "* Homes", "* Cars"]
    assert right == ["Harbour dredging begins", "Two barges arrived on Monday.", "",
                     "The work will take six weeks, the port said.", "", "Ferries keep to their timetable."]


def test_lines_outside_a_region_stay_byte_identical():
    before = ["  indented line kept as it is  ", "tab\tinside", ""]
    after = ["", "Closing line with   three spaces   ", "last"]
    region = [row((0, "Menu"), (20, "First line of the story")), row((0, "Search"), (20, "Second line"))]
    out = split_columns("\n".join(before + region + after)).split("\n")
    assert out[:3] == before
    assert out[-3:] == after


def test_a_left_column_of_bullets_joins_the_cell_on_its_right():
    text = "\n".join([
        row((0, "*"), (12, "Ferry fares rise"), (50, "Island votes on new jetty")),
        row((0, "*"), (12, "School roof mended")),
        row((0, "*"), (12, "Library opens late"), (50, "The count ends at nine tonight.")),
    ])
    assert split_columns(text).split("\n") == [
        "* Ferry fares rise", "* School roof mended", "* Library opens late", "",
        "Island votes on new jetty", "", "The count ends at nine tonight."]


def test_a_short_gap_splits_a_line_inside_a_region_when_the_cell_starts_in_a_column():
    text = "\n".join([
        row((0, "Markets"), (40, "Grain prices steady")),
        row((0, "Weather and tides for the whole week"), (40, "Farmers expect a good harvest.")),  # 4 spaces
        row((0, "Letters")),
        row((0, "Puzzles")),
        row((0, "Obituaries"), (40, "Rain is forecast for Friday.")),
    ])
    out = split_columns(text).split("\n")
    assert out[:5] == ["Markets", "Weather and tides for the whole week", "Letters", "Puzzles", "Obituaries"]
    assert out[6:] == ["Grain prices steady", "Farmers expect a good harvest.", "", "Rain is forecast for Friday."]


def test_a_region_goes_on_over_lines_whose_cell_after_a_short_gap_starts_in_a_column():
    text = "\n".join([
        row((0, "Scores"), (30, "Rovers win the cup final")),
        row((0, "Fixtures")),
        row((0, "Tables"), (30, "A late goal settled it.")),
        row((0, "Transfers and loan deals"), (30, "Fans filled the square.")),  # 6 spaces
        row((0, "Contact")),
        "",
        "About this site",
    ])
    assert split_columns(text).split("\n") == [
        "Scores", "Fixtures", "Tables", "Transfers and loan deals", "",
        "Rovers win the cup final", "", "A late goal settled it.", "Fans filled the square.",
        "", "Contact", "", "About this site"]


def test_a_lone_line_far_wider_than_the_left_column_belongs_to_the_right_one():
    # the dumps strip leading spaces: a line with a cell of the right column alone starts at 0
    long = "The bridge will carry walkers and cyclists across the estuary from next summer onwards."
    text = "\n".join([
        row((0, "Home"), (20, "Footbridge approved")),
        long,
        row((0, "News"), (20, "Building starts in May.")),
    ])
    out = split_columns(text).split("\n")
    assert out == ["Home", "", "News", "", "Footbridge approved", long, "Building starts in May."]


def test_a_line_without_its_left_cell_is_read_with_its_offsets_shifted_back():
    # columns at 0, 14 and 62; lines whose left cell is empty lost their 14 leading spaces, so
    # their right cell shows at 48
    text = "\n".join([
        row((0, "Home"), (14, "Mayor opens the new market hall"), (62, "Advert: boats")),
        row((0, "Opening day pictures ready"), (48, "Advert: bikes")),
        row((0, "Weather")),
        row((0, "News"), (14, "Stalls sell fish, bread and flowers"), (62, "Advert: cakes")),
        row((0, "Traders say trade was brisk"), (48, "Advert: tyres")),
        row((0, "Letters")),
        row((0, "Sport"), (14, "The hall opens daily at eight"), (62, "Advert: paint")),
        row((0, "Jobs")),
    ])
    regions = find_regions(text.split("\n"))
    assert [(r.start, r.end, len(r.columns)) for r in regions] == [(0, 7, 3)]
    assert regions[0].shifted == {1: (1, 14), 4: (1, 14)}
    out = split_columns(text).split("\n")
    assert out == [
        "Home", "", "Weather", "News", "", "Letters", "Sport", "",
        "Mayor opens the new market hall", "Opening day pictures ready", "",
        "Stalls sell fish, bread and flowers", "Traders say trade was brisk", "",
        "The hall opens daily at eight", "",
        "Advert: boats", "Advert: bikes", "", "Advert: cakes", "Advert: tyres", "", "Advert: paint",
        "", "Jobs"]  # after the region's last line with a gap: as it was, a blank line between


def test_regions_do_not_overlap_when_lines_with_short_gaps_run_between_them():
    shadowed = [
        row((0, "Home"), (14, "Mayor opens the new market hall"), (62, "Advert: boats")),
        row((0, "Opening day pictures ready"), (48, "Advert: bikes")),
        row((0, "Weather")),
        row((0, "News"), (14, "Stalls sell fish, bread and flowers"), (62, "Advert: cakes")),
        row((0, "Traders say trade was brisk"), (48, "Advert: tyres")),
    ]
    # cells after a short gap (6 spaces) in the column at 62: they carry the region on
    short_gaps = [row((0, f"Item {n} on the list of things that people asked about ok"[:56]), (62, f"note {n}"))
                  for n in range(5)]
    second = [row((0, "Sport"), (14, "Rovers win again"), (62, "Advert: vans")), row((0, "Jobs")),
              row((0, "Cars"), (14, "Town hall shut"), (62, "Advert: hats"))]
    lines = shadowed + short_gaps + second
    regions = find_regions(lines)
    assert len(regions) >= 2
    assert all(a.end <= b.start for a, b in zip(regions, regions[1:]))
    text = "\n".join(lines)
    assert _words(split_columns(text)) == _words(text)


def test_running_text_of_the_left_column_after_the_region_stays_before_the_right_column():
    para = "The council will meet again next month to settle the cost of the new road."
    text = "\n".join([
        row((0, "Residents asked for a safer crossing near the school gates."), (80, "Most read")),
        row((0, "Parents and teachers wrote to the council twice.")),
        row((0, "A survey found most parents drive because the road is too busy."), (80, "Fair returns")),
        "",
        para,
        "",
        "Share this",
    ])
    assert split_columns(text).split("\n") == [
        "Residents asked for a safer crossing near the school gates.",
        "Parents and teachers wrote to the council twice.",
        "A survey found most parents drive because the road is too busy.",
        "",
        para,
        "",
        "Most read",
        "",
        "Fair returns",
        "",
        "Share this",
    ]


# --------------------------------------------------------------------------------------------
# left as they are
# --------------------------------------------------------------------------------------------

def test_a_text_without_a_wide_gap_is_returned_as_it_is():
    text = "Headline\n\nA first paragraph with  two spaces.\n\nA second one.\n"
    assert split_columns(text) is text
    assert split_columns("") == ""


def test_trailing_padding_is_not_a_column():
    text = "\n".join(["Ferry timetable changes" + " " * 40, "Boats leave at nine." + " " * 60,
                      "Return at five." + " " * 12, ""])
    assert split_columns(text) is text


def test_a_lone_right_aligned_date_is_left_as_it_is():
    # one line with one wide gap is no evidence of columns
    text = "\n".join(["Harbour news" + " " * 30 + "Friday 4th March, 2011", "",
                      "The harbour master retired after forty years.", "", "More news follows."])
    assert find_regions(text.split("\n")) == []
    assert split_columns(text) is text


def test_two_wide_gaps_at_unrelated_offsets_are_no_region():
    text = "\n".join([row((0, "Harbour news"), (40, "Friday 4th March")),
                      row((0, "By a reporter"), (90, "Updated 10:00"))])
    assert split_columns(text) is text


def test_a_data_table_keeps_its_rows():
    text = "\n".join([
        "Prices this week:",
        row((0, "Item"), (20, "Price"), (40, "Change")),
        row((0, "Bread"), (20, "1.20"), (40, "+0.05")),
        row((0, "Milk"), (20, "0.90"), (40, "0.00")),
        row((0, "Eggs (dozen)"), (20, "2.75"), (40, "-0.10")),
        "",
    ])
    assert split_columns(text) is text


def test_a_two_column_table_with_narrow_gaps_keeps_its_rows():
    text = "\n".join([
        row((0, "Pros"), (40, "Cons")),
        row((0, "Quick to set up"), (40, "Needs a power socket")),
        row((0, "Works with the old remote control"), (40, "Loud fan")),  # 7 spaces
        row((0, "Cheap spare parts for every model"), (40, "Heavy")),
    ])
    assert split_columns(text) is text


def test_region_dataclass():
    lines = [row((0, "Home"), (20, "Story")), row((0, "News"), (20, "More"))]
    (r,) = find_regions(lines)
    assert isinstance(r, Region) and (r.start, r.end, r.columns) == (0, 2, ((0, 0), (18, 22)))


# --------------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------------

WORD = st.text(alphabet="abcxyz.,*-1", min_size=1, max_size=8)


def _words(text: str) -> Counter:
    return Counter(text.split())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from([0, 3, 15, 16, 30, 33, 60]), st.lists(WORD, min_size=1, max_size=5)),
                         max_size=3), max_size=14),
       st.sampled_from([0, 1, 2, 5]))
def test_words_are_kept_in_a_grid_of_cells(rows, shift):
    lines = []
    for cells in rows:
        line = ""
        for off, words in sorted(cells):
            cell = " ".join(words)
            line = (line + " " * max(1, off - len(line)) if line else " " * 0) + cell
        lines.append(line[shift:] if len(lines) % 3 == 2 else line)
    text = "\n".join(lines)
    out = split_columns(text)
    assert _words(out) == _words(text)
    regions = find_regions(lines)
    assert all(r.start < r.end for r in regions)
    assert all(a.end <= b.start for a, b in zip(regions, regions[1:]))
    if regions:  # the lines before the first region are kept as they are
        assert out.split("\n")[:regions[0].start] == lines[:regions[0].start]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(WORD, st.sampled_from([" ", "  ", "   ", " " * 8, " " * 12, " " * 30, "\n", "\n\n", "\t"])),
                max_size=80))
def test_words_are_kept_in_any_text(parts):
    text = "".join(parts)
    out = split_columns(text)
    assert _words(out) == _words(text)
    if out is not text:
        assert re.search(r"\S {8,}\S", text)


# --------------------------------------------------------------------------------------------
# the shared dumps
# --------------------------------------------------------------------------------------------

def _dumps():
    from tests.conftest import DATASETS

    for name in ("aeb", "wcxb-dev", "l3s-gn1"):
        yield from sorted((DATASETS / name / "dump").glob("*.txt"))


@pytest.mark.shared
def test_every_dump_keeps_its_words():
    changed = 0
    for p in _dumps():
        text = p.read_text(encoding="utf-8", errors="replace")
        out = split_columns(text)
        assert _words(out) == _words(text), p.name
        changed += out != text
    assert changed >= 100  # about a third of the l3s-gn1 dumps are laid out in columns


@pytest.mark.shared
def test_a_page_whose_body_is_the_right_column_gets_its_body():
    from cleaners.pipeline import clean_bytes
    from tests.conftest import DATASETS

    folder = DATASETS / "l3s-gn1"
    page = "f9bc00f1-6e97-4a78-be9c-d55efac142f0"
    truth = next(t for t in map(json.loads, (folder / "truth.jsonl").open(encoding="utf-8")) if t["id"] == page)
    _, cleaned = clean_bytes((folder / "dump" / f"{page}.txt").read_bytes(), name=f"{page}.txt")
    body = Counter(re.findall(r"\w+", cleaned.text.lower()))
    gold = Counter(re.findall(r"\w+", truth["body"].lower()))
    hit = sum((body & gold).values())
    assert hit / sum(body.values()) >= 0.9 and hit / sum(gold.values()) >= 0.5
    assert "Merrill Lynch" not in cleaned.text
