"""`knowledge:` in the team file (paths relative to it, validated at start) and `socialops knowledge suggest`."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from bot.approvals import ApprovalService, Verdict
from moderation.domain import utcnow
from moderation.domain.ports import NoHumans
from moderation.knowledge import KnowledgeError
from moderation.knowledge.suggest import suggest
from moderation.pipeline.worker import ModerationWorker
from moderation.platforms.sandbox.outbound import sandbox_connectors
from moderation.storage import Database
from moderation.storage.tables import ApprovalRow
from socialops.cli import cli
from socialops.compose.core import authorizer, build_knowledge
from socialops.config import ConfigError, Settings, load_settings
from tests.knowledge.conftest import FixedClassifier, library
from tests.knowledge.test_pipeline import _store


def _config(tmp_path: Path, brand_files: tuple[Path, Path], extra: str = "") -> Path:
    folder = tmp_path / "team"
    folder.mkdir()
    for source in brand_files:
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    path = folder / "socialops.yaml"
    path.write_text(f"knowledge:\n  answers: knowledge.yaml\n  catalogue: catalogue.csv\n{extra}", encoding="utf-8")
    return path


def test_paths_are_relative_to_the_config_file(tmp_path: Path, brand_files, monkeypatch) -> None:
    path = _config(tmp_path, brand_files)
    monkeypatch.chdir(tmp_path)
    settings = load_settings(path)
    assert settings.knowledge.answers == path.parent / "knowledge.yaml"
    stage = build_knowledge(settings, FixedClassifier({}))
    assert stage is not None and len(stage.retriever.base.products) == 3
    result = CliRunner().invoke(cli, ["knowledge", "validate", "--config", str(path)])
    assert result.exit_code == 0 and "ok: 3 answers, 3 products" in result.output


def test_a_mapping_to_an_unknown_sku_stops_the_start(tmp_path: Path, brand_files) -> None:
    path = _config(tmp_path, brand_files, "  posts: {'instagram:123': NOPE-1}\n")
    with pytest.raises(KnowledgeError, match="knowledge.posts.instagram:123: unknown sku 'NOPE-1'"):
        build_knowledge(load_settings(path), FixedClassifier({}))


def test_a_broken_catalogue_stops_the_start_with_file_and_line(tmp_path: Path, brand_files) -> None:
    path = _config(tmp_path, brand_files)
    catalogue = path.parent / "catalogue.csv"
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + "BAD,Thing,cheap,EUR,,,1,https://x.example,\n",
                         encoding="utf-8")
    with pytest.raises(KnowledgeError, match=rf"{catalogue}:5: price must be a number"):
        build_knowledge(load_settings(path), FixedClassifier({}))


def test_config_mistakes_are_named(tmp_path: Path) -> None:
    path = tmp_path / "socialops.yaml"
    path.write_text("knowledge: {high: 0.9}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="knowledge needs `answers`"):
        load_settings(path)
    path.write_text("knowledge: {answers: k.yaml}\ndrafting: {llm: {base_url: 'ftp://x', model: m}}\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="drafting.llm.base_url"):
        load_settings(path)
    assert Settings().drafting.llm is None  # LLM wording is off by default


def test_suggest_lists_unanswered_questions_and_edited_answers(brand, sqlite_db: Database) -> None:
    retriever_classifier = FixedClassifier({"can I return an item?": ("product_question", "en"),
                                            "do you sell watches?": ("product_question", "en"),
                                            "Do you sell watches ?": ("product_question", "en")})
    from moderation.knowledge.posts import PostProducts
    from moderation.knowledge.retrieval import Retriever
    from moderation.knowledge.stage import KnowledgeStage

    retriever = Retriever(brand)
    stage = KnowledgeStage(retriever, PostProducts(sqlite_db, retriever.caption_product,
                                                   reader=lambda p, a: sandbox_connectors()[p]))
    _store(sqlite_db, ["do you sell watches?", "Do you sell watches ?", "can I return an item?"])
    worker = ModerationWorker(sqlite_db, retriever_classifier, library(), NoHumans(), knowledge=stage)
    asyncio.run(worker.run_until_idle())
    with sqlite_db.session() as session:
        approval = session.exec(select(ApprovalRow)).all()
    # The two "watches" questions: drafts saying nothing matched; the returns one: human: true, a draft.
    assert len(approval) == 3
    found = suggest(sqlite_db, utcnow() - timedelta(days=7))
    assert [(q.text, q.count, q.level) for q in found.unanswered] == [("do you sell watches?", 2, "none")]

    # A person edits the drafted answer before approving: it shows up as an answer to improve.
    returns = next(a for a in approval if "30 days" in a.draft_text)
    ApprovalService(sqlite_db, authorizer(Settings())).decide(
        returns.id, Verdict.edit, surface="console", user="demo-manager",
        final_text="You have 30 days to return unworn items, and returns are free in the EU.")
    found = suggest(sqlite_db, utcnow() - timedelta(days=7))
    assert [(e.source, e.edits, e.drafts) for e in found.edited] == [("answer:returns", 1, 1)]
    assert found.edited[0].examples[0][1].endswith("returns are free in the EU.")

    result = CliRunner().invoke(cli, ["knowledge", "suggest", "--json"],
                                env={"SOCIALOPS_DATABASE_URL": sqlite_db.url, "SOCIALOPS_CONFIG": ""})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["unanswered"][0]["text"] == "do you sell watches?"


def test_suggest_lists_questions_answered_with_an_alternative_as_wordings_to_add(brand, sqlite_db: Database) -> None:
    import numpy as np

    from moderation.classifier.encoder import HashingEncoder
    from moderation.knowledge.judge import FEATURES, Judge, Linear
    from moderation.knowledge.posts import PostProducts
    from moderation.knowledge.retrieval import Retriever
    from moderation.knowledge.stage import KnowledgeStage

    # A judge that trusts no unsure pick: the returns answer is left out of the draft, first alternative.
    doubting = Judge(Linear(np.zeros(len(FEATURES)), -10.0), keep=0.5, switch=0.5)
    retriever = Retriever(brand, HashingEncoder(256).encode, judge=doubting)
    stage = KnowledgeStage(retriever, PostProducts(sqlite_db, retriever.caption_product,
                                                   reader=lambda p, a: sandbox_connectors()[p]))
    _store(sqlite_db, ["can I send it back?"])
    worker = ModerationWorker(sqlite_db, FixedClassifier({"can I send it back?": ("refund", "en")}), library(),
                              NoHumans(), knowledge=stage)
    asyncio.run(worker.run_until_idle())
    with sqlite_db.session() as session:
        [approval] = session.exec(select(ApprovalRow)).all()
    ApprovalService(sqlite_db, authorizer(Settings())).decide(
        approval.id, Verdict.edit, surface="console", user="demo-manager", alternative=0)

    found = suggest(sqlite_db, utcnow() - timedelta(days=7))
    assert [(s.text, s.lang, s.source, s.count) for s in found.sent_instead] == [
        ("can I send it back?", "en", "answer:returns", 1)]
    assert found.edited == []  # a fact swapped for another is not an edit of the draft's wording
    result = CliRunner().invoke(cli, ["knowledge", "suggest"],
                                env={"SOCIALOPS_DATABASE_URL": sqlite_db.url, "SOCIALOPS_CONFIG": ""})
    assert result.exit_code == 0, result.output
    assert "1× can I send it back? (en) -> answer:returns" in result.output

