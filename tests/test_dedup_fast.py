"""The fast paths of cleaners.dedup give exactly what the straightforward code gives."""
from __future__ import annotations

import random
import re

from cleaners import dedup as D
from tests.lsh_reference import lsh_pairs

_PIECES = [
    "Jan", "jan.", "MAY", "may", "March", "Sept", "sep", "ſept", "of", "the", "said", "Mr.", "U.S.",
    "Dr", "Anna", "Smith", "O'Neil", "AT&T", "told", "according to", "via", "Reuters", "quoted by",
    "5", "12", "2021", "3rd", "1,200", "4.5", "5%", "$3bn", "x1", "_", ",", ".", ";", "-", "—",
    '"', "“", "”", "‘", "’", "''", "«", "»", "(", ")", " ", "  ", "\n", "\t", "é", "²",
]


def _texts(seed: int, n: int = 3000) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [rng.choice(_PIECES) + rng.choice(("", " ", " ", ". ", "\n")) for _ in range(rng.randrange(40))]
        out.append("".join(parts))
    return out


def _spans(matches) -> list:
    return [(m.span(), m.groups()) for m in matches]


def test_date_matches_equal_finditer():
    for t in _texts(1):
        assert _spans(D._date_matches(t)) == _spans(D._DATE_RE.finditer(t)), t


def test_quick_finditer_equals_finditer():
    pairs = [(rx, q) for rx, q in zip(D._QUOTE_RES, D._QUOTE_QUICK) if q is not None]
    pairs += [(rx, q) for rx, q in zip(D._SOURCE_RES, D._SOURCE_QUICK) if q is not None]
    assert pairs
    for t in _texts(2):
        for rx, quick in pairs:
            assert _spans(D._finditer(rx, quick, t)) == _spans(rx.finditer(t)), (rx.pattern, t)


def test_entity_tokens_equal_reference_pattern():
    reference = re.compile(r"[^\W\d_](?:[\w&]|['’.-](?=[^\W_]))*|\d[\w,.]*|\n|[^\w\s]", re.UNICODE)
    for t in _texts(3):
        assert D._ENT_TOKEN_RE.findall(t) == reference.findall(t), t


def test_shingle_list_equals_shingles():
    rng = random.Random(4)
    vocab = ["a", "bb", "ccc", "dé", "e1"]
    for _ in range(500):
        words = [rng.choice(vocab) for _ in range(rng.randrange(15))]
        for n in (1, 2, 5):
            assert D._shingle_list(words, n) == D._shingles(words, n)


def test_minhash_of_hash_array_equals_datasketch_update_batch():
    rng = random.Random(5)
    for num_perm in (64, 128):
        for size in (0, 1, 2, 7, 300):
            items = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 30))) for _ in range(size)]
            assert D._minhash_hashed(D._xxh32_array(items), num_perm) == D._minhash(items, num_perm)


def test_sketch_hashes_equal_per_item_xxh32():
    import xxhash

    rng = random.Random(6)
    items = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 30))) for _ in range(200)]
    assert D._xxh32_array(items, 0x5EED).tolist() == [xxhash.xxh32_intdigest(x, seed=0x5EED) for x in items]
    assert D._xxh32_array(items).tolist() == [xxhash.xxh32_intdigest(x) for x in items]


def test_lsh_pairs_are_the_pairs_with_a_new_member_that_share_a_band():
    import numpy as np

    rng = np.random.default_rng(7)
    sigs = []
    for i in range(400):
        # few distinct values so that many band values collide
        hv = rng.integers(0, 3, 64, dtype=np.uint32) if i % 3 else rng.integers(0, 2**32, 64, dtype=np.uint64).astype(np.uint32)
        b = hv.astype("<u4").tobytes()
        sigs.append(D.Signature(doc_id=f"d{i}", words=20, content_hash=i, shingles=1, near_mh=b, lead_mh=b,
                                story_mh=b + b, sketch=b"", sketch_size=4))
    is_new = [i % 5 != 0 for i in range(len(sigs))]
    eligible = [i for i in range(len(sigs)) if i % 7 != 3]
    for attr, thr, perm, bands, max_bucket in (
        ("near_mh", None, 64, (16, 4), 400), ("lead_mh", 0.7, 64, None, 400),
        ("story_mh", None, 128, (64, 2), 400), ("near_mh", None, 64, (32, 2), 20),
    ):
        got = lsh_pairs(sigs, attr, thr, perm, eligible, is_new, max_bucket, bands)
        if max_bucket < 400:  # degenerate buckets are sampled down: a subset of the band pairs
            assert got and got <= _band_pairs(sigs, attr, perm, thr, bands, eligible, is_new)
        else:
            assert got and got == _band_pairs(sigs, attr, perm, thr, bands, eligible, is_new)


def _band_pairs(sigs, attr, perm, thr, bands, eligible, is_new):
    """All pairs (one of them new) whose hash values agree on some whole band: the brute-force oracle."""
    import numpy as np
    from datasketch import MinHashLSH

    lsh = MinHashLSH(num_perm=perm, params=bands) if bands else MinHashLSH(threshold=thr, num_perm=perm)
    hv = {i: np.frombuffer(getattr(sigs[i], attr), dtype="<u4") for i in eligible}
    out = set()
    for x in eligible:
        for y in eligible:
            if x < y and (is_new[x] or is_new[y]) and any(
                    (hv[x][a:b] == hv[y][a:b]).all() for a, b in lsh.hashranges):
                out.add((x, y))
    return out


_WORD_PIECES = _PIECES + ["İstanbul", "STRASSE", "Straße", "ǅ", "ﬁ", "Σίσυφος", "ΣΊΣΥΦΟΣ", "日本語", "、", "。",
                          "\u00a0", "\u2009", "\u202f", "\u3000", "x\u0307", "…", "–", "Ⅻ", "½", "٣", "a_b", "Ωmega"]


def test_word_tokens_equal_the_words_of_the_exact_normalisation():
    import unicodedata

    rng = random.Random(8)
    for _ in range(3000):
        text = "".join(rng.choice(_WORD_PIECES) + rng.choice(("", " ", "-", "\n")) for _ in range(rng.randrange(30)))
        for t in (text, unicodedata.normalize("NFKC", text)):
            words = D._normalise_for_exact(t).split() if t == unicodedata.normalize("NFKC", t) else None
            expected = [w.encode() for w in D._WORD_RE.findall(t.casefold())]
            assert D._word_tokens(t) == expected, t
            if words is not None:
                assert [w.decode() for w in D._word_tokens(t)] == words, t


def test_shingle_hashes_are_one_per_ngram_and_depend_on_words_and_order():
    import numpy as np

    def hashes(text: str, n: int = 3) -> list[int]:
        return D._shingle_hashes(D._token_hashes(D._word_tokens(text)), n).tolist()

    a = hashes("the cat sat on the mat")
    assert len(a) == 4 and len(set(a)) == 4
    # the same 3-gram gives the same hash wherever it stands
    assert hashes("dogs bark the cat sat")[-1] == a[0] == hashes("The  cat, sat!")[0]
    assert hashes("cat the sat")[0] != a[0]  # word order counts
    # a text of n words or fewer is one shingle of all its words, unlike any n-gram of a longer text
    short = hashes("the cat")
    assert len(short) == 1 and short[0] not in hashes("the cat sat the cat")
    assert hashes("") == [] and D._shingle_hashes(np.zeros(0, dtype=np.uint64), 5).tolist() == []
    # a repeated n-gram repeats its hash (so the count of distinct hashes is the count of distinct n-grams)
    rep = hashes("a b c a b c a b c")
    assert len(rep) == 7 and len(set(rep)) == 3


def test_sorted_unique_equals_numpy_unique():
    import numpy as np

    rng = np.random.default_rng(9)
    for size in (0, 1, 2, 5, 300):
        a = rng.integers(0, 40, size=size).astype(np.uint64)
        assert D._sorted_unique(a).tolist() == np.unique(a).tolist()


def test_signature_words_and_exact_hash_follow_the_normalised_text():
    import unicodedata
    import xxhash

    text = "Ça coûte “5 €” — dit-il; l’État DÉCIDE…\nİstanbul's mayor said"
    sig = D.make_signature("d", text)
    norm = D._normalise_for_exact(unicodedata.normalize("NFKC", text))
    assert sig.words == len(norm.split())
    assert sig.content_hash == xxhash.xxh64_intdigest(norm.encode())
    assert sig.shingles == len(set(D._shingles(norm.split(), 5)))
