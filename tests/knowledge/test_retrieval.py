"""Grounded retrieval: names with typos and no accents, "this" as the post's product, the asker's language,
UTM on links, and nothing unrelated when nothing matches."""

from __future__ import annotations

import pytest

from moderation.classifier.encoder import HashingEncoder
from moderation.knowledge.retrieval import Question, Retriever


@pytest.fixture(params=["words", "hashing-encoder"])
def retriever(request, brand) -> Retriever:
    embed = HashingEncoder(256).encode if request.param == "hashing-encoder" else None
    return Retriever(brand, embed)


def ask(retriever: Retriever, text: str, intent: str = "pricing", lang: str = "en", **kwargs) -> object:
    return retriever.ground(Question(text=text, lang=lang, intent=intent, **kwargs))


def test_policy_answer_in_the_askers_language_with_a_tagged_link(retriever) -> None:
    english = ask(retriever, "how much is shipping to Ireland?", platform="instagram", campaign="spring")
    assert english.source == "answer:shipping-ireland" and english.level == "high"
    assert "€6.90" in english.answer
    # utm_content is left to the reply's interaction reference (attribution), added when the reply is rendered.
    assert "https://example.com/shipping?utm_source=instagram&utm_medium=social&utm_campaign=spring" in english.answer
    assert "utm_content" not in english.answer
    french = ask(retriever, "combien pour livrer en Irlande ?", lang="fr")
    assert french.source == "answer:shipping-ireland" and "6,90 €" in french.answer


def test_product_named_with_typos_and_without_accents(retriever) -> None:
    grounding = ask(retriever, "how much is the serum eclat?")
    assert grounding.source == "product:SERUM-30"
    assert "€39" in grounding.answer and "sold out" in grounding.answer
    typo = ask(retriever, "prix de la vest lin ?", lang="fr")
    assert typo.source == "product:JACKET-G" and "179,50 €" in typo.answer and "en stock" in typo.answer
    assert typo.product is not None and str(typo.product) == "Veste Lin" and typo.product.price_text == "179,50 €"


def test_this_means_the_posts_product(retriever) -> None:
    grounding = ask(retriever, "how much is this?", post_product="TOTE-1", platform="tiktok")
    assert grounding.source == "product:TOTE-1" and grounding.level == "high"
    assert "Chevron Tote is €89, in stock" in grounding.answer
    assert "https://example.com/p/tote?utm_source=tiktok" in grounding.answer
    size = ask(retriever, "dispo en M ?", intent="product_question", lang="fr", post_product="JACKET-G")
    assert size.source == "product:JACKET-G" and "Il existe en M" in size.answer
    missing = ask(retriever, "available in XL?", intent="product_question", post_product="JACKET-G")
    assert "No XL: sizes S, M and L" in missing.answer


def test_a_policy_question_under_a_product_post_gets_the_policy(retriever) -> None:
    grounding = ask(retriever, "how much is shipping to Ireland?", post_product="TOTE-1")
    assert grounding.source == "answer:shipping-ireland"


def test_no_match_is_said_never_an_unrelated_fact(retriever) -> None:
    nothing = ask(retriever, "what song is playing in the video?", intent="other")
    assert nothing.level == "none" and nothing.answer == "" and nothing.product is None
    # A price word under a product post must not make an unrelated question look like "how much is this?".
    workers = ask(retriever, "how much are the workers paid though?", post_product="TOTE-1")
    assert workers.level == "none" and workers.answer == ""
    bare = ask(retriever, "prix ?", lang="fr")
    assert bare.level == "none"


def test_human_answers_are_marked(retriever) -> None:
    grounding = ask(retriever, "what is your return policy?", intent="refund")
    assert grounding.source == "answer:returns" and grounding.human is True


def test_caption_names_one_product_or_none(brand) -> None:
    retriever = Retriever(brand)
    assert retriever.caption_product("New in: the Chevron Tote 🖤") == "TOTE-1"
    assert retriever.caption_product("Chevron Tote and Sérum Éclat, our gift picks") is None
    assert retriever.caption_product("Sunday in Paris") is None


def test_two_answers_about_as_likely_give_no_fact_but_both_suggestions(tmp_path) -> None:
    from moderation.knowledge import load_knowledge

    path = tmp_path / "knowledge.yaml"
    path.write_text("""\
answers:
  - id: spain
    questions: {en: ["do you ship to Spain?"]}
    answer: {en: "Spain: €4.90."}
  - id: italy
    questions: {en: ["do you ship to Italy?"]}
    answer: {en: "Italy: €5.90."}
""", encoding="utf-8")
    grounding = Retriever(load_knowledge(path, None)).ground(
        Question(text="do you ship to Spain or Italy?", lang="en", intent="pricing"))
    assert grounding.level == "none" and grounding.answer == ""
    assert {s.split("]")[0] for s in grounding.suggestions} == {"[spain", "[italy"}


@pytest.mark.parametrize("kind", ["words", "hashing-encoder"])
def test_a_question_about_something_else_under_a_product_post_gets_no_fact(kind) -> None:
    # The issue's own example, on the demo brand: "paid" is only in the shipping answer ("duties are paid on
    # delivery"), "workers" in nothing; the sneaker's price would answer another question.
    from moderation.knowledge import load_knowledge
    from socialops.demo.questions import KNOWLEDGE_DIR

    base = load_knowledge(KNOWLEDGE_DIR / "knowledge.yaml", KNOWLEDGE_DIR / "catalogue.csv")
    retriever = Retriever(base, HashingEncoder(256).encode if kind == "hashing-encoder" else None)
    other = ask(retriever, "How much are the workers paid though? Genuine question", post_product="ML-01-WHT")
    assert other.level == "none" and other.answer == ""
    assert ask(retriever, "how much is this?", post_product="ML-01-WHT").source == "product:ML-01-WHT"
