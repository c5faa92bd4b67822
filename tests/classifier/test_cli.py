"""The click commands end to end: classify (stdin -> stdout), --intents few-shot, eval PNG."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner

from moderation.classifier import clear_cache
from socialops.commands.classify import register
from tests.classifier.conftest import HASHING

INTENTS_YAML = """
intents:
  card_arrival: {examples: ["my card has not arrived", "still waiting for my card", "card not delivered yet"]}
  lost_card: {examples: ["I lost my card", "my card was stolen", "can't find my card anywhere"]}
  exchange_rate: {examples: ["what is the exchange rate", "bad exchange rate on euros", "rate for dollars"]}
"""


def cli() -> click.Group:
    @click.group()
    def group() -> None:
        pass

    register(group)
    return group


def test_classify_command_reads_stdin_writes_jsonl(tiny_models: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOCIALOPS_ENCODER", HASHING)
    clear_cache()
    stdin = '{"id": 1, "text": "how much is it"}\nnot json\n{"id": 3, "text": "love it so much"}\n'
    result = CliRunner().invoke(cli(), ["classify", "--models-dir", str(tiny_models)], input=stdin)
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.output.splitlines()]
    assert [o.get("id") for o in out] == [1, None, 3] and "error" in out[1]
    assert out[0]["intent"] == "pricing"


def test_classify_with_custom_intents(tiny_models: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOCIALOPS_ENCODER", HASHING)
    clear_cache()
    intents = tmp_path / "intents.yaml"
    intents.write_text(INTENTS_YAML)
    stdin = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(
        ["my card still has not arrived", "I think I lost my card", "what's the exchange rate for dollars"]))
    result = CliRunner().invoke(
        cli(), ["classify", "--models-dir", str(tiny_models), "--intents", str(intents)], input=stdin
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(x)["intent"] for x in result.output.splitlines()] == [
        "card_arrival", "lost_card", "exchange_rate"]


def test_invalid_intents_file_is_a_clean_error(tiny_models: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOCIALOPS_ENCODER", HASHING)
    bad = tmp_path / "bad.yaml"
    bad.write_text("intents:\n  only_one: {examples: [hello]}\n")
    result = CliRunner().invoke(cli(), ["classify", "--models-dir", str(tiny_models), "--intents", str(bad)],
                                input="")
    assert result.exit_code != 0 and "invalid intents file" in result.output
