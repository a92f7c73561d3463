"""Rules of the plain-text cleaner, each on small made-up pages."""
from __future__ import annotations

import pytest

from cleaners.model import Cleaned, Metadata
from cleaners.rules import REASONS
from cleaners.text import clean_blocks, clean_text, line_key, rule_reason, segment

PARA = [
    "The harbour authority said on Tuesday that the new ferry terminal would open in the spring, "
    "two years later than first planned, after a long dispute over the cost of dredging the channel.",
    "Officials blamed the delay on a shortage of steel and on the discovery of an old shipwreck under "
    "the planned quay, which archaeologists spent most of last summer recording and lifting.",
    "Local traders, who had hoped the terminal would bring more visitors into the old town, said they "
    "were disappointed but relieved that the project had not been cancelled altogether.",
    "The ferry company expects to run six crossings a day once the terminal opens, rising to ten in "
    "the summer months, and says it will keep fares at their current level for the first year.",
]


def page(*blocks: str) -> str:
    return "\n\n".join(blocks)


def reasons(c: Cleaned) -> dict[str, str]:
    return {r.text: r.reason for r in c.removed}


def test_segment_splits_on_blank_lines_and_keeps_inner_lines():
    assert segment("a\nb\n\n\n  \nc\r\n\r\nd") == ["a\nb", "c", "d"]
    assert segment("   \n\n") == []


def test_line_key_folds_case_space_and_digits():
    assert line_key("  Copyright  2021 Example ") == line_key("copyright 1999 example")
    assert line_key("Page 3 of 10") == "page 0 of 0"


@pytest.mark.parametrize(
    "line,reason",
    [
        ("Skip to main content", "navigation"),
        ("Home » Travel » Islands", "navigation"),
        ("Share this article", "share"),
        ("Facebook Twitter LinkedIn", "share"),
        ("Advertisement", "ad"),
        ("Recommended Videos", "ad"),
        ("Sign up for our daily newsletter", "promo"),
        ("Why trust Ferry Weekly", "promo"),
        ("We may earn a commission when you buy through links on this page.", "promo"),
        ("Leave a Reply", "comments"),
        ("Tags: ferries, harbours, transport", "tags"),
        ("[Via Harbour News]", "source_credit"),
        ("Source: Coastal Times", "source_credit"),
        ("READ MORE: Why ferries are back in fashion", "teaser"),
        ("BY", "byline"),
        ("By Maria Jensen", "byline"),
        ("Published 3 Mar 2021", "byline"),
        ("5 min read", "byline"),
        ("© 2021 Harbour Media Ltd. All rights reserved.", "footer"),
        ("Privacy Policy | Terms of Use | Contact Us", "footer"),
        ("ferry-terminal-aerial-view", "caption"),
        ("Photo: Harbour Authority", "caption"),
        ("Tuesday, March 2, 2021 10:14 am", "dateline"),
        ("* * *", "empty"),
    ],
)
def test_rule_reasons(line, reason):
    assert reason in REASONS
    assert rule_reason(line) == reason


@pytest.mark.parametrize("line", PARA + ["By the end of the year the terminal should be busy.",
                                          "Ferry-terminal plans were first drawn up in 2009, and revised twice."])
def test_body_lines_have_no_rule(line):
    assert rule_reason(line) is None


def test_body_kept_chrome_removed_with_reasons():
    text = page("Skip to main content", "Harbour Ferry Terminal Delayed Until Spring", "By Maria Jensen",
                "Published 3 Mar 2021", *PARA, "Share this article", "© 2021 Harbour Media Ltd. All rights reserved.")
    c = clean_text(text)
    assert c.format == "text"
    for p in PARA:
        assert p in c.text
    assert c.text.count("\n\n") == len(PARA) - 1
    r = reasons(c)
    assert r["Skip to main content"] == "navigation"
    assert r["Share this article"] == "share"
    assert r["© 2021 Harbour Media Ltd. All rights reserved."] == "footer"
    assert all(x.reason in REASONS for x in c.removed)
    assert c.metadata.title == "Harbour Ferry Terminal Delayed Until Spring"
    assert c.metadata.authors == ["Maria Jensen"]
    assert c.metadata.published == "2021-03-03"
    assert "Harbour Ferry Terminal" not in c.text


def test_kept_text_is_not_rewritten():
    odd = "Fares  will\u00a0stay the same for a year, the company said, and children under five travel free of charge."
    c = clean_text(page(*PARA[:2], odd, *PARA[2:]))
    assert "Fares will stay the same" not in c.text or odd.split()[0] in c.text
    # each kept line is a line of the input with only whitespace trimmed
    src = {" ".join(x.split()) for x in page(*PARA[:2], odd, *PARA[2:]).split("\n")}
    for line in c.text.split("\n"):
        if line:
            assert " ".join(line.split()) in src


def test_teaser_zone_after_body_is_removed():
    teasers = ["You May Also Like", "Island hopping on a budget",
               "Ten ways to enjoy a rainy weekend on the coast without spending much money at all.",
               "Why lighthouses still matter", "Keepers are gone, but the lights still guide ships home at night."]
    c = clean_text(page(*PARA, *teasers))
    for t in teasers:
        assert t not in c.text
    assert reasons(c)["You May Also Like"] == "teaser"
    assert PARA[-1] in c.text


def test_comment_zone_after_body_is_removed():
    comments = ["3 responses to “Harbour ferry terminal delayed”",
                "This is the third delay in as many years and nobody seems to be accountable for it at all.",
                "Posted by: Sam | Mar 3, 2021 4:49 PM",
                "I used the old terminal for years and frankly it was fine, why spend all this money now?",
                "Posted by: Alex | Mar 3, 2021 6:02 PM"]
    c = clean_text(page(*PARA, *comments))
    assert PARA[-1] in c.text
    for t in comments:
        assert t not in c.text
    assert reasons(c)[comments[0]] == "comments"


def test_inline_teaser_inside_body_removed_body_around_kept():
    c = clean_text(page(*PARA[:2], "READ MORE: The ferry that never sailed", *PARA[2:]))
    assert "READ MORE" not in c.text
    assert all(p in c.text for p in PARA)


def test_repeated_headline_and_dek():
    title = "Harbour Ferry Terminal Delayed Until Spring"
    dek = "Steel shortages and a shipwreck pushed the opening back by two years"
    c = clean_text(page(title + "\n" + dek + "\n" + title, *PARA))
    assert c.metadata.title == title
    assert c.metadata.subtitle == dek
    assert title not in c.text and dek not in c.text
    r = reasons(c)
    assert r[title] in ("title", "repeated_title")
    assert "repeated_title" in r.values()


def test_no_title_when_page_starts_with_body():
    c = clean_text(page(*PARA))
    assert c.metadata.title is None
    assert c.text.startswith(PARA[0])


def test_author_bio_gives_author_and_site():
    bio = ("Maria Jensen\nMaria is a Senior Reporter at Harbour Weekly, where she covers shipping, ports and "
           "coastal towns for the paper's business desk…")
    c = clean_text(page(*PARA, bio, "Island hopping on a budget"))
    assert c.metadata.authors == ["Maria Jensen"]
    assert c.metadata.site_name == "Harbour Weekly"
    assert "Maria is a Senior Reporter" not in c.text
    assert "author_bio" in {r.reason for r in c.removed}


def test_site_name_from_trust_blurb_and_copyright():
    c = clean_text(page("Why trust Ferry Weekly", *PARA))
    assert c.metadata.site_name == "Ferry Weekly"
    c = clean_text(page(*PARA, "© 2021 Coastal Chronicle. All rights reserved."))
    assert c.metadata.site_name == "Coastal Chronicle"
    assert clean_text(page(*PARA)).metadata.site_name is None


def test_source_credit_line_goes_to_sources():
    c = clean_text(page(*PARA, "[Via Harbour News]"))
    assert "[Via Harbour News]" not in c.text
    assert c.metadata.sources == ["Harbour News"]
    assert reasons(c)["[Via Harbour News]"] == "source_credit"


def test_sources_from_body_credits():
    body = PARA[:1] + ["The ferry company told Reuters it expected the first crossing in April, a date it "
                       "has given twice before and missed both times."] + PARA[1:]
    assert clean_text(page(*body)).metadata.sources == ["Reuters"]


def test_boilerplate_lines_removed():
    line = "Harbour Media is an independent publisher based in the old town since 1987."
    c = clean_text(page(*PARA, line), boilerplate=frozenset({line_key(line)}))
    assert line not in c.text
    assert reasons(c)[line] == "boilerplate"


def test_wrapped_paragraph_is_kept_whole():
    wrapped = ("The harbour authority said on Tuesday that the new ferry terminal\n"
               "would open in the spring, two years later than first planned, after\n"
               "a long dispute over the cost of dredging the channel and the quay\n"
               "walls, which engineers say must be rebuilt before the ships arrive.")
    c = clean_text(page(wrapped, *PARA[1:]))
    assert wrapped in c.text


def test_clean_blocks_with_hint():
    hint = Metadata(title="Harbour Ferry Terminal Delayed", authors=["M. Jensen"], published="2021-03-04",
                    site_name="Harbour Weekly")
    c = clean_blocks(["Harbour Ferry Terminal Delayed", *PARA], hint=hint)
    assert c.metadata.title == "Harbour Ferry Terminal Delayed"
    assert c.metadata.authors == ["M. Jensen"]
    assert c.metadata.published == "2021-03-04"
    assert c.metadata.site_name == "Harbour Weekly"
    assert "Harbour Ferry Terminal Delayed" not in c.text


def test_empty_and_junk_inputs():
    assert clean_text("").text == ""
    c = clean_text("\n\n  \n")
    assert c.text == "" and c.removed == []
    c = clean_text("Home\n\nMenu\n\nSearch")
    assert c.text == ""
    assert {r.reason for r in c.removed} == {"navigation"}


def test_link_box_inside_article_does_not_end_it():
    box = ["More from Harbour News", "* Lighthouse keeper retires after forty years",
           "* New bridge opens to cyclists", "* Fish market moves to the north quay"]
    more = [
        "Engineers will start testing the new quay walls next month, and the first ferry is expected to "
        "berth there for trials before the official opening in April.",
        "The authority said the final cost would be published once the contractor's accounts had been "
        "audited, which it expects to happen before the end of the summer.",
    ]
    c = clean_text(page(*PARA, *box, *more))
    for t in more:
        assert t in c.text
    for t in box:
        assert t not in c.text
    assert reasons(c)["* New bridge opens to cyclists"] == "related"


def test_read_more_card_link_removed_without_ending_article():
    c = clean_text(page(*PARA[:2], "Read more", *PARA[2:]))
    assert "Read more" not in c.text
    assert all(p in c.text for p in PARA)
    assert reasons(c)["Read more"] == "teaser"


def test_body_sentence_shaped_like_a_bio_is_kept():
    line = ("Jensen is the chief engineer for the Harbour Authority and has overseen three earlier "
            "terminals on the same stretch of coast, all of which opened late.")
    c = clean_text(page(*PARA[:3], line, PARA[3]))
    assert line in c.text and PARA[3] in c.text


def test_hint_authors_mark_bylines():
    hint = Metadata(title="Harbour Ferry Terminal Delayed", authors=["Maria Jensen"])
    c = clean_blocks(["Harbour Ferry Terminal Delayed", "Maria Jensen, Harbour Weekly", *PARA], hint=hint)
    assert "Maria Jensen, Harbour Weekly" not in c.text
    assert reasons(c)["Maria Jensen, Harbour Weekly"] == "byline"
    assert all(p in c.text for p in PARA)


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200), max_size=12))
def test_any_input_gives_a_subset_of_its_lines(blocks):
    text = "\n\n".join(blocks)
    c = clean_text(text)
    src = {" ".join(x.split()) for x in text.replace("\r", "\n").split("\n")}
    for line in c.text.split("\n"):
        if line.strip():
            assert " ".join(line.split()) in src
    assert all(r.reason in REASONS for r in c.removed)


# ---- boxes of related links under a link header (cleaners/teasers.py) ----

from dataclasses import dataclass as _dc  # noqa: E402

from cleaners.teasers import mark_related  # noqa: E402


@_dc
class _L:
    text: str
    zone: str | None = None

    @property
    def words(self) -> int:
        return len(self.text.split())


def _box(rows: list[tuple[str, bool, str | None]], zone_at: int | None = None) -> list[str | None]:
    """rows: (text, kept by the classifier, rule reason); returns the reasons after the pass."""
    lines = [_L(t, "teaser" if i == zone_at else None) for i, (t, _, _) in enumerate(rows)]
    keep = [k for _, k, _ in rows]
    reason = [r for _, _, r in rows]
    mark_related(lines, keep, reason)
    return reason


LONG = PARA[0]


def test_box_after_related_label_between_paragraphs():
    got = _box([(LONG, True, None), ("Related", False, "teaser"),
                ("Mayor opens the winter market", True, None), ("Blog: Ten years of the ferry", True, None),
                (PARA[1], True, None)])
    assert got == [None, "teaser", "related", "related", None]


def test_box_under_header_the_rules_do_not_know():
    got = _box([(LONG, True, None), ("Latest headlines", True, None),
                ("* Crash closes the coast road", True, None), ("* Rovers beat United in the derby", True, None),
                (PARA[1], True, None)])
    assert got == [None, "related", "related", "related", None]


def test_bulleted_box_under_read_more_and_its_sub_header():
    got = _box([(LONG, True, None), ("Read more...", False, None),
                ("* Council to vote on the new quay", True, None), ("Video", True, None),
                ("* Watch the old quay come down", True, None), (PARA[1], True, None)])
    assert got == [None, None, "related", "related", "related", None]


def test_read_more_card_closer_does_not_take_the_next_subheading():
    got = _box([(LONG, False, None), ("Read more", False, "teaser"),
                ("How the terminal will work", True, None), (PARA[1], True, None)])
    assert got == [None, "teaser", None, None]


def test_article_list_after_a_box_is_kept():
    got = _box([(LONG, True, None), ("More stories", False, None),
                ("* Lighthouse keeper retires", True, None),
                ("1. Dredge the channel", True, None), ("2. Build the quay", True, None),
                ("The work comes in two parts:", True, None), ("* steel", True, None)], zone_at=1)
    assert got == [None, None, "related", None, None, None, None]


def test_sentence_or_long_line_ends_a_box():
    got = _box([("Related Links", False, None), ("Ferry fares to stay the same", True, None),
                ("Officials said the fares would stay the same.", True, None), ("* Third item", True, None)])
    assert got == [None, "related", None, None]
    got = _box([("Related", False, "teaser"), ("Ferry fares to stay the same", True, None), (LONG, True, None),
                ("Another short line after the body", True, None)])
    assert got == ["teaser", "related", None, None]


def test_article_lists_without_a_link_header_are_kept():
    rows = [(LONG, True, None), ("The plan has three parts:", True, None), ("* Dredge the channel", True, None),
            ("* Build the quay walls", True, None), ("Key dates", True, None), ("1. Spring 2025", True, None),
            ("2. Autumn 2026", True, None), (PARA[1], True, None)]
    assert _box(rows) == [None] * len(rows)


def test_related_box_inside_a_page_is_removed_with_reason():
    box = ["Latest headlines", "* Lighthouse keeper retires after forty years",
           "* New bridge opens to cyclists", "* Fish market moves to the north quay"]
    c = clean_text(page(*PARA[:2], *box, *PARA[2:]))
    for t in box:
        assert t not in c.text
    assert all(p in c.text for p in PARA)
    assert reasons(c)["* Fish market moves to the north quay"] == "related"


def test_headers_that_do_not_head_link_boxes():
    # an author box is not a box of links; a sentence-case subheading with "most popular" in it is
    # the article's own
    assert _box([("About the author", False, None), ("Maria Jensen", True, None)], zone_at=0) == [None, None]
    rows = [("Which models were the most popular", True, None), ("1. The small hatchback", True, None),
            ("2. The estate", True, None), (PARA[1], True, None)]
    assert _box(rows) == [None] * 4
    rows[0] = ("Sports Most Read", True, None)
    assert _box(rows) == ["related", "related", "related", None]


def test_breadcrumb_and_skip_links_are_not_headlines():
    title = "Harbour Ferry Terminal Delayed Until Spring"
    c = clean_text(page("Skip to main content Skip to footer", "News / Transport / Ferries", title, *PARA))
    assert c.metadata.title == title


def test_headline_repeating_the_last_breadcrumb_item():
    title = "How to read the winter tide tables"
    for top in (["Home / Guides / How to read the winter tide tables", "The best of the harbour straight to your inbox"],
                ["Get the best of the coast in your inbox every week", "Sign up now",
                 "Home / Guides / How to read the winter tide tables"]):
        c = clean_text(page(*top, title, *PARA))
        assert c.metadata.title == title
        assert title not in c.text


def test_dump_title_without_its_trailing_section():
    title = "Harbour Ferry Terminal Delayed Until Spring | Opinion"
    c = clean_text(page(title, *PARA))
    assert c.metadata.title == "Harbour Ferry Terminal Delayed Until Spring"
    # the whole line goes from the body, it is not rewritten
    assert title not in c.text and "Opinion" not in c.text


from cleaners.text import NEAR_BODY_P, _extend_body, _Line, _title_like, prepare  # noqa: E402


def _lines(rows: list[tuple[str, bool, str | None]]) -> list[_Line]:
    """rows: (text, ends like a sentence, rule reason)."""
    return [_Line(t, block=i, k=0, nb=1, words=len(t.split()), rule=r, sent=s) for i, (t, s, r) in enumerate(rows)]


def test_sentences_just_under_the_threshold_next_to_the_body_are_kept():
    lines = _lines([("Friday 1st March, 2019", False, "dateline"),
                    ("The ferry company will run two extra crossings a day.", True, None),
                    ("Its boats now sail twice daily.", True, None),
                    (PARA[0], True, None), (PARA[1], True, None)])
    probs = [0.1, 0.46, 0.43, 0.64, 0.65]
    keep = [p >= 0.5 for p in probs]
    _extend_body(lines, probs, keep)
    # the run grows line by line from the kept body up to the dateline, which stays out
    assert keep == [False, True, True, True, True]


@pytest.mark.parametrize("row,prob", [
    (("Email this story to a friend", False, None), 0.45),  # not a sentence
    (("Share it with the people you know.", True, "share"), 0.45),  # a rule speaks against it
    (("The ferry company will run two extra crossings a day.", True, None), NEAR_BODY_P - 0.05),  # too low
    (("Sail twice.", True, None), 0.45),  # too short
])
def test_lines_the_body_does_not_take_in(row, prob):
    lines = _lines([row, (PARA[0], True, None)])
    keep = [False, True]
    _extend_body(lines, [prob, 0.9], keep)
    assert keep == [False, True]


def test_line_far_from_kept_body_is_not_taken_in():
    lines = _lines([("The ferry company will run two extra crossings a day.", True, None),
                    ("Contact us", False, None), (PARA[0], True, None)])
    keep = [False, False, True]
    _extend_body(lines, [0.45, 0.1, 0.9], keep)
    assert keep == [False, False, True]


def test_a_line_opening_a_comment_or_teaser_zone_is_no_headline():
    x = _lines([("Have your say on this story", False, None)])[0]
    assert _title_like(x)
    for zone in ("comments", "teaser"):
        x.zone = zone
        assert not _title_like(x)


@pytest.mark.parametrize("promo", [
    "Explore our seasonal walking tours",  # a call to action
    "Book your seasonal walking tour today",
    "Where would you like to start?",
    "Driving customer engagement with deep insights",  # a tagline: none of its words in the article
])
def test_headline_whose_words_the_article_repeats_beats_a_promo_line_under_it(promo):
    headline = "Ferry terminal delayed by dredging dispute"
    c = clean_text(page("Acme Travel", "* Tours\n* Pricing\n* Blog", promo, headline, *PARA))
    assert c.metadata.title == headline
    c = clean_text(page("Acme Travel", "* Tours\n* Pricing\n* Blog", headline, promo, *PARA))
    assert c.metadata.title == headline


def test_title_features_body_overlap_and_call_to_action():
    from cleaners.text import body_words, prepare, title_features

    lines = prepare(segment(page("Ferry terminal delayed by dredging dispute", "Book a walking tour today", *PARA)))
    probs = [0.0, 0.0] + [1.0] * len(PARA)
    body = body_words(lines, probs, 2)
    assert {"ferry", "terminal", "dredging", "harbour"} <= body and "tour" not in body
    assert not any("," in w or "." in w for w in body)
    head, promo = (title_features(lines, i, [0, 1], 2, probs, body) for i in (0, 1))
    # ferry, terminal, dredging and dispute come back in the article; "delayed" does not ("delay")
    assert head[-3] == 4 / 5 and head[-2] == 0.0
    assert promo[-3] == 0.0 and promo[-2] == 1.0
    # only the lines the model keeps count
    assert "summer" in body and "summer" not in body_words(lines, [0.0, 0.0, 1.0, 0.0, 0.0, 0.0], 2)


def test_one_word_or_team_byline_under_the_headline():
    headline = "Ferry terminal delayed by dredging dispute"
    assert clean_text(page(headline, "Written by Kristin", *PARA)).metadata.authors == ["Kristin"]
    c = clean_text(page(headline, "Posted by HarbourDesk | May 2, 2024", *PARA))
    assert c.metadata.authors == ["HarbourDesk"]
    assert reasons(c)["Posted by HarbourDesk | May 2, 2024"] == "byline"


def test_filter_labels_are_no_byline():
    headline = "Ferry terminal delayed by dredging dispute"
    top = ["Acme Harbour News", "Browse", "By Category", "By Region", "Newsletters", "Events"]
    assert clean_text(page(*top, headline, *PARA)).metadata.authors == []
    c = clean_text(page(*top, headline, "Written by Kristin", *PARA))
    assert c.metadata.authors == ["Kristin"]


def test_headline_words_and_body_words_split_alike():
    from cleaners.text import _content_words

    # apostrophes split words on both sides: "Xiaomi's" is found as "xiaomi"
    assert _content_words("Xiaomi's Wang: We're coming to the “USA”") == ["xiaomi", "wang", "coming", "usa"]


def test_headline_under_a_promo_paragraph_taken_for_the_body():
    # the classifier may keep a promo paragraph over the headline as the body's first paragraph:
    # the lines just under it are headline candidates too
    from cleaners.text import TITLE_BELOW, title_candidates

    promo = ("Sign up for our free weekly newsletter and get the best of the harbour delivered "
             "straight to your inbox every Friday morning, with no spam ever.")
    headline = "Ferry terminal delayed by dredging dispute"
    lines = prepare(segment(page(promo, headline, *PARA)))
    assert 1 in title_candidates(lines, 0) and TITLE_BELOW >= 1
