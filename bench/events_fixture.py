"""Generates a realistic event log (received, classified, replies, drafts, moderation, leads) straight into SQLite."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

PLATFORMS = (("instagram", 0.45), ("facebook", 0.25), ("tiktok", 0.2), ("youtube", 0.1))
KINDS = (("comment", 0.68), ("dm", 0.25), ("story_reply", 0.04), ("mention", 0.03))
CAMPAIGNS = (None, None, None, "spring-sale", "launch-lumiere", "creator-collab")
PEOPLE = ("camille", "hugo", "lea")
SENTIMENTS = (("negative", 0.2), ("neutral", 0.5), ("positive", 0.3))


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _fmt(at: datetime) -> str:
    # SQLAlchemy's SQLite DateTime storage format, so the app's own queries read these rows as it writes them.
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def interaction_events(rng: random.Random, n: int, received: datetime) -> tuple[tuple, list[tuple]]:
    """One interaction row and its events (name, interaction_id, platform, occurred_at, actor, campaign, data)."""
    platform, kind = _pick(rng, PLATFORMS), _pick(rng, KINDS)
    campaign = rng.choice(CAMPAIGNS)
    iid = f"{platform}:{n}"
    events: list[tuple] = []

    def add(action: str, at: datetime, actor: str = "automation", data: dict | None = None) -> None:
        events.append((f"{platform}.{kind}_{action}", iid, platform, _fmt(at), actor, campaign,
                       json.dumps(data or {})))

    post = f"post-{rng.randrange(400)}" if kind in ("comment", "mention") else None
    add("received", received, data={"source": "bench"})
    sentiment = _pick(rng, SENTIMENTS)
    classified = received + timedelta(seconds=rng.uniform(1, 40))
    add("classified", classified, data={"intent": "other", "toxicity": 0.1, "sentiment": sentiment, "lang": "en"})
    roll = rng.random()
    person = rng.choice(PEOPLE)
    if roll < 0.10:  # spam or toxic: moderated
        action = rng.choices(("hidden", "deleted", "held"), weights=(8, 1, 1))[0]
        at = classified + timedelta(seconds=rng.uniform(1, 20))
        add(action, at)
        if action == "hidden" and rng.random() < 0.05:
            add("unhidden", at + timedelta(hours=rng.uniform(1, 30)), actor=person)
        if action == "held" and rng.random() < 0.5:
            add("released", at + timedelta(hours=rng.uniform(1, 10)), actor=person)
    elif roll < 0.50:  # automated reply
        add("response_sent", classified + timedelta(seconds=rng.uniform(2, 120)))
        add("tagged", classified, data={"tags": ["faq"]})
    elif roll < 0.80:  # draft for approval
        drafted = classified + timedelta(seconds=1)
        add("reply_drafted", drafted)
        decided = drafted + timedelta(minutes=rng.expovariate(1 / 45))
        verdict = rng.choices(("approved", "edited", "rejected"), weights=(7, 2, 1))[0]
        add(f"reply_{verdict}", decided, actor=person)
        if verdict != "rejected":
            add("response_sent", decided + timedelta(seconds=rng.uniform(1, 30)), actor=person)
    elif roll < 0.85:  # escalated
        add("escalated", classified + timedelta(seconds=2))
        if rng.random() < 0.6:
            resolved = classified + timedelta(hours=rng.uniform(0.5, 48))
            add("response_sent", resolved - timedelta(minutes=5), actor=person)
            add("resolved", resolved, actor=person)
    if kind == "dm" and rng.random() < 0.3:
        add("lead_created", classified + timedelta(seconds=5))
        if rng.random() < 0.15:
            add("converted", classified + timedelta(days=rng.uniform(0.1, 5)), actor=person)
    row = (iid, platform, kind, str(n), f"author-{rng.randrange(50_000)}", "", "bench text", post, None,
           _fmt(received), _fmt(received), 0, 0, campaign, "bench", "done", None, None, 0, None)
    return row, events


def generate(path: Path, *, events: int = 1_000_000, days: int = 60, end: datetime | None = None,
             seed: int = 7) -> int:
    """Fill the (already migrated) SQLite database at `path` with about `events` events; returns the count."""
    rng = random.Random(seed)
    end = end or datetime.now(UTC).replace(tzinfo=None)
    start = end - timedelta(days=days)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")  # a throwaway benchmark file: no need to survive a power cut
    total, n = 0, 0
    event_sql = ("INSERT INTO events (name, interaction_id, platform, occurred_at, recorded_at, actor, playbook, "
                 "rule_version, campaign, data) VALUES (?, ?, ?, ?, ?, ?, '', '', ?, ?)")
    # Columns named: migrations append columns (account_id, ...) that the rows leave at their defaults.
    columns = ("id, platform, kind, external_id, author_id, author_name, text, post_id, parent_id, created_at, "
               "received_at, is_follower, is_vip, campaign, source, status, claimed_by, claimed_at, attempts, "
               "last_error")
    row_sql = f"INSERT INTO interactions ({columns}) VALUES ({', '.join('?' * 20)})"
    span = (end - start).total_seconds()
    while total < events:
        rows, batch = [], []
        for _ in range(5000):
            received = start + timedelta(seconds=rng.uniform(0, span))
            row, evs = interaction_events(rng, n, received)
            n += 1
            rows.append(row)
            batch.extend(e[:4] + (e[3],) + e[4:] for e in evs)
        with connection:
            connection.executemany(row_sql, rows)
            connection.executemany(event_sql, batch)
        total += len(batch)
    connection.close()
    return total
