"""bench.near_copies: new training rows that restate a dev or training text are dropped before they train."""

from __future__ import annotations

from bench.near_copies import near, split_near_copies, words


def test_a_restated_text_is_near_whether_its_words_or_its_content_words_overlap() -> None:
    assert near(words("I know where your office is. See you soon"),
                words("i know where your warehouse is, see you soon"))
    assert near(words("les trans c'est des malades mentaux, arrêtez de les mettre en avant"),
                words("les trans c'est des malades mentaux"))
    assert not near(words("you're a clown"), words("you're a joke and so is your product, idiot"))
    assert not near(words("c'est fait en France ?"), words("j'en peux plus de tout, c'est dire où j'en suis"))


def test_rows_are_kept_only_when_no_reference_and_no_earlier_row_is_near() -> None:
    rows = [{"text": "tg fdp"}, {"text": "merci pour la livraison rapide"},
            {"text": "merci pour la livraison rapide !"},
            {"text": "la couleur est magnifique en vrai"}]
    kept, dropped = split_near_copies(rows, {"train": ["tg fdp"]})
    assert [r["text"] for r in kept] == ["merci pour la livraison rapide", "la couleur est magnifique en vrai"]
    assert [(name, text) for _, name, text in dropped] == [("train", "tg fdp"),
                                                            ("itself", "merci pour la livraison rapide")]
