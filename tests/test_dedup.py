"""Unit tests of cleaners.dedup on small made-up articles."""
from __future__ import annotations

import pickle
import random

import pyarrow as pa
import pytest

from cleaners.dedup import (
    SIGNATURE_SCHEMA,
    Decision,
    DedupParams,
    Signature,
    deduplicate,
    make_signature,
    verify_pair,
)

# --------------------------------------------------------------------------- made-up texts

_WORDS = (
    "river market council harbour engineer winter ledger garden signal orchard canal tariff "
    "village lantern budget copper meadow ferry station quarry archive festival timber harvest "
    "bridge mill valley school rail tower clinic museum airport pension factory island forest "
    "theatre stadium library bakery dairy brewery tunnel reservoir vineyard courthouse"
).split()
_VERBS = "approved rejected delayed opened closed expanded reviewed funded repaired inspected".split()


def filler(seed: int, sentences: int = 30) -> str:
    """Plain filler prose without names: distinct for each seed."""
    rng = random.Random(seed)
    out = []
    for _ in range(sentences):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(5, 9))]
        out.append(f"The {words[0]} {rng.choice(_VERBS)} the {' '.join(words[1:])} after a long review.")
    paras = [" ".join(out[i : i + 5]) for i in range(0, len(out), 5)]
    return "\n\n".join(paras)


# Two outlets telling one made-up event in their own words (names, numbers, quote, source
# shared), a third article on the same town but a different event.
STORY_A = """Harbour officials in Port Elverin said on Tuesday that the Marlow Bridge will close for eighteen months after inspectors found corrosion in its steel cables, the Coastal Gazette reported.

Transport director Ingrid Vasquez told the Coastal Gazette that repairs would cost 47.5 million dollars and that ferries would carry commuters while the Marlow Bridge is shut.

"We cannot take chances with a structure that carries 38,000 cars a day," Vasquez said, adding that the contract went to Halvorsen Engineering.

Local shop owners fear the closure will cut trade in the old quarter, where footfall already fell by 12 per cent last year. The council will hold a public meeting next week on the ferry timetable.

Engineers from Halvorsen Engineering are expected to begin work in early spring, once the ferry service is running at full capacity."""

STORY_B = """Commuters in Port Elverin face a long detour: the Marlow Bridge is to be shut for a year and a half, according to the Coastal Gazette, after an inspection turned up badly corroded cables.

The repair bill comes to 47.5 million dollars, transport chief Ingrid Vasquez said, and extra ferries will run in the meantime. "We cannot take chances with a structure that carries 38,000 cars a day," she told the paper.

Halvorsen Engineering won the contract. Critics on the council asked why the corrosion was missed at the last check, and questioned whether ferries can cope with the morning rush.

Vasquez said the bridge was last fully renovated in 1987 and that a temporary footbridge is being considered for cyclists."""

STORY_OTHER = """Port Elverin opened its new fish market on Saturday, a year after a fire destroyed the old hall on the waterfront, mayor Tomas Brandt said at the ceremony.

The market has room for 64 traders and cost 9.2 million dollars, paid for largely by a regional grant. Brandt said the hall would also host a winter festival.

"This is a place where the town meets," Brandt said. Traders welcomed the larger cold stores, while some complained about the rent.

The old hall had stood on the quay since 1921 and was the town's oldest public building before the blaze."""


def sig(doc_id: str, text: str, **kw) -> Signature:
    return make_signature(doc_id, text, **kw)


def by_id(decisions: list[Decision]) -> dict[str, Decision]:
    return {d.doc_id: d for d in decisions}


# --------------------------------------------------------------------------- kinds


def test_exact_duplicate_ignores_whitespace_case_and_punctuation():
    body = filler(1)
    twin = "  " + body.upper().replace(".", " !").replace("\n\n", "\n") + "\n"
    d = deduplicate([sig("a", body), sig("b", twin), sig("c", filler(2))])
    assert len(d) == 1
    assert d[0].kind == "exact" and d[0].score == 1.0
    assert {d[0].doc_id, d[0].duplicate_of} == {"a", "b"}
    assert "identical" in d[0].evidence


def test_near_duplicate_truncation_and_edit():
    body = filler(3, sentences=40)
    paras = body.split("\n\n")
    truncated = "\n\n".join(paras[:3])  # well under half of the words
    edited = body.replace("after a long review", "after review", 4)  # a few words shorter
    decisions = by_id(deduplicate([sig("full", body), sig("trunc", truncated), sig("edit", edited), sig("other", filler(4))]))
    assert set(decisions) == {"trunc", "edit"}
    assert decisions["trunc"].kind == "near"
    assert decisions["trunc"].duplicate_of in {"full", "edit"}
    assert "containment 1.00" in decisions["trunc"].evidence
    assert decisions["edit"].kind == "near" and decisions["edit"].duplicate_of == "full"
    assert "jaccard" in decisions["edit"].evidence


def test_near_duplicate_in_other_page_chrome():
    body = filler(5, sentences=25)
    chrome_top = "Home\nWorld\nBusiness\nSports\nSubscribe now for unlimited access to all our reporting today"
    chrome_end = "Read more\nMost popular stories this week on our site\nCopyright Example Media Group"
    wrapped = chrome_top + "\n\n" + body + "\n\n" + chrome_end
    d = deduplicate([sig("plain", body), sig("wrapped", wrapped)])
    assert len(d) == 1 and d[0].kind == "near"
    assert d[0].duplicate_of == "wrapped"  # the longer text is kept


def test_same_story_rewrites_join_with_checkable_evidence():
    d = deduplicate([sig("a", STORY_A, sources=["Coastal Gazette"]), sig("b", STORY_B), sig("c", STORY_OTHER)])
    assert len(d) == 1
    dec = d[0]
    assert {dec.doc_id, dec.duplicate_of} == {"a", "b"}
    assert dec.kind == "story"
    assert "ingrid vasquez" in dec.evidence
    assert "47500000" in dec.evidence  # 47.5 million, normalised
    assert "coastal gazette" in dec.evidence  # the credited source
    assert "cannot take chances" in dec.evidence  # the shared quote


def test_different_event_same_place_not_joined():
    d = deduplicate([sig("a", STORY_A), sig("c", STORY_OTHER), sig("x", filler(7))])
    assert d == []


def test_unrelated_articles_are_all_kept():
    sigs = [sig(f"d{i}", filler(100 + i)) for i in range(30)]
    assert deduplicate(sigs) == []


def test_short_bodies_only_match_exactly():
    a, b = sig("a", "Match postponed."), sig("b", "Match postponed!")
    c = sig("c", "Match cancelled.")
    d = deduplicate([a, b, c])
    assert [(x.doc_id, x.kind) for x in d] == [("b", "exact")]


# --------------------------------------------------------------------------- clusters


# A round-up that retells both the bridge closure and the market opening in its own words.
ROUNDUP = """A busy week in Port Elverin. The Marlow Bridge will be shut for eighteen months because of corroded cables, transport director Ingrid Vasquez told the Coastal Gazette, with repairs put at 47.5 million dollars and extra ferries for the 38,000 drivers who use it each day.

Halvorsen Engineering will carry out the work, which is due to start in spring.

On the waterfront, mayor Tomas Brandt cut the ribbon on the new fish market on Saturday. The 9.2 million dollar hall replaces the one lost to fire and has space for 64 traders, Brandt said, calling it a place where the town meets.

The old market hall had stood on the quay since 1921."""


def test_chaining_guard_at_story_level():
    """A~B and B~C as stories must not put A and C in one cluster when A and C differ."""
    a, b, c = sig("a", STORY_A), sig("b", ROUNDUP), sig("c", STORY_OTHER)
    params = DedupParams()
    # the situation the guard is for: the round-up resembles both, the two others differ
    assert verify_pair(a, b, params) is not None
    assert verify_pair(b, c, params) is not None
    assert verify_pair(a, c, params) is None
    d = deduplicate([a, b, c], params=params)
    clusters: dict[str, set[str]] = {}
    for x in d:
        clusters.setdefault(x.duplicate_of, {x.duplicate_of}).add(x.doc_id)
    assert d, "the round-up joins one of the two stories"
    for members in clusters.values():
        assert not {"a", "c"} <= members


def test_kept_is_most_complete_body():
    body = filler(9, sentences=40)
    short = "\n\n".join(body.split("\n\n")[:4])
    d = deduplicate([sig("short", short), sig("long", body)])
    assert [(x.doc_id, x.duplicate_of) for x in d] == [("short", "long")]


def test_tie_break_by_doc_id_is_deterministic():
    body = filler(11)
    sigs = [sig("m", body), sig("k", body), sig("z", body)]
    for order in (sigs, sigs[::-1], [sigs[2], sigs[0], sigs[1]]):
        d = deduplicate(order)
        assert sorted((x.doc_id, x.duplicate_of) for x in d) == [("m", "k"), ("z", "k")]


def test_copy_cluster_members_point_to_one_kept():
    body = filler(12, sentences=40)
    paras = body.split("\n\n")
    docs = [sig("full", body), sig("p1", "\n\n".join(paras[:5])), sig("p2", "\n\n".join(paras[1:])), sig("same", body + " ")]
    d = deduplicate(docs)
    assert {x.duplicate_of for x in d} == {"full"}
    assert {x.doc_id for x in d} == {"p1", "p2", "same"}


# --------------------------------------------------------------------------- incremental


def test_incremental_new_copy_of_existing_is_the_duplicate():
    body = filler(13, sentences=40)
    old = sig("old", "\n\n".join(body.split("\n\n")[:5]))  # shorter, but already kept
    new_full = sig("new", body)
    d = deduplicate([new_full], existing=[old])
    assert [(x.doc_id, x.duplicate_of, x.kind) for x in d] == [("new", "old", "near")]


def test_incremental_existing_never_judged_and_new_unique_kept():
    a, a2 = sig("a", filler(14)), sig("a2", filler(14))  # two kept earlier, identical
    n = sig("n", filler(15))
    assert deduplicate([n], existing=[a, a2]) == []
    d = deduplicate([sig("n2", filler(14))], existing=[a, a2])
    assert [(x.doc_id, x.duplicate_of) for x in d] == [("n2", "a")]


def test_incremental_story_against_existing():
    d = deduplicate([sig("b", STORY_B)], existing=[sig("a", STORY_A), sig("c", STORY_OTHER)])
    assert [(x.doc_id, x.duplicate_of, x.kind) for x in d] == [("b", "a", "story")]


def test_incremental_equals_batch_for_new_documents():
    texts = {f"d{i}": filler(200 + i) for i in range(8)}
    texts["d8"] = texts["d2"]
    texts["d9"] = "\n\n".join(filler(203, 40).split("\n\n")[:3])
    sigs = {k: sig(k, v) for k, v in texts.items()}
    first = [sigs[k] for k in ("d0", "d1", "d2", "d3", "d4")]
    batch = deduplicate(list(sigs.values()))
    kept_first = [s for s in first if s.doc_id not in {x.doc_id for x in batch}]
    later = deduplicate([sigs[k] for k in ("d5", "d6", "d7", "d8", "d9")], existing=kept_first)
    assert {(x.doc_id, x.duplicate_of) for x in later} == {(x.doc_id, x.duplicate_of) for x in batch}


# --------------------------------------------------------------------------- signatures


def test_signature_record_round_trip_through_parquet(tmp_path):
    import pyarrow.parquet as pq

    s1 = sig("a", STORY_A, title="Marlow Bridge to close", sources=["Coastal Gazette"])
    s2 = sig("b", "")
    table = pa.Table.from_pylist([s1.to_record(), s2.to_record()], schema=SIGNATURE_SCHEMA)
    pq.write_table(table, tmp_path / "sigs.parquet")
    back = [Signature.from_record(r) for r in pq.read_table(tmp_path / "sigs.parquet").to_pylist()]
    assert back == [s1, s2]
    assert set(s1.to_record()) == set(SIGNATURE_SCHEMA.names)
    # persisted signatures dedup like fresh ones
    assert deduplicate([sig("b2", STORY_B)], existing=[back[0]])[0].duplicate_of == "a"


def test_signature_is_compact_picklable_and_textless():
    s = sig("a", filler(16, sentences=200))
    blob = pickle.dumps(s)
    assert pickle.loads(blob) == s
    assert len(blob) < 6000
    assert "after a long review" not in blob.decode("latin-1")


def test_signature_features():
    s = sig("a", STORY_A, sources=["via Coastal Gazette"])
    assert "ingrid vasquez" in s.entities and "vasquez" in s.entities
    assert "marlow bridge" in s.entities
    assert "n:47500000" in s.numbers and "n:38000" in s.numbers and "n:12%" in s.numbers
    assert any("cannot take chances" in q for q in s.quotes)
    assert "coastal gazette" in s.sources
    assert s.words > 100 and s.shingles > 100


def test_make_signature_is_deterministic():
    assert sig("a", STORY_B) == sig("a", STORY_B)


def test_params_are_simple_scalars():
    import dataclasses

    for f in dataclasses.fields(DedupParams):
        assert isinstance(getattr(DedupParams(), f.name), (int, float, str, bool))


def test_document_already_in_corpus_is_not_its_own_duplicate():
    a = sig("a", filler(18))
    assert deduplicate([a], existing=[a]) == []
    assert deduplicate([a, a]) == []


def test_empty_input():
    assert deduplicate([]) == []
    assert deduplicate([], existing=[sig("a", filler(1))]) == []


@pytest.mark.parametrize("n_copies", [2, 5])
def test_many_exact_copies_one_kept(n_copies):
    body = filler(17)
    d = deduplicate([sig(f"c{i}", body) for i in range(n_copies)])
    assert len(d) == n_copies - 1
    assert {x.duplicate_of for x in d} == {"c0"}


# --------------------------------------------------------------------------- listings


def test_listings_are_cut_from_story_features():
    from cleaners.dedup import _prose, _strip_listings

    nav = ("Home UK Business Audio Gazette Weekly Help Quiz Talk Search The Gazette World "
           "America Arts Special Reports Podcasts News Guide")
    prose = ("Harbour officials said on Tuesday that the Marlow Bridge will close for eighteen "
             "months after inspectors found corrosion in its steel cables.")
    pieces = _strip_listings(nav + " " + prose)
    assert all("Podcasts" not in p for p in pieces)
    assert any("inspectors found corrosion" in p for p in pieces)
    # a footer made of short capitalised runs between separators is a listing too
    footer = "Copyright 2008 Elverin Newspapers Limited | Privacy Statement | Terms and Conditions | Trade Mark Notice"
    assert "Privacy" not in _prose(prose + "\n" + footer + " " + footer, 12)
    # running text naming many people and teams stays
    sport = ("Allen Ferrow and Marcus Dalby led the Elverin Herons past Golden Harbour on Saturday, "
             "and the coach said the win was the best of the season.")
    assert _strip_listings(sport) == [sport]


def test_shared_menu_does_not_make_two_events_one_story():
    nav = ("Home UK Business Audio Gazette Weekly Help Quiz Talk Search The Gazette World America "
           "Arts Special Reports Podcasts News Guide Jobs Dating Offers Gazette Unlimited Archive")
    a = nav + " " + STORY_A.replace("\n\n", " ")
    c = nav + " " + STORY_OTHER.replace("\n\n", " ")
    assert deduplicate([sig("a", a), sig("c", c)]) == []


# --------------------------------------------------------------------------- match results

MATCH_A = """Kestrel City beat the Harbour Rovers 3-1 at Elm Park on Saturday, with Tomasz Wendell scoring twice before half-time in front of 18,400 fans.

Rovers pulled one back through Aidan Morrow, but Wendell set up a third for Piet Osei in the closing minutes as Kestrel City moved up to fourth.

"We played with patience," said Kestrel City coach Maren Dahl, whose side has now won three in a row. Harbour Rovers coach Lars Brenner said his team had been "second to every ball"."""

MATCH_B = """Harbour Rovers took revenge on Kestrel City with a 2-0 win at Harbour Road on Wednesday, four days after losing to the same side at Elm Park.

Aidan Morrow headed the opener from a corner and Lars Brenner's side doubled the lead after the break. Tomasz Wendell, who scored twice on Saturday, hit the post for Kestrel City.

Kestrel City coach Maren Dahl said her players were tired. Piet Osei was left on the bench and 18,400 fans will be back at Elm Park for the next home game."""

MATCH_A2 = """Tomasz Wendell scored twice as Kestrel City saw off the Harbour Rovers 3-1 at Elm Park on Saturday in front of 18,400 supporters.

Aidan Morrow replied for Rovers before Piet Osei sealed it late on, set up by Wendell, lifting Kestrel City to fourth.

Kestrel City coach Maren Dahl praised her side's patience. "Second to every ball," was the verdict of Rovers coach Lars Brenner."""


def test_match_results_are_signed_and_normalised():
    from cleaners.dedup import _results

    r = _results("Holt wins", "Ana Holt won 6-3, 7-6 (7-4) and the Hawks lost 98-104 on a 2021-22 tour.", 60)
    assert "*6-3,7-6" in r and "*104-98" in r
    assert not any("2021" in x for x in r)  # a season is not a score


def test_two_matches_of_the_same_teams_are_not_one_story():
    d = deduplicate([sig("a", MATCH_A), sig("b", MATCH_B), sig("x", filler(3)), sig("y", filler(4))])
    assert d == []
    # two reports of the same match stay one story
    d = deduplicate([sig("a", MATCH_A), sig("a2", MATCH_A2), sig("x", filler(3)), sig("y", filler(4))])
    assert len(d) == 1 and d[0].kind == "story"


# --------------------------------------------------------------------------- story feature details


def test_numbers_keep_figures_and_years_but_not_small_counts():
    from cleaners.dedup import _numbers

    got = _numbers("The 3 lenders said prices rose 1.3 percent to 197,039 pounds in 2019, 7 weeks on.")
    assert {"n:1.3%", "n:197039", "n:2019"} <= got
    assert not {"n:3", "n:7"} & got  # small counts are in every article


def test_topic_wide_features_weigh_far_less_than_event_specific_ones():
    # "Guild" runs through 40 made-up articles of one long dispute; "Ferrowood" is in two.
    from cleaners.dedup import _Weights

    sigs = [make_signature(f"g{i}", f"The Guild met on day {i + 20} of the dispute in {_WORDS[i]}.")
            for i in range(40)]
    sigs += [make_signature(f"u{i}", f"A {_WORDS[i]} opened near the {_WORDS[i + 1]} for {i + 30} days.")
             for i in range(40)]
    sigs += [make_signature(f"f{i}", "The chairman of Ferrowood quit the Guild.") for i in range(2)]
    w = _Weights(sigs)
    assert w.df["guild"] >= 40 and w.df["ferrowood"] == 2
    plain = (w._num - __import__("math").log(w.df["guild"] + w._smooth)) / (
        w._num - __import__("math").log(2 + w._smooth))
    # sharper than plain idf: a topic name shared by half the articles counts for little
    assert w.idf("guild") / w.idf("ferrowood") < plain * 0.75
    # a feature only two documents share keeps its plain idf weight
    assert w.idf("ferrowood") == pytest.approx(w._num - __import__("math").log(2 + w._smooth))


def test_site_title_is_not_the_event_but_a_headline_is():
    from cleaners.dedup import _lead_terms

    body = ("House prices recovered in December after three monthly falls, the country's biggest "
            "mortgage lender said on Tuesday, easing fears of a decline.")
    site = _lead_terms("Submit News Item | Contact", body, 120)
    assert "submit" not in site and "contac" not in site and "mortga" in site
    head = _lead_terms("House prices rebound unexpectedly", body, 120)
    assert {"reboun", "unexpe"} <= set(head)


# the preview of the return match: the same teams, players, ground and the first match's result
MATCH_PREVIEW = """Kestrel City host the Harbour Rovers at Elm Park tonight, hoping to extend a winning run after Saturday's 3-1 away victory, when Tomasz Wendell and Piet Osei were on target.

Tomasz Wendell is expected to lead the line again. Aidan Morrow is doubtful for Rovers with a knee knock, and Lars Brenner may hand a debut to a teenager.

Maren Dahl has rested nobody this month. Around 18,400 are expected, and Kestrel City can go third with a draw."""


def test_match_report_and_next_match_preview_are_not_one_story():
    docs = [sig("a", MATCH_A), sig("p", MATCH_PREVIEW), sig("x", filler(3)), sig("y", filler(4))]
    assert deduplicate(docs) == []
    # what keeps them apart: the leads share the names but hardly a word of what happened
    joined = deduplicate(docs, params=DedupParams(story_min_action=0.0))
    assert [(d.doc_id, d.duplicate_of) for d in joined] in ([("p", "a")], [("a", "p")])
    # two reports of one match still tell it in some of the same words
    d = deduplicate([sig("a", MATCH_A), sig("a2", MATCH_A2), sig("x", filler(3)), sig("y", filler(4))])
    assert len(d) == 1 and d[0].kind == "story"


SURVEY_A = """House prices rose in March after two monthly falls, according to Norrbank, the biggest mortgage lender in the region, with the average home now worth 214,318 crowns.

Prices climbed 1.7 per cent on the month, leaving annual inflation at 4.6 per cent, the slowest pace in two years. Analysts had expected a further fall.

Rosa Vilhelm at Dunmore Capital said the rise did little to change the weak trend, as buyers in Tavik, Orsund and Velmark wait for cheaper loans and sellers cut asking prices."""

SURVEY_B = """A rebound in March surprised economists: the typical property gained 1.7 percent in the month, Norrbank said on Monday, taking the average price to 214,318 crowns.

The lender's figures put yearly growth at 4.6 percent. Surveys from estate agents had pointed the other way, and mortgage approvals remain near their lowest since the downturn.

Jens Ulfsson of Kvarn Securities called it noise in a cooling market; agents in Bergvik, Lindmoor and Skarholt said cheaper loans could lift demand by the summer."""


def test_the_same_exact_figures_make_one_story(monkeypatch):
    import cleaners.dedup as dedup

    assert dedup._exact_figure("n:214318") and dedup._exact_figure("n:1.7%")
    assert not dedup._exact_figure("n:2000") and not dedup._exact_figure("n:120")  # round, score-like
    assert not dedup._exact_figure("n:2019")  # a year
    docs = [sig("a", SURVEY_A), sig("b", SURVEY_B)] + [sig(f"x{i}", filler(i)) for i in range(4)]
    d = deduplicate(docs)
    assert len(d) == 1 and d[0].kind == "story" and "214318" in d[0].evidence
    # the figures are what makes it: one shared name is not enough without them
    monkeypatch.setattr(dedup, "FIGURES_BONUS", 0.0)
    assert deduplicate(docs) == []


# Two outlets report one death in their own words: they share the two royals' names, the age and
# the day, little else (the Thai princess pair of L3S-GN1 is of this kind).
OBIT_A = """ORSUND - Princess Ardena Solvik, the elder sister of King Tomas Brenhold, died on Wednesday, the royal palace announced. She was 91 years old.

Ardena had been in hospital since June, after doctors found a heart condition that could not be treated.

She spoke four languages and loved to sail, writing about many of her voyages in books. She was the oldest child of Prince Edvard Kael and his wife, Maren, a teacher from the islands.

She married again in 1971 to Count Lorens Havik, an airline pilot, who died in 1994.

She also kept up a full schedule of charity work for children and the blind, and she was a patron of at least six medical foundations."""

OBIT_B = """Her Royal Highness Princess Ardena Solvik passed away at Vestmark Hospital on Wednesday morning, the Royal Household Office said. She was 91.

The Princess's condition had worsened on Tuesday night, and crowds had gathered outside the hospital since the news of her illness spread.

The Princess is the elder sister of King Tomas Brenhold and of the late Prince Aldo Ravnsborg.

The royal funeral will be held at the Hall of Torvald inside the Old Palace. Those who wish to pay respects may sign the books of condolence at the Eastgate Pavilion from noon to four.

A period of mourning of one hundred days has begun, according to the Office. Flags on public buildings will fly at half mast until the funeral."""


def test_lead_days_are_the_weekdays_of_the_lead():
    from cleaners.dedup import _lead_days

    text = "Talks resumed on MONDAY and again on Friday night. " + "word " * 80 + "They end on Sunday."
    assert _lead_days(text, 60) == ("friday", "monday")  # "Sunday" is beyond the lead
    assert _lead_days("Sundays are quiet; the Mondayish mood.", 60) == ()


def test_the_same_lead_day_tips_a_close_story_pair(monkeypatch):
    import cleaners.dedup as dedup

    docs = [sig("a", OBIT_A), sig("b", OBIT_B)] + [sig(f"x{i}", filler(i)) for i in range(4)]
    d = deduplicate(docs)
    assert len(d) == 1 and d[0].kind == "story" and "lead day: wednesday" in d[0].evidence
    # another day in one lead: two events (a death and, say, a funeral), not joined
    other_day = [sig("a", OBIT_A), sig("b", OBIT_B.replace("on Wednesday morning", "on Thursday morning"))] + docs[2:]
    assert deduplicate(other_day) == []
    # the names, the age and the lead words alone fall short of the story score
    monkeypatch.setattr(dedup, "DAY_BONUS", 0.0)
    assert deduplicate(docs) == []


def test_story_features_weight_specific_and_lead_features():
    from cleaners.dedup import story_features

    s = Signature(doc_id="x", words=0, content_hash=0, shingles=0, near_mh=b"", lead_mh=b"",
                  story_mh=b"", sketch=b"", sketch_size=0,
                  entities=("marlow bridge", "vasquez", "halvorsen"), numbers=("n:47500000", "n:12", "n:1987"))
    feats = story_features(s, lead=frozenset({"marlow bridge", "n:47500000"}))
    count = lambda key: sum(f.rsplit("#", 1)[0] == key for f in feats)  # noqa: E731
    assert count("e:marlow bridge") == 4  # a two-word name (2 copies), in the lead (twice as many)
    assert count("e:vasquez") == 1 and count("e:halvorsen") == 1
    assert count("n:47500000") == 6  # an exact figure (3 copies), in the lead
    assert count("n:12") == 0 and count("n:1987") == 0  # small numbers and years are left out
    assert len(set(feats)) == len(feats)


def test_story_minhash_leans_on_what_both_leads_name():
    """Two reports of one event, each with many names further down that the other lacks: their
    story MinHash agrees on more slots than the plain feature sets' Jaccard, so the pair meets
    in more LSH bands; two articles that only share single names further down do not gain."""
    import numpy as np

    from cleaners.dedup import _hv, story_features

    lead_a = ("Harbour officials said on Tuesday that the Marlow Bridge in Port Elverin will close after "
              "inspectors found corrosion, and that repairs will cost 47.5 million dollars and take 14.5 months. ")
    lead_b = ("The Marlow Bridge in Port Elverin is to shut for repairs costing 47.5 million dollars after "
              "an inspection found corroded cables; the work will take 14.5 months, officials said. ")
    tail = lambda names: " ".join(f"Residents such as {n} said on the radio that they worried about the ferry." for n in names)  # noqa: E731
    a = make_signature("a", lead_a + filler(1, 4) + " " + tail(["Ostrova", "Lindqvist", "Marrant", "Quennel", "Dabrowska", "Ferreira"]))
    b = make_signature("b", lead_b + filler(2, 4) + " " + tail(["Tavener", "Okonjo", "Brisbois", "Halloran", "Vukovic", "Ngata"]))
    plain = lambda s: {f.rsplit("#", 1)[0] for f in story_features(s)}  # noqa: E731
    jaccard = len(plain(a) & plain(b)) / len(plain(a) | plain(b))
    estimate = float(np.mean(_hv(a.story_mh) == _hv(b.story_mh)))
    assert estimate > jaccard + 0.1


SHORT_BRIEF = """Halvorsen Engineering will repair the Marlow Bridge in Port Elverin, which is to close for a year and a half after inspectors found corroded steel cables.

Ferries will carry commuters across the harbour while the bridge is shut."""

SHORT_OTHER = """Port Elverin will open a new fish market on the waterfront next spring, a year after a fire destroyed the old hall.

Traders said they welcomed the larger cold stores but worried about the rent."""


def test_a_short_brief_of_the_event_joins_with_fewer_shared_names():
    """A brief of a few sentences cannot share ``story_min_features`` names: sharing most of the
    few it has (here all three) is enough, the other story tests still apply."""
    from cleaners.dedup import _Weights, _story_score

    a, brief = sig("a", STORY_A), sig("brief", SHORT_BRIEF)
    _, info = _story_score(a, brief, _Weights([a, brief]))
    assert info["specific"] < DedupParams().story_min_features
    d = by_id(deduplicate([a, brief, sig("c", STORY_OTHER)]))
    assert set(d) == {"brief"} and d["brief"].duplicate_of == "a" and d["brief"].kind == "story"
    # with the plain rule (four shared names whatever the length) the brief stays apart
    assert deduplicate([a, brief], params=DedupParams(story_short_share=0)) == []


def test_a_short_brief_of_another_event_in_the_same_town_stays():
    d = deduplicate([sig("a", STORY_A), sig("b", STORY_B), sig("short", SHORT_OTHER)])
    assert "short" not in by_id(d)


def test_a_month_name_read_through_an_odd_case_letter_is_a_date():
    # "ſ" (long s) and "K" (Kelvin sign) match "s" and "k" case-insensitively but do not
    # lower-case to them: the month is read, signing does not fail
    from cleaners.dedup import _numbers

    assert "d:09-03" in _numbers("The vote was held on ſep 3, 2024 in the old town hall.")
    assert "d:09-05" in _numbers("Results came on 5 ſeptember after a long count.")
    assert make_signature("x", "Harbour works began on ſep 3 and ended in the spring of that year.").words > 0
