"""The planted-corpus generator's page chrome (bench/make_corpus.py), on made-up pages."""
from __future__ import annotations

from bench.make_corpus import TEMPLATE_WORDS, _split_chrome, _template

BODY = (
    "The mother of a woman killed in 1985 spoke out on Tuesday about the parole board decision.\n"
    "She said the governor had not done enough research before the board met in the spring.\n"
    "Board members later reversed their votes from the previous year, records show."
)


def test_article_text_glued_to_a_menu_item_is_body_not_chrome():
    dump = "\n\n".join([
        "Home | News | Sport",
        "* Business The mother of a woman killed in 1985 spoke out on Tuesday about the parole board decision.",
        "She said the governor had not done enough research before the board met in the spring.",
        "Board members later reversed their votes from the previous year, records show.",
        "Contact us | Privacy",
    ])
    head, tail = _split_chrome(dump, BODY)
    assert head == ["Home | News | Sport"]
    assert tail == ["Contact us | Privacy"]


def test_template_is_short_blocks_from_the_outer_edge():
    long_block = " ".join(["comment"] * 80)
    tail = ["The rest of the article, cut from the truth", long_block, "More stories", "Contact us | Privacy"]
    assert _template(tail, from_end=True) == ["More stories", "Contact us | Privacy"]
    head = ["Home | News", "Sport | Weather", long_block, "Teaser next to the body"]
    assert _template(head, from_end=False) == ["Home | News", "Sport | Weather"]
    many = ["link " * 20] * 40
    assert sum(len(b.split()) for b in _template(many, from_end=True)) <= TEMPLATE_WORDS
