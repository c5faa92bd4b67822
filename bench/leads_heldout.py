"""Leads on held-out messages (issue 19): the real classifier, the default library and the lead signals.

    python bench/leads_heldout.py

20 buying messages with contact or volume signals (should each become a lead) and 20 messages that should not
(buying without any signal, or a phone or order number in a support or spam message), EN and FR, written for
this check apart from the rules, fixtures and tests. Prints how many of each made a `create_lead` action.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation.classifier import load_classifier  # noqa: E402
from moderation.domain import ActionType, DecisionContext, Interaction, Kind, Platform  # noqa: E402
from moderation.pipeline.lead_signals import detect_lead_signals  # noqa: E402
from playbooks import load_library  # noqa: E402

LEADS = [
    ("dm", "Hello! Our works council is ordering gift boxes for 60 employees, can you send a quote to "
           "cse@ferrand-industrie.fr ?"),
    ("dm", "Bonsoir, je gère un bar à Lyon, vous avez des prix pro ? mon mail : contact@lecomptoir-lyon.fr"),
    ("comment", "On est 25 au CE, vous faites des remises pour les commandes groupées ?"),
    ("dm", "We'd like 40 units for a corporate event on 18 March, what's the price?"),
    ("dm", "Combien pour 12 coffrets ? C'est pour le 20 décembre"),
    ("dm", "Hi, budget is about 3k€ for our team gifts, 35 people. Can we talk?"),
    ("comment", "Do you ship to offices? We're a team of 50 and want to order for everyone"),
    ("dm", "Je voudrais commander pour mon mariage, 120 invités, vous pouvez m'appeler au 06 45 12 78 90 ?"),
    ("dm", "Price list for resellers please, you can reach me on +32 470 12 34 56"),
    ("dm", "how much would 200 bottles cost? we run a restaurant group"),
    ("story_reply", "je veux en prendre 10 pour mes collègues, ça fait combien ?"),
    ("dm", "Hey, I'm organising our company offsite for 80 staff in June, do you do bulk orders?"),
    ("dm", "Bonjour, association de parents d'élèves, nous serions 45 familles intéressées, un tarif ?"),
    ("comment", "where can I buy 30 of these for my school? email me at j.martin@ecole-saint-paul.org"),
    ("dm", "Budget 8000 euros pour des cadeaux clients, vous proposez de la personnalisation ?"),
    ("dm", "Can I get a quote for 500 pcs? Company: Nordlys AB"),
    ("dm", "tarif pour 15 personnes au comité d'entreprise svp, contact: 01 44 55 66 77"),
    ("dm", "We're a hotel and want to stock your products, 3 locations. sales@harborhotel.co.uk"),
    ("comment", "Je commande pour toute l'équipe, on est 18, il y a un code promo ?"),
    ("dm", "Need 25 kits by next month for a workshop, what's the total?"),
]
NOT_LEADS = [
    ("comment", "how much is the blue one?"),
    ("dm", "prix svp"),
    ("comment", "where can I buy it in Canada?"),
    ("dm", "my order 40023891 never arrived, call me 06 11 22 33 44"),
    ("dm", "Colis pas reçu depuis 12 jours, commande n°558812"),
    ("comment", "get 10k followers fast, dm me on whatsapp +1 555 0100 222"),
    ("comment", "love it!! 😍"),
    ("dm", "I want a refund, it broke after 2 days"),
    ("comment", "is it true to size?"),
    ("dm", "c'est quoi la différence entre les deux modèles ?"),
    ("comment", "first!"),
    ("dm", "gagnez 500€ par jour depuis chez vous, écrivez à promo@cash-facile.biz"),
    ("comment", "this song is 🔥"),
    ("dm", "ça taille grand ou petit ?"),
    ("comment", "When is the next drop?"),
    ("dm", "Worst customer service ever, nobody answers"),
    ("comment", "Do you have it in black?"),
    ("dm", "merci pour la livraison rapide !"),
    ("comment", "is there a discount code?"),
    ("dm", "can you tell me where my parcel is? tracking says delivered"),
]


def main() -> None:
    classifier = load_classifier()
    library = load_library(None)
    now = datetime(2026, 12, 2, 11, tzinfo=UTC)  # a Wednesday, business hours
    results = {}
    for label, items in (("leads", LEADS), ("not_leads", NOT_LEADS)):
        scores = classifier.classify([text for _, text in items])
        made = []
        for n, ((kind, text), score) in enumerate(zip(items, scores, strict=True)):
            interaction = Interaction(platform=Platform.instagram, kind=Kind(kind), external_id=f"{label}{n}",
                                      author_id=f"a{n}", text=text, created_at=now)
            context = DecisionContext(now=now, author_previous_interactions=1,
                                      lead_signals=frozenset(detect_lead_signals(text)))
            plan = library.decide(interaction, score, context)
            made.append({"text": text, "intent": score.intent, "signals": sorted(context.lead_signals),
                         "lead": bool(plan.of_type(ActionType.create_lead))})
        results[label] = made
    found = sum(m["lead"] for m in results["leads"])
    wrong = sum(m["lead"] for m in results["not_leads"])
    print(json.dumps({"leads_found": f"{found}/{len(LEADS)}", "false_leads": f"{wrong}/{len(NOT_LEADS)}",
                      "missed": [m for m in results["leads"] if not m["lead"]],
                      "false": [m for m in results["not_leads"] if m["lead"]]}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
