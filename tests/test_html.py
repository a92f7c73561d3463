"""The HTML path on small made-up pages: each DOM rule, the post-pass, metadata, and parser safety."""
from __future__ import annotations

import json

import lxml.html
import pytest

from cleaners import html as H
from cleaners.model import Cleaned, RejectError
from cleaners.rules import REASONS

PARA = (
    "The harbour authority approved the plan on Tuesday after a long debate about dredging costs, "
    "noise limits and the future of the small fishing fleet that still uses the northern quay."
)
PARA2 = (
    "Residents who spoke at the meeting said they welcomed the new ferry link but wanted firm "
    "promises that the works would stop at night and that the old boathouse would be kept."
)
PARA3 = (
    "The council expects the first ships to dock next spring, and officials said the budget "
    "includes money for a cycle path along the water and a new bus stop near the terminal."
)


def page(body: str, head: str = "<title>Harbour plan approved | Coast Gazette</title>") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def article(extra_inside: str = "", extra_outside: str = "") -> str:
    return page(
        f"""<header><a href="/">Coast Gazette</a></header>
        <article class="story"><h1>Harbour plan approved</h1>
        <p>{PARA}</p><p>{PARA2}</p>{extra_inside}<p>{PARA3}</p></article>{extra_outside}"""
    )


def el(snippet: str):
    return lxml.html.fragment_fromstring(snippet)


# --------------------------------------------------------------------------- classify_element


@pytest.mark.parametrize(
    "snippet, reason",
    [
        ('<div class="related-posts"></div>', "related"),
        ('<section class="moreStories"></section>', "related"),
        ('<div id="recommended-for-you"></div>', "related"),
        ('<div class="newsletter-signup"></div>', "promo"),
        ('<form class="subscribe-box"></form>', "promo"),
        ('<ul class="social-links"></ul>', "share"),
        ('<div class="share-buttons"></div>', "share"),
        ('<span class="byline"></span>', "byline"),
        ('<div class="author-bio"></div>', "byline"),
        ('<figcaption></figcaption>', "caption"),
        ('<p class="image-caption"></p>', "caption"),
        ('<ol class="breadcrumbs"></ol>', "navigation"),
        ('<nav></nav>', "navigation"),
        ('<div id="comments"></div>', "comments"),
        ('<div class="ad-slot"></div>', "ad"),
        ('<div class="post-tags"></div>', "tags"),
        ('<aside></aside>', "related"),
    ],
)
def test_classify_element_finds_chrome(snippet, reason):
    rule = H.classify_element(el(snippet))
    assert rule is not None and rule[0] == reason
    assert reason in REASONS


@pytest.mark.parametrize(
    "snippet",
    [
        '<div class="story-body"></div>',
        '<article class="post category-social-media tag-newsletter"></article>',  # taxonomy values
        '<div class="shadow padded"></div>',  # "ad" only as a whole token
        '<code class="comment"></code>',
        '<main class="related"></main>',  # protected tag
    ],
)
def test_classify_element_leaves_content(snippet):
    assert H.classify_element(el(snippet)) is None


# --------------------------------------------------------------------------- preclean


def test_preclean_removes_widgets_with_reasons():
    tree = H.parse_html(
        article(
            extra_inside='<figure><img src="x.jpg"><figcaption>The northern quay at dawn.</figcaption></figure>'
            '<div class="newsletter-box">Sign up for our morning briefing</div>',
            extra_outside='<div class="related-stories"><ul><li><a href="/a">Ferry fares rise again</a></li></ul></div>'
            '<div class="share-bar"><a href="#">Share on Facebook</a></div>',
        )
    )
    removed = []
    n = H.preclean(tree, removed)
    assert n == 4
    reasons = {r.text: r.reason for r in removed}
    assert reasons["The northern quay at dawn."] == "caption"
    assert reasons["Sign up for our morning briefing"] == "promo"
    assert reasons["Ferry fares rise again"] == "related"
    assert reasons["Share on Facebook"] == "share"
    text = tree.text_content()
    assert PARA in text and PARA3 in text and "morning briefing" not in text


def test_preclean_keeps_container_holding_the_article():
    # an article wrapper whose class carries a "share" token must not take the body with it
    html = page(f'<div class="share-enabled-story"><p>{PARA}</p><p>{PARA2}</p><p>{PARA3}</p></div>')
    tree = H.parse_html(html)
    removed = []
    H.preclean(tree, removed)
    assert PARA2 in tree.text_content()
    assert removed == []


def test_preclean_length_limit_keeps_long_byline_block():
    long_text = " ".join([PARA] * 15)
    tree = H.parse_html(page(f'<div class="byline">{long_text}</div><p>{PARA}</p>'))
    H.preclean(tree, [])
    assert "harbour authority" in tree.find(".//div").text_content()


def test_preclean_prose_guard_on_navigation_class():
    prose = "<br>".join([PARA, PARA2, PARA3] * 4)
    tree = H.parse_html(page(f'<div class="nav-wrapper"><a href="/x">Home</a> {prose}</div>'))
    H.preclean(tree, [])
    assert PARA3 in tree.text_content()
    menu = H.parse_html(page('<div class="nav-wrapper">' + "".join(f'<a href="/{i}">Section {i}</a>' for i in range(300)) + "</div>"))
    H.preclean(menu, [])
    assert "Section 12" not in menu.text_content()


def test_preclean_keeps_code_comments():
    tree = H.parse_html(page(f'<p>{PARA}</p><pre><code><span class="hljs-comment"># fetch remote</span>\ngit fetch</code></pre>'))
    H.preclean(tree, [])
    assert "# fetch remote" in tree.text_content()


# --------------------------------------------------------------------------- link texts and post-pass


def test_off_page_link_texts_skips_anchors_urls_and_short_links():
    tree = H.parse_html(
        page(
            '<a href="/story/1">Ferry fares rise for the third time</a>'
            '<a href="#section-2">Why the harbour plan matters now</a>'
            '<a href="https://x.example/p">https://x.example/p/long/path</a>'
            '<a href="/home">Home</a>'
        )
    )
    keys = H.off_page_link_texts(tree)
    assert keys == {"ferry fares rise for the third time"}


def test_postclean_drops_link_blocks_outside_the_core_and_keeps_list_items_inside():
    links = {"ferry fares rise for the third time", "source document on dredging costs today"}
    blocks = [
        "Ferry fares rise for the third time",
        PARA,
        "- Source document on dredging costs today",
        PARA2,
        "Next story: Ferry fares rise for the third time",
    ]
    removed = []
    kept = H.postclean(blocks, links, removed)
    assert kept == [PARA, "- Source document on dredging costs today", PARA2]
    assert [r.reason for r in removed] == ["related", "related"]


def test_postclean_related_zone_runs_to_the_end_when_it_is_links():
    links = {"ferry fares rise for the third time", "new bus stop opens near the pier"}
    blocks = [PARA, PARA2, "Related stories", "Ferry fares rise for the third time", "New bus stop opens near the pier", "Photos"]
    removed = []
    assert H.postclean(blocks, links, removed) == [PARA, PARA2]
    assert len(removed) == 4 and all(r.reason == "related" for r in removed)


def test_postclean_inline_promo_heading_goes_alone():
    blocks = [PARA, "DON'T MISS", PARA2, PARA3]
    removed = []
    assert H.postclean(blocks, set(), removed) == [PARA, PARA2, PARA3]
    assert removed[0].reason == "teaser"


def test_postclean_zone_heading_before_real_text_only_drops_heading():
    long_rest = [PARA + " " + PARA2 + " " + PARA3] * 3
    blocks = [PARA, "More from the Gazette"] + long_rest
    kept = H.postclean(blocks, set(), [])
    assert kept == [PARA] + long_rest


# --------------------------------------------------------------------------- metadata helpers


def test_split_authors():
    assert H.split_authors("By Ann Lee and Bo Chen") == ["Ann Lee", "Bo Chen"]
    assert H.split_authors("Ann Lee; Bo Chen, Cy Diaz") == ["Ann Lee", "Bo Chen", "Cy Diaz"]
    assert H.split_authors("Ann Lee & ann lee") == ["Ann Lee"]
    assert H.split_authors(None) == []


def test_clean_author_names_drops_labels_and_dates():
    assert H.clean_author_names(["Author Jo Park"]) == ["Jo Park"]
    assert H.clean_author_names(["Jo Park • March 3, 2025"]) == ["Jo Park"]
    assert H.clean_author_names(["Updated March 4, 2025"]) == []
    assert H.clean_author_names(["news@example.org"]) == []


def test_iso_date():
    assert H.iso_date("2024-03-05T10:00:00Z") == "2024-03-05"
    assert H.iso_date("2024-02-30") is None
    assert H.iso_date("March 5, 2024") is None


def test_strip_site_from_title():
    assert H.strip_site_from_title("Harbour plan approved | Coast Gazette", "Coast Gazette") == "Harbour plan approved"
    assert H.strip_site_from_title("Coast Gazette - Harbour plan approved", "Coast Gazette") == "Harbour plan approved"
    assert H.strip_site_from_title("Harbour plan approved after long debate - News", None) == "Harbour plan approved after long debate"
    assert H.strip_site_from_title("Guide to tides: a four-step process", None) == "Guide to tides: a four-step process"


def test_pick_title_prefers_matching_h1():
    tree = H.parse_html(page("<h1>Harbour plan approved</h1>", head="<title>Harbour plan approved | Coast Gazette</title>"))
    assert H.pick_title(tree, "Harbour plan approved | Coast Gazette", "Coast Gazette") == "Harbour plan approved"
    logo = H.parse_html(page("<h1>Coast Gazette</h1>"))
    assert H.pick_title(logo, "Ferry fares rise again - Coast Gazette", "Coast Gazette") == "Ferry fares rise again"


def test_structured_metadata_reads_jsonld_and_meta():
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Coast Gazette"},
            {"@type": "NewsArticle", "headline": "Harbour plan approved", "datePublished": "2024-05-02T08:00:00+01:00",
             "author": [{"@type": "Person", "name": "Ann Lee"}, {"@type": "Person", "name": "Bo Chen"}]},
        ],
    }
    head = (
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        '<script type="application/ld+json">{broken json</script>'
        '<meta property="article:published_time" content="2024-05-01">'
    )
    sm = H.structured_metadata(H.parse_html(page("<p>x</p>", head=head)))
    assert sm["published"] == "2024-05-02"
    assert sm["meta_published"] == "2024-05-01"
    assert sm["authors"] == ["Ann Lee", "Bo Chen"]
    assert sm["headline"] == "Harbour plan approved"


# --------------------------------------------------------------------------- extract_html end to end


def full_page() -> str:
    ld = {"@type": "NewsArticle", "headline": "Harbour plan approved", "datePublished": "2024-05-02",
          "author": {"@type": "Person", "name": "Ann Lee"}}
    head = (
        "<title>Harbour plan approved | Coast Gazette</title>"
        '<meta property="og:site_name" content="Coast Gazette">'
        '<meta name="description" content="Councillors back a new ferry terminal on the northern quay after months of talks.">'
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    )
    related = "".join(f'<li><a href="/story/{i}">Other harbour story number {i} is here</a></li>' for i in range(6))
    body = f"""
    <nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article><h1>Harbour plan approved</h1>
      <div class="byline">By Ann Lee</div>
      <p>{PARA}</p><p>{PARA2}</p>
      <figure><img src="q.jpg"><figcaption>The quay at dawn. Photo: Gazette</figcaption></figure>
      <p>{PARA3}</p>
      <div class="newsletter">Get the Gazette in your inbox every morning</div>
    </article>
    <div class="related-links"><h3>Related stories</h3><ul>{related}</ul></div>
    <footer>Copyright Coast Gazette</footer>"""
    return page(body, head=head)


def test_extract_html_body_and_metadata():
    ex = H.extract_html(full_page(), url="https://gazette.example/harbour")
    assert ex.blocks == [PARA, PARA2, PARA3]
    md = ex.metadata
    assert md.title == "Harbour plan approved"
    assert md.authors == ["Ann Lee"]
    assert md.published == "2024-05-02"
    assert md.site_name == "Coast Gazette"
    assert md.url == "https://gazette.example/harbour"
    assert md.subtitle == "Councillors back a new ferry terminal on the northern quay after months of talks."
    reasons = {r.reason for r in ex.removed}
    assert {"caption", "promo", "related", "byline"} <= reasons
    assert all(r.reason in REASONS for r in ex.removed)


def test_clean_html_joins_blocks():
    c = H.clean_html(full_page())
    assert isinstance(c, Cleaned) and c.format == "html"
    assert c.text == "\n\n".join([PARA, PARA2, PARA3])


def test_description_that_starts_the_body_is_not_a_subtitle():
    head = f'<title>Harbour plan approved</title><meta name="description" content="{PARA[:120]}">'
    ex = H.extract_html(page(f"<article><p>{PARA}</p><p>{PARA2}</p><p>{PARA3}</p></article>", head=head))
    assert ex.metadata.subtitle is None
    assert ex.blocks[0] == PARA


# --------------------------------------------------------------------------- parsing and safety


def test_unterminated_title_does_not_swallow_the_page():
    html = "<html><head><title>Harbour plan approved\n<script>var a=1;</script></head><body>" + "".join(
        f"<p>{p}</p>" for p in (PARA, PARA2, PARA3)
    ) + "</body></html>"
    assert "</title>" in H.repair_html(html)
    ex = H.extract_html(html)
    assert PARA2 in ex.blocks


def test_xml_declaration_in_decoded_text():
    html = '<?xml version="1.0" encoding="iso-8859-1"?>' + article()
    assert PARA2 in H.extract_html(html).blocks
    broken = '<?xml version="1.0" encoding="utf-8' + article()  # declaration never closed
    H.parse_html(broken)  # must not raise


def test_external_entities_and_dtds_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRETVALUE")
    html = (
        f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        f"<html><head><title>t</title></head><body><p>{PARA} &xxe;</p><p>{PARA2}</p><p>{PARA3}</p></body></html>"
    )
    tree = H.parse_html(html)
    assert "TOPSECRETVALUE" not in lxml.html.tostring(tree, encoding="unicode")
    ex = H.extract_html(html)
    assert all("TOPSECRETVALUE" not in b for b in ex.blocks)


def test_deeply_nested_divs_do_not_crash():
    n = 100_000
    html = "<html><body>" + "<div>" * n + f"<p>{PARA}</p>" + "</div>" * n + "</body></html>"
    try:
        ex = H.extract_html(html)
    except RejectError as err:
        assert err.reason == "html_too_deep"
    else:
        assert isinstance(ex.blocks, list)
    assert H.tree_depth(H.parse_html(html)) <= H.LIBXML_MAX_DEPTH + 2


def test_deeply_nested_inline_tags_and_content_before_the_limit():
    html = "<html><body>" + f"<p>{PARA}</p><p>{PARA2}</p><p>{PARA3}</p>" + "<span><b>" * 50_000 + "x" + "</b></span>" * 50_000 + "</body></html>"
    ex = H.extract_html(html)
    assert PARA in ex.blocks


def test_huge_input_is_rejected_without_parsing(monkeypatch):
    monkeypatch.setattr(H, "MAX_HTML_CHARS", 1_000_000)
    with pytest.raises(RejectError) as err:
        H.extract_html("<p>" + "a" * 1_000_001 + "</p>")
    assert err.value.reason == "html_too_large"


def test_large_page_is_extracted():
    paras = "".join(f"<p>Paragraph {i}. {PARA}</p>" for i in range(4000))  # about 1 MB
    ex = H.extract_html(page(f"<article>{paras}</article>"))
    assert len(ex.blocks) > 3000


def test_empty_and_garbage_input():
    with pytest.raises(RejectError):
        H.extract_html("   ")
    ex = H.extract_html("<html><body></body></html>")
    assert ex.blocks == []
    ex = H.extract_html("\x00\x01 not html at all \x02")
    assert isinstance(ex.blocks, list)


# --------------------------------------------------------------------------- structural rules


def test_structural_label_link_pair_is_removed():
    tree = H.parse_html(
        page(
            f"<div><p>{PARA}</p><p>{PARA2}</p><b>Next story:</b> <a href='/story/9'>Ferry fares rise again</a>"
            f"<br><p>{PARA3}</p></div>"
        )
    )
    removed = []
    H.preclean(tree, removed)
    assert "Ferry fares rise again" not in tree.text_content()
    assert {r.text for r in removed} >= {"Next story:", "Ferry fares rise again"}
    assert PARA3 in tree.text_content()


def headline_list(n: int = 5) -> str:
    return "<ul>" + "".join(f'<li><a href="/s/{i}">Harbour story number {i} makes the news</a></li>' for i in range(n)) + "</ul>"


def test_structural_headline_link_list_after_the_article_is_removed():
    tree = H.parse_html(page(f"<div><p>{PARA}</p><p>{PARA2}</p><p>{PARA3}</p>{headline_list()}</div>"))
    removed = []
    H.preclean(tree, removed)
    assert "story number 3" not in tree.text_content()
    assert removed and removed[0].reason == "related"


def test_structural_link_list_between_paragraphs_is_kept():
    tree = H.parse_html(page(f"<div><p>{PARA}</p>{headline_list()}<p>{PARA2}</p><p>{PARA3}</p></div>"))
    H.preclean(tree, [])
    assert "story number 3" in tree.text_content()


def test_short_link_list_is_not_a_headline_list():
    items = "".join(f'<li><a href="/{w}">{w}</a></li>' for w in ("Home", "News", "Sport", "Weather"))
    tree = H.parse_html(page(f"<div><p>{PARA}</p><p>{PARA2}</p><ul>{items}</ul></div>"))
    H.preclean(tree, [])
    assert "Weather" in tree.text_content()


# --------------------------------------------------------------------------- rescue


def test_main_container_is_the_deepest_holder_of_the_long_paragraphs():
    tree = H.parse_html(
        page(f'<div id="wrap"><div class="entry-content"><p>{PARA}</p><p>{PARA2}</p><p>{PARA3}</p></div><p>{PARA}</p></div>')
    )
    long_p = H._long_paragraph_chars(tree)
    box = H.main_container(long_p)
    assert box is not None and box.get("id") == "wrap"  # the last paragraph is outside the inner div
    inner = H.parse_html(page(f'<div id="wrap"><div class="entry-content"><p>{PARA}</p><p>{PARA2}</p><p>{PARA3}</p></div></div>'))
    assert H.main_container(H._long_paragraph_chars(inner)).get("class") == "entry-content"


def test_article_like_and_simple_blocks():
    assert H._article_like(el('<div class="entry-content"></div>'))
    assert H._article_like(el("<article></article>"))
    assert not H._article_like(el('<div class="site wrapper content"></div>'))
    assert not H._article_like(el('<div class="holder"></div>'))
    box = el(f"<div><h2>Costs</h2><p>{PARA}</p><ul><li>Dredging</li><li><p>Noise</p></li></ul></div>")
    assert H.simple_blocks(box) == ["Costs", PARA, "- Dredging", "Noise"]


def test_rescue_keeps_good_output_and_replaces_a_fragment():
    paras = "".join(f"<p>Part {i}. {PARA}</p>" for i in range(30))
    tree = H.parse_html(page(f'<article class="story">{paras}</article>'))
    full = [f"Part {i}. {PARA}" for i in range(30)]
    assert H._rescue(tree, full, None) == full
    again = H._rescue(tree, full[:2], None)
    assert len(again) >= 28 and again[5] == full[5]
    # an upper bound below the threshold skips the measurement
    assert H._rescue(tree, full[:2], None, bound=100) == full[:2]


# --------------------------------------------------------------------------- authors from markup


def test_dom_authors_from_byline_markup():
    tree = H.parse_html(page('<div class="post-author"><a rel="author" href="/u/ann">Ann Lee</a></div><p>x</p>'))
    assert H.dom_authors(tree) == ["Ann Lee"]
    item = H.parse_html(page('<span itemprop="author"><span itemprop="name">Bo Chen</span></span>'))
    assert H.dom_authors(item) == ["Bo Chen"]


def test_text_byline_authors():
    tree = H.parse_html(page(f'<p class="meta">By <a href="/u/cy">Cy Diaz</a> and Dee Fox</p><p>{PARA}</p>'))
    assert H.text_byline_authors(tree) == ["Cy Diaz", "Dee Fox"]
    none = H.parse_html(page(f"<p>{PARA} by the way it rained.</p>"))
    assert H.text_byline_authors(none) == []


def test_clean_author_names_tails():
    assert H.clean_author_names(["Dan Park - Editorial Team"]) == ["Dan Park"]
    assert H.clean_author_names(["View more posts"]) == []
    assert H.clean_author_names(["Article by Eve Moss Senior Writer"]) == ["Eve Moss"]


# --------------------------------------------------------------------------- headline, date and byline zone


def test_pick_title_lone_h1_headline_beats_a_different_page_title():
    # the visible headline is a full sentence of its own; the <title> is an SEO variant
    tree = H.parse_html(page("<h1>Why the old ferry pier will close for good this winter</h1>"))
    assert H.pick_title(tree, "Ferry pier closure explained", None) == "Why the old ferry pier will close for good this winter"
    # a short h1 (a section label) or a linked h1 (a logo) does not
    label = H.parse_html(page("<h1>Harbour news</h1>"))
    assert H.pick_title(label, "Ferry pier closure explained", None) == "Ferry pier closure explained"
    linked = H.parse_html(page('<h1><a href="/">Why the old ferry pier will close for good</a></h1>'))
    assert H.pick_title(linked, "Ferry pier closure explained", None) == "Ferry pier closure explained"


def test_pick_title_jsonld_headline_names_one_of_several_h1():
    tree = H.parse_html(page("<h1>Coastal walks</h1><h1>Ten quiet beaches for a winter walk</h1>"))
    got = H.pick_title(tree, "Winter walking guide", None, headline="Ten quiet beaches for a winter walk")
    assert got == "Ten quiet beaches for a winter walk"


def test_pick_title_prefers_the_closest_h1_when_several_overlap():
    tree = H.parse_html(page("<h1>The Tide Blog</h1><h1>Reading the tide tables</h1>"))
    assert H.pick_title(tree, "Reading the tide tables - The Tide Blog Network", None) == "Reading the tide tables"


def test_strip_site_keeps_the_page_separators_and_matches_hosts():
    # the headline's own dash stays as written (not rewritten to " - ")
    assert H.strip_site_from_title("Tide tables – a primer for new sailors | Coast Gazette", "Coast Gazette") == \
        "Tide tables – a primer for new sailors"
    # the site written without spaces or as a host name
    assert H.strip_site_from_title("CoastGazette.com | Harbour plan approved", None, "www.coastgazette.com") == \
        "Harbour plan approved"
    assert H.strip_site_from_title("Harbour plan approved : COASTGAZETTE", None, "news.coastgazette.co.uk") == \
        "Harbour plan approved"
    # an inner part naming the site ends the headline; its tagline goes with it
    assert H.strip_site_from_title("Harbour plan approved - Coast Gazette - Local news for every harbour town",
                                   "Coast Gazette") == "Harbour plan approved"
    assert H.strip_site_from_title("Coast Gazette: Opinion : Harbour plan approved", "Coast Gazette") == \
        "Harbour plan approved"


def test_strip_headline_tail():
    # a short section after a pipe, a short title-like part after a dash
    assert H.strip_headline_tail("Harbour plan approved after long debate | Opinion") == "Harbour plan approved after long debate"
    assert H.strip_headline_tail("Ferry timetable changes – Winter Guide") == "Ferry timetable changes"
    assert H.strip_headline_tail("Ferry timetable changes - Coast Gazette", "Coast Gazette") == "Ferry timetable changes"
    # continuations stay: lower case, a linking word, a long part, or too little before the dash
    assert H.strip_headline_tail("Ferry timetable changes — and why they matter") == \
        "Ferry timetable changes — and why they matter"
    assert H.strip_headline_tail("How to read tide tables – From a Harbour Pilot") == \
        "How to read tide tables – From a Harbour Pilot"
    assert H.strip_headline_tail("Ferry timetable changes – Dates, Fares, Routes and Every Stop") == \
        "Ferry timetable changes – Dates, Fares, Routes and Every Stop"
    assert H.strip_headline_tail("Tide tables - A Primer") == "Tide tables - A Primer"


def test_pick_title_h1_without_its_trailing_section_and_entities():
    tree = H.parse_html(page("<h1>Harbour plan approved after long debate | Opinion</h1>"))
    assert H.pick_title(tree, "Harbour plan approved after long debate | Opinion | Coast Gazette", "Coast Gazette") == \
        "Harbour plan approved after long debate"
    # an entity the page escaped twice is decoded
    tree = H.parse_html(page("<h1>Tide tables &amp;#x26; ferry times for 2026</h1>"))
    assert H.pick_title(tree, "Tide tables & ferry times for 2026", None) == "Tide tables & ferry times for 2026"


def test_pick_title_spaces_block_pieces_of_an_h1():
    tree = H.parse_html(page("<h1>Ferry guide (2026)<div>Every route and fare explained</div></h1>"))
    assert H.pick_title(tree, "Ferry guide (2026) Every route and fare explained", None) == \
        "Ferry guide (2026) Every route and fare explained"


def test_pick_title_ignores_a_site_name_that_is_the_headline():
    # og:site_name wrongly holds the headline: the h1 is not taken for a logo
    tree = H.parse_html(page("<h1>Ferry fares rise again this winter</h1>"))
    assert H.pick_title(tree, "Ferry fares rise again this winter | Coast Gazette",
                        "Ferry fares rise again this winter") == "Ferry fares rise again this winter"
    # a real site name equal to an h1 still marks that h1 as a logo
    logo = H.parse_html(page("<h1>Coast Gazette</h1>"))
    assert H.pick_title(logo, "Ferry fares rise again - Coast Gazette", "Coast Gazette") == "Ferry fares rise again"
    # a linked h1 naming the site (by its host) is a logo
    linked = H.parse_html(page('<h1><a href="/">CoastGazette</a></h1><h1>Ferry fares rise again</h1>'))
    assert H.pick_title(linked, None, None, host="www.coastgazette.com") == "Ferry fares rise again"


def test_pick_title_h1_equal_to_the_whole_page_title_wins():
    tree = H.parse_html(page("<h1>Tide Notes #12 – The Longest Night</h1><h1>The longest night of the year</h1>"))
    assert H.pick_title(tree, "Tide Notes #12 – The Longest Night", "Tide Notes") == "Tide Notes #12"


def test_pick_title_page_title_beats_an_h1_with_extras():
    cases = [
        ("Dec 18 2025 Reading the winter tide tables", "Reading the winter tide tables"),
        ("Reading the winter tide tables Posted on July 1, 2024 by admin", "Reading the winter tide tables"),
        ("Reading the winter tide tables (example.com) 87", "Reading the winter tide tables"),
        ("Blog: Reading the winter tide tables", "Reading the winter tide tables"),
        ("READING THE WINTER TIDE TABLES", "Reading the Winter Tide Tables"),
    ]
    for h1, title in cases:
        tree = H.parse_html(page(f"<h1>{h1}</h1>"))
        assert H.pick_title(tree, f"{title} | Coast Gazette", "Coast Gazette") == title, h1
    # an h1 that says more than the page title in words of its own stays the headline
    for h1 in ("Reading the winter tide tables, reviewed by a pilot",
               "The 2025 Harbour Awards: Reading the winter tide tables"):
        tree = H.parse_html(page(f"<h1>{h1}</h1>"))
        assert H.pick_title(tree, "Reading the winter tide tables | Coast Gazette", "Coast Gazette") == h1


def test_pick_title_the_title_part_the_page_shows():
    body = "<div class='nav'>Home</div><b>Ferry pier to close for good</b><p>The pier closes in May.</p>"
    tree = H.parse_html(page(body))
    got = H.pick_title(tree, "Metro Daily Online - World and local news - Ferry pier to close for good", "metro.example")
    assert got == "Ferry pier to close for good"
    # the page showing the title with its section does not bring the section back
    body = "<span>Ferry pier to close for good | Local News</span><p>The pier closes in May.</p>"
    tree = H.parse_html(page(body))
    assert H.pick_title(tree, "Ferry pier to close for good | Local News", None) == "Ferry pier to close for good"


def test_page_title_prefers_og_title_over_title_tag():
    head = ('<title>Harbour plan approved | Coast Gazette</title>'
            '<meta property="og:title" content="Harbour plan approved">')
    tree = H.parse_html(page("<p>x</p>", head=head))
    md, _ = H.read_metadata(tree, None)
    assert md.title == "Harbour plan approved"


def test_visible_date_after_and_before_the_headline():
    after = H.parse_html(page(f"<h1>Harbour plan approved today</h1><div>Ann Lee</div><div>March 4, 2024</div><p>{PARA}</p>"))
    assert H.visible_date(H.headline_element(after)) == "2024-03-04"
    timed = H.parse_html(page('<h1>Harbour plan approved today</h1><time datetime="2023-11-02T10:00">Nov 2</time>'))
    assert H.visible_date(H.headline_element(timed)) == "2023-11-02"
    before = H.parse_html(page(f"<div>12 January 2022</div><h1>Harbour plan approved today</h1><p>{PARA}</p>"))
    assert H.visible_date(H.headline_element(before)) == "2022-01-12"
    # a date far below the headline (after a lot of text) is not the headline's date
    far = H.parse_html(page(f"<h1>Harbour plan approved today</h1><p>{PARA} {PARA2} {PARA3} {PARA} {PARA2} {PARA3}</p>"
                            "<div>May 5, 2020</div>"))
    assert H.visible_date(H.headline_element(far)) is None


def test_pick_date_shown_date_wins_when_metadata_knows_it_or_has_none():
    h1 = H.headline_element(H.parse_html(page("<h1>Harbour plan approved today</h1><div>Updated March 4, 2024</div>")))
    # the page shows its modification date; the metadata knows it as such
    assert H.pick_date(h1, {"published": "2023-01-01", "modified": "2024-03-04"}, None) == "2024-03-04"
    # no declared publication date: the shown date is taken
    assert H.pick_date(h1, {}, "2022-02-02") == "2024-03-04"
    # a shown date the metadata does not know does not beat a declared publication date
    assert H.pick_date(h1, {"published": "2023-01-01"}, None) == "2023-01-01"


def test_headline_byline_labelled_and_unlabelled():
    labelled = H.parse_html(page(f"<h1>Harbour plan approved today</h1><span>Written by</span><a>Ann Lee</a><p>{PARA}</p>"))
    assert H.headline_byline(H.headline_element(labelled)) == (["Ann Lee"], True)
    by = H.parse_html(page(f"<h1>Harbour plan approved today</h1><div>By Ann Lee and Bo Chen</div><p>{PARA}</p>"))
    assert H.headline_byline(H.headline_element(by)) == (["Ann Lee", "Bo Chen"], True)
    dated = H.parse_html(page(f"<h1>Harbour plan approved today</h1><div>Ann Lee | Staff Writer | May 2, 2024</div><p>{PARA}</p>"))
    assert H.headline_byline(H.headline_element(dated)) == (["Ann Lee"], False)
    # a capitalised phrase with no date next to it is not a byline; nor is a name below the prose
    menu = H.parse_html(page(f"<h1>Harbour plan approved today</h1><div>Quick Links</div><p>{PARA}</p>"))
    assert H.headline_byline(H.headline_element(menu)) == ([], False)
    late = H.parse_html(page(f"<h1>Harbour plan approved today</h1><p>{PARA}</p><div>By Ann Lee</div>"))
    assert H.headline_byline(H.headline_element(late)) == ([], False)


def test_authors_keep_the_spelling_of_the_meta_tag():
    head = '<meta name="author" content="Z.B. Steele">'
    md, _ = H.read_metadata(H.parse_html(page(f"<p>{PARA}</p>", head=head)), None)
    assert md.authors == ["Z.B. Steele"]


# --------------------------------------------------------------------------- tables and gaps


def test_keep_tables_unless_the_prose_sits_in_tables():
    assert H.keep_tables({"long_paragraph_chars": 1000, "long_paragraph_chars_in_tables": 0, "data_tables": 1})
    assert H.keep_tables({"long_paragraph_chars": 0, "data_tables": 2})
    assert not H.keep_tables({"long_paragraph_chars": 1000, "long_paragraph_chars_in_tables": 800, "data_tables": 1})
    assert not H.keep_tables({"long_paragraph_chars": 1000, "long_paragraph_chars_in_tables": 0, "data_tables": 0})


def test_is_data_table():
    header = el("<table><tr><th>Route</th><th>Fare</th></tr><tr><td>North</td><td>4</td></tr></table>")
    assert H.is_data_table(header)
    grid = el("<table>" + "<tr><td>North quay</td><td>4 euros</td></tr>" * 3 + "</table>")
    assert H.is_data_table(grid)
    box = el("<table><tr><td>One cell holding a box of text</td></tr></table>")
    assert not H.is_data_table(box)
    nested = el("<table><tr><td><table><tr><th>a</th></tr></table></td><td>b</td></tr></table>")
    assert not H.is_data_table(nested)
    links = el("<table>" + "<tr><td><a href='/x'>Other harbour story headline</a></td><td>2 May</td></tr>" * 4 + "</table>")
    assert not H.is_data_table(links)


def test_data_table_is_kept_and_layout_table_page_still_extracts():
    table = "<table><tr><th>Route</th><th>Fare</th></tr><tr><td>North quay</td><td>4 euros</td></tr></table>"
    c = H.clean_html(article(extra_inside=table))
    assert "North quay" in c.text and PARA3 in c.text
    layout = page(f"<table><tr><td><a href='/'>Home</a></td><td><h1>Harbour plan approved</h1><p>{PARA}</p>"
                  f"<p>{PARA2}</p><p>{PARA3}</p></td></tr></table>")
    tree = H.parse_html(layout)
    stats: dict = {}
    H.preclean(tree, [], stats)
    assert not H.keep_tables(stats)
    assert PARA2 in H.clean_html(layout).text


def test_fill_gaps_puts_back_dropped_items_between_kept_blocks():
    tree = H.parse_html(page(f"<div><p>{PARA}</p><ul><li>North quay</li><li>South quay</li></ul>"
                             f"<p><a href='/other'>Other harbour story number one</a></p><p>{PARA2}</p></div>"
                             "<p>Tail note</p>"))
    got = H.fill_gaps(tree, [PARA, PARA2], {H._key("Other harbour story number one")})
    assert got == [PARA, "- North quay", "- South quay", PARA2]
    # blocks that are not neighbours in the output leave their gap alone
    assert H.fill_gaps(tree, [PARA], set()) == [PARA]


def test_pick_title_one_shared_word_is_not_agreement():
    # a one-word h1 of the article's content is not the headline of a long page title
    tree = H.parse_html(page('<h1><a href="/">notes/ferries.md</a></h1><p>Intro</p><h1>Harbour</h1>'))
    title = "How we mapped every ferry route, pier and harbour in the region"
    assert H.pick_title(tree, title, None) == title
    # a one-word h1 that is most of a short page title still is
    tree = H.parse_html(page("<h1>restaurant</h1>"))
    assert H.pick_title(tree, "Restaurant definition", None) == "restaurant"


def test_title_text_drops_invisible_characters_and_folds_full_width_forms():
    assert H._title_text("Tide tables\u200b explained\u00ad today\ufeff") == "Tide tables explained today"
    assert H._title_text("Why do\u00a0ferries\u2060 run late\uff1f") == "Why do ferries run late?"
    assert H._title_text("\uff08Ferry\uff09 fares\uff01") == "(Ferry) fares!"
    # in Chinese, Japanese or Korean text the full-width punctuation is the script's own
    assert H._title_text("渡し船の時刻表\uff1f") == "渡し船の時刻表\uff1f"
    tree = H.parse_html(page("<h1>How do tide tables work\uff1f</h1>"))
    assert H.pick_title(tree, "How do tide tables work\uff1f | Coast Gazette", "Coast Gazette") == \
        "How do tide tables work?"


def test_pick_title_headings_without_words_are_not_headlines():
    # a counter or an icon in an h1 (or as the fallback title) is not the headline; three letters are
    tree = H.parse_html(page('<h1><a href="/p/tides">Reading the winter tide tables</a></h1>'
                             "<h1>94</h1><h1>\u03a9 48</h1>", head=""))
    assert [t for t, _ in H._h1_candidates(tree)] == ["Reading the winter tide tables"]
    assert H.pick_title(tree, H._page_title({}, "\u03a9 48"), None) == "Reading the winter tide tables"
    # a short declared title is still the title
    assert H._page_title({"html_title": "001"}, None) == "001"
    assert H._page_title({}, "Tide tables") == "Tide tables"
    assert H._page_title({}, "U2 at 40") == "U2 at 40"
    assert H._page_title({}, "AI") is None
