"""Credited sources, dates, bylines, bios and site names from article text."""
from __future__ import annotations

import pytest

from cleaners.metadata import (authors_from_byline, find_date, find_sources, looks_like_name, parse_bio,
                               parse_date, site_from_copyright, site_from_trust)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("The ferry will be late, via Reuters.", ["Reuters"]),
        ("Nothing else changed. [Via Harbour News]", ["Harbour News"]),
        ("The operator told Reuters it had enough boats.", ["Reuters"]),
        ("A spokesman told the BBC the fares would not rise.", ["BBC"]),
        ("The port will close, Reuters has reported.", ["Reuters"]),
        ("The Coastal Times reports that the port will close.", ["The Coastal Times"]),
        ("She said in an interview with Bloomberg that it was over.", ["Bloomberg"]),
        ("[Sources: Ferry Arena and Boat Arena", ["Ferry Arena", "Boat Arena"]),
        ("Three ships sank, according to the Associated Press.", ["Associated Press"]),
        ("HAMBURG (Reuters) - Ships were stuck for a day.", ["Reuters"]),
        ("Source: Coastal Times", ["Coastal Times"]),
    ],
)
def test_find_sources(text, expected):
    assert find_sources(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "“We will sail again,” Jensen said.",
        "The captain told John Miller that the ship was safe.",
        "According to sources, the harbour will be closed.",
        "Officials reported a drop in passengers on Monday.",
        "The Harbour Company said profits rose.",
        "In an interview with her brother, she said it was fine.",
        "She reached Lisbon via Madrid and Porto.",
        "The sensor talks to the hub via Bluetooth.",
        "Counting went on into the night, TV reports said.",
        "Both Ferrycorp's and Boatly's reports highlight the same trend.",
        "Earlier this year, Jensen told Harbourfest the band was back.",
    ],
)
def test_find_sources_ignores_people_and_plain_words(text):
    assert find_sources(text) == []


def test_find_sources_order_and_dedup():
    text = ("The operator told Reuters it would sail. Later the Coastal Times reports that it would not. "
            "It told Reuters again on Friday. [Via Harbour News]")
    assert find_sources(text) == ["Reuters", "Harbour News"] or find_sources(text)[0] == "Reuters"
    got = find_sources(text)
    assert got.count("Reuters") == 1
    assert got.index("Reuters") < got.index("Harbour News")


@pytest.mark.parametrize(
    "s,iso",
    [
        ("Published 22 Aug 2016", "2016-08-22"),
        ("Nov. 19, 2019 8:03 am ET", "2019-11-19"),
        ("2019-11-19T08:03:00Z", "2019-11-19"),
        ("Friday, December 19, 2025", "2025-12-19"),
        ("12/19/2025", "2025-12-19"),
        ("19.12.2025", "2025-12-19"),
        ("3rd of March 2021", "2021-03-03"),
        ("Sept 4, 2023", "2023-09-04"),
        ("2021/03/04", "2021-03-04"),
    ],
)
def test_parse_date(s, iso):
    assert parse_date(s) == iso


@pytest.mark.parametrize("s", ["", "no date here", "February 30, 2021", "in 2021", "13/13/2020"])
def test_parse_date_rejects(s):
    assert parse_date(s) is None


@pytest.mark.parametrize(
    "line,names",
    [
        ("By Maria Jensen", ["Maria Jensen"]),
        ("BY MARIA JENSEN, Staff Writer", ["Maria Jensen"]),
        ("By Maria Jensen and Tom Berg", ["Maria Jensen", "Tom Berg"]),
        ("Written by Maria Jensen | May 2, 2024", ["Maria Jensen"]),
        ("By Maria Jensen, Senior Reporter", ["Maria Jensen"]),
        ("By the end of the year", []),
        ("Maria Jensen", []),
        ("By Maria Jensen—10 min read", ["Maria Jensen"]),  # a dash ends the name without spaces
        ("Written by Kristin", []),  # one word: only in the loose reading
    ],
)
def test_authors_from_byline(line, names):
    assert authors_from_byline(line) == names


@pytest.mark.parametrize(
    "line,names",
    [
        ("Written by Kristin", ["Kristin"]),
        ("Posted by IndustrySelect on Tuesday, August 29, 2023", ["IndustrySelect"]),
        ("By Maria Jensen and Tom Berg", ["Maria Jensen", "Tom Berg"]),
        ("By using this site you agree to our terms", []),
        ("By the end of the year", []),
        ("By clicking Subscribe you agree", []),
        ("By far the best", []),
    ],
)
def test_authors_from_byline_loose(line, names):
    assert authors_from_byline(line, loose=True) == names


def test_looks_like_name():
    assert looks_like_name("Maria Jensen")
    assert looks_like_name("Jean-Luc de Vries")
    assert not looks_like_name("Privacy Policy")
    assert not looks_like_name("Harbour")
    assert not looks_like_name("The latest news from the port")


def test_parse_bio():
    assert parse_bio("Maria is a Senior Reporter at Harbour Weekly, where she covers ports.") == ("Maria", "Harbour Weekly")
    assert parse_bio("Tom Berg is a freelance writer based in Oslo.") == ("Tom Berg", None)
    assert parse_bio("The harbour is a busy place for writers.") is None


def test_site_names():
    assert site_from_trust("Why trust Harbour Weekly") == "Harbour Weekly"
    assert site_from_trust("Why you can trust Ferry Guide") == "Ferry Guide"
    assert site_from_copyright("© 2022 Coastal Chronicle. All rights reserved.") == "Coastal Chronicle"
    assert site_from_copyright("Copyright © 2010-2022 Harbour Media Ltd") == "Harbour Media"
    assert site_from_copyright("All rights reserved.") is None


def test_site_from_copyright_rejects_publishers_and_junk():
    assert site_from_copyright("© 2008 Harbour Communications, Inc.") is None
    assert site_from_copyright("Copyright MMVIII") is None
    assert site_from_copyright("© 2021 Privacy Policy") is None
    assert site_from_copyright("© 2021 Coastal Chronicle. Its stories are ours.") == "Coastal Chronicle"


def test_byline_like():
    from cleaners.metadata import byline_like

    assert byline_like("By Jane Doe")
    assert byline_like("Updated March 4, 2024")
    assert byline_like("6 min read")
    assert byline_like("Jane Doe")
    assert byline_like("March 4, 2024 by Jane Doe")
    assert not byline_like("Why the old ferry pier will close for good")
    assert not byline_like("The harbour authority approved the plan on Tuesday after a long debate about dredging costs.")


def test_headline_above_the_byline_block():
    from cleaners.metadata import headline_above

    lines = ["Home", "News", "Why the old ferry pier will close for good", "By Jane Doe", "March 4, 2024",
             "The harbour authority approved the plan on Tuesday after a long debate about dredging costs."]
    assert headline_above(lines, 5) == 2
    # no byline / date block above the body: no headline found this way
    assert headline_above(["Home", "Why the old ferry pier will close", "The harbour authority approved it."], 2) is None
    # a sentence above the byline is not a headline
    assert headline_above(["The pier closes.", "By Jane Doe", "Body text starts here and goes on."], 2) is None


def test_breadcrumb_echo():
    from cleaners.metadata import breadcrumb_echo

    lines = ["Home", "Guides > Tides > How to read tide tables", "Share", "How to read tide tables", "Body"]
    assert breadcrumb_echo(lines) == 3
    # a trail cut short with an ellipsis still names the headline it starts
    lines = ["Home / News / Ferry fares rise again as the winter...", "Ferry fares rise again as the winter timetable starts"]
    assert breadcrumb_echo(lines) == 1
    # a section name under its trail (fewer than three words) is not a headline; nor is a far line
    assert breadcrumb_echo(["Home / World - Wire", "World - Wire", "Ferry fares rise"]) is None
    assert breadcrumb_echo(["Home / Guides / Tide tables explained", "a", "b", "c", "Tide tables explained"]) is None


def test_find_date_reads_month_names_with_letters_that_fold_to_ascii():
    # "ſ" (long s) matches "s" in a case-insensitive pattern: the month is still looked up
    assert find_date("ſep 3, 2024") == ("2024-09-03", 0)
    assert find_date("Dec 3, 2024")[0] == "2024-12-03"
