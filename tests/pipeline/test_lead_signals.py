"""Lead signals: what keeps a DM from being held as spam. Phrases written for this test, unlike the demo's."""

from __future__ import annotations

import pytest

from moderation.pipeline.lead_signals import detect_lead_signals


@pytest.mark.parametrize(("text", "signals"), [
    ("Hi, we'd be 35 employees on it and our budget is roughly 12k eur", {"headcount", "budget"}),
    ("Bonjour, nous sommes 60 et notre enveloppe est de 8 000 € pour le séminaire du 3 avril",
     {"headcount", "budget", "event_date"}),
    ("Can someone call me back on +44 7700 900123 please", {"phone"}),
    ("write to events@bigcorp.example.com for the details", {"email"}),
    ("Planning a launch party on 21/09/2027 for 150 guests", {"event_date", "headcount"}),
    ("Est-ce possible pour le 14 février ? On sera 25 personnes", {"event_date", "headcount"}),
])
def test_lead_signals_are_found_in_english_and_french(text: str, signals: set[str]) -> None:
    assert set(detect_lead_signals(text)) == signals


@pytest.mark.parametrize("text", [
    "earn $300 a day from home, click my profile",
    "gagne 2000€ par semaine sans rien faire !!",
    "follow4follow 💯 10k followers guaranteed",
    "love the colour, is it restocking?",
    "my order 48213377 never arrived",
    "",
])
def test_spam_and_ordinary_messages_show_none(text: str) -> None:
    assert detect_lead_signals(text) == {}


def test_values_are_the_words_that_matched() -> None:
    found = detect_lead_signals("team of 12, budget: $4,500")
    assert found["headcount"] == "team of 12" and found["budget"].endswith("$4,500")
