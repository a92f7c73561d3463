"""The body rescue of the text path: a dump whose article ran into one giant line with the menus."""
from __future__ import annotations

from cleaners.model import Cleaned, Metadata, Removed
from cleaners.pipeline import clean_bytes
from cleaners.text import rescue_body

PROSE = " ".join(f"The regional water board approved plan number {i} for the reservoir on Thursday." for i in range(12))


def test_an_empty_body_takes_the_longest_prose_block_back():
    menu = "Home News Sport Weather Contact"
    cleaned = Cleaned(text="", metadata=Metadata(), removed=[
        Removed("Reservoir plan approved", "title"), Removed(menu, "navigation"),
        Removed(PROSE, "navigation"), Removed(PROSE[: len(PROSE) // 2], "boilerplate")])
    out = rescue_body(cleaned)
    assert out.text == PROSE
    assert [r.reason for r in out.removed] == ["title", "navigation", "boilerplate"]


def test_a_real_body_and_short_or_credit_blocks_are_left_alone():
    body = "A body of twenty-five words " * 5
    assert rescue_body(Cleaned(text=body, metadata=Metadata(), removed=[Removed(PROSE, "navigation")])).text == body
    only_credit = Cleaned(text="", metadata=Metadata(), removed=[Removed(PROSE, "source_credit"),
                                                                 Removed("Short menu line. Two. Three.", "navigation")])
    assert rescue_body(only_credit).text == ""


def test_a_dump_of_one_giant_line_is_not_rejected_for_want_of_a_body():
    page = ("Home | World | Business | Sports | Contact us\n\n"
            f"Reservoir plan approved Home World Business {PROSE} Related: Storm closes the coast road\n\n"
            "Copyright 2008 The Valley Courier. All rights reserved.\n")
    _, cleaned = clean_bytes(page.encode(), name="page.txt")
    assert "regional water board approved plan number 11" in cleaned.text
    assert all(line in page for line in cleaned.text.split("\n"))
