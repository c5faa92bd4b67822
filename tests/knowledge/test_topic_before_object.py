"""What is asked before what it is asked of: of two answers about as likely, the one covering the topic the
question names ("laver": care) is the draft, not the one that merely names the same object ("baskets")."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.knowledge.text import tokens
from tests.knowledge.shops import EMPTY_CATALOGUE, RETRIEVER_KINDS, ask, retriever_for

SHOP_YAML = """\
answers:
  - id: sneaker-sizing
    questions:
      en: ["do the sneakers run true to size?"]
      fr: ["les baskets taillent comment ?"]
    answer:
      en: "The sneakers run true to size, EU 36 to 46."
      fr: "Les baskets taillent normalement, du 36 au 46."
  - id: sneaker-care
    questions:
      en: ["how do I clean the white leather?"]
      fr: ["comment nettoyer le cuir blanc ?"]
    answer:
      en: "Wipe the leather with a damp cloth and a drop of mild soap."
      fr: "Nettoyez le cuir avec un chiffon humide et une goutte de savon doux."
"""


@pytest.fixture(params=RETRIEVER_KINDS)
def shop(tmp_path: Path, request: pytest.FixtureRequest):
    return retriever_for(tmp_path, SHOP_YAML, EMPTY_CATALOGUE, request.param)


def test_of_two_close_answers_the_one_covering_the_topic_asked_comes_first(shop) -> None:
    sizing, care = 0, 1
    for text in ("comment laver les baskets blanches ?", "how do I wash the sneakers?"):
        topic = shop._topic_of(text, shop._words(tokens(text)), set(), set())
        # The sizing answer a little ahead in score (as an encoder may put it): close, so the topic decides.
        assert shop._rank([0.70, 0.68], topic, set())[0] == care, (text, topic)
    # Not close: the score decides.
    text = "comment laver les baskets blanches ?"
    assert shop._rank([0.80, 0.60], shop._topic_of(text, shop._words(tokens(text)), set(), set()), set())[0] == sizing


def test_the_object_alone_still_finds_its_answer(shop) -> None:
    grounding = ask(shop, "les baskets taillent grand ?", intent="product_question", lang="fr")
    assert grounding.source == "answer:sneaker-sizing"
