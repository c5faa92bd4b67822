"""Templates: the sandbox holds, links get UTM, platform texts and limits apply, A/B is deterministic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import TemplateError
from jinja2.sandbox import SecurityError

from moderation.domain import Platform
from moderation.domain.attribution import interaction_ref
from playbooks import PlaybookError, load_library
from playbooks.templates import add_utm, compile_source, pick_variant, tag_links, truncate
from tests.playbooks.conftest import context, interaction, scores, write_playbook

ATTACKS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ config }}",
    "{{ settings }}",
    "{{ self.__init__.__globals__ }}",
    "{{ links.__class__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ lipsum.__globals__ }}",
    "{{ range(10) }}",
    "{% set x = links.update({'a': 1}) %}{{ x }}",
    "{{ author.format_map.__self__ }}",
    "{{ request.environ }}",
]


@pytest.mark.parametrize("source", ATTACKS)
def test_sandbox_escapes_fail_at_render(source: str) -> None:
    variables = {"author": "Sam", "links": {"shop": "https://x.example"}}
    with pytest.raises((SecurityError, TemplateError)):
        compile_source(source).render(variables)


@pytest.mark.parametrize("source", ATTACKS)
def test_sandbox_escapes_are_rejected_when_the_library_loads(tmp_path: Path, source: str) -> None:
    write_playbook(tmp_path, {"name": "evil", "templates": {"bad": {"text": {"en": source}}},
                              "rules": [{"id": "r", "actions": [{"auto_reply": {"template": "bad"}}]}]})
    with pytest.raises(PlaybookError) as raised:
        load_library(tmp_path)
    assert "template 'bad'" in str(raised.value)
    assert "book.yaml:" in str(raised.value)


def test_utm_added_to_every_link_and_existing_values_kept() -> None:
    text = tag_links("see https://a.example/x?id=1, and http://b.example/p?utm_source=keep.", "tiktok",
                     "social", "spring")
    assert "https://a.example/x?id=1&utm_source=tiktok&utm_medium=social&utm_campaign=spring," in text
    assert "utm_source=keep&utm_medium=social&utm_campaign=spring." in text
    assert add_utm("https://a.example", "youtube", "social", "organic").endswith(
        "?utm_source=youtube&utm_medium=social&utm_campaign=organic")


def test_truncate_at_word_boundary() -> None:
    assert truncate("short", 10) == "short"
    cut = truncate("one two three four five six", 15)
    assert len(cut) <= 15 and cut.endswith("…") and "thr…" not in cut


def test_variant_assignment_is_deterministic_and_balanced() -> None:
    names = ["a", "b"]
    picks = [pick_variant(names, f"instagram:{n}", "thanks") for n in range(2000)]
    assert picks == [pick_variant(names, f"instagram:{n}", "thanks") for n in range(2000)]
    assert 900 < picks.count("a") < 1100


def _reply_library(tmp_path: Path, template: dict[str, Any], **settings: Any) -> Any:
    document: dict[str, Any] = {
        "name": "t", "templates": {"greet": template},
        "rules": [{"id": "r", "actions": [{"auto_reply": {"template": "greet"}}]}],
    }
    if settings:
        document["settings"] = settings
    write_playbook(tmp_path, document)
    return load_library(tmp_path)


def test_language_follows_scores_and_falls_back_to_default(tmp_path: Path) -> None:
    library = _reply_library(tmp_path, {"text": {"en": "Hi {{ author }}", "fr": "Salut {{ author }}"}})
    fr = library.decide(interaction(), scores(lang="fr"), context()).actions[0]
    de = library.decide(interaction(), scores(lang="de"), context()).actions[0]
    assert (fr.params["text"], fr.params["lang"]) == ("Salut Sam", "fr")
    assert (de.params["text"], de.params["lang"]) == ("Hi Sam", "en")


def test_platform_variant_and_length_limit(tmp_path: Path) -> None:
    long_text = "word " * 100
    library = _reply_library(tmp_path, {"text": {"en": long_text}, "platforms": {"tiktok": {"en": "short one"}}})
    tiktok = library.decide(interaction(platform="tiktok"), scores(), context()).actions[0]
    assert tiktok.params["text"] == "short one" and tiktok.type.value == "auto_reply"


def test_too_long_text_is_cut_and_becomes_a_draft(tmp_path: Path) -> None:
    library = _reply_library(tmp_path, {"text": {"en": "word " * 100}})
    action = library.decide(interaction(platform="tiktok"), scores(), context()).actions[0]
    assert len(action.params["text"]) <= 150
    assert action.params["truncated"] is True
    assert action.type.value == "draft_reply"  # cut text is never sent unseen


def test_ab_variant_recorded_and_stable(tmp_path: Path) -> None:
    library = _reply_library(tmp_path, {"variants": {"a": {"text": {"en": "A"}}, "b": {"text": {"en": "B"}}}})
    seen = set()
    for n in range(40):
        action = library.decide(interaction(external_id=f"c{n}"), scores(), context()).actions[0]
        assert action.params["text"] == action.params["variant"].upper()
        seen.add(action.params["variant"])
        again = library.decide(interaction(external_id=f"c{n}"), scores(), context()).actions[0]
        assert again.params["variant"] == action.params["variant"]
    assert seen == {"a", "b"}


def test_product_and_links_reach_the_template(tmp_path: Path) -> None:
    library = _reply_library(
        tmp_path, {"text": {"en": "{{ product }}: {{ links.shop }}"}},
        links={"shop": "https://shop.example/"}, products={"spring": "Rain jacket"},
    )
    item = interaction(campaign="spring", platform="facebook")
    action = library.decide(item, scores(), context()).actions[0]
    ref = interaction_ref(item.id)
    assert action.params["text"] == (
        f"Rain jacket: https://shop.example/?utm_source=facebook&utm_medium=social&utm_campaign=spring&utm_content={ref}"
    )
    assert action.params["ref"] == ref


def test_a_grounded_reply_too_long_for_the_platform_keeps_the_answer_not_the_greeting(tmp_path: Path) -> None:
    library = _reply_library(tmp_path, {"text": {"en": "Hi {{ author }}, thanks so much for your question, we love "
                                                       "hearing from you! {{ answer }} Anything else? Ask away."}})
    answer = "Returns are free within 30 days; a new size ships for €4.95."
    common = {"interaction_id": "tiktok:1", "platform": Platform.tiktok, "lang": "en",
              "utm": ("tiktok", "social", "organic")}
    rendered = library.templates["greet"].render(variables={"author": "Sam", "answer": answer}, limit=80, **common)
    assert rendered.text == answer and rendered.truncated
    plain = library.templates["greet"].render(variables={"author": "Sam", "answer": ""}, limit=80, **common)
    assert plain.text.startswith("Hi Sam, thanks") and plain.text.endswith("…")


def test_an_answer_too_long_for_the_platform_even_alone_is_drafted_whole_not_cut(tmp_path: Path) -> None:
    library = _reply_library(tmp_path, {"text": {"en": "Hi {{ author }}! {{ answer }}"}})
    answer = ("Unused items can be returned within 30 days for a refund or a free exchange; a prepaid return label "
              "costs $9.95, taken off the refund.")
    common = {"interaction_id": "tiktok:1", "platform": Platform.tiktok, "lang": "en",
              "utm": ("tiktok", "social", "organic")}
    rendered = library.templates["greet"].render(variables={"author": "Sam", "answer": answer}, limit=80, **common)
    # Cut at 80 characters, the price would go: the whole answer, for a person to shorten.
    assert rendered.text == answer and rendered.truncated and rendered.over_limit == 80


def test_a_product_fact_too_long_for_the_platform_with_its_link_goes_without_the_link(tmp_path: Path) -> None:
    from moderation.domain import ProductFacts

    library = _reply_library(tmp_path, {"text": {"en": "{{ answer }}"}})
    kit = ProductFacts(sku="KIT-1", name="Beginner Beanie Kit", price="38.00", currency="EUR", sizes=(), colors=(),
                       in_stock=4, url="https://wool.example/p/beginner-beanie-kit", description="",
                       price_text="€38")
    answer = ("Beginner Beanie Kit is €38, in stock. A skein of chunky wool, 8 mm bamboo needles and an easy "
              "pattern. https://wool.example/p/beginner-beanie-kit")
    common = {"interaction_id": "tiktok:1", "platform": Platform.tiktok, "lang": "en",
              "utm": ("tiktok", "social", "organic", "ref123")}
    rendered = library.templates["greet"].render(variables={"answer": answer, "products": [kit]}, limit=150,
                                                 **common)
    # Tagged, the link alone pushes it over 150: the facts go without it, sendable, not cut.
    assert rendered.text == answer.rsplit(" https://", 1)[0] and rendered.over_limit is None
    assert len(rendered.text) <= 150 and "€38" in rendered.text
    # An answer that is not a product's facts keeps its link (it may be the fact) and goes to a person whole.
    guide = "Our size guide, with every measurement in centimetres and inches for each of our knitting patterns: " \
            "https://wool.example/size-guide"
    long = library.templates["greet"].render(variables={"answer": guide, "products": [kit]}, limit=150, **common)
    assert long.over_limit == 150 and "size-guide" in long.text
    # Where the tagged link fits, it stays.
    short = "Beginner Beanie Kit is €38, in stock. https://wool.example/p/kit"
    kept = library.templates["greet"].render(variables={"answer": short, "products": [kit]}, limit=150, **common)
    assert "utm_source=tiktok" in kept.text


@pytest.mark.parametrize(("lang", "answer", "plain"), [
    ("en", "We're so sorry! Send us a photo of the parcel at help@shop.example and we reship it.", "sorry"),
    ("fr", "Désolés pour ce colis ! Envoyez une photo à aide@shop.example, nous le renvoyons.", "désolés"),
])
def test_the_bundled_apologies_are_said_once_when_the_brands_answer_apologises(lang, answer, plain) -> None:
    from playbooks import load_library
    from playbooks.templates import apologises

    assert apologises(answer) and not apologises("Sorrento lemon tea is €8.") and not apologises("You have 30 days")
    library = load_library(None)
    common = {"interaction_id": "instagram:1", "platform": Platform.instagram, "lang": lang,
              "utm": ("instagram", "social", "organic"), "limit": 2000}
    for name in ("complaint_answer", "refund_ack"):
        once = library.templates[name].render(
            variables={"author": "Sam", "answer": answer, "answer_apologises": True}, **common).text
        assert once.lower().count(plain) == 1 and answer.split(" ")[0] in once, once
        other = "Returns are free within 30 days." if lang == "en" else "Les retours sont gratuits sous 30 jours."
        both = library.templates[name].render(
            variables={"author": "Sam", "answer": other, "answer_apologises": False}, **common).text
        assert other in both and ("sorry" in both or "désolés" in both), both


def test_the_size_answer_adds_the_size_guide_only_when_the_brands_answer_has_no_link_of_its_own() -> None:
    from playbooks import load_library

    library = load_library(None)
    common = {"interaction_id": "instagram:1", "platform": Platform.instagram, "lang": "en",
              "utm": ("instagram", "social", "organic"), "limit": 2000}
    linked = "Our clothes use French sizes (S = 36-38). Size guide: https://brand.example/size-guide"
    once = library.templates["ig_sizes_answer"].render(
        variables={"author": "Sam", "answer": linked, "links": {"size_guide": "https://shop.example/sizes"}},
        **common).text
    assert once.count("Size guide") == 1 and "shop.example" not in once, once
    plain = library.templates["ig_sizes_answer"].render(
        variables={"author": "Sam", "answer": "The 01 runs true to size.",
                   "links": {"size_guide": "https://shop.example/sizes"}}, **common).text
    assert "Size guide: https://shop.example/sizes" in plain, plain
