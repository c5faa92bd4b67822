"""Lead signals, EN and FR, one table row per case (phrasings written for this test, not taken from the rules)."""

from __future__ import annotations

import pytest

from moderation.pipeline.lead_signals import detect_lead_signals, has_lead_signal

CASES = [
    # (text, expected subset, keys that must be absent)
    ("Bonjour, on est 15 au CSE et on voudrait des coffrets pour Noël", {"headcount": "15", "company": "CSE"}, ()),
    ("Quel tarif pour 80 personnes ? budget 20k€", {"headcount": "80", "budget": "20000 EUR"}, ()),
    ("We're a team of 45, budget around $12,000, event on March 14",
     {"headcount": "45", "budget": "12000 USD", "event_date": "March 14"}, ()),
    ("Trade prices please, I manage a bar. reach me at owner@lepetitzinc.fr",
     {"email": "owner@lepetitzinc.fr", "company": "bar"}, ()),
    ("Appelez-moi au 06 71 22 33 44 pour le devis", {"phone": "0671223344"}, ("headcount",)),
    ("call +44 20 7946 0958 tomorrow", {"phone": "+442079460958"}, ()),
    ("we need 200 units for our launch, budget 5 000 euros", {"quantity": "200", "budget": "5000 EUR"}, ()),
    ("Nous serons 120 invités le 12 juin 2027", {"headcount": "120", "event_date": "12 juin 2027"}, ()),
    ("Je travaille chez Decathlon, on cherche 30 cartons", {"company": "Decathlon", "quantity": "30"}, ()),
    ("c'est combien ? 25€ ça fait cher", {}, ("budget", "phone", "headcount")),
    ("on en voudrait 8 pour nos salariés", {"headcount": "8"}, ()),
    ("we are 2 and I bought 3 boxes last week", {}, ("headcount", "quantity")),  # one customer, not a group
    ("my order 123456789 has not arrived", {}, ("phone", "quantity", "budget")),
    ("love this colour", {}, ("email", "phone", "headcount", "quantity", "budget", "event_date", "company")),
]


@pytest.mark.parametrize(("text", "expected", "absent"), CASES, ids=[c[0][:30] for c in CASES])
def test_signals(text: str, expected: dict[str, str], absent: tuple[str, ...]) -> None:
    found = detect_lead_signals(text)
    assert {k: found.get(k) for k in expected} == expected
    assert not set(absent) & set(found)


def test_no_signal_no_lead_and_bad_input() -> None:
    assert not has_lead_signal(detect_lead_signals("prix svp"))
    assert has_lead_signal(detect_lead_signals("write to me: a.b@example.com"))
    assert detect_lead_signals("") == {}
    assert isinstance(detect_lead_signals("€" * 5000 + " 06 " * 2000), dict)  # long junk does not hang or raise
