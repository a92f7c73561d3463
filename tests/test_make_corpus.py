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


_ORDINAL = "first second third fourth fifth sixth seventh eighth ninth tenth".split()


def _pages(n: int):
    from bench.make_corpus import Page

    bodies = []
    for k in range(n):
        tag = f"{_ORDINAL[k % 10]} {_ORDINAL[k // 10 % 10]}"  # no digits: every text its own words
        bodies.append(
            f"Officials in Varnholm said on Monday that the {tag} bridge will close for repairs. "
            f"Полина Ковалева told the council that the {tag} project would take many months. "
            f"Residents near the {tag} river asked whether the ferry could run more often. "
            f"Ørsted Lindqvist said the budget for the {tag} repair had been approved by the board."
        )
    return tuple(Page("aeb", f"p{k}", f"Title {k}", b, b) for k, b in enumerate(bodies))


def test_collages_take_no_sentence_another_collage_has():
    import random

    from bench.make_corpus import BodyFactory, _sentences

    factory = BodyFactory(_pages(80), random.Random(3))  # 320 sentences
    factory.name_pool = ["Zed"]  # every name the same: equal sentences stay equal
    seen: dict[str, int] = {}
    taken = 0
    for c in range(6):  # at most 6 x 6 x 4 = 144 sentences
        sents = _sentences(factory.collage()[1])
        taken += len(sents)
        for sent in sents:
            assert seen.setdefault(sent, c) == c
    assert len(factory.used) >= 6 * 6 and taken >= len(factory.used)


def test_collage_names_are_swapped_in_every_script():
    import random

    from bench.make_corpus import BodyFactory

    factory = BodyFactory(_pages(10), random.Random(5))
    assert {"Полина", "Ковалева", "Ørsted", "Varnholm"} <= set(factory.name_pool)
    factory.name_pool = ["Zed"]
    text = "\n".join(factory.collage()[1] for _ in range(8))
    # a collage must not carry a real article's people, in any script (it would be a story
    # duplicate of that article)
    assert "Zed" in text
    assert not {"Полина", "Ковалева", "Ørsted", "Lindqvist", "Varnholm"} & set(text.split())
