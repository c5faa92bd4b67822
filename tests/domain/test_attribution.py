"""Attribution tags: stable references and codes, the one UTM builder, and what an order's fields are read as."""

from __future__ import annotations

from moderation.domain.attribution import code_key, discount_code, interaction_ref, normalise_ref, utm_link


def test_refs_and_codes_are_stable_short_and_distinct() -> None:
    ids = [f"instagram:{n}" for n in range(20_000)]
    refs = {interaction_ref(i) for i in ids}
    codes = {code_key(discount_code(i)) for i in ids}
    assert len(refs) == len(codes) == len(ids)  # no collision among 20,000
    assert interaction_ref("instagram:1") == interaction_ref("instagram:1")
    assert len(interaction_ref("instagram:1")) == 11 and interaction_ref("instagram:1").startswith("so-")
    # The prefix is cosmetic: the team's playbooks choose it, the match is on the conversation's part.
    assert code_key(discount_code("x:1", "WELCOME")) == code_key(discount_code("x:1")) is not None
    assert code_key(discount_code("x:1").lower() + " ") == code_key(discount_code("x:1"))
    assert code_key("SUMMER24") is None and code_key("SO-ABCDEI") is None and code_key("") is None


def test_utm_link_keeps_existing_values_and_adds_the_reference() -> None:
    ref = interaction_ref("tiktok:9")
    assert utm_link("https://shop.example/p?id=3", "tiktok", "social", "launch", ref) == (
        f"https://shop.example/p?id=3&utm_source=tiktok&utm_medium=social&utm_campaign=launch&utm_content={ref}")
    assert "utm_campaign=mine" in utm_link("https://s.example/?utm_campaign=mine", "tiktok", "social", "x", ref)
    assert "utm_content" not in utm_link("https://s.example/", "tiktok", "social", "x")
    assert normalise_ref(f" {ref.upper()} ") == ref and normalise_ref(f"story|{ref}") == ref
    assert normalise_ref("so-short") is None and normalise_ref(None) is None
