"""Decisions per second of the default playbook library on one core (run by hand; target >= 20,000/s).

    python bench/playbooks_throughput.py [--decisions 50000] [--runs 5]

A realistic mix: every platform and kind, English and French texts, about 10% toxic, 5% spam, some
campaigns, some crisis and self-pause contexts. Inputs are built before timing: only `decide` is timed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moderation.domain import DecisionContext, Interaction, Kind, Platform, Scores, Sentiment  # noqa: E402
from moderation.platforms.registry import text_limits  # noqa: E402
from playbooks import load_library  # noqa: E402

TEXTS = [
    ("how much is it?", "pricing"), ("Prix svp ?", "pricing"), ("code promo ?", "pricing"),
    ("where can I buy this", "purchase"), ("le lien pour commander", "purchase"), ("link??", "purchase"),
    ("does it run small?", "product_question"), ("ça taille grand ?", "product_question"),
    ("tracking hasn't moved in 5 days", "order_support"), ("colis pas reçu", "order_support"),
    ("broke after a week, very disappointed", "complaint"), ("très déçue du service", "complaint"),
    ("I want my money back", "refund"), ("remboursez-moi", "refund"),
    ("open to collabs? I'm a creator with 40k followers", "collab"), ("partenariat possible ?", "collab"),
    ("love it!!", "praise"), ("trop beau 😍", "praise"),
    ("get 10k followers now, dm me", "spam"), ("gagnez 500€/jour", "spam"),
    ("first!", "other"), ("what song is this?", "other"), ("we are 120 employees, budget 20k", "other"),
    ("can I get a demo?", "purchase"), ("OFFRE", "other"),
]


def build_inputs(n: int, seed: int = 7) -> list[tuple[Interaction, Scores, DecisionContext]]:
    rng = random.Random(seed)
    start = datetime(2025, 1, 6, tzinfo=UTC)
    inputs = []
    for index in range(n):
        text, intent = rng.choice(TEXTS)
        at = start + timedelta(minutes=rng.randrange(7 * 24 * 60))
        toxic = rng.random() < 0.10
        interaction = Interaction(
            platform=rng.choice(list(Platform)), kind=rng.choice(list(Kind)), external_id=str(index),
            author_id=f"u{rng.randrange(5000)}", author_name=rng.choice(["Sam", "Léa", "Jo", ""]), text=text,
            post_id=f"p{rng.randrange(50)}", created_at=at, is_follower=rng.random() < 0.6,
            is_vip=rng.random() < 0.05, campaign=rng.choice([None, None, "spring", "launch"]),
        )
        scores = Scores(
            intent=intent, intent_confidence=rng.uniform(0.5, 1.0),
            toxicity=rng.uniform(0.5, 1.0) if toxic else rng.uniform(0.0, 0.3),
            sentiment=rng.choice(list(Sentiment)), lang="fr" if any(c in text for c in "çéè") else "en",
        )
        context = DecisionContext(
            now=at, timezone="Europe/Paris", author_hidden_30d=rng.choice([0, 0, 0, 1, 4]),
            author_previous_interactions=rng.randrange(5),
            post_volume_10m=rng.randrange(40), post_toxic_10m=rng.choice([0, 0, 1, 2, 30]),
            post_toxic_baseline_10m=1.0,
            author_recent_templates=frozenset(rng.choice([(), (), ("ig_story_price",), ("fb_qualify",)])),
            campaign_recent_interactions=50, campaign_recent_negative=rng.choice([1, 2, 3, 8]),
        )
        inputs.append((interaction, scores, context))
    return inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    library = load_library().with_text_limits(text_limits())
    inputs = build_inputs(args.decisions)
    for interaction, scores, context in inputs[:2000]:  # warm caches (zoneinfo, UTM, regexes)
        library.decide(interaction, scores, context)
    rates = []
    for run in range(args.runs):
        began = time.perf_counter()
        for interaction, scores, context in inputs:
            library.decide(interaction, scores, context)
        elapsed = time.perf_counter() - began
        rates.append(args.decisions / elapsed)
        print(f"run {run + 1}: {rates[-1]:,.0f} decisions/s")
    print(f"median: {statistics.median(rates):,.0f} decisions/s over {args.runs} runs of {args.decisions:,} "
          f"(library {library.version}, {len(library.rules)} rules)")


if __name__ == "__main__":
    main()
