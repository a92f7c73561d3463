"""cleaners.pipeline: one bad article is recorded, the batch goes on."""
from __future__ import annotations


def test_a_failure_while_signing_one_article_is_recorded_and_the_batch_goes_on(tmp_path, monkeypatch):
    from cleaners import pipeline
    from cleaners.pipeline import Settings, process_batch
    from cleaners.sources import RawItem

    body = ("Harbour officials said on Tuesday that the bridge will close for eighteen months after "
            "inspectors found corrosion in its steel cables, and that ferries will carry commuters.\n\n")
    items = []
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"{name} {body * 3}", encoding="utf-8")
        items.append(RawItem(source=name, path=str(tmp_path / name)))
    real = pipeline.make_signature

    def failing(doc_id, text, **kw):
        if text.startswith("b.txt"):
            raise ValueError("made-up signing failure")
        return real(doc_id, text, **kw)

    monkeypatch.setattr(pipeline, "make_signature", failing)
    out = process_batch(items, Settings())
    assert [a.source for a in out.articles] == ["a.txt"] and len(out.signatures) == 1
    (rej,) = out.rejects
    assert rej.source == "b.txt" and rej.reason == "cleaner_error" and "made-up signing failure" in rej.detail
    assert {s.source for s in out.seen} == {"a.txt", "b.txt"}
