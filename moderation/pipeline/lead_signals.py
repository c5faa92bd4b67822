"""Lead signals in a message's text: a budget, a headcount, an event date, an email address, a phone number.

`detect_lead_signals(text)` returns each signal found with the words that showed it, e.g.
`{"headcount": "80 people", "budget": "20k euros"}`. The decision uses it so that a DM showing one is never
hidden as spam (the classifier can take "We are 80 people, budget 20k euros" for promotion); lead records
may extract fuller values from the same module. English and French; pure and fast (regular expressions).
"""

from __future__ import annotations

import re

_NUMBER = r"\d{1,3}(?:[ .,\u202f\u00a0]\d{3})+|\d+(?:[.,]\d+)?"
_AMOUNT = rf"(?:{_NUMBER})\s?(?:k|K|m|M|mille|million|millions)?"
_CURRENCY = r"(?:€|\$|£|euros?|eur|usd|dollars?|gbp|chf)"
# A budget is named as one ("budget 20k euros", "notre enveloppe est de 15 000 €"): a bare amount is what
# spam says too ("gagnez 500€/jour").
_BUDGET = re.compile(
    rf"\b(?:budget|budg[eé]t|enveloppe|spend|d[ée]penser)\b[^\d\n]{{0,25}}(?:{_CURRENCY}\s?)?{_AMOUNT}"
    rf"(?:\s?{_CURRENCY}(?![a-z]))?",
    re.IGNORECASE,
)
_PEOPLE = (r"people|persons|users|seats|employees|staff|guests|attendees|participants|members|colleagues|pax|"
           r"personnes|utilisateurs|salari[ée]s|collaborateurs|invit[ée]s|membres|coll[èe]gues")
_HEADCOUNT = re.compile(
    rf"\b\d{{1,3}}(?:[ ,.]\d{{3}})*\s?\+?\s?(?:{_PEOPLE})\b"
    r"|\b(?:we are|we're|team of|group of|nous sommes|on est|une [ée]quipe de|un groupe de)\s+"
    r"(?:about |around |environ )?\d{1,6}\b",
    re.IGNORECASE,
)
_MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
           r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|"
           r"septembre|octobre|novembre|d[ée]cembre")
_EVENT_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th|er)?\s+(?:of\s+)?(?:{_MONTHS})\b(?:\s+\d{{4}})?"
    rf"|\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    r"|\b\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})\b"
    r"|\b\d{4}-\d{2}-\d{2}\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d .\-()]{7,18}\d(?!\w)")


def _phone(text: str) -> str | None:
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        # 9 to 15 digits (E.164) and not a date or an amount written with separators
        if 9 <= len(digits) <= 15 and not _EVENT_DATE.fullmatch(match.group().strip()):
            return match.group().strip()
    return None


def detect_lead_signals(text: str) -> dict[str, str]:
    """Each lead signal found in `text` -> the words that showed it (the first occurrence of each)."""
    if not text:
        return {}
    found: dict[str, str] = {}
    email = _EMAIL.search(text)
    if email:
        found["email"] = email.group()
    scrubbed = _EMAIL.sub(" ", text)  # an address's digits are not a phone number or an amount
    for name, pattern in (("budget", _BUDGET), ("headcount", _HEADCOUNT), ("event_date", _EVENT_DATE)):
        match = pattern.search(scrubbed)
        if match:
            found[name] = match.group().strip()
    phone = _phone(scrubbed)
    if phone and phone not in found.get("budget", ""):
        found["phone"] = phone
    return found
