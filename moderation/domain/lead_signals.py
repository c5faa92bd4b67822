"""Lead signals in a message (EN and FR): contact (email, phone) and volume (headcount, quantity, budget, event
date, company). Pure text functions in the leaf, so the worker's context, the lead executor and exports share them;
`moderation.pipeline.lead_signals` is the entry point the pipeline documents."""

from __future__ import annotations

import re

CONTACT_SIGNALS = ("email", "phone")
VOLUME_SIGNALS = ("headcount", "quantity", "budget", "event_date", "company")

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?![\w-])", re.IGNORECASE)
# French numbers (06 12 34 56 78, 06.12.34.56.78, +33 6 12 34 56 78) and international ones (+44 20 7946 0958,
# +1 (415) 555-0100): at least 9 digits, so an order number or a price is not taken for a phone.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?|\(?0)\d[\d\s.()-]{6,16}\d(?!\w)")
_PEOPLE_WORDS = (r"people|persons|person|pax|guests|attendees|participants|employees|staff|users|seats|members|"
                 r"colleagues|team members|personnes|pers|invités|invites|participants|salariés|salaries|"
                 r"collaborateurs|employés|employes|agents|membres|couverts|élus|elus")
_QUANTITY_WORDS = (r"boxes|box|units|pieces|pcs|bottles|cases|items|packs|kits|coffrets|boîtes|boites|bouteilles|"
                   r"cartons|unités|unites|pièces|pieces|exemplaires|colis|paniers")
_NUMBER = r"(\d{1,3}(?:[ \u202f.,]\d{3})+|\d+)"
_HEADCOUNT = [
    re.compile(_NUMBER + r"\s*(?:" + _PEOPLE_WORDS + r")\b", re.IGNORECASE),
    # "on est 15 au CSE", "nous sommes 40", "we are 80", "we're 12", "a team of 30", "une équipe de 25"
    re.compile(r"\b(?:on est|on sera|nous sommes|nous serons|we are|we're|we will be|we'll be|there are|there will be|"
               r"team of|équipe de|equipe de|groupe de|group of)\s+(?:about |around |environ |à peu près |~)?"
               + _NUMBER + r"\b(?!\s*(?:%|€|\$|k\b|ans|years|min))", re.IGNORECASE),
]
# "10 pour mes collègues", "for our 30 staff" said the other way round
_FOR_PEOPLE = (r"coll[èe]gues|colleagues|salari[ée]s|employ[ée]s|employees|[ée]quipes?|teams?|staff|clients|customers|"
               r"invit[ée]s|guests|adh[ée]rents|members|membres|[ée]l[èe]ves|students")
_HEADCOUNT.append(re.compile(_NUMBER + r"\s+(?:pour|for)\s+(?:mes|nos|les|my|our|the)\s+(?:" + _FOR_PEOPLE + r")\b",
                             re.IGNORECASE))
# Volume means a group or a bulk order: "we are 2" or "I ordered 3 boxes" is one customer, not a lead.
MIN_VOLUME = 5
_QUANTITY = re.compile(_NUMBER + r"\s*(?:x\s*)?(?:" + _QUANTITY_WORDS + r")\b", re.IGNORECASE)
_MONEY = r"(\d+(?:[ \u202f.,]\d{3})*(?:[.,]\d{1,2})?\s*(?:k|K|m|M)?)"
_BUDGET = [
    re.compile(r"\bbudget\b[^\d\n]{0,25}?" + _MONEY + r"\s*(€|\$|£|eur|euros?|usd|dollars?|gbp)?", re.IGNORECASE),
    re.compile(r"(?:€|\$|£)\s?" + _MONEY + r"(?!\w)", re.IGNORECASE),
    re.compile(_MONEY + r"\s*(€|\$|£|eur\b|euros?\b|usd\b|dollars?\b|gbp\b)", re.IGNORECASE),
]
_MONTHS = (r"jan(?:uary|vier)?|feb(?:ruary)?|f[ée]v(?:rier)?|mar(?:ch|s)?|apr(?:il)?|avr(?:il)?|may|mai|june?|juin|"
           r"july?|juil(?:let)?|aug(?:ust)?|ao[uû]t|sep(?:t(?:ember|embre)?)?|oct(?:ober|obre)?|nov(?:ember|embre)?|"
           r"dec(?:ember)?|d[ée]c(?:embre)?")
_DATE = [
    re.compile(r"\b(\d{1,2}(?:er|st|nd|rd|th)?\s+(?:" + _MONTHS + r")\.?(?:\s+\d{4})?)\b", re.IGNORECASE),
    re.compile(r"\b((?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?)\b", re.IGNORECASE),
    re.compile(r"\b(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?)\b"),
    re.compile(r"\b((?:next|this) (?:week|month|quarter|friday|saturday|weekend)|"
               r"(?:la semaine|le mois) prochaine?|ce week-end|ce weekend|for christmas|pour no[eë]l)\b",
               re.IGNORECASE),
]
_COMPANY = [
    # Works councils and organisations named by their kind: "au CSE", "for our company Acme", "chez Acme"
    re.compile(r"\b(CSE|comit[ée] d'entreprise|CE|works council|association|mairie|[ée]cole|school|restaurant|bar|"
               r"h[oô]tel|hotel|caf[ée]|boutique|agence|agency|startup|start-up)\b(?:\s+([A-Z][\w&'-]+(?:\s+[A-Z][\w&'-]+)?))?"),
    re.compile(r"\b(?:chez|from|at|for|pour|de la soci[ée]t[ée]|of the company|company|soci[ée]t[ée]|entreprise)\s+"
               r"((?:[A-Z][\w&'-]*)(?:\s+(?:[A-Z][\w&'-]*|SAS|SARL|Inc|Ltd|GmbH|LLC))*)\s*(?:SAS|SARL|Inc\.?|Ltd\.?|LLC|GmbH)?"),
]
# Capitalised words that follow "for"/"at" without naming a company.
_NOT_COMPANY = {"the", "a", "an", "our", "my", "me", "us", "you", "it", "christmas", "noël", "noel", "monday",
                "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "i", "we", "please", "info",
                "instagram", "facebook", "tiktok", "youtube", "dm", "merci", "thanks", "hello", "bonjour"}


def _clean_number(text: str) -> str:
    return re.sub(r"[ \u202f.,]", "", text)


def _first(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    found = [m for m in (p.search(text) for p in patterns) if m]
    return min(found, key=lambda m: m.start()) if found else None


def _phone(text: str, email_spans: list[tuple[int, int]]) -> str | None:
    for match in _PHONE.finditer(text):
        if any(s <= match.start() < e for s, e in email_spans):
            continue
        raw = match.group(0).strip()
        digits = re.sub(r"\D", "", raw)
        if 9 <= len(digits) <= 15 and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return ("+" if raw.startswith("+") else "") + digits
    return None


def _budget(text: str) -> str | None:
    match = _first(_BUDGET, text)
    if match is None:
        return None
    amount = match.group(1).strip().replace("\u202f", " ")
    currency = match.group(2) if match.re.groups >= 2 and match.group(2) else ""
    if not currency:
        symbol = text[max(0, match.start(1) - 2):match.start(1)]  # "$12,000", "€ 500"
        currency = next((c for c in "€$£" if c in symbol), "")
    if not re.search(r"\d", amount):
        return None
    scale = amount[-1].lower() if amount[-1].lower() in "km" else ""
    number = amount[:-1] if scale else amount
    number = number.strip().replace(" ", "")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", number):
        number = re.sub(r"[.,]", "", number)
    number = number.replace(",", ".")
    try:
        value = float(number) * {"k": 1_000, "m": 1_000_000, "": 1}[scale]
    except ValueError:
        return None
    if value < 50 and not scale:  # "5€" is a price question, not a budget
        return None
    code = {"€": "EUR", "$": "USD", "£": "GBP"}.get(currency, currency.upper()[:3] if currency else "")
    code = {"EUR": "EUR", "EURO": "EUR", "USD": "USD", "DOL": "USD", "GBP": "GBP"}.get(code, code)
    shown = f"{value:,.0f}".replace(",", "") if value == int(value) else f"{value:.2f}"
    return f"{shown} {code}".strip()


def _company(text: str) -> str | None:
    for pattern in _COMPANY:
        for match in pattern.finditer(text):
            groups = [g for g in match.groups() if g]
            name = " ".join(groups).strip(" .,'")
            first = name.split()[0].lower() if name else ""
            if name and first not in _NOT_COMPANY and not name.isdigit():
                if pattern is _COMPANY[0] and match.group(1) == "CE" and not match.group(2):
                    continue  # "CE" alone is mostly "ce" capitalised at a sentence start
                return name
    return None


def detect_lead_signals(text: str) -> dict[str, str]:
    """The lead signals found in one message: `email`, `phone`, `headcount`, `quantity`, `budget` (amount and
    currency, e.g. "20000 EUR"), `event_date` (as written) and `company`; absent keys were not found."""
    if not text:
        return {}
    signals: dict[str, str] = {}
    emails = list(_EMAIL.finditer(text))
    if emails:
        signals["email"] = emails[0].group(0).lower()
    phone = _phone(text, [m.span() for m in emails])
    if phone:
        signals["phone"] = phone
    headcount = _first(_HEADCOUNT, text)
    if headcount and int(_clean_number(headcount.group(1))) >= MIN_VOLUME:
        signals["headcount"] = _clean_number(headcount.group(1))
    quantity = _QUANTITY.search(text)
    if quantity and int(_clean_number(quantity.group(1))) >= MIN_VOLUME:
        signals["quantity"] = _clean_number(quantity.group(1))
    budget = _budget(text)
    if budget:
        signals["budget"] = budget
    date = _first(_DATE, text)
    if date:
        signals["event_date"] = date.group(1).strip()
    company = _company(text)
    if company:
        signals["company"] = company
    return signals


def has_lead_signal(signals: dict[str, str]) -> bool:
    """Contact or volume: enough, with buying intent, to make a lead."""
    return any(key in signals for key in (*CONTACT_SIGNALS, *VOLUME_SIGNALS))
