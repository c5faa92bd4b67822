"""Grounded answers: right-fact, wrong-fact and no-answer rates on a labelled set, and the worker's cost.

    python bench/knowledge_answers.py [--runs 5] [--show] [--dev] [--brand DIR [--questions FILE]]

Accuracy: the questions of `bench/data/knowledge_questions.jsonl` (EN and FR, written before any tuning and
phrased unlike the examples in the demo brand's knowledge.yaml) go through the real path: stored, classified
by the shipped classifier, grounded against `socialops/demo/knowledge/` (post captions served by the sandbox
platform), decided by the default playbook library. For each question the text of its reply or draft is
checked:
- right: the expected fact (e.g. "6.90", "LUMIERE10") is in the text, from the expected answer or product;
  for a question the knowledge base cannot answer ("what song is this?"), no fact at all;
- wrong: the text carries a fact from another answer or product (a wrong fact sent or drafted);
- no answer: the text carries no fact (a draft saying nothing matched, or a human task);
and, of the right and wrong ones, how many went out without a person (auto replies and DMs); and, of the
others, how many had the right fact one click away: among the draft's alternatives, which the approval card sends
with "Send this instead".

`--questions bench/data/knowledge_probe.jsonl`: 44 questions on the demo brand written in the twelfth round, with
typos, slang and phrasings unlike the examples, used to find failures (opening hours, restock, percentages): dev
material, not an independent measure.

`--brand DIR` measures another brand the same way: DIR/knowledge.yaml, DIR/catalogue.csv, DIR/posts.json (post
captions, "platform:post id" -> caption) and the questions of DIR/questions.jsonl (or `--questions FILE`). A
scenario week (`--questions week.jsonl`) also holds messages that ask nothing (`"question": false`: praise,
complaints, spam, pitches); they are scored apart, as the share given a fact anyway.

Time: the demo week's 360 messages plus the labelled questions, processed by the worker without knowledge and
with it, alternately, each run on a fresh SQLite file with the classifier's cache emptied; reports the median
seconds per interaction of each and their ratio (the same run, the same machine load).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from moderation.domain import AlternativeReply, Interaction, Kind, Platform, alternative_replies  # noqa: E402
from moderation.domain.attribution import LINK  # noqa: E402
from moderation.domain.ports import NoHumans  # noqa: E402
from moderation.ingest.store import store_interactions  # noqa: E402
from moderation.pipeline.worker import ModerationWorker  # noqa: E402
from moderation.platforms.sandbox.outbound import sandbox_connectors  # noqa: E402
from moderation.storage import Database  # noqa: E402
from moderation.storage.tables import ActionRow, ClassificationRow, DecisionRow  # noqa: E402
from socialops.compose.core import build_classifier, build_knowledge, build_library, worker_settings  # noqa: E402
from socialops.config import Knowledge, Settings  # noqa: E402
from socialops.demo.questions import demo_settings, load_captions  # noqa: E402
from socialops.demo.runner import SAMPLE  # noqa: E402

QUESTIONS = ROOT / "bench" / "data" / "knowledge_questions.jsonl"
# A second set, written after the first run on QUESTIONS and used to tune thresholds and rules (`--dev`).
DEV_QUESTIONS = ROOT / "bench" / "data" / "knowledge_dev.jsonl"
DEFAULT_JUDGE = str(Knowledge.model_fields["judge"].default)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u202f", " ").replace("\xa0", " "))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def _unlinked(text: str) -> str:
    """A text folded, its links left out: a product's facts go without their link where the platform's limit
    leaves no room for it (playbooks.templates), so a reply is recognised by its words."""
    return _fold(LINK.sub(" ", text))


def _carries(replies: list[str], answer: str) -> bool:
    """Whether the replies carry the answer: its first 40 characters, links left out on both sides."""
    return bool(answer) and _unlinked(answer)[:40] in _unlinked(" ".join(replies))


def questions(path: Path = QUESTIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _interaction(k: int, item: dict, at: datetime, prefix: str) -> Interaction:
    platform, post_id = (item["post"].split(":", 1) if item.get("post") else (item["platform"], None))
    return Interaction(platform=Platform(platform), kind=Kind(item.get("kind", "comment")),
                       external_id=f"{prefix}-{k}", author_id=f"asker-{k}", author_name=f"asker{k}",
                       text=item["text"], post_id=post_id, created_at=at + timedelta(seconds=k))


def _sample(at: datetime) -> list[Interaction]:
    out = []
    for k, line in enumerate(SAMPLE.read_text(encoding="utf-8").splitlines()):
        record = json.loads(line)
        out.append(Interaction(platform=Platform(record["platform"]), kind=Kind(record["kind"]),
                               external_id=f"demo-{k}", author_id=record["author_id"], author_name=record["author"],
                               text=record["text"], post_id=record.get("post_id"), campaign=record.get("campaign"),
                               created_at=at + timedelta(seconds=k)))
    return out


async def _process(db: Database, classifier, library, knowledge, settings) -> float:  # type: ignore[no-untyped-def]
    worker = ModerationWorker(db, classifier, library, NoHumans(), worker_settings(settings), name="bench",
                              knowledge=knowledge)
    started = time.perf_counter()
    await worker.run_until_idle()
    return time.perf_counter() - started


def brand_settings(brand: Path | None, judge: str = DEFAULT_JUDGE) -> Settings:
    settings = demo_settings() if brand is None else Settings(
        knowledge=Knowledge(answers=brand / "knowledge.yaml", catalogue=brand / "catalogue.csv"))
    assert settings.knowledge is not None
    # No warm-up (knowledge.auto_send_after): "sent without a person" measures what retrieval is sure of, which
    # on a new brand waits for a few approvals first.
    return settings.model_copy(update={"knowledge": settings.knowledge.model_copy(
        update={"judge": judge, "auto_send_after": 0})})


def brand_captions(connectors: dict, brand: Path | None) -> None:  # type: ignore[type-arg]
    """The sandbox serves the brand's post captions, as the platforms' post APIs would."""
    if brand is None:
        load_captions(connectors)
        return
    posts = brand / "posts.json"
    if not posts.exists():
        return
    for key, caption in json.loads(posts.read_text(encoding="utf-8")).items():
        platform, post_id = key.split(":", 1)
        connectors[Platform(platform)].captions[post_id] = caption


def accuracy(show: bool | str, path: Path = QUESTIONS, brand: Path | None = None,
             dump: Path | None = None, judge: str = DEFAULT_JUDGE) -> dict[str, float]:
    settings = brand_settings(brand, judge)
    classifier = build_classifier(settings)
    library = build_library(settings)
    items = questions(path)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/accuracy.db")
        connectors = sandbox_connectors()
        brand_captions(connectors, brand)
        knowledge = build_knowledge(settings, classifier, db, connectors, library)
        at = datetime.now(UTC) - timedelta(hours=1)
        store_interactions(db, [_interaction(k, item, at, "q") for k, item in enumerate(items)], source="bench")
        asyncio.run(_process(db, classifier, library, knowledge, settings))
        with db.session() as session:
            contexts = {row.interaction_id: (row.context or {}).get("knowledge") or {}
                        for row in session.exec(select(DecisionRow))}
            intents = dict(session.exec(select(ClassificationRow.interaction_id, ClassificationRow.intent)).all())
            langs = dict(session.exec(select(ClassificationRow.interaction_id, ClassificationRow.lang)).all())
            texts: dict[str, list[str]] = {}
            sent: dict[str, list[str]] = {}  # texts that went out without a person
            alternatives: dict[str, list[AlternativeReply]] = {}  # the drafts' "send this instead" replies
            for action in session.exec(select(ActionRow)):
                alternatives.setdefault(action.interaction_id, []).extend(alternative_replies(action.params))
                text = action.params.get("text")
                if text:
                    texts.setdefault(action.interaction_id, []).append(str(text))
                    if action.type in ("auto_reply", "send_dm"):
                        sent.setdefault(action.interaction_id, []).append(str(text))
        db.dispose()
    right = wrong = none = sent_right = sent_wrong = one_click = 0
    remarks = remarks_with_fact = 0  # a scenario week's messages that ask nothing ("question": false)
    dumped = []  # every question with its grounding and verdict, for `--dump`
    for k, item in enumerate(items):
        interaction_id = f"{item['post'].split(':', 1)[0] if item.get('post') else item['platform']}:q-{k}"
        grounding = contexts.get(interaction_id, {})
        text = _fold(" ".join(texts.get(interaction_id, [])))
        has_fact = _carries(texts.get(interaction_id, []), grounding.get("answer") or "")
        if item["expect"] == "none":
            verdict = "wrong" if has_fact else "right"
        elif has_fact and grounding.get("source") == item["expect"] and _fold(item["fact"]) in text:
            verdict = "right"
        elif has_fact:
            verdict = "wrong"
        else:
            verdict = "none"
        if item.get("question", True) is False:
            remarks += 1
            remarks_with_fact += has_fact
            if show and (has_fact or show == "all"):
                print(f"  {'fact' if has_fact else 'ok':5} {'remark':24} got {grounding.get('source') or '-':24} "
                      f"{intents.get(interaction_id, '?'):16} {item['text']!r}")
            continue
        dumped.append({**item, "verdict": verdict, "intent": intents.get(interaction_id),
                       "lang": langs.get(interaction_id), "grounding": grounding})
        right += verdict == "right"
        # Not right, but a button on the card sends the right fact ("Send this instead").
        one_click += verdict != "right" and item["expect"] != "none" and any(
            alternative.source == item["expect"] and _fold(item["fact"]) in _fold(alternative.text)
            and alternative.sendable
            for alternative in alternatives.get(interaction_id, []))
        wrong += verdict == "wrong"
        none += verdict == "none"
        automatic = has_fact and _carries(sent.get(interaction_id, []), grounding["answer"])
        sent_right += automatic and verdict == "right"
        sent_wrong += automatic and verdict == "wrong"
        if show and (verdict != "right" or show == "all"):
            print(f"  {verdict:5} {item['expect']:24} got {grounding.get('source') or '-':24} "
                  f"{intents.get(interaction_id, '?'):16} "
                  f"{grounding.get('level', '-'):4} {grounding.get('confidence', 0):.2f} {item['text']!r}")
    if dump is not None:
        dump.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in dumped), encoding="utf-8")
    n = len(items) - remarks
    return {"questions": n, "right": right / n, "wrong": wrong / n, "no_answer": none / n,
            "sent_right": sent_right / n, "sent_wrong": sent_wrong / n, "one_click": one_click / n,
            "remarks": remarks, "remarks_with_fact": remarks_with_fact / remarks if remarks else 0.0}


def timing(runs: int, judge: str = DEFAULT_JUDGE) -> dict[str, float]:
    settings = brand_settings(None, judge)
    classifier = build_classifier(settings)
    library = build_library(settings)
    at = datetime.now(UTC) - timedelta(days=2)
    stream = _sample(at) + [_interaction(k, item, at + timedelta(hours=1), "q") for k, item in enumerate(questions())]
    per = {"without": [], "with": []}
    plain = classifier.encoder  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs + 1):  # the first round warms both paths up and is not counted
            for mode in ("without", "with") if run % 2 == 0 else ("with", "without"):
                db = Database(f"sqlite:///{tmp}/{mode}-{run}.db")
                connectors = sandbox_connectors()
                load_captions(connectors)
                # Each run starts cold: the plain encoder without knowledge; with it, a fresh remembering
                # wrapper (build_knowledge puts it on the classifier), so no run reuses another's embeddings.
                classifier.encoder = plain  # type: ignore[attr-defined]
                knowledge = build_knowledge(settings, classifier, db, connectors, library) if mode == "with" else None
                store_interactions(db, stream, source="bench")
                classifier._cache.clear()  # type: ignore[attr-defined] - both modes classify from scratch
                seconds = asyncio.run(_process(db, classifier, library, knowledge, settings))
                db.dispose()
                if run:
                    per[mode].append(seconds / len(stream))
    without, with_ = statistics.median(per["without"]), statistics.median(per["with"])
    return {"interactions": len(stream), "ms_without": without * 1000, "ms_with": with_ * 1000,
            "ratio": with_ / without}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--show", action="store_true", help="print every question not answered right")
    parser.add_argument("--show-all", action="store_true", help="print every question")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--dev", action="store_true", help="score the tuning set instead of the labelled set")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--dump", type=Path, help="write each question, its grounding and verdict as JSON lines")
    parser.add_argument("--judge", choices=("classifier", "multilingual-e5-small", "off"), default=DEFAULT_JUDGE,
                        help="knowledge.judge: whose embeddings retrieval's judge reads, or off (the rules alone)")
    parser.add_argument("--brand", type=Path, help="a brand folder: knowledge.yaml, catalogue.csv, posts.json, "
                        "questions.jsonl")
    parser.add_argument("--questions", type=Path, help="the labelled questions (default: the brand's, else ours)")
    args = parser.parse_args()
    if not args.skip_accuracy:
        path = args.questions or (args.brand / "questions.jsonl" if args.brand else
                                  DEV_QUESTIONS if args.dev else QUESTIONS)
        result = accuracy("all" if args.show_all else args.show, path, args.brand, args.dump,
                          judge=args.judge)
        print(f"labelled questions: {result['questions']} · right fact {result['right']:.1%} · "
              f"wrong fact {result['wrong']:.1%} · no answer {result['no_answer']:.1%} · of which sent without a "
              f"person: right {result['sent_right']:.1%}, wrong {result['sent_wrong']:.1%}")
        print(f"right fact one click away (an alternative on the card, not in the draft): "
              f"{result['one_click']:.1%} · right in the draft or one click away "
              f"{result['right'] + result['one_click']:.1%}")
        if result["remarks"]:
            print(f"messages that ask nothing: {result['remarks']} · given a fact anyway "
                  f"{result['remarks_with_fact']:.1%}")
    if not args.skip_timing:
        t = timing(args.runs, args.judge)
        print(f"worker, {t['interactions']} interactions, median of {args.runs} runs: "
              f"{t['ms_without']:.2f} ms/interaction without knowledge, {t['ms_with']:.2f} ms with "
              f"(ratio {t['ratio']:.2f})")


if __name__ == "__main__":
    main()
